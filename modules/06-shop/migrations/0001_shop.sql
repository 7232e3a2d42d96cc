-- Module 06: shop flows. One schema holds every exercise's tables; each spec
-- test gets a fresh copy.

-- 06.1 checkout. A product's units are on the shelf (stock), held for an
-- order whose payment is under way (reserved), or sold. An order is
-- 'reserved' until its payment ends: then 'paid' or 'released', never both,
-- and never left 'reserved' by a checkout that returned.
CREATE TABLE products (
    id       BIGINT PRIMARY KEY,
    price    BIGINT NOT NULL CHECK (price > 0),
    stock    INT    NOT NULL,
    reserved INT    NOT NULL DEFAULT 0,
    sold     INT    NOT NULL DEFAULT 0
);

CREATE TABLE orders (
    id         BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products (id),
    buyer      TEXT   NOT NULL,
    qty        INT    NOT NULL CHECK (qty > 0),
    amount     BIGINT NOT NULL,
    state      TEXT   NOT NULL DEFAULT 'reserved'
               CHECK (state IN ('reserved', 'paid', 'released')),
    -- The gateway's charge id, once paid.
    charge     TEXT
);

-- 06.2 wallet. The ledger has a row per movement, written in the same
-- transaction as the balance it moves: per account, the ledger sums to the
-- balance.
CREATE TABLE accounts (
    id      BIGINT PRIMARY KEY,
    balance BIGINT NOT NULL
);

CREATE TABLE ledger (
    id         BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    -- Signed: a debit is negative.
    amount     BIGINT NOT NULL,
    kind       TEXT   NOT NULL CHECK (kind IN ('open', 'debit', 'transfer'))
);

-- 06.3 email queue. A job is 'queued' until delivered ('done') or given up
-- ('dead'). A claim leases it until leased_until; a job whose lease ran out
-- (its worker crashed) is claimable again. A failure puts it back with
-- run_at in the future (the backoff).
CREATE TABLE email_jobs (
    id           BIGSERIAL PRIMARY KEY,
    recipient    TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'dead')),
    attempts     INT  NOT NULL DEFAULT 0,
    run_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    leased_until TIMESTAMPTZ,
    last_error   TEXT
);

CREATE INDEX email_jobs_ready ON email_jobs (id) WHERE state = 'queued';

-- 06.4 saga. Three services (the items, the wallets, the slots) and the
-- orchestrator's log: a saga's row, and one log row per step done ('do') or
-- undone ('undo'), each written in the transaction of the work it records.
CREATE TABLE saga_items (
    id    BIGINT PRIMARY KEY,
    stock INT    NOT NULL
);

CREATE TABLE saga_wallets (
    id      BIGINT PRIMARY KEY,
    balance BIGINT NOT NULL
);

CREATE TABLE saga_slots (
    id        BIGINT PRIMARY KEY,
    booked_by BIGINT
);

CREATE TABLE sagas (
    id          BIGSERIAL PRIMARY KEY,
    item_id     BIGINT NOT NULL,
    wallet_id   BIGINT NOT NULL,
    slot_id     BIGINT NOT NULL,
    amount      BIGINT NOT NULL,
    state       TEXT   NOT NULL DEFAULT 'running'
                CHECK (state IN ('running', 'compensating', 'completed', 'compensated')),
    -- The step that failed, once compensating.
    failed_step INT
);

CREATE TABLE saga_log (
    id      BIGSERIAL PRIMARY KEY,
    saga_id BIGINT NOT NULL REFERENCES sagas (id),
    step    INT    NOT NULL CHECK (step BETWEEN 1 AND 3),
    action  TEXT   NOT NULL CHECK (action IN ('do', 'undo')),
    UNIQUE (saga_id, step, action)
);

-- 06.5 accept now, process later. An order is QUEUED when accepted and DONE
-- once a worker processed it; `processed` counts the times its work ran
-- (at least once: a worker that died mid-way leaves its orders to another).
CREATE TABLE intake_orders (
    id        BIGSERIAL PRIMARY KEY,
    item      TEXT NOT NULL,
    qty       INT  NOT NULL CHECK (qty > 0),
    status    TEXT NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'DONE')),
    processed INT  NOT NULL DEFAULT 0
);

-- 06.6 transactional outbox. An order and its OrderPlaced event are written
-- in one transaction; a relay publishes unpublished events and marks them.
-- On the consuming side, another service keeps the events it applied (by
-- event id) and the figures it derives from them, in one transaction.
CREATE TABLE outbox_orders (
    id   BIGSERIAL PRIMARY KEY,
    item TEXT NOT NULL,
    qty  INT  NOT NULL CHECK (qty > 0)
);

CREATE TABLE outbox (
    id           BIGSERIAL PRIMARY KEY,
    event_id     TEXT   NOT NULL UNIQUE DEFAULT gen_random_uuid()::text,
    order_id     BIGINT NOT NULL,
    qty          INT    NOT NULL,
    published_at TIMESTAMPTZ
);

CREATE TABLE applied_events (
    event_id TEXT PRIMARY KEY
);

CREATE TABLE sales_stats (
    id     INT    PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    orders BIGINT NOT NULL DEFAULT 0,
    units  BIGINT NOT NULL DEFAULT 0
);

INSERT INTO sales_stats DEFAULT VALUES;
