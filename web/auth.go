package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"adscan"
	"adscan/accounts"
)

// authMethod is how a request proved who sent it.
type authMethod int

const (
	viaBasic  authMethod = iota + 1 // HTTP Basic credentials: API calls need no CSRF token, console forms do
	viaCookie                       // the session cookie: unsafe methods need the CSRF token
)

// csrfBinding is what p's CSRF token is bound to: the session for a
// signed-in browser; the user and password for Basic credentials, which a
// browser that once answered the API's Basic challenge sends by itself with
// any request, a forged form post from another site included. (The token
// is an HMAC: it shows nothing of the password's hash, and a new password
// retires it.)
func csrfBinding(p principal) string {
	if p.Via == viaBasic {
		return "basic:" + p.User.Name + "\x00" + p.User.PasswordHash
	}
	return p.Session.Nonce
}

// principal is the signed-in user of a request.
type principal struct {
	User    adscan.User
	Via     authMethod
	Session session // set when Via is viaCookie
}

type principalKey struct{}

// principalFrom returns the request's signed-in user. Only routes behind
// requireAPIUser or requirePageUser have one.
func principalFrom(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

var (
	errNoCredentials  = adscan.Errorf(adscan.EUNAUTHORIZED, "authentication required: sign in or send HTTP Basic credentials")
	errBadCredentials = adscan.Errorf(adscan.EUNAUTHORIZED, "invalid user name or password")
	errSessionEnded   = adscan.Errorf(adscan.EUNAUTHORIZED, "session expired or ended; sign in again")
)

// authenticate finds the request's user from its Basic credentials or,
// without an Authorization header, its session cookie. Errors are
// EUNAUTHORIZED, or *tooManyAttempts when failed logins from this client
// for this user are over the limit.
func (h *handler) authenticate(r *http.Request) (principal, error) {
	if r.Header.Get("Authorization") != "" {
		name, password, ok := r.BasicAuth()
		if !ok {
			return principal{}, adscan.Errorf(adscan.EUNAUTHORIZED, "the Authorization header must use the Basic scheme")
		}
		u, err := h.checkPassword(r, name, password, "basic")
		if err != nil {
			return principal{}, err
		}
		return principal{User: u, Via: viaBasic}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return principal{}, errNoCredentials
	}
	s, err := h.sessions.decode(c.Value)
	if err != nil {
		return principal{}, errSessionEnded
	}
	u, err := h.store.GetUser(r.Context(), s.User)
	if adscan.ErrorCode(err) == adscan.ENOTFOUND {
		return principal{}, errSessionEnded
	} else if err != nil {
		return principal{}, err
	}
	if passTag(u.PasswordHash) != s.PassTag || u.Disabled {
		return principal{}, errSessionEnded
	}
	if ok, err := h.store.SessionActive(r.Context(), s.storeID(), s.User, h.now()); err != nil {
		return principal{}, err
	} else if !ok {
		return principal{}, errSessionEnded
	}
	return principal{User: u, Via: viaCookie, Session: s}, nil
}

// checkPassword verifies a user name and password, counting failures
// against the client's limit. Unknown users cost the same time as wrong
// passwords. A recent successful check is remembered briefly (see
// verifiedCache) so scripts sending Basic credentials on every request do
// not pay for bcrypt each time. how names the way in ("basic", "form") for the log.
func (h *handler) checkPassword(r *http.Request, name, password, how string) (adscan.User, error) {
	ip := h.clientIP(r)
	if err := h.limiter.allow(name, ip); err != nil {
		h.log.Warn("login refused: too many failures", slog.String("user", name), slog.String("ip", ip), slog.String("via", how))
		return adscan.User{}, err
	}
	u, err := h.store.GetUser(r.Context(), name)
	if err != nil && adscan.ErrorCode(err) != adscan.ENOTFOUND {
		return adscan.User{}, err
	}
	if err == nil && u.Role.Valid() && !u.Disabled && h.verified.has(name, password, u.PasswordHash) {
		return u, nil
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = h.dummyHash()
	}
	if !accounts.PasswordMatches(hash, password) || err != nil || !u.Role.Valid() || u.Disabled {
		h.limiter.fail(name, ip)
		h.log.Warn("login failed", slog.String("user", name), slog.String("ip", ip), slog.String("via", how))
		return adscan.User{}, errBadCredentials
	}
	h.limiter.succeed(name, ip)
	h.verified.add(name, password, u.PasswordHash)
	return u, nil
}

// clientIP is the address of the client that sent the request: the
// remote address, or — when that is a trusted proxy (Config.TrustedProxies)
// — the nearest address in X-Forwarded-For that is not a trusted proxy
// (read from the right, as each proxy appends). X-Forwarded-For from any
// other sender is ignored, so a client cannot choose its own address.
func (h *handler) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !h.trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			break // a malformed entry: trust nothing to its left
		}
		if !h.trusted(hop) {
			return hop
		}
		host = hop
	}
	return host
}

