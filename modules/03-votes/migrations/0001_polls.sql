-- Module 03: polls, their options and the votes cast (exercises 03.1, 03.2).
--
-- `votes_one_per_voter` is the lesson of 03.1: the unique key is the lock the
-- database already has. Two transactions inserting the same (poll, voter) can
-- never both succeed, whatever the code around them does; ON CONFLICT turns
-- the loser's error into an answer.
CREATE TABLE polls (
    id       BIGSERIAL PRIMARY KEY,
    question TEXT NOT NULL
);

CREATE TABLE poll_options (
    id      BIGSERIAL PRIMARY KEY,
    poll_id BIGINT NOT NULL REFERENCES polls (id),
    label   TEXT   NOT NULL,
    -- 03.2's running tally. Deliberately no CHECK (votes >= 0): the exercise
    -- keeps it equal to the votes for the option, and the naive code shows
    -- what happens when it does not.
    votes   INT    NOT NULL DEFAULT 0,
    UNIQUE (poll_id, id)
);

CREATE TABLE votes (
    id        BIGSERIAL PRIMARY KEY,
    poll_id   BIGINT NOT NULL,
    option_id BIGINT NOT NULL,
    voter     TEXT   NOT NULL,
    cast_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT votes_one_per_voter UNIQUE (poll_id, voter),
    -- An option of another poll is refused too (SQLSTATE 23503).
    CONSTRAINT votes_option_of_the_poll FOREIGN KEY (poll_id, option_id)
        REFERENCES poll_options (poll_id, id)
);

CREATE INDEX votes_option_id ON votes (option_id);
