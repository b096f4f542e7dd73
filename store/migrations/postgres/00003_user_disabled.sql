-- +goose Up
-- A disabled user cannot sign in; their sessions end when disabled.
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE users DROP COLUMN disabled;
