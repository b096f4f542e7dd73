package render

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"time"

	"adscan"
)

// maxRefusals bounds the refusals one proxy records; later ones are counted.
const maxRefusals = 1000

// maxOwnAnswers bounds the answers one proxy makes up itself (see
// proxyAnswer); beyond it a request it cannot forward is dropped unanswered.
const maxOwnAnswers = 1000

// ownAnswerHeader carries, on a response the proxy made up itself — a
// refusal, or a 502 for a request it could not forward — a token that the
// proxy recorded with the request's URL and why (see proxy.Answered), so
// that render does not mistake it for the site's answer. A site cannot
// forge it: the token is random, new for every answer, and believed only
// for the URL it was made up for; a field of this name in a response the
// proxy forwards (plain http) is removed, so a token a page's script read
// from one of the proxy's answers cannot come back on the site's own; and
// the proxy makes up no answers inside a tunnel (https, where it could not
// remove the field): a tunnel it cannot open fails the browser's request.
const ownAnswerHeader = "X-Adscan-Proxy-Answer"

// Refusal is one request of the browser that the proxy refused because it
// would have reached a private, loopback, link-local or cloud-metadata
// address (or, with Config.AllowPrivate off, a name resolving to one).
type Refusal struct {
	// Method is the request's method; CONNECT for a tunnel (https, wss).
	Method string
	// URL is the requested URL for a plain request and "host:port" for a tunnel.
	URL string
	// Reason says which address was refused and why.
	Reason string
	// At is when the request was refused.
	At time.Time
}

// String returns "METHOD URL: reason".
func (r Refusal) String() string { return r.Method + " " + r.URL + ": " + r.Reason }

// proxyAnswer is a response the proxy made up itself for a plain request of
// the browser it did not forward: the site said nothing.
type proxyAnswer struct {
	// Method and URLSum (the SHA-256 of the request's URL) say what was asked.
	Method string
	URLSum [sha256.Size]byte
	// Err is why: the guard's refusal (it wraps adscan.ErrPrivateAddress)
	// or the error of the round trip to the site — a *net.OpError,
	// *net.DNSError, a timeout, io.EOF — as a plain fetch would report it.
	Err error
}

// proxy is an HTTP forward proxy on loopback that the browser sends all of
// its traffic through: plain requests (absolute-form, http only) and CONNECT
// tunnels (https, WebSockets). Every outbound connection is made by a
// guarded dialer, so the address check happens after DNS resolution, in
// this process, when connecting; the browser resolves no names itself
// (see browserFlags). It records what it refuses.
type proxy struct {
	ln        net.Listener
	srv       *http.Server
	dialer    *net.Dialer
	transport *http.Transport
	rp        *httputil.ReverseProxy
	log       *slog.Logger

	mu      sync.Mutex
	refused []Refusal
	dropped int // refusals not recorded beyond maxRefusals
	// answers are the responses the proxy made up, by their token;
	// failedTunnels the error of the last CONNECT to each "host:port" that
	// could not be opened (refusals are in refused).
	answers       map[string]proxyAnswer
	failedTunnels map[string]error
	tunnels       map[net.Conn]struct{}
	closed        bool
}

// startProxy listens on 127.0.0.1 (a free port) and serves until Close.
// Outbound connections are made with dialer (a guarded one: see
// netguard.Dialer); headerTimeout bounds the wait for a response's header.
// With a nil dialer the proxy forwards nothing: it answers every request
// with 403 (the browser's own traffic: see Pool.proxy).
func startProxy(dialer *net.Dialer, headerTimeout time.Duration, log *slog.Logger) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("render: start the browser's proxy: %w", err)
	}
	p := &proxy{ln: ln, dialer: dialer, log: log, tunnels: map[net.Conn]struct{}{},
		answers: map[string]proxyAnswer{}, failedTunnels: map[string]error{}}
	dial := func(context.Context, string, string) (net.Conn, error) { return nil, errNothingForwarded }
	if dialer != nil {
		dial = dialer.DialContext
	}
	p.transport = &http.Transport{
		Proxy:                 nil, // never chain to the environment's proxy: it would be dialled instead of the site
		DialContext:           dial,
		DisableCompression:    true, // pass bodies through as served
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   6,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: headerTimeout,
	}
	p.rp = &httputil.ReverseProxy{
		// Rewrite (rather than Director) drops any Forwarded and
		// X-Forwarded-* headers, and adds none: the site sees the browser's
		// request as the browser made it.
		Rewrite:        func(*httputil.ProxyRequest) {},
		Transport:      p.transport,
		FlushInterval:  -1,
		ModifyResponse: p.forwarding,
		ErrorHandler:   p.roundTripFailed,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	p.srv = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	go p.srv.Serve(ln)
	return p, nil
}

