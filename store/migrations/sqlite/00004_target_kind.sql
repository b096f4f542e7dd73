-- +goose Up
-- What kind of site a target is, and its licence status in the register.
ALTER TABLE targets ADD COLUMN kind TEXT NOT NULL DEFAULT 'institution';
ALTER TABLE targets ADD COLUMN licence TEXT NOT NULL DEFAULT 'unregistered';

-- +goose Down
ALTER TABLE targets DROP COLUMN licence;
ALTER TABLE targets DROP COLUMN kind;
