package crawler

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"
)

// maxRobotsBytes bounds the robots.txt read (Google reads 500 KiB).
const maxRobotsBytes = 500 << 10

// hostPolicy is what the crawler knows about one host: its robots.txt rules,
// the delay between requests and the sitemaps it announces.
type hostPolicy struct {
	robots   *robotstxt.RobotsData // nil when robots are ignored
	delay    time.Duration         // effective per-host delay
	sitemaps []string              // from robots.txt Sitemap: lines, else /sitemap.xml
	err      error                 // robots.txt could not be fetched
}

// allowed reports whether the user agent may fetch u under the host's robots.txt.
func (p *hostPolicy) allowed(u *url.URL, userAgent string) bool {
	if p.robots == nil {
		return true
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.Query().Encode() // the form colly tests, so both agree
	}
	return p.robots.TestAgent(path, userAgent)
}

// robotsEntry is one host's robots.txt as served to the collector.
type robotsEntry struct {
	status int
	body   []byte
}

// hostPolicies loads each host's policy once per crawl and keeps the
// robots.txt bodies so the collector's own robots check (colly fetches
// robots.txt itself) is answered from memory instead of a second request.
type hostPolicies struct {
	client    *http.Client
	collector *colly.Collector
	cfg       *Config

	mu       sync.Mutex
	policies map[string]*policyLoad // by scheme://host
	served   map[string]robotsEntry // by scheme://host
}

type policyLoad struct {
	done   chan struct{}
	policy *hostPolicy
}

// get returns the policy of the host of u, fetching its robots.txt on first
// use (concurrent callers wait for the one fetch); loaded is true for the
// caller that fetched it. A robots.txt that cannot be fetched (network
// error, refused address) gives a policy whose err is set.
func (h *hostPolicies) get(ctx context.Context, u *url.URL) (p *hostPolicy, loaded bool) {
	origin := u.Scheme + "://" + strings.ToLower(u.Host)
	h.mu.Lock()
	l, ok := h.policies[origin]
	if !ok {
		l = &policyLoad{done: make(chan struct{})}
		h.policies[origin] = l
	}
	h.mu.Unlock()
	if ok {
		select {
		case <-l.done:
			return l.policy, false
		case <-ctx.Done():
			return &hostPolicy{err: ctx.Err()}, false
		}
	}
	l.policy = h.load(ctx, origin, u.Host)
	close(l.done)
	return l.policy, true
}

func (h *hostPolicies) load(ctx context.Context, origin, host string) *hostPolicy {
	p := &hostPolicy{delay: h.cfg.Delay}
	if !h.cfg.IgnoreRobots {
		// The context may carry the record of a page fetch whose redirect
		// led here; robots.txt is not a hop of that page's evidence.
		ctx = context.WithValue(ctx, fetchKey{}, (*fetchRecord)(nil))
		status, body, err := h.fetchRobots(ctx, origin+"/robots.txt")
		if err != nil {
			p.err = fmt.Errorf("robots.txt: %w", err)
			return p
		}
		data, perr := robotstxt.FromStatusAndBytes(status, body)
		if perr != nil {
			// Unparsable rules: treat as no rules, and let the collector see the same.
			h.cfg.Logger.Warn("crawler: unparsable robots.txt, ignoring it", "origin", origin, "err", perr)
			data, status, body = nil, http.StatusNotFound, nil
		}
		h.mu.Lock()
		h.served[origin] = robotsEntry{status: status, body: body}
		h.mu.Unlock()
		if data != nil {
			p.robots = data
			cd := data.FindGroup(h.cfg.UserAgent).CrawlDelay
			p.delay = max(p.delay, min(cd, h.cfg.MaxCrawlDelay))
			p.sitemaps = append(p.sitemaps, data.Sitemaps...)
		}
	}
	if len(p.sitemaps) == 0 {
		p.sitemaps = []string{origin + "/sitemap.xml"}
	}
	// Per-host politeness: with a delay, one request at a time, their
	// starts spaced by the host gate (see HostGate), not by colly, so that
	// crawls in other processes count too.
	par := h.cfg.Parallelism
	if p.delay > 0 {
		par = 1
	}
	rule := &colly.LimitRule{DomainRegexp: "^" + regexp.QuoteMeta(host) + "$", Parallelism: par}
	if err := h.collector.Limit(rule); err != nil {
		p.err = fmt.Errorf("limit rule for %s: %w", host, err)
	}
	return p
}

// delayOf returns the delay between requests to u's host: its policy's
// once robots.txt is loaded, Config.Delay before (for robots.txt itself).
// It never waits for a load in flight.
func (h *hostPolicies) delayOf(u *url.URL) time.Duration {
	h.mu.Lock()
	l, ok := h.policies[u.Scheme+"://"+strings.ToLower(u.Host)]
	h.mu.Unlock()
	if ok {
		select {
		case <-l.done:
			if l.policy.err == nil {
				return l.policy.delay
			}
		default:
		}
	}
	return h.cfg.Delay
}

func (h *hostPolicies) fetchRobots(ctx context.Context, u string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("User-Agent", h.cfg.UserAgent)
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRobotsBytes))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, body, nil
}

// serve answers a GET of a robots.txt already loaded, or returns nil.
func (h *hostPolicies) serve(req *http.Request) *http.Response {
	if req.Method != http.MethodGet || req.URL.Path != "/robots.txt" {
		return nil
	}
	h.mu.Lock()
	e, ok := h.served[req.URL.Scheme+"://"+strings.ToLower(req.URL.Host)]
	h.mu.Unlock()
	if !ok {
		return nil
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", e.status, http.StatusText(e.status)), StatusCode: e.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"text/plain"}},
		Body:          io.NopCloser(bytes.NewReader(e.body)),
		ContentLength: int64(len(e.body)),
		Request:       req,
	}
}
