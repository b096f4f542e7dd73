-- SQLite schema of the adscan store. Times are TEXT in a fixed-width UTC
-- format (2006-01-02T15:04:05.000000Z) so they sort as strings; JSON is TEXT.

-- +goose Up
CREATE TABLE targets (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL DEFAULT '',
    region     TEXT NOT NULL DEFAULT '',
    max_pages  INTEGER NOT NULL DEFAULT 0,
    max_depth  INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE scans (
    id          TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    targets     TEXT NOT NULL DEFAULT '[]',
    pages       INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    schedule    TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scans_started_at ON scans (started_at);

-- scan_id is '' for a capture made outside a scan, so the idempotency key
-- (scan_id, requested_url, body_sha256) never contains NULL.
CREATE TABLE captures (
    id              TEXT PRIMARY KEY,
    scan_id         TEXT NOT NULL DEFAULT '',
    target          TEXT NOT NULL DEFAULT '',
    requested_url   TEXT NOT NULL,
    final_url       TEXT NOT NULL DEFAULT '',
    redirects       TEXT NOT NULL DEFAULT '[]',
    status          INTEGER NOT NULL DEFAULT 0,
    header          TEXT NOT NULL DEFAULT '{}',
    fetched_at      TEXT NOT NULL,
    body_sha256     TEXT NOT NULL,
    body_size       INTEGER NOT NULL DEFAULT 0,
    text            TEXT NOT NULL DEFAULT '',
    text_sha256     TEXT NOT NULL DEFAULT '',
    warc            BLOB,
    lexicon_name    TEXT NOT NULL DEFAULT '',
    lexicon_version TEXT NOT NULL DEFAULT '',
    UNIQUE (scan_id, requested_url, body_sha256)
);

CREATE TABLE cases (
    id         TEXT PRIMARY KEY,
    target     TEXT NOT NULL,
    url        TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (target, url)
);
CREATE INDEX cases_created_at ON cases (created_at);
CREATE INDEX cases_state ON cases (state);

-- A finding is keyed by the content it came from: the same page body seen
-- again adds no finding, a changed body adds its own.
CREATE TABLE findings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    capture_id      TEXT NOT NULL REFERENCES captures (id),
    body_sha256     TEXT NOT NULL,
    category        TEXT NOT NULL,
    score           REAL NOT NULL,
    basis           TEXT NOT NULL DEFAULT '',
    evidence        TEXT NOT NULL DEFAULT '[]',
    lexicon_name    TEXT NOT NULL DEFAULT '',
    lexicon_version TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    UNIQUE (case_id, category, body_sha256)
);
CREATE INDEX findings_category ON findings (category, case_id);

CREATE TABLE sightings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    capture_id  TEXT NOT NULL REFERENCES captures (id),
    scan_id     TEXT NOT NULL DEFAULT '',
    body_sha256 TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    UNIQUE (case_id, capture_id)
);
CREATE INDEX sightings_scan ON sightings (scan_id, case_id);

CREATE TABLE decisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    decision   TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX decisions_case ON decisions (case_id, id);

CREATE TABLE referrals (
    case_id      TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    sha256       TEXT NOT NULL,
    package      BLOB NOT NULL,
    destination  TEXT NOT NULL DEFAULT '',
    delivered_at TEXT,
    created_at   TEXT NOT NULL
);

CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT REFERENCES cases (id),
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT '',
    at      TEXT NOT NULL
);
CREATE INDEX audit_case ON audit (case_id, id);

-- +goose Down
DROP TABLE IF EXISTS audit;
DROP TABLE IF EXISTS users;
DROP TABLE IF EXISTS referrals;
DROP TABLE IF EXISTS decisions;
DROP TABLE IF EXISTS sightings;
DROP TABLE IF EXISTS findings;
DROP TABLE IF EXISTS cases;
DROP TABLE IF EXISTS captures;
DROP TABLE IF EXISTS scans;
DROP TABLE IF EXISTS targets;
