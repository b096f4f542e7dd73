-- +goose Up
-- Who is working on a case (claimed or assigned in the queue); '' for nobody.
ALTER TABLE cases ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_assignee ON cases (assignee, state);

-- +goose Down
DROP INDEX IF EXISTS cases_assignee;
ALTER TABLE cases DROP COLUMN assignee;
