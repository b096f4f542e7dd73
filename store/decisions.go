package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"adscan"
)

// decisionState is the state each decision moves a case to.
var decisionState = map[adscan.Decision]adscan.CaseState{
	adscan.DecisionConfirm:  adscan.CaseConfirmed,
	adscan.DecisionDismiss:  adscan.CaseDismissed,
	adscan.DecisionEscalate: adscan.CaseEscalated,
}

// DecideCase records a reviewer's decision, moves the case to confirmed,
// dismissed or escalated, appends to its audit trail and returns the case as
// GetCase would. A zero DecidedAt means now. EINVALID for an unknown decision
// or no reviewer, ENOTFOUND if there is no such case, ECONFLICT (naming the
// case's state) if the state does not allow the decision (see
// adscan.CaseState.Allows) — so deciding twice is a conflict.
func (s *Store) DecideCase(ctx context.Context, id string, d adscan.CaseDecision) (adscan.Case, error) {
	if !d.Decision.Valid() {
		return adscan.Case{}, adscan.Errorf(adscan.EINVALID, "unknown decision %q (want confirm, dismiss or escalate)", d.Decision)
	}
	if d.By == "" {
		return adscan.Case{}, adscan.Errorf(adscan.EINVALID, "a decision on case %s needs the reviewer's name", id)
	}
	if d.DecidedAt.IsZero() {
		d.DecidedAt = s.stamp()
	}
	var c adscan.Case
	err := s.write(ctx, func(tx *sql.Tx) error {
		state, err := s.lockCaseState(ctx, tx, id)
		if err != nil {
			return err
		}
		if !state.Allows(d.Decision) {
			return adscan.Errorf(adscan.ECONFLICT, "case %s is %s, which does not allow %s", id, state, d.Decision)
		}
		var created time.Time
		if err := tx.QueryRowContext(ctx, `SELECT created_at FROM cases WHERE id = $1`, id).Scan(timeInto(&created)); err != nil {
			return fmt.Errorf("case creation time: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO decisions (case_id, decision, note, decided_by, decided_at, took_s) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, d.Decision, d.Note, d.By, s.timeArg(d.DecidedAt), int64(d.DecidedAt.Sub(created).Round(time.Second)/time.Second)); err != nil {
			return fmt.Errorf("insert decision: %w", err)
		}
		detail := string(d.Decision)
		if d.Note != "" {
			detail += ": " + d.Note
		}
		if err := s.moveCase(ctx, tx, id, decisionState[d.Decision], adscan.AuditEntry{
			Actor: d.By, Action: adscan.ActionCaseDecided, Detail: detail, At: d.DecidedAt,
		}); err != nil {
			return err
		}
		c, err = s.getCase(ctx, tx, id)
		return err
	})
	if err != nil {
		return adscan.Case{}, fmt.Errorf("store: decide case %s: %w", id, err)
	}
	return c, nil
}

// nextStates lists where SetCaseState may move a case from each state.
var nextStates = map[adscan.CaseState][]adscan.CaseState{
	adscan.CaseOpen:      {adscan.CaseEscalated, adscan.CaseConfirmed, adscan.CaseDismissed},
	adscan.CaseEscalated: {adscan.CaseConfirmed, adscan.CaseDismissed},
	adscan.CaseConfirmed: {adscan.CaseReferred},
}

func validCaseState(st adscan.CaseState) bool {
	switch st {
	case adscan.CaseOpen, adscan.CaseEscalated, adscan.CaseConfirmed, adscan.CaseReferred, adscan.CaseDismissed:
		return true
	}
	return false
}

// SetCaseState moves a case to state and appends to its audit trail (actor,
// and detail as given). Moves: open → escalated, confirmed or dismissed;
// escalated → confirmed or dismissed; confirmed → referred. Moving a case to
// the state it is in changes nothing, so a retried activity is harmless.
// EINVALID for an unknown state or no actor, ENOTFOUND if there is no such
// case, ECONFLICT (naming the case's state) for any other move.
func (s *Store) SetCaseState(ctx context.Context, id string, state adscan.CaseState, actor, detail string) error {
	if !validCaseState(state) {
		return adscan.Errorf(adscan.EINVALID, "unknown case state %q", state)
	}
	if actor == "" {
		return adscan.Errorf(adscan.EINVALID, "moving case %s needs an actor", id)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		cur, err := s.lockCaseState(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur == state {
			return nil
		}
		if !slices.Contains(nextStates[cur], state) {
			return adscan.Errorf(adscan.ECONFLICT, "case %s is %s and cannot move to %s", id, cur, state)
		}
		text := fmt.Sprintf("%s → %s", cur, state)
		if detail != "" {
			text += ": " + detail
		}
		return s.moveCase(ctx, tx, id, state, adscan.AuditEntry{Actor: actor, Action: adscan.ActionCaseState, Detail: text})
	})
	if err != nil {
		return fmt.Errorf("store: set state of case %s to %s: %w", id, state, err)
	}
	return nil
}

// lockCaseState returns the case's state, locking its row on PostgreSQL (a
// SQLite write transaction already holds the database's write lock).
func (s *Store) lockCaseState(ctx context.Context, tx *sql.Tx, id string) (adscan.CaseState, error) {
	var st adscan.CaseState
	err := tx.QueryRowContext(ctx, `SELECT state FROM cases WHERE id = $1`+s.dialect.forUpdate, id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("case", id)
	}
	return st, err
}

// moveCase sets the case's state and appends the audit entry e for it.
func (s *Store) moveCase(ctx context.Context, tx *sql.Tx, id string, state adscan.CaseState, e adscan.AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.stamp()
	}
	e.CaseID = id
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET state = $1, updated_at = $2 WHERE id = $3`,
		state, s.timeArg(e.At), id); err != nil {
		return fmt.Errorf("update state: %w", err)
	}
	return s.addAudit(ctx, tx, e)
}

// getDecision returns the case's latest decision, nil if it has none.
func getDecision(ctx context.Context, tx *sql.Tx, caseID string) (*adscan.CaseDecision, error) {
	var d adscan.CaseDecision
	err := tx.QueryRowContext(ctx, `
		SELECT decision, note, decided_by, decided_at FROM decisions
		WHERE case_id = $1 ORDER BY id DESC LIMIT 1`, caseID).
		Scan(&d.Decision, &d.Note, &d.By, timeInto(&d.DecidedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &d, nil
}
