package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"adscan"
)

// maxProposalPhrase bounds an allow-list phrase: a phrase, not a page.
const maxProposalPhrase = 200

// ActiveLexicon returns the newest stored lexicon version. ENOTFOUND when
// none was ever stored (workers then use their own, --lexicon or the
// embedded default).
func (s *Store) ActiveLexicon(ctx context.Context) (adscan.LexiconVersion, error) {
	var v adscan.LexiconVersion
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		v, err = scanLexiconVersion(tx.QueryRowContext(ctx, selectLexiconVersion+` ORDER BY id DESC LIMIT 1`), true)
		if errors.Is(err, sql.ErrNoRows) {
			return adscan.Errorf(adscan.ENOTFOUND, "no lexicon version is stored")
		}
		return err
	})
	if err != nil {
		return adscan.LexiconVersion{}, fmt.Errorf("store: active lexicon: %w", err)
	}
	return v, nil
}

// ListLexiconVersions returns the stored versions, newest first, without
// their YAML.
func (s *Store) ListLexiconVersions(ctx context.Context) ([]adscan.LexiconVersion, error) {
	withoutYAML := func(r rowScanner) (adscan.LexiconVersion, error) { return scanLexiconVersion(r, false) }
	out, err := queryRows(ctx, s, withoutYAML,
		`SELECT id, name, version, digest, note, created_by, created_at FROM lexicon_versions ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: list lexicon versions: %w", err)
	}
	return out, nil
}

// GetLexiconVersion returns one stored version with its YAML. ENOTFOUND if unknown.
func (s *Store) GetLexiconVersion(ctx context.Context, id int64) (adscan.LexiconVersion, error) {
	var v adscan.LexiconVersion
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		v, err = scanLexiconVersion(tx.QueryRowContext(ctx, selectLexiconVersion+` WHERE id = $1`, id), true)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("lexicon version", fmt.Sprint(id))
		}
		return err
	})
	if err != nil {
		return adscan.LexiconVersion{}, fmt.Errorf("store: get lexicon version %d: %w", id, err)
	}
	return v, nil
}

const selectLexiconVersion = `SELECT id, name, version, digest, note, created_by, created_at, yaml FROM lexicon_versions`

func scanLexiconVersion(r rowScanner, withYAML bool) (adscan.LexiconVersion, error) {
	var v adscan.LexiconVersion
	dest := []any{&v.ID, &v.Name, &v.Version, &v.Digest, &v.Note, &v.CreatedBy, timeInto(&v.CreatedAt)}
	if withYAML {
		dest = append(dest, &v.YAML)
	}
	err := r.Scan(dest...)
	return v, err
}

// AddAllowProposal records a reviewer's proposal (pending) and its audit
// entry, and returns its ID. EINVALID for an empty or over-long phrase;
// ENOTFOUND for an unknown case.
func (s *Store) AddAllowProposal(ctx context.Context, p adscan.AllowProposal) (int64, error) {
	p.Phrase = strings.TrimSpace(p.Phrase)
	switch {
	case p.Phrase == "":
		return 0, adscan.Errorf(adscan.EINVALID, "an allow-list proposal needs a phrase")
	case len(p.Phrase) > maxProposalPhrase:
		return 0, adscan.Errorf(adscan.EINVALID, "the phrase is %d bytes; at most %d are allowed", len(p.Phrase), maxProposalPhrase)
	case p.ProposedBy == "":
		return 0, adscan.Errorf(adscan.EINVALID, "an allow-list proposal needs who proposes it")
	}
	for _, c := range p.Categories {
		if !c.Valid() {
			return 0, adscan.Errorf(adscan.EINVALID, "unknown category %q", c)
		}
	}
	if p.ProposedAt.IsZero() {
		p.ProposedAt = s.stamp()
	}
	cats, err := jsonArg(p.Categories)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := requireCase(ctx, tx, p.CaseID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO allow_proposals (case_id, phrase, site, categories, note, proposed_by, proposed_at, state)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			p.CaseID, p.Phrase, p.Site, cats, p.Note, p.ProposedBy, s.timeArg(p.ProposedAt), adscan.ProposalPending).Scan(&id); err != nil {
			return err
		}
		return s.addAudit(ctx, tx, adscan.AuditEntry{CaseID: p.CaseID, Actor: p.ProposedBy, Action: adscan.ActionAllowProposed,
			Detail: p.Phrase + " @ " + siteOrAny(p.Site), At: p.ProposedAt})
	})
	if err != nil {
		return 0, fmt.Errorf("store: add allow proposal: %w", err)
	}
	return id, nil
}

func siteOrAny(site string) string {
	if site == "" {
		return "any site"
	}
	return site
}

// ListAllowProposals returns proposals in a state ("" for all), newest first.
func (s *Store) ListAllowProposals(ctx context.Context, state adscan.ProposalState) ([]adscan.AllowProposal, error) {
	q := selectProposal
	var args []any
	if state != "" {
		q += ` WHERE state = $1`
		args = append(args, state)
	}
	out, err := queryRows(ctx, s, scanProposal, q+` ORDER BY id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list allow proposals: %w", err)
	}
	return out, nil
}

