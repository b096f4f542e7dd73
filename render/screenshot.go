package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/png"
	"math"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Screenshot is a full-page PNG of a rendered page.
type Screenshot struct {
	// PNG is the image: ScreenshotWidth pixels wide (device scale factor 1)
	// and as tall as the page, up to Config.MaxScreenshotHeight.
	PNG []byte
	// SHA256 is the hex SHA-256 of PNG.
	SHA256 string
	// Width and Height are the image's size in pixels, read from the PNG.
	Width, Height int
	// PageHeight is the page's full height in CSS pixels; Truncated says
	// the image stops at MaxScreenshotHeight above it.
	PageHeight int
	Truncated  bool
	// TakenAt is when the capture finished; Duration how long it took.
	TakenAt  time.Time
	Duration time.Duration
}

// Screenshot captures the page as it is now — the document the caller has
// read in Rendered, unless its scripts changed it since — from the top,
// ScreenshotWidth pixels wide and as tall as the page up to
// Config.MaxScreenshotHeight. It takes at most Config.ScreenshotTimeout.
// It returns an error wrapping ErrPageClosed after Close, ErrCrashed when
// the tab or browser crashed, or the context's error.
func (pg *Page) Screenshot(ctx context.Context) (*Screenshot, error) {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if pg.closed {
		return nil, fmt.Errorf("render: screenshot of %s: %w", pg.Rendered.URL, ErrPageClosed)
	}
	start := time.Now()
	sctx, cancel := pg.opContext(ctx, start.Add(pg.pool.cfg.ScreenshotTimeout))
	defer cancel()
	shot, err := pg.capture(sctx)
	if err != nil {
		if f := pg.failure(ctx); f != nil {
			err = fmt.Errorf("%w (%w)", err, f)
		}
		return nil, fmt.Errorf("render: screenshot of %s: %w", pg.Rendered.URL, pg.why(err))
	}
	shot.TakenAt = time.Now().UTC()
	shot.Duration = time.Since(start)
	return shot, nil
}

// capture scrolls to the top, measures the page and captures it.
func (pg *Page) capture(ctx context.Context) (*Screenshot, error) {
	// Scrolling runs the page's scroll handlers, on the main thread like
	// everything else; a busy page fails here, within the timeout.
	if _, err := pg.evalIsolated(ctx, "window.scrollTo(0, 0)", pg.pool.cfg.ScreenshotTimeout); err != nil {
		return nil, fmt.Errorf("scroll to the top: %w", err)
	}
	metrics, err := chromedp.Call(ctx, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		return nil, fmt.Errorf("measure the page: %w", err)
	}
	pageHeight := viewportHeight
	if cs := metrics.CSSContentSize; cs != nil && cs.Height > 0 {
		pageHeight = int(math.Ceil(cs.Height))
	}
	height := min(pageHeight, pg.pool.cfg.MaxScreenshotHeight)
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		Clip:                  &page.Viewport{X: 0, Y: 0, Width: ScreenshotWidth, Height: float64(height), Scale: 1},
		CaptureBeyondViewport: new(true),
		FromSurface:           new(true),
	})
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(res.Data))
	if err != nil {
		return nil, fmt.Errorf("the browser's PNG does not decode: %w", err)
	}
	sum := sha256.Sum256(res.Data)
	return &Screenshot{
		PNG: res.Data, SHA256: hex.EncodeToString(sum[:]),
		Width: cfg.Width, Height: cfg.Height,
		PageHeight: pageHeight, Truncated: pageHeight > height,
	}, nil
}
