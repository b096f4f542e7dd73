package web

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"adscan"
	"adscan/lexicon"
)

// handler holds what every route handler needs. Each handler is a method
// on it, in its own file.
type handler struct {
	mux       *http.ServeMux // the routes, to tell a wrong method from an unknown path
	store     adscan.Store
	orch      adscan.Orchestrator
	log       *slog.Logger
	now       func() time.Time
	ready     func() bool
	secure    bool
	private   bool           // AllowPrivateTargets
	proxies   []netip.Prefix // TrustedProxies
	reviewSLA time.Duration
	lexicon   *lexicon.Lexicon
	// evidenceKey is Config.EvidenceKey.
	evidenceKey string
	// newClassifier builds a classifier for 试一试 (Config.NewClassifier).
	newClassifier  func(*lexicon.Lexicon) (adscan.Classifier, error)
	tryClassifiers classifierCache
	sessions       *sessionCodec
	limiter        *loginLimiter
	verified       *verifiedCache
	tmpl           map[string]*template.Template
	metrics        *metrics
	dummy          struct {
		once sync.Once
		hash string
	}
}

// access says who may use a route.
type access int

const (
	public  access = iota // anyone (healthz, login, static assets)
	apiUser               // a signed-in user with at least the route's role; JSON errors
	page                  // a console page: redirect to /login when not signed in
)

// route is one entry of the route table.
type route struct {
	pattern string // a ServeMux pattern: "METHOD /path/{param}"
	access  access
	role    adscan.Role // the least role for apiUser and page routes
	handle  handlerFunc
}

// handlerFunc is a route's handler. It writes the response on success and
// returns an error otherwise, which the route table's wrapper writes once:
// as JSON under /api/ and for /healthz and /metrics, as a console error
// page (简体中文) everywhere else.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// plain adapts an http.Handler that writes its own errors.
func plain(hh http.Handler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		hh.ServeHTTP(w, r)
		return nil
	}
}

