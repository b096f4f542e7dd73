package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"adscan"
)

// RecordFindings creates the case for (in.Target, in.URL), or adds to the
// existing one, and returns the case as GetCase would.
//
// The capture must exist (ENOTFOUND otherwise). Recording adds a sighting of
// the capture (one per case and capture) and a finding per flag, keyed by
// case, category and the capture's body digest: recording the same capture
// again changes nothing, a later capture of the unchanged page adds only its
// sighting, and a capture of a changed page adds its own findings. created is
// true only when this call made the case; concurrent calls for the same
// (target, URL) make exactly one. EINVALID for a missing key, no flags, an
// unknown category or a score outside [0,1].
func (s *Store) RecordFindings(ctx context.Context, in adscan.FindingsInput) (adscan.Case, bool, error) {
	if err := validFindings(in); err != nil {
		return adscan.Case{}, false, err
	}
	var c adscan.Case
	var created bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		id, made, err := s.recordFindings(ctx, tx, in)
		if err != nil {
			return err
		}
		created = made
		c, err = s.getCase(ctx, tx, id)
		return err
	})
	if err != nil {
		return adscan.Case{}, false, fmt.Errorf("store: record findings for %s: %w", in.URL, err)
	}
	return c, created, nil
}

func validFindings(in adscan.FindingsInput) error {
	switch {
	case in.Target == "" || in.URL == "":
		return adscan.Errorf(adscan.EINVALID, "findings need a target and a URL (got %q, %q)", in.Target, in.URL)
	case in.CaptureID == "":
		return adscan.Errorf(adscan.EINVALID, "findings for %s need the capture that showed them", in.URL)
	case len(in.Flags) == 0:
		return adscan.Errorf(adscan.EINVALID, "findings for %s have no flags", in.URL)
	}
	for _, f := range in.Flags {
		if !f.Category.Valid() {
			return adscan.Errorf(adscan.EINVALID, "findings for %s: unknown category %q", in.URL, f.Category)
		}
		if math.IsNaN(f.Score) || f.Score < 0 || f.Score > 1 {
			return adscan.Errorf(adscan.EINVALID, "findings for %s: %s score %v is outside [0,1]", in.URL, f.Category, f.Score)
		}
	}
	return nil
}