// trusted reports whether addr is one of the configured trusted proxies.
func (h *handler) trusted(addr string) bool {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range h.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// secureCookie reports whether cookies should be marked Secure: when the
// server is configured so, when the request came over TLS, or when a
// trusted proxy says it did (X-Forwarded-Proto: https).
func (h *handler) secureCookie(r *http.Request) bool {
	if h.secure || r.TLS != nil {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return h.trusted(host) && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// safeMethod reports whether m cannot change anything (no CSRF check).
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// forbidden is the error for a user whose role is below a route's.
func forbidden(u adscan.User, need adscan.Role) error {
	return adscan.Errorf(adscan.EFORBIDDEN, "user %s has role %s; this needs role %s or higher", u.Name, u.Role, need)
}

var errBadCSRF = adscan.Errorf(adscan.EFORBIDDEN, "missing or invalid CSRF token (send the X-CSRF-Token header from GET /api/me)")

// requireAPIUser lets through API requests from a user with at least role
// need; others get a JSON 401 (with WWW-Authenticate), 403 or 429.
// Cookie-authenticated requests with an unsafe method must carry the
// session's X-CSRF-Token header.
func (h *handler) requireAPIUser(need adscan.Role, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := h.authenticate(r)
		if err != nil {
			h.error(w, r, err)
			return
		}
		if !p.User.Role.AtLeast(need) {
			h.error(w, r, forbidden(p.User, need))
			return
		}
		if p.Via == viaCookie && !safeMethod(r.Method) &&
			!h.sessions.checkCSRF(p.Session.Nonce, r.Header.Get("X-CSRF-Token")) {
			h.log.Warn("CSRF check failed", slog.String("user", p.User.Name), slog.String("path", r.URL.Path))
			h.error(w, r, errBadCSRF)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// requirePageUser lets through console requests from a user with at least
// role need. Without credentials, or with an ended session, it redirects to
// the login page; a wrong role or a failed CSRF check gets a 403 page.
// Its form posts must carry the csrf_token field of the page they came
// from (or the X-CSRF-Token header), with Basic credentials too.
func (h *handler) requirePageUser(need adscan.Role, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := h.authenticate(r)
		if err != nil {
			var tm *tooManyAttempts
			if r.Header.Get("Authorization") == "" && !errors.As(err, &tm) && adscan.ErrorCode(err) == adscan.EUNAUTHORIZED {
				to := "/login?next=" + url.QueryEscape(loginNext(r))
				if errors.Is(err, errSessionEnded) {
					to += "&ended=1"
				}
				http.Redirect(w, r, to, http.StatusSeeOther)
				return
			}
			h.errorPage(w, r, err)
			return
		}
		if !p.User.Role.AtLeast(need) {
			h.errorPage(w, r, forbidden(p.User, need))
			return
		}
		if !safeMethod(r.Method) {
			token := r.Header.Get("X-CSRF-Token")
			if token == "" {
				r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
				if err := parseForm(r); err != nil {
					h.errorPage(w, r, err)
					return
				}
				token = r.PostFormValue("csrf_token")
			}
			if !h.sessions.checkCSRF(csrfBinding(p), token) {
				h.log.Warn("CSRF check failed", slog.String("user", p.User.Name), slog.String("path", r.URL.Path))
				h.errorPage(w, r, errBadCSRF)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// loginNext is where the login page sends a user whose request needed a
// sign-in: the page asked for; for a form post (whose address answers
// only POST, and whose form is gone), the page the form was on, as its
// Referer names it, if that is on this server; else the dashboard.
func loginNext(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return localPath(r.URL.RequestURI())
	}
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || strings.HasPrefix(ref.Path, "/login") {
		return "/"
	}
	return localPath(ref.RequestURI())
}

// localPath returns p if it is a path on this server, else "/". It keeps
// the login page's "next" parameter from redirecting elsewhere.
func localPath(p string) string {
	if p == "" || p[0] != '/' || len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return p
}

// parseForm parses a posted form read through http.MaxBytesReader; a body
// over the limit is ETOOLARGE (413), any other parse failure is left to the
// handler, which then sees empty fields.
func parseForm(r *http.Request) error {
	var tooBig *http.MaxBytesError
	parse := r.ParseForm
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		parse = func() error { return r.ParseMultipartForm(maxBodyBytes) }
	}
	if err := parse(); errors.As(err, &tooBig) {
		return adscan.Errorf(adscan.ETOOLARGE, "表单内容超过 %d 字节的上限。", tooBig.Limit)
	}
	return nil
}