// routeTable lists every route the server serves. Tests walk it to check
// that each non-public route refuses requests without credentials.
func (h *handler) routeTable() []route {
	return []route{
		{"GET /healthz", public, "", h.healthz},
		{"GET /login", public, "", h.showLoginPage},
		{"POST /login", public, "", h.checkLogin},
		{"GET /static/", public, "", plain(staticHandler())},

		{"POST /logout", page, adscan.RoleViewer, h.logout},
		{"GET /{$}", page, adscan.RoleViewer, h.showHomePage},
		{"GET /cases", page, adscan.RoleViewer, h.showCaseList},
		{"GET /cases.csv", page, adscan.RoleViewer, h.exportCases},
		{"POST /cases/bulk", page, adscan.RoleReviewer, h.bulkCasesForm},
		{"POST /cases/{id}/claim", page, adscan.RoleReviewer, h.claimCaseForm},
		{"GET /cases/{id}", page, adscan.RoleViewer, h.showCasePage},
		{"POST /cases/{id}/decision", page, adscan.RoleReviewer, h.decideCaseForm},
		{"GET /cases/{id}/dossier", page, adscan.RoleViewer, h.showDossier},
		{"GET /cases/{id}/warc/{capture}", page, adscan.RoleViewer, h.downloadWARC},
		{"GET /cases/{id}/captures/{capture}/screenshot.png", page, adscan.RoleViewer, h.showScreenshot},
		{"GET /referrals", page, adscan.RoleViewer, h.showReferrals},
		{"POST /referrals/{id}/retry", page, adscan.RoleRegulator, h.retryReferralForm},
		{"GET /targets", page, adscan.RoleViewer, h.showTargets},
		{"POST /targets", page, adscan.RoleRegulator, h.saveTargetForm},
		{"POST /targets/import", page, adscan.RoleRegulator, h.importTargetsForm},
		{"POST /targets/scan", page, adscan.RoleRegulator, h.scanTargetsForm},
		{"GET /profiles", page, adscan.RoleViewer, h.showProfiles},
		{"POST /profiles", page, adscan.RoleRegulator, h.saveProfileForm},
		{"GET /scans", page, adscan.RoleViewer, h.showScans},
		{"POST /scans/profile", page, adscan.RoleRegulator, h.scanProfileForm},
		{"GET /scans/{id}", page, adscan.RoleViewer, h.showScanPage},
		{"GET /schedules", page, adscan.RoleViewer, h.showSchedules},
		{"POST /schedules", page, adscan.RoleRegulator, h.createScheduleForm},
		{"POST /schedules/{id}/{action}", page, adscan.RoleRegulator, h.scheduleActionForm},
		{"GET /lexicon", page, adscan.RoleViewer, h.showLexicon},
		{"POST /lexicon/proposals/{id}", page, adscan.RoleRegulator, h.decideProposalForm},
		{"GET /lexicon/diff", page, adscan.RoleViewer, h.showLexiconDiff},
		{"GET /lexicon/try", page, adscan.RoleViewer, h.tryLexicon},
		{"POST /lexicon/try", page, adscan.RoleViewer, h.tryLexicon},
		{"GET /admin/users", page, adscan.RoleAdmin, h.showUsers},
		{"POST /admin/users", page, adscan.RoleAdmin, h.createUserForm},
		{"POST /admin/users/{name}", page, adscan.RoleAdmin, h.updateUserForm},

		{"GET /api/me", apiUser, adscan.RoleViewer, h.showMe},
		{"GET /api/evidence/key", apiUser, adscan.RoleViewer, h.showEvidenceKey},

		{"POST /api/scans", apiUser, adscan.RoleRegulator, h.createScan},
		{"GET /api/scans", apiUser, adscan.RoleViewer, h.listScans},
		{"GET /api/scans/{id}", apiUser, adscan.RoleViewer, h.showScan},
		{"GET /api/scans/{id}/errors", apiUser, adscan.RoleViewer, h.listScanErrors},

		{"GET /api/cases", apiUser, adscan.RoleViewer, h.listCases},
		{"GET /api/cases/{id}", apiUser, adscan.RoleViewer, h.showCase},
		{"POST /api/cases/{id}/decision", apiUser, adscan.RoleReviewer, h.decideCase},
		{"GET /api/cases/{id}/referral", apiUser, adscan.RoleViewer, h.showReferral},
		{"POST /api/cases/{id}/referral/retry", apiUser, adscan.RoleRegulator, h.retryReferral},
		{"GET /api/referrals", apiUser, adscan.RoleViewer, h.listReferrals},

		{"GET /api/schedules", apiUser, adscan.RoleViewer, h.listSchedules},
		{"POST /api/schedules", apiUser, adscan.RoleRegulator, h.createSchedule},
		{"GET /api/schedules/{id}", apiUser, adscan.RoleViewer, h.showSchedule},
		{"DELETE /api/schedules/{id}", apiUser, adscan.RoleRegulator, h.deleteSchedule},
		{"POST /api/schedules/{id}/pause", apiUser, adscan.RoleRegulator, h.pauseSchedule},
		{"POST /api/schedules/{id}/unpause", apiUser, adscan.RoleRegulator, h.unpauseSchedule},
		{"POST /api/schedules/{id}/trigger", apiUser, adscan.RoleRegulator, h.triggerSchedule},

		{"GET /api/profiles", apiUser, adscan.RoleViewer, h.listProfiles},
		{"POST /api/profiles", apiUser, adscan.RoleRegulator, h.saveProfile},
		{"GET /api/profiles/{name}", apiUser, adscan.RoleViewer, h.showProfile},

		{"GET /api/targets", apiUser, adscan.RoleViewer, h.listTargets},
		{"POST /api/targets", apiUser, adscan.RoleRegulator, h.createTarget},

		{"GET /api/users", apiUser, adscan.RoleAdmin, h.listUsers},
		{"POST /api/users", apiUser, adscan.RoleAdmin, h.createUser},
		{"PATCH /api/users/{name}", apiUser, adscan.RoleAdmin, h.updateUser},

		{"GET /metrics", apiUser, adscan.RoleAdmin, plain(h.metrics.handler())},

		// Anything else under /api/ gets a JSON 404 rather than the mux's text one.
		{"/api/", public, "", h.apiNotFound},
		// And anything else a console page in 简体中文.
		{"GET /favicon.ico", public, "", noFavicon},
		{"/", public, "", h.pageNotFound},
	}
}

