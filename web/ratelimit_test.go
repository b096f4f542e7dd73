package web

import (
	"fmt"
	"testing"
	"time"
)

// TestLoginLimiterAccountWide: guesses at one account spread over many
// addresses hit the account-wide ceiling, which refuses the addresses that
// failed; the account's owner at an address that never failed, and other
// accounts, are let in.
func TestLoginLimiterAccountWide(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	l := newLoginLimiter(func() time.Time { return now })
	for i := range maxAccountFailures {
		ip := fmt.Sprintf("203.0.113.%d", i%200)
		if err := l.allow("admin", ip); err != nil {
			t.Fatalf("attempt %d from %s refused early: %v", i, ip, err)
		}
		l.fail("admin", ip)
	}
	if err := l.allow("admin", "203.0.113.7"); err == nil {
		t.Fatal("an address that failed for the account was let in after the account-wide limit")
	}
	if err := l.allow("admin", "198.51.100.7"); err != nil {
		t.Errorf("the account's owner at an address that never failed was refused: %v", err)
	}
	if err := l.allow("alice", "203.0.113.7"); err != nil {
		t.Errorf("another account was refused: %v", err)
	}
	now = now.Add(loginWindow)
	if err := l.allow("admin", "203.0.113.7"); err != nil {
		t.Errorf("still refused after the window: %v", err)
	}
}

// TestLoginLimiterIgnoresCase: a user name is the same account in any
// case, so guessing as ADMIN, Admin, aDmin … gains no attempts.
func TestLoginLimiterIgnoresCase(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	l := newLoginLimiter(func() time.Time { return now })
	names := []string{"admin", "ADMIN", "Admin", "aDmin", "adMin", "admIn", "admiN"}
	for i := range maxUserFailures {
		if err := l.allow(names[i%len(names)], "203.0.113.9"); err != nil {
			t.Fatalf("attempt %d refused early: %v", i, err)
		}
		l.fail(names[i%len(names)], "203.0.113.9")
	}
	for _, n := range names {
		if err := l.allow(n, "203.0.113.9"); err == nil {
			t.Errorf("%s let in after %d failures of the same account in other cases", n, maxUserFailures)
		}
	}
}
