-- +goose Up
-- The delivery attempts of a case's referral that failed and are being
-- retried (the endpoint down, say): how many since the last give-up or
-- retry, and the last one's error. One row a case, updated in place, so a
-- week of retries does not fill the case's audit trail (which the referral
-- package carries); a give-up is still an audit entry.
CREATE TABLE referral_attempts (
	case_id TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
	failed INTEGER NOT NULL,
	last_error TEXT NOT NULL,
	last_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE referral_attempts;