// noFavicon answers a browser's favicon request with nothing, not a 404
// logged in the browser's console on every page.
func noFavicon(w http.ResponseWriter, _ *http.Request) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pageNotFound answers an unknown console address with a 404 page, and a
// known one asked with a method it does not take (a form's address opened
// in the browser, say) with a 405 page and an Allow header, in 简体中文:
// the catch-all "/" would otherwise hide the mux's own plain-text answers.
func (h *handler) pageNotFound(w http.ResponseWriter, r *http.Request) error {
	allowed := h.allowedMethods(r, "/")
	if p, err := h.authenticate(r); err == nil { // the page's header then shows the user's navigation
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
	}
	d := h.newPageData(r, errorHeadings[http.StatusNotFound])
	status := http.StatusNotFound
	d.Heading, d.Error = errorHeadings[status], "没有这个页面，地址可能有误。请从上方导航进入。"
	if len(allowed) > 0 {
		status = http.StatusMethodNotAllowed
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		d.Title, d.Heading = "无法直接打开", "无法直接打开"
		d.Error = "这个地址用于提交表单，不能直接打开。请回到原来的页面重新操作。"
	}
	d.Detail = r.Method + " " + r.URL.Path
	h.render(w, r, status, "error", d)
	return nil
}

// routes builds the ServeMux from the route table, wrapping each route in
// its authentication and role check.
func (h *handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range h.routeTable() {
		var hh http.Handler = h.writeErrors(rt)
		switch rt.access {
		case apiUser:
			hh = h.requireAPIUser(rt.role, hh)
		case page:
			hh = h.requirePageUser(rt.role, hh)
		}
		mux.Handle(rt.pattern, hh)
	}
	return mux
}

// writeErrors turns a route's handler into an http.Handler that writes
// the error it returns, in the route's kind of response.
func (h *handler) writeErrors(rt route) http.Handler {
	writeErr := h.errorPage
	if jsonRoute(rt.pattern) {
		writeErr = h.error
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := rt.handle(w, r); err != nil {
			writeErr(w, r, err)
		}
	})
}

// jsonRoute reports whether a route pattern answers in JSON: the API,
// /healthz and /metrics.
func jsonRoute(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	if path == "" {
		path = pattern
	}
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/metrics"
}

// allowedMethods are the methods a route other than the catch-all
// pattern takes r's path with: none for an unknown path.
func (h *handler) allowedMethods(r *http.Request, catchAll string) []string {
	var allowed []string
	if h.mux == nil {
		return nil
	}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := h.mux.Handler(probe); pattern != "" && pattern != catchAll {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

// apiNotFound answers requests to unknown API paths, and a known path
// asked with a method it does not take with 405 and an Allow header (the
// catch-all /api/ route would otherwise hide the mux's own 405).
func (h *handler) apiNotFound(w http.ResponseWriter, r *http.Request) error {
	allowed := h.allowedMethods(r, "/api/")
	if len(allowed) == 0 {
		return adscan.Errorf(adscan.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path)
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	h.writeJSON(w, r, http.StatusMethodNotAllowed, errorBody{Error: fmt.Sprintf("%s %s: the method is not allowed; this route takes %s",
		r.Method, r.URL.Path, strings.Join(allowed, ", "))})
	return nil
}
