package render

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// errNo is what the test's navigation check answers for a refused URL.
var errNo = errors.New("no")

// refuser is a navigation check that refuses URLs whose path starts with
// /private and records every URL it was asked about.
type refuser struct {
	mu    sync.Mutex
	asked []string
}

func (r *refuser) check(u string) error {
	r.mu.Lock()
	r.asked = append(r.asked, u)
	r.mu.Unlock()
	if strings.Contains(u, "/private") {
		return fmt.Errorf("%s: %w", u, errNo)
	}
	return nil
}

// TestNavigationCheck: a redirect, a meta refresh and a script's
// navigation to a refused URL are never sent, and fail the page with
// ErrNavigationRefused and the check's error; an allowed redirect is
// followed, with every hop checked; subresources are not checked.
func TestNavigationCheck(t *testing.T) {
	s := newSite(t, map[string]string{
		"/script":    `<html><body><script>location.href = "/private/s"</script></body></html>`,
		"/meta":      `<html><head><meta http-equiv="refresh" content="0; url=/private/m"></head><body>x</body></html>`,
		"/landing":   `<html><body><p>landed</p><img src="/private/img.png"><iframe src="/private/frame"></iframe></body></html>`,
		"/private/s": "secret", "/private/m": "secret", "/private/r": "secret",
		"/private/frame": "framed",
	})
	s.handle("/redirect-private", redirectTo("/private/r"))
	s.handle("/redirect-ok", redirectTo("/landing"))
	p := newTestPool(t, testConfig(t), s)

	for _, path := range []string{"/redirect-private", "/script", "/meta"} {
		t.Run(path, func(t *testing.T) {
			r := &refuser{}
			pg, err := p.OpenWith(context.Background(), s.URL+path, OpenOptions{CheckNavigation: r.check})
			if err == nil {
				pg.Close()
				t.Fatalf("%s opened (%s); want a refused navigation", path, pg.Rendered.FinalURL)
			}
			if !errors.Is(err, ErrNavigationRefused) || !errors.Is(err, errNo) || !strings.Contains(err.Error(), "/private/") {
				t.Errorf("err = %v; want ErrNavigationRefused and the check's error naming the URL", err)
			}
		})
	}
	for _, h := range s.requests() {
		if strings.Contains(h, "/private/") && !strings.Contains(h, "/private/img.png") && !strings.Contains(h, "/private/frame") {
			t.Errorf("the site was asked for %s", h)
		}
	}

	r := &refuser{}
	pg, err := p.OpenWith(context.Background(), s.URL+"/redirect-ok", OpenOptions{CheckNavigation: r.check})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if pg.Rendered.FinalURL != s.URL+"/landing" || !strings.Contains(pg.Rendered.Text, "landed") || len(pg.Rendered.Redirects) != 1 {
		t.Errorf("rendered %s %q, redirects %v; want /landing after one redirect", pg.Rendered.FinalURL, pg.Rendered.Text, pg.Rendered.Redirects)
	}
	r.mu.Lock()
	asked := slices.Clone(r.asked)
	r.mu.Unlock()
	if !slices.Equal(asked, []string{s.URL + "/redirect-ok", s.URL + "/landing"}) {
		t.Errorf("checked %v; want the first URL and the redirect's target only", asked)
	}
	hits := strings.Join(s.requests(), " ")
	if !strings.Contains(hits, "/private/img.png") || !strings.Contains(hits, "/private/frame") {
		t.Errorf("requests %s; want the image and the subframe loaded unchecked", hits)
	}
	subs, err := pg.Subresources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(subs.List, func(s Subresource) bool { return strings.HasSuffix(s.URL, "/private/frame") }) {
		t.Errorf("subresources %+v; want the subframe's document", subs.List)
	}
}
