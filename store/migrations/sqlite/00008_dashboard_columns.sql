-- +goose Up
-- For the dashboard. The categories of a case's findings as a bit set (bit i is
-- adscan.Categories[i]), so the dashboard counts open cases per category
-- from the cases alone.
ALTER TABLE cases ADD COLUMN categories INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET categories = COALESCE((SELECT SUM(DISTINCT CASE f.category WHEN 'tutoring_ad' THEN 1 WHEN 'ranking' THEN 2 WHEN 'elite_admission' THEN 4 WHEN 'advance_teaching' THEN 8 WHEN 'holiday_training' THEN 16 WHEN 'late_hours' THEN 32 WHEN 'loan_inducement' THEN 64 WHEN 'teacher_moonlighting' THEN 128 WHEN 'foreign_curriculum' THEN 256 WHEN 'unapproved_competition' THEN 512 ELSE 0 END) FROM findings f WHERE f.case_id = cases.id), 0);

-- How long each decision took from the case's creation, in seconds, so the
-- dashboard's median reads one column of one table.
ALTER TABLE decisions ADD COLUMN took_s BIGINT NOT NULL DEFAULT 0;
UPDATE decisions SET took_s = COALESCE(CAST(ROUND((julianday(decided_at) - julianday((SELECT c.created_at FROM cases c WHERE c.id = decisions.case_id))) * 86400) AS INTEGER), 0);
CREATE INDEX decisions_decided_at ON decisions (decided_at);

-- +goose Down
DROP INDEX IF EXISTS decisions_decided_at;
ALTER TABLE decisions DROP COLUMN took_s;
ALTER TABLE cases DROP COLUMN categories;
