-- +goose Up
-- The register shows each target's last fetch and open cases.
CREATE INDEX captures_target ON captures (target, fetched_at);
CREATE INDEX cases_target_state ON cases (target, state);

-- +goose Down
DROP INDEX IF EXISTS cases_target_state;
DROP INDEX IF EXISTS captures_target;
