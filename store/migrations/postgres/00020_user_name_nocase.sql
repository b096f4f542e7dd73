-- +goose Up
-- User names are told apart without regard to case: REV3 and rev3 are one
-- user. Names are ASCII (accounts.NewUser), so lower() folds them fully.
-- A database that already holds two names differing only in case stops
-- here, naming this index; rename one ('adscan user' cannot, so with SQL)
-- and migrate again.
CREATE UNIQUE INDEX users_name_nocase ON users (lower(name));

-- +goose Down
DROP INDEX users_name_nocase;
