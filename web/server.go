// Package web serves adscan's JSON API and its review console (简体中文)
// from one http.Handler.
//
// Every route needs a signed-in user except GET /healthz, the login page
// and its form, and the embedded static assets. A user signs in with the
// login form (a signed session cookie) or sends HTTP Basic credentials
// (scripts and tests). Roles decide what a user may do: viewers read,
// reviewers decide cases, regulators start scans and manage targets and
// schedules, admins manage users and read /metrics.
//
// Handlers are methods on one handler struct, one per file: api_*.go for the
// JSON API, ui_*.go for console pages.
package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"adscan"
	"adscan/lexicon"
)

// Config is what a Server needs. Store and Orchestrator are required.
type Config struct {
	Store        adscan.Store
	Orchestrator adscan.Orchestrator
	// Logger receives request errors and security events; nil discards them.
	Logger *slog.Logger
	// SessionKey signs session cookies and CSRF tokens; at least 32 bytes.
	// If empty, New generates a random key, so sessions end when the
	// process restarts and are not shared between processes.
	SessionKey []byte
	// Ready reports whether the server's dependencies are up (GET /healthz);
	// nil means always ready.
	Ready func() bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SecureCookies marks cookies Secure; set it when served over HTTPS.
	SecureCookies bool
	// AllowPrivateTargets lets the register, scans and schedules name
	// private and loopback addresses (tests, intranets); see
	// adscan.ParseTargetURL. Give the Orchestrator the same setting.
	AllowPrivateTargets bool
	// TrustedProxies are the reverse proxies in front of the server: from
	// them X-Forwarded-For names the client (for login limits and logs)
	// and X-Forwarded-Proto: https marks cookies Secure. Behind a proxy
	// that is not listed, every client has the proxy's address.
	TrustedProxies []netip.Prefix
	// ReviewSLA is how long a case may wait for a reviewer (the workers'
	// --review-sla); the dashboard counts open cases older than it as
	// overdue. Zero means 72h.
	ReviewSLA time.Duration
	// Lexicon is the server's own lexicon (serve --lexicon, else the
	// embedded default): the base of the first version an approved
	// allow-list proposal makes. nil means the embedded default.
	Lexicon *lexicon.Lexicon
	// NewClassifier builds a classifier of a lexicon for /lexicon/try,
	// on first use (classifier.New; it loads the segmenter's dictionary).
	// nil: 试一试 answers 503.
	NewClassifier func(*lexicon.Lexicon) (adscan.Classifier, error)
	// EvidenceKey is the public key that signs the deployment's WACZ
	// evidence packages (evidence.EncodePublicKey), served at GET
	// /api/evidence/key so a recipient can check a package; "" when this
	// server does not know it.
	EvidenceKey string
}

// Server is adscan's HTTP server: the API, the console and /metrics.
type Server struct {
	h       *handler
	handler http.Handler
}

// minSessionKey is the shortest session key New accepts.
const minSessionKey = 32

// New returns a Server for cfg. It returns an error if Store or
// Orchestrator is missing, SessionKey is shorter than 32 bytes (and not
// empty), or the embedded templates do not parse.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: new server: Config.Store is nil")
	}
	if cfg.Orchestrator == nil {
		return nil, errors.New("web: new server: Config.Orchestrator is nil")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ReviewSLA <= 0 {
		cfg.ReviewSLA = 72 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Ready == nil {
		cfg.Ready = func() bool { return true }
	}
	key := cfg.SessionKey
	switch {
	case len(key) == 0:
		key = make([]byte, minSessionKey)
		rand.Read(key)
	case len(key) < minSessionKey:
		return nil, fmt.Errorf("web: new server: session key has %d bytes, want at least %d", len(key), minSessionKey)
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	h := &handler{
		store:         cfg.Store,
		orch:          cfg.Orchestrator,
		log:           cfg.Logger,
		now:           cfg.Now,
		ready:         cfg.Ready,
		secure:        cfg.SecureCookies,
		private:       cfg.AllowPrivateTargets,
		proxies:       cfg.TrustedProxies,
		reviewSLA:     cfg.ReviewSLA,
		lexicon:       cfg.Lexicon,
		newClassifier: cfg.NewClassifier,
		evidenceKey:   cfg.EvidenceKey,
		sessions:      newSessionCodec(key, cfg.Now),
		limiter:       newLoginLimiter(cfg.Now),
		verified:      newVerifiedCache(key, cfg.Now),
		tmpl:          tmpl,
		metrics:       newMetrics(),
	}
	s := &Server{h: h}
	cop := http.NewCrossOriginProtection()
	// Refused in the route's kind of response (JSON under /api/), not the
	// protection's plain text.
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := adscan.Errorf(adscan.EFORBIDDEN, "cross-origin request refused: %s %s came from another site (Origin or Sec-Fetch-Site); scripts should send neither", r.Method, r.URL.Path)
		if jsonRoute(r.URL.Path) {
			h.error(w, r, err)
		} else {
			h.errorPage(w, r, err)
		}
	}))
	h.mux = h.routes()
	s.handler = h.metrics.instrument(securityHeaders(cop.Handler(h.mux)))
	return s, nil
}

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return s.handler }

// MetricsHandler returns the Prometheus metrics without authentication, for
// an operator who binds it to a separate, private address. The same metrics
// are served on GET /metrics of Handler to admins.
func (s *Server) MetricsHandler() http.Handler { return s.h.metrics.handler() }
