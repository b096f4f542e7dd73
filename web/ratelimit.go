package web

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// Failed-login limits, within loginWindow:
//   - maxUserFailures for one user name from one client: that client is
//     refused for that user;
//   - maxIPFailures from one client in all (made-up names, password
//     spraying): that client is refused for every user;
//   - maxAccountFailures for one user name from all clients together
//     (guessing spread over many addresses): the clients that failed for
//     that user are refused for it.
//
// Refused means even with the right password, until the window ends. No
// limit refuses a client that never failed: an attacker cannot lock out
// the people they impersonate. The client is the remote address, or the
// address a trusted proxy names (Config.TrustedProxies): behind a reverse
// proxy that is not configured as trusted, every user shares its address.
const (
	loginWindow        = 15 * time.Minute
	maxUserFailures    = 5
	maxIPFailures      = 20
	maxAccountFailures = 50
	maxLimiterKeys     = 100000 // beyond this, stale entries are dropped
)

// tooManyAttempts is the error for a client over the failed-login limit.
type tooManyAttempts struct{ retryAfter time.Duration }

func (e *tooManyAttempts) Error() string {
	return fmt.Sprintf("too many failed logins; try again in %d minutes", e.minutes())
}

func (e *tooManyAttempts) minutes() int { return int(math.Ceil(e.retryAfter.Minutes())) }

// loginLimiter counts failed logins per (user, address) and per address in
// fixed windows. It is safe for concurrent use.
type loginLimiter struct {
	now func() time.Time

	mu       sync.Mutex
	failures map[string]*failureCount
}

type failureCount struct {
	n     int
	start time.Time
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, failures: map[string]*failureCount{}}
}

// User names are told apart without regard to case (REV3 is rev3), so
// their keys are too: trying other cases gains no attempts.
func userKey(user, ip string) string { return "u\x00" + strings.ToLower(user) + "\x00" + ip }
func ipKey(ip string) string         { return "i\x00" + ip }
func accountKey(user string) string  { return "a\x00" + strings.ToLower(user) }

// allow returns a *tooManyAttempts if the client may not try to sign in
// as user now (see the limits above).
func (l *loginLimiter) allow(user, ip string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	live := func(key string) *failureCount {
		if f := l.failures[key]; f != nil && now.Sub(f.start) < loginWindow {
			return f
		}
		return nil
	}
	refuse := func(f *failureCount) error { return &tooManyAttempts{retryAfter: loginWindow - now.Sub(f.start)} }
	pair := live(userKey(user, ip))
	if pair != nil && pair.n >= maxUserFailures {
		return refuse(pair)
	}
	if f := live(ipKey(ip)); f != nil && f.n >= maxIPFailures {
		return refuse(f)
	}
	if f := live(accountKey(user)); f != nil && f.n >= maxAccountFailures && pair != nil {
		return refuse(f)
	}
	return nil
}

// fail counts a failed login.
func (l *loginLimiter) fail(user, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.failures) >= maxLimiterKeys {
		for k, f := range l.failures {
			if now.Sub(f.start) >= loginWindow {
				delete(l.failures, k)
			}
		}
	}
	for _, k := range []string{userKey(user, ip), ipKey(ip), accountKey(user)} {
		f := l.failures[k]
		if f == nil || now.Sub(f.start) >= loginWindow {
			f = &failureCount{start: now}
			l.failures[k] = f
		}
		f.n++
	}
}

// succeed forgets the user's failures from this address.
func (l *loginLimiter) succeed(user, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, userKey(user, ip))
}
