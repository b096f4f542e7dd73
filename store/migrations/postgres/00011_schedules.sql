-- +goose Up
-- The IDs of the schedules made through adscan, so a list shows a schedule
-- made a moment ago (Temporal's own list is eventually consistent).
CREATE TABLE schedules (
    id         TEXT PRIMARY KEY,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE IF EXISTS schedules;
