package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
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

// parseScanTargets checks the targets of a scan or schedule (at most
// maxScanTargets, each as adscan.ParseScanTarget) and returns them in
// canonical form; the error names the bad entry.
func (h *handler) parseScanTargets(ts []adscan.ScanTarget) ([]adscan.ScanTarget, error) {
	if len(ts) == 0 {
		return nil, adscan.Errorf(adscan.EINVALID, "targets is missing or empty; want at least one {\"url\":…}")
	}
	if len(ts) > maxScanTargets {
		return nil, adscan.Errorf(adscan.EINVALID, "targets has %d entries; at most %d are allowed", len(ts), maxScanTargets)
	}
	out := make([]adscan.ScanTarget, len(ts))
	for i, t := range ts {
		var err error
		if out[i], err = adscan.ParseScanTarget(t, h.private); err != nil {
			return nil, adscan.Errorf(adscan.EINVALID, "targets[%d]: %s", i, adscan.ErrorMessage(err))
		}
	}
	return out, nil
}

// checkNote checks a free-text note.
func checkNote(field, note string) error {
	if len(note) > maxNoteLen {
		return adscan.Errorf(adscan.EINVALID, "%s is %d bytes; at most %d are allowed", field, len(note), maxNoteLen).ZHf("说明过长（%d 字节，上限 %d）。", len(note), maxNoteLen)
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

// onlyQuery refuses a query parameter that the route does not read, so a
// script that misspells one (?cursor= for ?after=, ?page=2) is told,
// instead of getting the first page again and again. The first unknown
// name in sorted order is named, with the ones the route takes.
func onlyQuery(r *http.Request, known ...string) error {
	q := r.URL.Query()
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains(known, name) {
			return adscan.Errorf(adscan.EINVALID, "unknown query parameter %q (this route takes %s)",
				name, strings.Join(slices.Sorted(slices.Values(known)), ", "))
		}
	}
	return nil
}

// queryFlag reads an optional on/off query parameter: absent, "" or "0" is
// off, "1" is on; anything else is EINVALID naming it (so ?failed=yes is
// not quietly the whole list).
func queryFlag(q url.Values, name string) (bool, error) {
	switch v := q.Get(name); v {
	case "", "0":
		return false, nil
	case "1":
		return true, nil
	default:
		return false, adscan.Errorf(adscan.EINVALID, "query parameter %s=%q must be 1 or 0", name, v).ZHf("参数 %s=“%s”无效，应为 1 或 0。", name, v)
	}
}
