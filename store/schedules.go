package store

import (
	"context"
	"database/sql"
	"fmt"

	"adscan"
)

// AddScheduleID records that a schedule exists (made through adscan);
// recording it again does nothing. EINVALID for an empty ID.
func (s *Store) AddScheduleID(ctx context.Context, id, by string) error {
	if id == "" {
		return adscan.Errorf(adscan.EINVALID, "a schedule needs an ID")
	}
	err := s.exec(ctx, `INSERT INTO schedules (id, created_by, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
		id, by, s.timeArg(s.stamp()))
	if err != nil {
		return fmt.Errorf("store: record schedule %s: %w", id, err)
	}
	return nil
}

// RemoveScheduleID forgets a schedule; forgetting an unknown one does nothing.
func (s *Store) RemoveScheduleID(ctx context.Context, id string) error {
	err := s.exec(ctx, `DELETE FROM schedules WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: forget schedule %s: %w", id, err)
	}
	return nil
}

// ListScheduleIDs returns the recorded schedule IDs in order.
func (s *Store) ListScheduleIDs(ctx context.Context) ([]string, error) {
	var out []string
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM schedules ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: list schedules: %w", err)
	}
	return out, nil
}
