-- +goose Up
-- A disabled user cannot sign in; their sessions end when disabled.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN disabled;
