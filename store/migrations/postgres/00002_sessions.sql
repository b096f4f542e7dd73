-- +goose Up
-- Console sessions, so a logout (or a user's change) ends a session on
-- every serve process of a cluster and across restarts.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ
);
CREATE INDEX sessions_user ON sessions (user_name);

-- +goose Down
DROP TABLE IF EXISTS sessions;
