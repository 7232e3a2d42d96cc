-- Module 02: payments made exactly once (exercise 02.4).
--
-- A payment goes through the recovery points of its idempotency key:
--   started          the key is claimed, nothing else has happened;
--   payment_created  the payment row exists, so its reference for the gateway
--                    is fixed: a retry charges with the same reference;
--   finished         the gateway has charged and the answer is stored.
-- Each point is committed with the work that reaches it, so a request that
-- died between two of them is resumed from the last one, never started over.
CREATE TABLE payments (
    id         BIGSERIAL PRIMARY KEY,
    user_id    TEXT   NOT NULL,
    amount     BIGINT NOT NULL CHECK (amount > 0),
    -- The gateway's id for the charge, once it has charged.
    charge     TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE idempotency_keys (
    id             BIGSERIAL PRIMARY KEY,
    user_id        TEXT   NOT NULL,
    key            TEXT   NOT NULL,
    -- The request's fingerprint: the same key with another amount is refused.
    amount         BIGINT NOT NULL,
    recovery_point TEXT   NOT NULL DEFAULT 'started'
                   CHECK (recovery_point IN ('started', 'payment_created', 'finished')),
    -- Keys point at payments, never the other way: the reaper deletes keys
    -- past their retention and the payments stay.
    payment_id     BIGINT REFERENCES payments (id),
    -- The answer as JSON, once finished: every retry gets these very bytes.
    response       TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Scoped to the user: the same key from two users is two requests.
    UNIQUE (user_id, key)
);

CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