// recordFindings does RecordFindings' writes and returns the case ID and
// whether the case is new.
func (s *Store) recordFindings(ctx context.Context, tx *sql.Tx, in adscan.FindingsInput) (string, bool, error) {
	capture, err := getCaptureKey(ctx, tx, in.CaptureID)
	if err != nil {
		return "", false, err
	}
	scanID := in.ScanID
	if scanID == "" {
		scanID = capture.ScanID
	}
	now := s.stamp()
	var id string
	created := true
	err = tx.QueryRowContext(ctx, `
		INSERT INTO cases (id, target, url, state, created_at, updated_at, search, profile, advertiser)
		VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)
		ON CONFLICT (target, url) DO NOTHING
		RETURNING id`,
		s.newID(), in.Target, in.URL, adscan.CaseOpen, s.timeArg(now),
		strings.ToLower(in.URL+" "+in.Target+" "+capture.Advertiser), capture.Profile, capture.Advertiser).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		created = false
		err = tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE target = $1 AND url = $2`, in.Target, in.URL).Scan(&id)
		if err == nil {
			err = attribute(ctx, tx, id, capture)
		}
	}
	if err != nil {
		return "", false, fmt.Errorf("insert case: %w", err)
	}

	res, err := tx.ExecContext(ctx, `
		INSERT INTO sightings (case_id, capture_id, scan_id, body_sha256, seen_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (case_id, capture_id) DO NOTHING`,
		id, capture.ID, scanID, capture.BodySHA256, s.timeArg(capture.FetchedAt))
	if err != nil {
		return "", false, fmt.Errorf("insert sighting: %w", err)
	}
	changed, err := affected(res)
	if err != nil {
		return "", false, err
	}
	// The case's category bits and search text grow by the new findings,
	// in one statement each after the findings (not one per finding: a
	// page usually breaks several categories at once).
	var bits int64
	var texts []string
	grew := false
	for _, f := range in.Flags {
		evidence := f.Evidence
		if evidence == nil {
			evidence = []adscan.Evidence{}
		}
		ev, err := jsonArg(evidence)
		if err != nil {
			return "", false, err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO findings (case_id, capture_id, body_sha256, category, score, basis, evidence,
				lexicon_name, lexicon_version, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (case_id, category, body_sha256) DO NOTHING`,
			id, capture.ID, capture.BodySHA256, f.Category, f.Score, f.Basis, ev,
			in.Lexicon.Name, in.Lexicon.Version, s.timeArg(now))
		if err != nil {
			return "", false, fmt.Errorf("insert %s finding: %w", f.Category, err)
		}
		n, err := affected(res)
		if err != nil {
			return "", false, err
		}
		if n {
			grew = true
			bits |= categoryBit(f.Category)
			texts = append(texts, searchTexts(evidence)...)
		}
		changed = changed || n
	}
	if grew {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET categories = categories | $1 WHERE id = $2`, bits, id); err != nil {
			return "", false, fmt.Errorf("index findings: %w", err)
		}
		if err := addSearchText(ctx, tx, id, texts...); err != nil {
			return "", false, fmt.Errorf("index findings: %w", err)
		}
	}

	switch {
	case created:
		detail := fmt.Sprintf("capture %s: %s", capture.ID, flagCategories(in.Flags))
		if scanID != "" {
			detail = "scan " + scanID + ", " + detail
		}
		err = s.addAudit(ctx, tx, adscan.AuditEntry{
			CaseID: id, Actor: "system", Action: adscan.ActionCaseCreated, Detail: detail, At: now,
		})
	case changed:
		_, err = tx.ExecContext(ctx, `UPDATE cases SET updated_at = $1 WHERE id = $2`, s.timeArg(now), id)
	}
	if err != nil {
		return "", false, err
	}
	return id, created, nil
}

// attribute files an existing case under the profile and the advertiser
// a later capture of its page names, when it names them (and the name into
// its search column).
func attribute(ctx context.Context, tx *sql.Tx, id string, capture adscan.Capture) error {
	if capture.Profile != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET profile = $1 WHERE id = $2 AND profile <> $1`, capture.Profile, id); err != nil {
			return fmt.Errorf("attribute to profile: %w", err)
		}
	}
	if capture.Advertiser != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET advertiser = $1 WHERE id = $2 AND advertiser <> $1`,
			capture.Advertiser, id); err != nil {
			return fmt.Errorf("attribute to advertiser: %w", err)
		}
		if err := addSearchText(ctx, tx, id, strings.ToLower(capture.Advertiser)); err != nil {
			return fmt.Errorf("attribute to advertiser: %w", err)
		}
	}
	return nil
}

func flagCategories(flags []adscan.Flag) string {
	names := make([]string, len(flags))
	for i, f := range flags {
		names[i] = string(f.Category)
	}
	return strings.Join(names, ", ")
}

// getCaptureKey returns the capture without its text and WARC: what a
// sighting and a finding need.
func getCaptureKey(ctx context.Context, tx *sql.Tx, id string) (adscan.Capture, error) {
	var c adscan.Capture
	err := tx.QueryRowContext(ctx, `SELECT id, scan_id, body_sha256, fetched_at, profile, advertiser FROM captures WHERE id = $1`, id).
		Scan(&c.ID, &c.ScanID, &c.BodySHA256, timeInto(&c.FetchedAt), &c.Profile, &c.Advertiser)
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("capture", id)
	}
	return c, err
}

func affected(res sql.Result) (bool, error) {
	n, err := res.RowsAffected()
	return n > 0, err
}

// GetCase returns the case with its categories, findings (oldest first),
// sightings (by time seen), latest decision and audit trail. ENOTFOUND if
// there is no such case.
func (s *Store) GetCase(ctx context.Context, id string) (adscan.Case, error) {
	var c adscan.Case
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = s.getCase(ctx, tx, id)
		return err
	})
	if err != nil {
		return adscan.Case{}, fmt.Errorf("store: get case %s: %w", id, err)
	}
	return c, nil
}

// CaseState implements adscan.Store.
func (s *Store) CaseState(ctx context.Context, id string) (adscan.CaseState, error) {
	var st adscan.CaseState
	err := s.rdb.QueryRowContext(ctx, `SELECT state FROM cases WHERE id = $1`, id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("case", id)
	}
	if err != nil {
		return "", fmt.Errorf("store: state of case %s: %w", id, err)
	}
	return st, nil
}

func (s *Store) getCase(ctx context.Context, tx *sql.Tx, id string) (adscan.Case, error) {
	c, err := scanCase(tx.QueryRowContext(ctx, selectCase+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return adscan.Case{}, notFound("case", id)
	} else if err != nil {
		return adscan.Case{}, err
	}
	if c.Findings, err = getFindings(ctx, tx, id); err != nil {
		return adscan.Case{}, fmt.Errorf("findings: %w", err)
	}
	cats := make([]adscan.Category, len(c.Findings))
	for i, f := range c.Findings {
		cats[i] = f.Category
	}
	c.Categories = orderCategories(cats)
	if c.Sightings, err = getSightings(ctx, tx, id); err != nil {
		return adscan.Case{}, fmt.Errorf("sightings: %w", err)
	}
	if c.Decision, err = getDecision(ctx, tx, id); err != nil {
		return adscan.Case{}, fmt.Errorf("decision: %w", err)
	}
	if c.Audit, err = getAudit(ctx, tx, id); err != nil {
		return adscan.Case{}, fmt.Errorf("audit: %w", err)
	}
	return c, nil
}

func getFindings(ctx context.Context, tx *sql.Tx, caseID string) ([]adscan.Finding, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT category, score, basis, evidence, capture_id, lexicon_name, lexicon_version
		FROM findings WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []adscan.Finding
	for rows.Next() {
		var f adscan.Finding
		if err := rows.Scan(&f.Category, &f.Score, &f.Basis, jsonInto(&f.Evidence), &f.CaptureID,
			&f.Lexicon.Name, &f.Lexicon.Version); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func getSightings(ctx context.Context, tx *sql.Tx, caseID string) ([]adscan.Sighting, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT scan_id, capture_id, body_sha256, seen_at
		FROM sightings WHERE case_id = $1 ORDER BY seen_at, id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []adscan.Sighting
	for rows.Next() {
		var g adscan.Sighting
		if err := rows.Scan(&g.ScanID, &g.CaptureID, &g.BodySHA256, timeInto(&g.SeenAt)); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// orderCategories returns the distinct categories of cats in the order of
// adscan.Categories (unknown ones last, sorted).
func orderCategories(cats []adscan.Category) []adscan.Category {
	out := []adscan.Category{}
	for _, k := range adscan.Categories {
		if slices.Contains(cats, k) {
			out = append(out, k)
		}
	}
	var unknown []adscan.Category
	for _, c := range cats {
		if !c.Valid() && !slices.Contains(unknown, c) {
			unknown = append(unknown, c)
		}
	}
	slices.Sort(unknown)
	return append(out, unknown...)
}

const selectCase = `SELECT id, target, url, state, assignee, created_at, updated_at, profile, advertiser FROM cases`

func scanCase(r rowScanner) (adscan.Case, error) {
	var c adscan.Case
	err := r.Scan(&c.ID, &c.Target, &c.URL, &c.State, &c.Assignee, timeInto(&c.CreatedAt), timeInto(&c.UpdatedAt),
		&c.Profile, &c.Advertiser)
	return c, err
}

// AssignCases makes assignee ("" for nobody) the one working on each of
// the cases, with an audit entry each (by), in one transaction, and
// returns how many changed. ENOTFOUND names the first unknown case and
// assigns none; EINVALID without by or with over 1000 cases.
func (s *Store) AssignCases(ctx context.Context, ids []string, assignee, by string) (int, error) {
	if by == "" || len(ids) > 1000 {
		return 0, adscan.Errorf(adscan.EINVALID, "assigning cases needs who assigns them, and at most 1000 cases")
	}
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		now := s.stamp()
		for _, id := range ids {
			var cur string
			if err := tx.QueryRowContext(ctx, `SELECT assignee FROM cases WHERE id = $1`, id).Scan(&cur); errors.Is(err, sql.ErrNoRows) {
				return notFound("case", id)
			} else if err != nil {
				return err
			}
			if cur == assignee {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET assignee = $1 WHERE id = $2`, assignee, id); err != nil {
				return err
			}
			detail := "to " + assignee
			if assignee == "" {
				detail = "unassigned from " + cur
			}
			if err := s.addAudit(ctx, tx, adscan.AuditEntry{CaseID: id, Actor: by, Action: adscan.ActionCaseAssigned, Detail: detail, At: now}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: assign cases: %w", err)
	}
	return n, nil
}

// searchTexts is what a finding adds to its case's search column: its
// evidence texts, lower case.
func searchTexts(ev []adscan.Evidence) []string {
	out := make([]string, len(ev))
	for i, e := range ev {
		out[i] = strings.ToLower(e.Text)
	}
	return out
}

// addSearchText appends to a case's search column each text it does not
// hold yet, so a page seen again and again (each version a new finding)
// or an advertiser's name changing back and forth adds nothing twice.
func addSearchText(ctx context.Context, tx *sql.Tx, id string, texts ...string) error {
	var search string
	if err := tx.QueryRowContext(ctx, `SELECT search FROM cases WHERE id = $1`, id).Scan(&search); err != nil {
		return err
	}
	grown := search
	for _, t := range texts {
		if t != "" && !strings.Contains(grown, t) {
			grown += " " + t
		}
	}
	if grown == search {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE cases SET search = $1 WHERE id = $2`, grown, id)
	return err
}

// categoryBit is a category's bit in cases.categories: bit i is
// adscan.Categories[i] (a fixed order: the migration that made the column
// wrote the same bits).
func categoryBit(c adscan.Category) int64 {
	for i, k := range adscan.Categories {
		if k == c {
			return 1 << i
		}
	}
	return 0
}
