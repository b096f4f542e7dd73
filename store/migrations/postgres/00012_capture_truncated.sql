-- +goose Up
-- A body cut at the crawler's size cap is marked as such: its digest covers
-- the kept bytes only (body_size of them).
ALTER TABLE captures ADD COLUMN truncated BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE captures DROP COLUMN truncated;
