-- +goose Up
-- User names are told apart without regard to case: REV3 and rev3 are one
-- user. Names are ASCII (accounts.NewUser), so lower() folds them fully.
-- A database that already holds two names differing only in case stops
-- here, naming this index. Disable one of the two in the console and
-- delete it with SQL (DELETE FROM users WHERE name = '…'; its sessions go
-- with it), then migrate again. Do not rename it: its audit entries and
-- case assignments name it.
CREATE UNIQUE INDEX users_name_nocase ON users (lower(name));

-- +goose Down
DROP INDEX users_name_nocase;
