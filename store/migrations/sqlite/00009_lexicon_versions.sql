-- +goose Up
-- Lexicon versions made in the console (an approved allow-list proposal
-- makes one); the newest is what workers classify with. And the proposals.
CREATE TABLE lexicon_versions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    digest     TEXT NOT NULL UNIQUE,
    yaml       BLOB NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE allow_proposals (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    phrase         TEXT NOT NULL,
    site           TEXT NOT NULL DEFAULT '',
    categories     TEXT NOT NULL DEFAULT '[]',
    note           TEXT NOT NULL DEFAULT '',
    proposed_by    TEXT NOT NULL,
    proposed_at    TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'pending',
    decided_by     TEXT NOT NULL DEFAULT '',
    decided_at     TEXT,
    lexicon_digest TEXT NOT NULL DEFAULT ''
);
CREATE INDEX allow_proposals_state ON allow_proposals (state, id);

-- +goose Down
DROP TABLE IF EXISTS allow_proposals;
DROP TABLE IF EXISTS lexicon_versions;
