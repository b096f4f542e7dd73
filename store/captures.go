package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"adscan"
)

// PutCapture stores a capture, WARC included, and returns its ID (c.ID if set,
// else a new one). It is idempotent: a capture with the same scan, requested
// URL and body digest returns the stored one's ID and changes nothing, as
// captures are immutable. EINVALID for a missing requested URL or fetch time
// or a body digest that is not hex SHA-256.
func (s *Store) PutCapture(ctx context.Context, c adscan.Capture) (string, error) {
	if err := validCapture(c); err != nil {
		return "", err
	}
	var id string
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.putCapture(ctx, tx, c)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: put capture of %s: %w", c.RequestedURL, err)
	}
	return id, nil
}

// putCapture does PutCapture's write of a valid capture in tx.
func (s *Store) putCapture(ctx context.Context, tx *sql.Tx, c adscan.Capture) (string, error) {
	if c.ID == "" {
		c.ID = s.newID()
	}
	if c.Redirects == nil {
		c.Redirects = []string{}
	}
	if c.Header == nil {
		c.Header = http.Header{}
	}
	redirects, err := jsonArg(c.Redirects)
	if err != nil {
		return "", err
	}
	header, err := jsonArg(c.Header)
	if err != nil {
		return "", err
	}
	shot := c.Screenshot
	var shotAt any
	if shot == nil {
		shot = &adscan.Screenshot{}
	} else {
		shotAt = s.timeArg(shot.TakenAt)
	}
	var id string
	err = tx.QueryRowContext(ctx, `
		INSERT INTO captures (id, scan_id, target, requested_url, final_url, redirects, status, header,
			fetched_at, body_sha256, body_size, text, text_sha256, warc, lexicon_name, lexicon_version, truncated,
			rendered, screenshot, screenshot_sha256, screenshot_width, screenshot_height, screenshot_truncated,
			screenshot_taken_at, screenshot_error, screenshot_error_kind, profile, advertiser)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
			$18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)
		ON CONFLICT (scan_id, requested_url, body_sha256) DO NOTHING
		RETURNING id`,
		c.ID, c.ScanID, c.Target, c.RequestedURL, c.FinalURL, redirects, c.Status, header,
		s.timeArg(c.FetchedAt), c.BodySHA256, c.BodySize, c.Text, c.TextSHA256, c.WARC,
		c.Lexicon.Name, c.Lexicon.Version, c.Truncated,
		c.Rendered, shot.PNG, shot.SHA256, shot.Width, shot.Height, shot.Truncated, shotAt, c.ScreenshotError,
		string(c.ScreenshotErrorKind), c.Profile, c.Advertiser).Scan(&id)
	if !errors.Is(err, sql.ErrNoRows) {
		if isUniqueViolation(err) {
			return "", adscan.Errorf(adscan.ECONFLICT, "capture ID %s is taken by another capture", c.ID)
		}
		return id, err
	}
	err = tx.QueryRowContext(ctx,
		`SELECT id FROM captures WHERE scan_id = $1 AND requested_url = $2 AND body_sha256 = $3`,
		c.ScanID, c.RequestedURL, c.BodySHA256).Scan(&id)
	return id, err
}

func validCapture(c adscan.Capture) error {
	switch {
	case c.RequestedURL == "":
		return adscan.Errorf(adscan.EINVALID, "a capture needs its requested URL")
	case !isSHA256Hex(c.BodySHA256):
		return adscan.Errorf(adscan.EINVALID, "capture of %s: body digest %q is not a hex SHA-256", c.RequestedURL, c.BodySHA256)
	case c.TextSHA256 != "" && !isSHA256Hex(c.TextSHA256):
		return adscan.Errorf(adscan.EINVALID, "capture of %s: text digest %q is not a hex SHA-256", c.RequestedURL, c.TextSHA256)
	case c.FetchedAt.IsZero():
		return adscan.Errorf(adscan.EINVALID, "capture of %s has no fetch time", c.RequestedURL)
	case c.Screenshot != nil && (len(c.Screenshot.PNG) == 0 || c.Screenshot.TakenAt.IsZero()):
		return adscan.Errorf(adscan.EINVALID, "capture of %s: a screenshot needs its PNG and the time it was taken", c.RequestedURL)
	case len(c.Advertiser) > adscan.MaxTargetLabel || !utf8.ValidString(c.Advertiser):
		return adscan.Errorf(adscan.EINVALID, "capture of %s: the advertiser's name is not valid UTF-8 of at most %d bytes", c.RequestedURL, adscan.MaxTargetLabel)
	case c.Screenshot != nil && !isSHA256Hex(c.Screenshot.SHA256):
		return adscan.Errorf(adscan.EINVALID, "capture of %s: screenshot digest %q is not a hex SHA-256", c.RequestedURL, c.Screenshot.SHA256)
	}
	return nil
}

func isSHA256Hex(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}

// GetCapture returns the capture with that ID, WARC and screenshot
// included. ENOTFOUND if there is none.
func (s *Store) GetCapture(ctx context.Context, id string) (adscan.Capture, error) {
	var c adscan.Capture
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = getCapture(ctx, tx, id)
		return err
	})
	if err != nil {
		return adscan.Capture{}, fmt.Errorf("store: get capture %s: %w", id, err)
	}
	return c, nil
}

func getCapture(ctx context.Context, tx *sql.Tx, id string) (adscan.Capture, error) {
	var c adscan.Capture
	var shot adscan.Screenshot
	var shotAt *time.Time
	err := tx.QueryRowContext(ctx, `
		SELECT id, scan_id, target, requested_url, final_url, redirects, status, header, fetched_at,
			body_sha256, body_size, text, text_sha256, warc, lexicon_name, lexicon_version, truncated,
			rendered, screenshot, screenshot_sha256, screenshot_width, screenshot_height, screenshot_truncated,
			screenshot_taken_at, screenshot_error, screenshot_error_kind, profile, advertiser
		FROM captures WHERE id = $1`, id).Scan(
		&c.ID, &c.ScanID, &c.Target, &c.RequestedURL, &c.FinalURL, jsonInto(&c.Redirects), &c.Status,
		jsonInto(&c.Header), timeInto(&c.FetchedAt), &c.BodySHA256, &c.BodySize, &c.Text, &c.TextSHA256,
		&c.WARC, &c.Lexicon.Name, &c.Lexicon.Version, &c.Truncated,
		&c.Rendered, &shot.PNG, &shot.SHA256, &shot.Width, &shot.Height, &shot.Truncated,
		nullTimeInto(&shotAt), &c.ScreenshotError, &c.ScreenshotErrorKind, &c.Profile, &c.Advertiser)
	if errors.Is(err, sql.ErrNoRows) {
		return adscan.Capture{}, notFound("capture", id)
	}
	if err == nil && shotAt != nil && len(shot.PNG) > 0 {
		shot.TakenAt = *shotAt
		c.Screenshot = &shot
	}
	return c, err
}
