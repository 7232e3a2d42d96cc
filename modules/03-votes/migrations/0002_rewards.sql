-- Module 03: the daily reward (exercise 03.4).
--
-- `day` is the claim's calendar day in the configured time zone, as a count
-- of local days since 1970-01-01 (the course binds no date types). The primary
-- key allows one claim per user and local day.
CREATE TABLE wallets (
    user_id TEXT   PRIMARY KEY,
    coins   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE reward_claims (
    user_id    TEXT   NOT NULL,
    day        BIGINT NOT NULL,
    -- Unix seconds, from the service's (injected) clock.
    claimed_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);
