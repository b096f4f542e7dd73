package workflows

import (
	"errors"
	"fmt"
	"sync"

	"adscan/render"
)

// Browsers is a worker process's pool of headless browsers: made on first
// use (a worker that crawls no rendered target and flags nothing never
// looks for Chromium), shared by all its crawls, closed with Close. Its
// zero value with Config set is ready; it is safe for concurrent use.
type Browsers struct {
	// Config bounds the pool (Chromium path, browsers, SSRF rules).
	Config render.Config

	mu     sync.Mutex
	pool   *render.Pool
	err    error
	closed bool
}

// Pool returns the pool, making it on the first call. When there is no
// Chromium the error wraps render.ErrNoChromium and names what was looked
// for; that answer is kept (a browser installed later needs a restart).
// After Close it returns an error wrapping render.ErrPoolClosed.
func (b *Browsers) Pool() (*render.Pool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, fmt.Errorf("workflows: browsers: %w", render.ErrPoolClosed)
	}
	if b.pool == nil && b.err == nil {
		b.pool, b.err = render.NewPool(b.Config)
	}
	return b.pool, b.err
}

// Close closes the pool, if one was made, ending its browsers.
func (b *Browsers) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.pool == nil {
		return nil
	}
	err := b.pool.Close()
	b.pool = nil
	if errors.Is(err, render.ErrPoolClosed) {
		return nil
	}
	return err
}
