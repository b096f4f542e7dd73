-- +goose Up
-- The queue's search reads one column (URL, target and evidence text, lower
-- case) instead of every finding's JSON; the queue's order and its state
-- filter walk an index and stop at a page.
ALTER TABLE cases ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE cases SET search = LOWER(url || ' ' || target || ' ' ||
    COALESCE((SELECT string_agg(f.evidence::text, ' ') FROM findings f WHERE f.case_id = cases.id), ''));
CREATE INDEX cases_state_created ON cases (state, created_at, id);
CREATE INDEX cases_created_id ON cases (created_at, id);

-- +goose Down
DROP INDEX IF EXISTS cases_created_id;
DROP INDEX IF EXISTS cases_state_created;
ALTER TABLE cases DROP COLUMN search;
