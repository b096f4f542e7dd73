-- +goose Up
-- Why a flagged page has no screenshot, as a code the console names in
-- Chinese (no_browser, off, robots, bad_url, stopped, render_failed,
-- capture_failed); screenshot_error keeps the worker's own words. Captures
-- from before have '' (the console then shows the words alone).
ALTER TABLE captures ADD COLUMN screenshot_error_kind TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE captures DROP COLUMN screenshot_error_kind;
