-- +goose Up
-- Request slots per host, shared by every worker (see Store.TakeHostTurn):
-- when the latest granted request starts and when, by its crawl's delay,
-- the next may start, in microseconds since the Unix epoch of the
-- database's clock.
CREATE TABLE host_turns (
    host    TEXT PRIMARY KEY,
    last_us BIGINT NOT NULL,
    next_us BIGINT NOT NULL
);

-- +goose Down
DROP TABLE IF EXISTS host_turns;
