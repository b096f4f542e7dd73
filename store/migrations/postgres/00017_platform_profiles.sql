-- +goose Up
-- Platform scan profiles a regulator registered (the YAML as given; its
-- name, title, site and render mode for lists), one per name.
CREATE TABLE platform_profiles (
    name       TEXT PRIMARY KEY,
    title      TEXT NOT NULL DEFAULT '',
    site       TEXT NOT NULL,
    render     TEXT NOT NULL DEFAULT '',
    digest     TEXT NOT NULL,
    yaml       BYTEA NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- A page fetched by a profile's scan names the profile, and a detail page
-- the advertiser it names; a case keeps both (the latest capture's that
-- named an advertiser).
ALTER TABLE captures ADD COLUMN profile TEXT NOT NULL DEFAULT '';
ALTER TABLE captures ADD COLUMN advertiser TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN profile TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN advertiser TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE cases DROP COLUMN advertiser;
ALTER TABLE cases DROP COLUMN profile;
ALTER TABLE captures DROP COLUMN advertiser;
ALTER TABLE captures DROP COLUMN profile;
DROP TABLE IF EXISTS platform_profiles;
