-- Module 01: book ratings kept as a running count and sum (exercise 01.6).
-- `version` is the optimistic lock: every update bumps it, and an update that
-- names an old version changes nothing.
CREATE TABLE books (
    id           BIGSERIAL PRIMARY KEY,
    title        TEXT   NOT NULL,
    rating_count INT    NOT NULL DEFAULT 0,
    rating_sum   BIGINT NOT NULL DEFAULT 0,
    version      INT    NOT NULL DEFAULT 0
);
