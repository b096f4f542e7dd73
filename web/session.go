package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Cookie names.
const (
	sessionCookie   = "adscan_session"
	loginCSRFCookie = "adscan_login" // binds the login form's CSRF token before a session exists
)

// sessionTTL is how long a session lasts after sign-in.
const sessionTTL = 12 * time.Hour

// session is what the session cookie carries, signed.
type session struct {
	User    string `json:"u"`
	Nonce   string `json:"n"` // random; binds the CSRF token and identifies the session for logout
	Expires int64  `json:"e"` // Unix seconds
	// PassTag is a digest of the user's password hash: changing the
	// password ends every session signed before.
	PassTag string `json:"p"`
}

// sessionCodec signs and verifies session cookies and derives CSRF tokens.
// Whether a signed session is still active (not logged out, its user not
// changed) is the store's to say (Store.SessionActive), so a logout holds
// on every serve process and across restarts.
type sessionCodec struct {
	signKey, csrfKey []byte
	now              func() time.Time
}

func newSessionCodec(key []byte, now func() time.Time) *sessionCodec {
	return &sessionCodec{
		signKey: derive(key, "adscan session v1"),
		csrfKey: derive(key, "adscan csrf v1"),
		now:     now,
	}
}

// derive returns a subkey of key for one purpose.
func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// passTag digests a password hash for the session.
func passTag(passwordHash string) string {
	sum := sha256.Sum256([]byte(passwordHash))
	return hex.EncodeToString(sum[:8])
}

// issue returns a new session for the user and its cookie value.
func (c *sessionCodec) issue(user, passwordHash string) (session, string) {
	s := session{
		User:    user,
		Nonce:   randomToken(18),
		Expires: c.now().Add(sessionTTL).Unix(),
		PassTag: passTag(passwordHash),
	}
	payload, _ := json.Marshal(s)
	p := base64.RawURLEncoding.EncodeToString(payload)
	return s, p + "." + c.sign(p)
}

func (c *sessionCodec) sign(p string) string {
	m := hmac.New(sha256.New, c.signKey)
	m.Write([]byte(p))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var errBadSession = errors.New("web: session cookie is invalid or expired")

// decode verifies a cookie value and returns its session. It returns
// errBadSession for a forged, malformed or expired session; the caller
// still checks the store that it is active, and the user and PassTag.
func (c *sessionCodec) decode(value string) (session, error) {
	p, sig, ok := strings.Cut(value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(c.sign(p))) {
		return session{}, errBadSession
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return session{}, errBadSession
	}
	var s session
	if err := json.Unmarshal(payload, &s); err != nil || s.User == "" || s.Nonce == "" {
		return session{}, errBadSession
	}
	if c.now().Unix() >= s.Expires {
		return session{}, errBadSession
	}
	return s, nil
}

// storeID is the session's ID in the store: a digest of its nonce, so
// the store never holds what binds the session's CSRF token.
func (s session) storeID() string {
	sum := sha256.Sum256([]byte("adscan session id\x00" + s.Nonce))
	return hex.EncodeToString(sum[:])
}

// csrfToken returns the CSRF token bound to a binding value: a session's
// nonce, or the login form's cookie before sign-in.
func (c *sessionCodec) csrfToken(binding string) string {
	m := hmac.New(sha256.New, c.csrfKey)
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF reports whether token is the CSRF token for binding.
func (c *sessionCodec) checkCSRF(binding, token string) bool {
	return binding != "" && token != "" && hmac.Equal([]byte(token), []byte(c.csrfToken(binding)))
}