// URL returns the proxy's address as the browser's --proxy-server wants it.
func (p *proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Refused returns a copy of the refusals so far and how many more there
// were beyond the recorded maxRefusals.
func (p *proxy) Refused() ([]Refusal, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Refusal(nil), p.refused...), p.dropped
}

// Close stops the proxy: the listener, idle and active connections, and
// every open tunnel. It returns once they are closed.
func (p *proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.tunnels {
		c.Close()
	}
	p.mu.Unlock()
	err := p.srv.Close()
	p.transport.CloseIdleConnections()
	if err != nil {
		return fmt.Errorf("render: close the browser's proxy: %w", err)
	}
	return nil
}

// errNothingForwarded is the dial error of a proxy that forwards nothing.
var errNothingForwarded = errors.New("this proxy forwards nothing")

// ServeHTTP handles one request of the browser.
func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case p.dialer == nil:
		p.log.Debug("render proxy: refused a request of the browser itself", "method", r.Method, "url", r.URL.String(), "host", r.Host)
		http.Error(w, "render proxy: the browser's own requests are not forwarded", http.StatusForbidden)
	case r.Method == http.MethodConnect:
		p.tunnel(w, r)
	case r.URL.IsAbs() && r.URL.Scheme == "http" && r.URL.Host != "":
		p.rp.ServeHTTP(w, r)
	default:
		// Origin-form requests (someone talking to the proxy as if it were a
		// site) and other schemes are not proxied.
		http.Error(w, "render proxy: only absolute http:// requests and CONNECT are proxied", http.StatusBadRequest)
	}
}

// Answered returns why the proxy made up the response that carried token
// in its ownAnswerHeader field, for a request of rawURL (the response's URL
// as the browser reports it; a #fragment is ignored), and whether it did: a
// token the proxy did not make up, or made up for another URL, is the
// site's own field.
func (p *proxy) Answered(token, rawURL string) (proxyAnswer, bool) {
	if token == "" {
		return proxyAnswer{}, false
	}
	p.mu.Lock()
	a, ok := p.answers[token]
	p.mu.Unlock()
	if !ok {
		return proxyAnswer{}, false
	}
	rawURL, _, _ = strings.Cut(rawURL, "#")
	if sha256.Sum256([]byte(rawURL)) != a.URLSum {
		return proxyAnswer{}, false
	}
	return a, true
}

// FailedTunnel returns the error of the last CONNECT to hostPort that the
// proxy could not open (other than a refusal: see Refused), or nil.
func (p *proxy) FailedTunnel(hostPort string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failedTunnels[hostPort]
}

// forwarding removes the ownAnswerHeader field from a response the site
// served (see ownAnswerHeader): only the proxy's own answers carry it.
func (p *proxy) forwarding(resp *http.Response) error {
	if _, ok := resp.Header[ownAnswerHeader]; ok {
		p.log.Info("render proxy: removed the proxy's own answer field from a site's response", "url", resp.Request.URL.String())
		delete(resp.Header, ownAnswerHeader)
	}
	return nil
}

// roundTripFailed answers a plain request that could not be sent, or got
// no response: 403 when the guard refused the address (and records it),
// 502 otherwise — both marked as the proxy's own (see proxy.answer).
func (p *proxy) roundTripFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, adscan.ErrPrivateAddress) {
		p.refuse(w, r, r.URL.String(), err)
		return
	}
	if !errors.Is(err, context.Canceled) {
		p.log.Debug("render proxy: request failed", "url", r.URL.String(), "err", err)
	}
	p.answer(w, r, http.StatusBadGateway, "render proxy: "+err.Error(), err)
}

