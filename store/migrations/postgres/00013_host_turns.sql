-- +goose Up
-- Request turns per host, shared by every worker (see Store.TakeHostTurn):
-- when the last request was answered, when by its crawl's delay the next
-- may start, and until when a claimed request in flight holds the host, in
-- microseconds since the Unix epoch of the
-- database's clock.
CREATE TABLE host_turns (
    host    TEXT PRIMARY KEY,
    last_us BIGINT NOT NULL,
    next_us BIGINT NOT NULL,
    busy_until_us BIGINT NOT NULL
);

-- +goose Down
DROP TABLE IF EXISTS host_turns;
