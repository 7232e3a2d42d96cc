-- Module 03: single-use and N-use coupons (exercise 03.5).
--
-- Deliberately no CHECK (uses <= max_uses): the exercise keeps that invariant
-- under concurrency with one conditional UPDATE. In production add it as
-- well, as the last line of defence.
CREATE TABLE coupons (
    code     TEXT PRIMARY KEY,
    max_uses INT  NOT NULL CHECK (max_uses > 0),
    uses     INT  NOT NULL DEFAULT 0
);

CREATE TABLE redemptions (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL REFERENCES coupons (code),
    redeemer    TEXT NOT NULL,
    redeemed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT redemptions_one_per_redeemer UNIQUE (code, redeemer)
);
