-- +goose Up
-- Why each failed page of a scan failed (the scan keeps only counts).
CREATE TABLE scan_errors (
    scan_id TEXT NOT NULL,
    target  TEXT NOT NULL,
    url     TEXT NOT NULL,
    kind    TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    at      TEXT NOT NULL,
    PRIMARY KEY (scan_id, url)
);

-- +goose Down
DROP TABLE IF EXISTS scan_errors;