const selectProposal = `SELECT id, case_id, phrase, site, categories, note, proposed_by, proposed_at, state,
	decided_by, decided_at, lexicon_digest FROM allow_proposals`

func scanProposal(r rowScanner) (adscan.AllowProposal, error) {
	var p adscan.AllowProposal
	var decided *time.Time
	err := r.Scan(&p.ID, &p.CaseID, &p.Phrase, &p.Site, jsonInto(&p.Categories), &p.Note, &p.ProposedBy, timeInto(&p.ProposedAt), &p.State,
		&p.DecidedBy, nullTimeInto(&decided), &p.LexiconDigest)
	p.DecidedAt = decided
	return p, err
}

// DecideAllowProposal approves or rejects a pending proposal, by, in one
// transaction: on approval it stores next (the lexicon with the entry
// added: its YAML, name and version; the digest is computed here) as the
// newest version and records its digest on the proposal. Returns the
// proposal as decided. ENOTFOUND for an unknown proposal, ECONFLICT for one
// already decided, EINVALID for an approval without a lexicon.
func (s *Store) DecideAllowProposal(ctx context.Context, id int64, approve bool, by string, next *adscan.LexiconVersion) (adscan.AllowProposal, error) {
	if by == "" {
		return adscan.AllowProposal{}, adscan.Errorf(adscan.EINVALID, "a decision on a proposal needs who makes it")
	}
	if approve && (next == nil || len(next.YAML) == 0 || next.Name == "") {
		return adscan.AllowProposal{}, adscan.Errorf(adscan.EINVALID, "an approval needs the new lexicon version")
	}
	var out adscan.AllowProposal
	err := s.write(ctx, func(tx *sql.Tx) error {
		p, err := scanProposal(tx.QueryRowContext(ctx, selectProposal+` WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("allow proposal", fmt.Sprint(id))
		} else if err != nil {
			return err
		}
		if p.State != adscan.ProposalPending {
			return adscan.Errorf(adscan.ECONFLICT, "proposal %d was %s already", id, p.State)
		}
		now := s.stamp()
		p.State, p.DecidedBy, p.DecidedAt = adscan.ProposalRejected, by, &now
		action, detail := adscan.ActionAllowRejected, p.Phrase+" @ "+siteOrAny(p.Site)
		if approve {
			sum := sha256.Sum256(next.YAML)
			next.Digest = hex.EncodeToString(sum[:])
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO lexicon_versions (name, version, digest, yaml, note, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				next.Name, next.Version, next.Digest, next.YAML, next.Note, by, s.timeArg(now)); err != nil {
				return fmt.Errorf("store lexicon version: %w", err)
			}
			p.State, p.LexiconDigest = adscan.ProposalApproved, next.Digest
			action, detail = adscan.ActionAllowApproved, detail+" → lexicon "+next.Version
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE allow_proposals SET state = $1, decided_by = $2, decided_at = $3, lexicon_digest = $4 WHERE id = $5`,
			p.State, by, s.timeArg(now), p.LexiconDigest, id); err != nil {
			return err
		}
		out = p
		return s.addAudit(ctx, tx, adscan.AuditEntry{CaseID: p.CaseID, Actor: by, Action: action, Detail: detail, At: now})
	})
	if err != nil {
		return adscan.AllowProposal{}, fmt.Errorf("store: decide allow proposal %d: %w", id, err)
	}
	return out, nil
}
