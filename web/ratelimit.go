package web

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// Failed-login limits: within loginWindow, at most maxUserFailures failures
// for one user name from one client address, maxIPFailures from one
// address in all, and maxAccountFailures for one user name from all
// addresses together (guessing spread over many addresses). Past any, logins
// from that address (for that user), or for that user, are refused, even
// with the right password, until the window ends.
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

func userKey(user, ip string) string { return "u\x00" + user + "\x00" + ip }
func ipKey(ip string) string         { return "i\x00" + ip }
func accountKey(user string) string  { return "a\x00" + user }

// allow returns a *tooManyAttempts if the address, or the address for this
// user, has used up its failures in the current window.
func (l *loginLimiter) allow(user, ip string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range []struct {
		key string
		max int
	}{{userKey(user, ip), maxUserFailures}, {ipKey(ip), maxIPFailures}, {accountKey(user), maxAccountFailures}} {
		f := l.failures[k.key]
		if f != nil && now.Sub(f.start) < loginWindow && f.n >= k.max {
			return &tooManyAttempts{retryAfter: loginWindow - now.Sub(f.start)}
		}
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
