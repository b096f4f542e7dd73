package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"adscan"
)

// Limits on API input.
const (
	maxScanTargets = 10000
	maxNoteLen     = 4000 // bytes of a decision or schedule note
	maxListLimit   = 1000
)

// checkTargetURL returns an EINVALID error naming field if raw is not an
// absolute http or https URL with a host. Whether the host may be scanned
// (private addresses) is the orchestrator's call.
func checkTargetURL(field, raw string) error {
	if strings.TrimSpace(raw) == "" {
		return adscan.Errorf(adscan.EINVALID, "%s is missing", field)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return adscan.Errorf(adscan.EINVALID, "%s %q is not a URL: %v", field, raw, unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return adscan.Errorf(adscan.EINVALID, "%s %q is not an http(s) URL", field, raw)
	}
	if u.Hostname() == "" {
		return adscan.Errorf(adscan.EINVALID, "%s %q has no host", field, raw)
	}
	return nil
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// checkScanTargets checks the targets of a scan or schedule.
func checkScanTargets(ts []adscan.ScanTarget) error {
	if len(ts) == 0 {
		return adscan.Errorf(adscan.EINVALID, "targets is missing or empty; want at least one {\"url\":…}")
	}
	if len(ts) > maxScanTargets {
		return adscan.Errorf(adscan.EINVALID, "targets has %d entries; at most %d are allowed", len(ts), maxScanTargets)
	}
	for i, t := range ts {
		if err := checkTargetURL(fmt.Sprintf("targets[%d].url", i), t.URL); err != nil {
			return err
		}
		if t.MaxPages < 0 {
			return adscan.Errorf(adscan.EINVALID, "targets[%d].max_pages is %d; want 0 (default) or more", i, t.MaxPages)
		}
		if t.MaxDepth < 0 {
			return adscan.Errorf(adscan.EINVALID, "targets[%d].max_depth is %d; want 0 (default) or more", i, t.MaxDepth)
		}
	}
	return nil
}

// checkNote checks a free-text note.
func checkNote(field, note string) error {
	if len(note) > maxNoteLen {
		return adscan.Errorf(adscan.EINVALID, "%s is %d bytes; at most %d are allowed", field, len(note), maxNoteLen)
	}
	if !utf8.ValidString(note) {
		return adscan.Errorf(adscan.EINVALID, "%s is not valid UTF-8", field)
	}
	return nil
}

// queryInt parses an optional non-negative integer query parameter no
// larger than max; def is returned when it is absent.
func queryInt(q url.Values, name string, def, max int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max {
		return 0, adscan.Errorf(adscan.EINVALID, "query parameter %s=%q must be an integer from 0 to %d", name, s, max)
	}
	return n, nil
}
