package render

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// ErrBrowserHung is wrapped by the error of a page whose browser stopped
// answering; the browser was killed and the next page gets a fresh one.
var ErrBrowserHung = errors.New("the browser stopped answering")

// pingTimeout bounds the check that a browser still answers.
const pingTimeout = 3 * time.Second

// browser is one Chromium process, driven over its DevTools pipe.
type browser struct {
	ctx         context.Context // the chromedp context that owns the process
	cancel      context.CancelFunc
	cancelAlloc context.CancelFunc
	pid         int
	pages       int         // pages opened in it so far
	hung        atomic.Bool // it was killed for not answering
}

// browserFlags are the command line of every browser the pool starts. All
// traffic goes through the proxy at proxyURL, loopback included (Chromium
// otherwise bypasses proxies for localhost), and the browser resolves no
// names itself: the proxy resolves them and checks the addresses. QUIC and
// non-proxied WebRTC UDP are off, so nothing leaves outside the proxy.
func browserFlags(cfg Config, execPath, proxyURL string) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.ProxyServer(proxyURL),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.Flag("disable-quic", true),
		// WebRTC may use UDP only through a proxy that carries UDP (ours
		// does not), so ICE sends no STUN to any address. Chromium 156
		// honours webrtc-ip-handling-policy (TestWebRTCSendsNoUDP fails
		// without it); force-webrtc-ip-handling-policy, the name in some
		// guides, alone does nothing there.
		chromedp.Flag("webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		chromedp.Flag("force-webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		// HttpsUpgrades would fetch https:// for an http:// URL first: the
		// page rendered must be the page asked for. DnsOverHttps would
		// resolve names in the browser.
		//
		// Site isolation (IsolateOrigins, site-per-process) would put each
		// cross-site frame — an advert served from an ad network, a
		// platform's embedded listing — in a renderer of its own, whose
		// requests the page's DevTools session does not see, so none of
		// what the frame loaded would be archived for replay. The browser
		// is a throwaway with no logins, cookies or other secrets, behind
		// the proxy's address checks; what isolation protects is not here.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,HttpsUpgrades,DnsOverHttps,MediaRouter,OptimizationHints,AutofillServerCommunication,IsolateOrigins,site-per-process"),
		chromedp.Flag("disable-site-isolation-trials", true),
		chromedp.Flag("disable-popup-blocking", false), // the defaults allow popups; block them
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("deny-permission-prompts", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh;q=0.9,en;q=0.5"),
		// A page's JavaScript heap beyond this crashes its renderer (one
		// page), not the machine.
		chromedp.Flag("js-flags", "--max-old-space-size=1024"),
		chromedp.WindowSize(ScreenshotWidth, viewportHeight),
	)
	if cfg.UserAgent != "" {
		opts = append(opts, chromedp.UserAgent(cfg.UserAgent))
	}
	return opts
}

// startBrowser starts a browser whose traffic goes through proxyURL. It
// returns an error when the browser does not start and answer within
// cfg.StartTimeout.
func startBrowser(cfg Config, execPath, proxyURL string) (*browser, error) {
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserFlags(cfg, execPath, proxyURL)...)
	logf := func(format string, args ...any) {
		cfg.Logger.Debug("render: chromedp: " + fmt.Sprintf(format, args...))
	}
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithBrowserOption(
		chromedp.WithBrowserLogf(logf), chromedp.WithBrowserErrorf(logf)))
	b := &browser{ctx: ctx, cancel: cancel, cancelAlloc: cancelAlloc}

	// The first Run ties the process to ctx, so it gets no deadline of its
	// own: a watchdog cancels it instead (which kills the process).
	watchdog := time.AfterFunc(cfg.StartTimeout, cancel)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() && err == nil {
		err = context.DeadlineExceeded
	}
	if err != nil {
		b.stop()
		return nil, fmt.Errorf("render: start %s: %w", execPath, err)
	}
	b.pid = chromedp.FromContext(ctx).Browser.Process().Pid

	// Downloads are refused: a link to a file must not write to our disk.
	dctx, dcancel := context.WithTimeout(ctx, pingTimeout)
	defer dcancel()
	if _, err := chromedp.CallBrowser(dctx, cdpbrowser.SetDownloadBehavior,
		cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorDeny}); err != nil {
		b.stop()
		return nil, fmt.Errorf("render: start %s: refuse downloads: %w", execPath, err)
	}
	cfg.Logger.Debug("render: browser started", "pid", b.pid)
	return b, nil
}

// alive reports whether the browser process is still connected.
func (b *browser) alive() bool { return b.ctx.Err() == nil }

// ping reports whether the browser answers a command within pingTimeout.
func (b *browser) ping() bool {
	if !b.alive() {
		return false
	}
	ctx, cancel := context.WithTimeout(b.ctx, pingTimeout)
	defer cancel()
	_, err := chromedp.CallBrowser(ctx, cdpbrowser.GetVersion, cdp.Empty{})
	return err == nil
}

// memory returns the memory (PSS) of the browser's process tree.
func (b *browser) memory() (int64, error) {
	mem, _, err := treeMemory(b.pid)
	return mem, err
}

// kill ends the browser process at once (SIGKILL), which also fails every
// command waiting on it; stop then frees the rest.
func (b *browser) kill() {
	if c := chromedp.FromContext(b.ctx); c != nil && c.Browser != nil {
		if p := c.Browser.Process(); p != nil {
			p.Kill()
		}
	}
}

// killHung kills a browser that stopped answering, and says so.
func (b *browser) killHung() {
	b.hung.Store(true)
	b.kill()
}

// stop kills the browser, waits for it to exit and removes its profile
// directory. It is safe to call more than once.
func (b *browser) stop() {
	b.kill()
	b.cancel()
	b.cancelAlloc()
}
