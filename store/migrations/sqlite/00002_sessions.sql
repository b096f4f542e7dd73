-- +goose Up
-- Console sessions, so a logout (or a user's change) ends a session on
-- every serve process of a cluster and across restarts.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at   TEXT
);
CREATE INDEX sessions_user ON sessions (user_name);

-- +goose Down
DROP TABLE IF EXISTS sessions;
