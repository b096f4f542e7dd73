-- +goose Up
-- A flagged page's screenshot is kept with its capture (PNG, SHA-256, size,
-- whether the height cap cut it, when it was taken), or why there is none.
-- rendered marks a capture whose text is of the page rendered in a browser.
ALTER TABLE captures ADD COLUMN rendered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE captures ADD COLUMN screenshot BLOB;
ALTER TABLE captures ADD COLUMN screenshot_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE captures ADD COLUMN screenshot_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE captures ADD COLUMN screenshot_height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE captures ADD COLUMN screenshot_truncated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE captures ADD COLUMN screenshot_taken_at TEXT;
ALTER TABLE captures ADD COLUMN screenshot_error TEXT NOT NULL DEFAULT '';
-- A target of the register may be crawled in a browser ('browser') or plainly ('').
ALTER TABLE targets ADD COLUMN render TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE targets DROP COLUMN render;
ALTER TABLE captures DROP COLUMN screenshot_error;
ALTER TABLE captures DROP COLUMN screenshot_taken_at;
ALTER TABLE captures DROP COLUMN screenshot_truncated;
ALTER TABLE captures DROP COLUMN screenshot_height;
ALTER TABLE captures DROP COLUMN screenshot_width;
ALTER TABLE captures DROP COLUMN screenshot_sha256;
ALTER TABLE captures DROP COLUMN screenshot;
ALTER TABLE captures DROP COLUMN rendered;
