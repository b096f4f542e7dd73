-- +goose Up
-- Keyset pagination of the lists (adscan.ListPage): each list's order key
-- has an index, so a page after a cursor is read from the index.
CREATE INDEX scans_started_at_id ON scans (started_at, id);
DROP INDEX IF EXISTS scans_started_at;
CREATE INDEX targets_created_at_id ON targets (created_at, id);
CREATE INDEX targets_name_url ON targets (name, url);
CREATE INDEX scan_errors_target_url ON scan_errors (scan_id, target, url);
CREATE INDEX cases_updated_at_id ON cases (updated_at, id);

-- +goose Down
DROP INDEX IF EXISTS cases_updated_at_id;
DROP INDEX IF EXISTS scan_errors_target_url;
DROP INDEX IF EXISTS targets_name_url;
DROP INDEX IF EXISTS targets_created_at_id;
CREATE INDEX scans_started_at ON scans (started_at);
DROP INDEX IF EXISTS scans_started_at_id;
