-- +goose Up
-- How each target's crawl in a scan went (see adscan.ScanSite).
CREATE TABLE scan_sites (
    scan_id       TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    target        TEXT NOT NULL,
    pages         INTEGER NOT NULL,
    errors        INTEGER NOT NULL,
    retried       INTEGER NOT NULL,
    seconds       DOUBLE PRECISION NOT NULL,
    wait_seconds  DOUBLE PRECISION NOT NULL,
    done          BOOLEAN NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scan_id, target)
);

-- +goose Down
DROP TABLE IF EXISTS scan_sites;
