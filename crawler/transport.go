package crawler

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// fetchKey is the context key of the *fetchRecord of one fetch.
type fetchKey struct{}

// hop is one HTTP exchange of a fetch: the first request or a redirect.
type hop struct {
	URL    string
	Status int
	Proto  string
	Header http.Header
	At     time.Time
}

// fetchRecord collects, for one fetch, every hop and the raw body of the
// last response exactly as it was received (before colly's charset
// conversion). It is used by one goroutine: colly's synchronous fetch runs
// the round trips, the redirect policy and the body reads on the caller's.
type fetchRecord struct {
	hops  []hop
	body  bytes.Buffer
	limit int64 // keep at most this many body bytes
}

// recordingTransport sends requests through base, answers robots.txt
// requests the crawler has already loaded, and records hops and raw bodies
// for requests whose context carries a *fetchRecord.
type recordingTransport struct {
	base     http.RoundTripper
	policies *hostPolicies
	// turn waits for the host's turn (see HostGate) before a request.
	turn func(ctx context.Context, req *http.Request, gap time.Duration) (release func(), err error)
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if resp := t.policies.serve(req); resp != nil {
		return resp, nil
	}
	release, err := t.turn(req.Context(), req, t.policies.delayOf(req.URL))
	if err != nil {
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	release()
	rec, _ := req.Context().Value(fetchKey{}).(*fetchRecord)
	if err != nil || rec == nil {
		return resp, err
	}
	rec.hops = append(rec.hops, hop{
		URL: req.URL.String(), Status: resp.StatusCode, Proto: resp.Proto,
		Header: resp.Header.Clone(), At: time.Now().UTC(),
	})
	// The crawler reads the raw body from the record and undoes a
	// Content-Encoding itself, within MaxBodyBytes. Colly would otherwise
	// inflate a gzip body (or a *.xml.gz) with no limit at all: a 5 MB gzip
	// bomb is gigabytes in memory.
	resp.Uncompressed = true
	rec.body.Reset()
	if resp.ContentLength > 0 {
		rec.body.Grow(int(min(resp.ContentLength, rec.limit)))
	}
	resp.Body = &teeBody{ReadCloser: resp.Body, rec: rec}
	return resp, nil
}

// teeBody copies what is read from a response body into its record, up to
// the record's limit.
type teeBody struct {
	io.ReadCloser
	rec *fetchRecord
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if room := b.rec.limit - int64(b.rec.body.Len()); room > 0 && n > 0 {
		b.rec.body.Write(p[:min(int64(n), room)])
	}
	return n, err
}
