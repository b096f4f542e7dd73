-- +goose Up
-- Request turns per host, shared by every worker (see Store.TakeHostTurn):
-- when the last request was answered, when by its crawl's delay the next
-- may start, and until when a claimed request in flight holds the host, in
-- microseconds since the Unix epoch of the
-- clock of the processes sharing the file.
CREATE TABLE host_turns (
    host    TEXT PRIMARY KEY,
    last_us INTEGER NOT NULL,
    next_us INTEGER NOT NULL,
    busy_until_us INTEGER NOT NULL
);

-- +goose Down
DROP TABLE IF EXISTS host_turns;
