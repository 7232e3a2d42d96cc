-- Module 01: the shop's stock and its orders (exercises 01.4, 01.5, the demo).
--
-- There is deliberately no CHECK (reserved <= stock): the exercises make the
-- application keep that invariant under concurrency, and the naive version shows
-- what happens when it does not. In production, add the CHECK as well: a
-- constraint is the last line of defence, and the book's chapter says why.
CREATE TABLE products (
    id       BIGSERIAL PRIMARY KEY,
    name     TEXT NOT NULL,
    stock    INT  NOT NULL CHECK (stock >= 0),
    reserved INT  NOT NULL DEFAULT 0 CHECK (reserved >= 0)
);

CREATE TABLE orders (
    id         BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products (id),
    buyer      TEXT   NOT NULL,
    qty        INT    NOT NULL CHECK (qty > 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX orders_product_id ON orders (product_id);
