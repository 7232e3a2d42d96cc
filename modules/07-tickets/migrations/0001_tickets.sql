-- Module 07: concerts, their tickets, carts and orders.
--
-- Times are milliseconds since the Unix epoch (BIGINT), read from the module's
-- injected clock (src/clock.rs), never from now(): the spec moves time itself.

CREATE TABLE concerts (
    id    BIGSERIAL PRIMARY KEY,
    name  TEXT NOT NULL,
    venue TEXT NOT NULL
);

-- A ticket's state machine: AVAILABLE -> IN_QUEUE (someone queued) ->
-- RESERVED (the worker gave it to one user until reserved_until) -> SOLD
-- (checkout), or back to AVAILABLE when the reservation expires (sweeper).
CREATE TABLE tickets (
    id             BIGSERIAL PRIMARY KEY,
    concert_id     BIGINT NOT NULL REFERENCES concerts (id),
    seat           TEXT NOT NULL,
    price          BIGINT NOT NULL CHECK (price >= 0),
    status         TEXT NOT NULL DEFAULT 'AVAILABLE'
                   CHECK (status IN ('AVAILABLE', 'IN_QUEUE', 'RESERVED', 'SOLD')),
    reserved_by    TEXT,
    reserved_until BIGINT
);

-- No unique index on ticket_id here, on purpose: the exercises must keep a
-- ticket in one cart by their own logic, and the spec counts the rows to see
-- whether they did. (In production, add one as a second line of defence.)
CREATE TABLE cart_items (
    user_id    TEXT NOT NULL,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id),
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, ticket_id)
);

CREATE TABLE orders (
    id         BIGSERIAL PRIMARY KEY,
    user_id    TEXT NOT NULL,
    total      BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Likewise no unique index on ticket_id: a ticket sold twice shows as two rows.
CREATE TABLE order_items (
    order_id  BIGINT NOT NULL REFERENCES orders (id),
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    price     BIGINT NOT NULL,
    PRIMARY KEY (order_id, ticket_id)
);