// answer answers r with a response of the proxy's own — status and text,
// why the request was not forwarded — marked with a fresh token recorded
// with r's URL and err. Beyond maxOwnAnswers it drops r unanswered
// instead, so that the browser sees a failed request rather than an
// answer nothing marks as the proxy's.
func (p *proxy) answer(w http.ResponseWriter, r *http.Request, status int, text string, err error) {
	token := rand.Text()
	p.mu.Lock()
	full := len(p.answers) >= maxOwnAnswers
	if !full {
		// r.RequestURI is the absolute URL exactly as the browser sent it.
		p.answers[token] = proxyAnswer{Method: r.Method, URLSum: sha256.Sum256([]byte(r.RequestURI)), Err: err}
	}
	p.mu.Unlock()
	if full {
		p.log.Debug("render proxy: too many requests failed; dropping one unanswered", "url", r.URL.String())
		panic(http.ErrAbortHandler)
	}
	w.Header().Set(ownAnswerHeader, token)
	http.Error(w, text, status)
}

// refuse records a refused request r of target (its URL, or "host:port"
// for a CONNECT) and answers it with 403: an answer of the proxy's own for
// a plain request, the failure of a CONNECT.
func (p *proxy) refuse(w http.ResponseWriter, r *http.Request, target string, err error) {
	reason := refusalReason(err)
	method := r.Method
	p.mu.Lock()
	if len(p.refused) < maxRefusals {
		p.refused = append(p.refused, Refusal{Method: method, URL: target, Reason: reason, At: time.Now().UTC()})
	} else {
		p.dropped++
	}
	p.mu.Unlock()
	p.log.Info("render proxy: refused a request of the browser", "method", method, "url", target, "reason", reason)
	if method == http.MethodConnect {
		http.Error(w, "render proxy: refused: "+reason, http.StatusForbidden)
		return
	}
	p.answer(w, r, http.StatusForbidden, "render proxy: refused: "+reason, err)
}

// refusalReason returns why the guard refused a dial (err), without the
// dial's own words around it.
func refusalReason(err error) string {
	reason := err.Error()
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		reason = op.Err.Error() // without "dial tcp 10.0.0.1:80: " said twice
	}
	return strings.TrimPrefix(reason, "render: dial refused: ")
}

// tunnel serves CONNECT: it dials the target through the guard and, once
// connected, copies bytes both ways until either side closes or the proxy
// is closed.
func (p *proxy) tunnel(w http.ResponseWriter, r *http.Request) {
	target := r.Host
	if _, _, err := net.SplitHostPort(target); err != nil {
		http.Error(w, "render proxy: CONNECT needs host:port", http.StatusBadRequest)
		return
	}
	upstream, err := p.dialer.DialContext(r.Context(), "tcp", target)
	if err != nil {
		if errors.Is(err, adscan.ErrPrivateAddress) {
			p.refuse(w, r, target, err)
			return
		}
		// The browser fails the request on any answer but 200 and shows
		// the page nothing of it: the error is kept for render to name.
		p.mu.Lock()
		if _, ok := p.failedTunnels[target]; ok || len(p.failedTunnels) < maxOwnAnswers {
			p.failedTunnels[target] = err
		}
		p.mu.Unlock()
		http.Error(w, "render proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		upstream.Close()
		http.Error(w, "render proxy: cannot hijack the connection", http.StatusInternalServerError)
		return
	}
	client, buf, err := hj.Hijack()
	if err != nil {
		upstream.Close()
		return
	}
	if !p.track(client, upstream) {
		client.Close()
		upstream.Close()
		return
	}
	defer p.untrack(client, upstream)
	if _, err := client.Write([]byte("HTTP/1.1 200 Connection Established\r\n\r\n")); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() {
		// Bytes the browser sent after its CONNECT header may sit in buf.
		io.Copy(upstream, buf)
		closeWrite(upstream)
		done <- struct{}{}
	}()
	go func() {
		io.Copy(client, upstream)
		closeWrite(client)
		done <- struct{}{}
	}()
	<-done
	<-done
}

// track adds an open tunnel's connections; false when the proxy is closed.
func (p *proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range conns {
		p.tunnels[c] = struct{}{}
	}
	return true
}

// untrack closes and forgets a tunnel's connections.
func (p *proxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.tunnels, c)
	}
}

// closeWrite half-closes c when it can, so the other side sees EOF.
func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.Close()
}
