-- +goose Up
-- How each target's crawl in a scan went (see adscan.ScanSite).
CREATE TABLE scan_sites (
    scan_id       TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    target        TEXT NOT NULL,
    pages         INTEGER NOT NULL,
    errors        INTEGER NOT NULL,
    retried       INTEGER NOT NULL,
    seconds       REAL NOT NULL,
    wait_seconds  REAL NOT NULL,
    done          INTEGER NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (scan_id, target)
);

-- +goose Down
DROP TABLE IF EXISTS scan_sites;
