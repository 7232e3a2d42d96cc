-- Module 04.6: the catalog that the cache sits in front of.
CREATE TABLE products (
    id          BIGINT PRIMARY KEY,
    name        TEXT   NOT NULL,
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0)
);

-- Counts the searches that reached the database. A sequence, not a table:
-- nextval is not rolled back and takes no row lock, so concurrent searches do
-- not wait for each other on the count.
CREATE SEQUENCE search_calls;

-- One row the spec can lock to hold every search after it has read its rows
-- (so that an update can commit in between, on every run).
CREATE TABLE gate (id INT PRIMARY KEY);
INSERT INTO gate VALUES (1);

-- The catalog search: the products whose name contains the query, by id.
-- It reads its rows first, then passes the gate, so a search the spec holds at
-- the gate answers what the catalog held before.
CREATE FUNCTION search_products(q TEXT)
RETURNS SETOF products
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM nextval('search_calls');
    RETURN QUERY
        SELECT * FROM products
        WHERE strpos(lower(name), lower(q)) > 0
        ORDER BY id;
    PERFORM 1 FROM gate FOR SHARE;
END
$$;
