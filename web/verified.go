package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"
)

// verifiedTTL is how long a checked password is remembered.
const (
	verifiedTTL     = time.Minute
	maxVerifiedKeys = 1000
)

// verifiedCache remembers recently checked (user, password, hash) triples
// as keyed digests, never the passwords. An entry only matches the same
// password hash, so a changed password or a recreated user is checked with
// bcrypt again. It is safe for concurrent use.
type verifiedCache struct {
	key []byte
	now func() time.Time

	mu      sync.Mutex
	entries map[string]time.Time // digest → expiry
}

func newVerifiedCache(key []byte, now func() time.Time) *verifiedCache {
	return &verifiedCache{key: derive(key, "adscan verified credentials v1"), now: now, entries: map[string]time.Time{}}
}

func (c *verifiedCache) digest(user, password, hash string) string {
	m := hmac.New(sha256.New, c.key)
	for _, s := range []string{user, password, hash} {
		m.Write([]byte(s))
		m.Write([]byte{0})
	}
	return base64.RawStdEncoding.EncodeToString(m.Sum(nil))
}

// has reports whether the triple was verified within the last minute.
func (c *verifiedCache) has(user, password, hash string) bool {
	d := c.digest(user, password, hash)
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.entries[d]
	return ok && c.now().Before(exp)
}

// add remembers a verified triple.
func (c *verifiedCache) add(user, password, hash string) {
	d := c.digest(user, password, hash)
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxVerifiedKeys {
		for k, exp := range c.entries {
			if !now.Before(exp) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxVerifiedKeys {
			clear(c.entries)
		}
	}
	c.entries[d] = now.Add(verifiedTTL)
}
