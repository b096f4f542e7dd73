package workflows

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"adscan"
	"adscan/evidence"
)

// buildWACZ returns the signed WACZ package of a case (evidence.Build) made
// from the captures its findings rest on, with the newest screenshot among
// them, signed with Referral.Signer (and
// timestamped by its TSA, if any). A capture whose stored WARC record is
// not a valid response record, or findings that do not quote their
// capture's text, make a non-retryable error; a TSA that cannot be reached
// is retried.
func (a *Activities) buildWACZ(ctx context.Context, c adscan.Case, captures []adscan.Capture) ([]byte, error) {
	in := evidence.Input{Case: c, Captures: captures, Lexicons: a.referralLexicons(ctx, c.Findings), Created: a.now(),
		Screenshot: newestScreenshot(captures)}
	var b bytes.Buffer
	if err := evidence.Build(ctx, &b, in, a.Referral.Signer); err != nil {
		if adscan.ErrorCode(err) == adscan.EINVALID {
			return nil, invalidInput("workflows: refer case %s: %v", c.ID, err)
		}
		return nil, fmt.Errorf("workflows: refer case %s: %w", c.ID, err)
	}
	return b.Bytes(), nil
}

// newestScreenshot returns the package's screenshot: that of the newest
// capture (by fetch time) that has one, nil when none has.
func newestScreenshot(captures []adscan.Capture) *evidence.Screenshot {
	var best *adscan.Capture
	for i := range captures {
		cp := &captures[i]
		if cp.Screenshot != nil && len(cp.Screenshot.PNG) > 0 && (best == nil || cp.FetchedAt.After(best.FetchedAt)) {
			best = cp
		}
	}
	if best == nil {
		return nil
	}
	sh := best.Screenshot
	u := best.FinalURL
	if u == "" {
		u = best.RequestedURL
	}
	return &evidence.Screenshot{PNG: sh.PNG, URL: u, CaptureID: best.ID, TakenAt: sh.TakenAt, Width: sh.Width, Height: sh.Height}
}

// referralLexicons names the findings' lexicons for the package: with the
// full SHA-256 of the stored lexicon version whose digest the reference's
// version carries ("2026.11.1+sha256.3f2a9c01b7de"), else with that prefix
// alone (a lexicon file never stored, or a store that cannot say: logged).
func (a *Activities) referralLexicons(ctx context.Context, findings []adscan.Finding) []evidence.Lexicon {
	var out []evidence.Lexicon
	var versions []adscan.LexiconVersion
	listed := false
	seen := map[adscan.LexiconRef]bool{}
	for _, f := range findings {
		ref := f.Lexicon
		if ref == (adscan.LexiconRef{}) || seen[ref] {
			continue
		}
		seen[ref] = true
		l := evidence.LexiconOf(ref, "")
		if l.SHA256Prefix != "" && !listed {
			var err error
			versions, err = a.Store.ListLexiconVersions(ctx)
			if err != nil {
				a.logger().Warn("referral: lexicon versions unavailable; the package names lexicon digests by their prefix", "err", err)
			}
			listed = true
		}
		for _, v := range versions {
			if l.SHA256Prefix != "" && v.Name == ref.Name && strings.HasPrefix(v.Digest, l.SHA256Prefix) {
				l = evidence.LexiconOf(ref, v.Digest)
				break
			}
		}
		out = append(out, l)
	}
	return out
}
