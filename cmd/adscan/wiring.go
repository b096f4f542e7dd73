package main

import (
	"adscan"
	"adscan/evidence"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"adscan/classifier"
	"adscan/crawler"
	"adscan/lexicon"
	"adscan/metrics"
	"adscan/render"
	"adscan/store"
	"adscan/web"
	"adscan/workflows"
)

// Environment variables the long-running commands read.
const (
	envTemporalAddress = "ADSCAN_TEMPORAL_ADDRESS"
	envNamespace       = "ADSCAN_NAMESPACE"
	envTLSCert         = "ADSCAN_TLS_CERT"
	envTLSKey          = "ADSCAN_TLS_KEY"
	envTLSCA           = "ADSCAN_TLS_CA"
	envAPIKey          = "ADSCAN_API_KEY"
	envSessionKey      = "ADSCAN_SESSION_KEY" // hex, ≥ 32 bytes: shared by every `serve` of a cluster
	envLogLevel        = "ADSCAN_LOG_LEVEL"
)

// temporalOptions are the flags that say how to reach Temporal.
type temporalOptions struct {
	address, namespace     string
	tlsCert, tlsKey, tlsCA string
	apiKey                 string
	tlsServerName          string
	metrics                client.MetricsHandler // the SDK's own metrics (worker --metrics); not a flag
}

func (o *temporalOptions) register(f *pflag.FlagSet, s streams, defaultAddress string) {
	f.StringVar(&o.address, "temporal-address", envOr(s, envTemporalAddress, defaultAddress), "Temporal frontend host:port (env "+envTemporalAddress+")")
	f.StringVar(&o.namespace, "namespace", envOr(s, envNamespace, "default"), "Temporal namespace (env "+envNamespace+")")
	f.StringVar(&o.tlsCert, "tls-cert", s.getenv(envTLSCert), "client certificate file for mTLS (env "+envTLSCert+")")
	f.StringVar(&o.tlsKey, "tls-key", s.getenv(envTLSKey), "client key file for mTLS (env "+envTLSKey+")")
	f.StringVar(&o.tlsCA, "tls-ca", s.getenv(envTLSCA), "CA certificate file to verify the server (env "+envTLSCA+")")
	f.StringVar(&o.tlsServerName, "tls-server-name", "", "server name to verify, if not the address's host")
	f.StringVar(&o.apiKey, "api-key", s.getenv(envAPIKey), "Temporal Cloud API key (env "+envAPIKey+"); turns TLS on")
}

func envOr(s streams, key, def string) string {
	if v := s.getenv(key); v != "" {
		return v
	}
	return def
}

// dialTemporal connects to Temporal, eagerly: it fails naming the address
// if the frontend does not answer within temporalDialTimeout, and naming
// the namespace if Temporal does not have it.
func dialTemporal(ctx context.Context, o temporalOptions, logger *slog.Logger) (client.Client, error) {
	if o.address == "" {
		return nil, usageError{errors.New("no Temporal address: give --temporal-address HOST:PORT or set " + envTemporalAddress)}
	}
	if _, _, err := net.SplitHostPort(o.address); err != nil {
		return nil, usageError{fmt.Errorf("--temporal-address %q: want HOST:PORT", o.address)}
	}
	opts := client.Options{
		HostPort:  o.address,
		Namespace: o.namespace,
		Logger:    tlog.NewStructuredLogger(logger.With("component", "temporal")),
	}
	tlsCfg, err := o.tlsConfig()
	if err != nil {
		return nil, err
	}
	opts.ConnectionOptions.TLS = tlsCfg
	if o.metrics != nil {
		opts.MetricsHandler = o.metrics
	}
	if o.apiKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(o.apiKey)
	}
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, temporalDialTimeout)
	defer cancel()
	c, err := client.DialContext(dctx, opts)
	if err != nil {
		return nil, temporalUnreachable(ctx, o.address, time.Since(start), err)
	}
	if err := checkNamespace(ctx, c, o.address, o.namespace); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// tlsConfig builds the client TLS settings from the cert, key and CA files;
// nil when none is given.
func (o temporalOptions) tlsConfig() (*tls.Config, error) {
	if o.tlsCert == "" && o.tlsKey == "" && o.tlsCA == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: o.tlsServerName}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return nil, usageError{errors.New("--tls-cert and --tls-key go together")}
	}
	if o.tlsCert != "" {
		pair, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("load TLS key pair %s, %s: %w", o.tlsCert, o.tlsKey, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if o.tlsCA != "" {
		pem, err := os.ReadFile(o.tlsCA)
		if err != nil {
			return nil, fmt.Errorf("read TLS CA %s: %w", o.tlsCA, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA %s: no PEM certificate in it", o.tlsCA)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// newLogger is the one logger of a long-running command: text (or JSON, see
// logFormat) on stderr at
// the level of ADSCAN_LOG_LEVEL (debug, info, warn, error; default info).
func newLogger(s streams) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(envOr(s, envLogLevel, "info"))); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if logFormat(s) == "json" {
		return slog.New(slog.NewJSONHandler(s.err, opts))
	}
	return slog.New(slog.NewTextHandler(s.err, opts))
}

// envLogFormat names the environment variable with the default --log-format.
const envLogFormat = "ADSCAN_LOG_FORMAT"

// logFormat is --log-format, else $ADSCAN_LOG_FORMAT, else "text".
func logFormat(s streams) string {
	if s.logFormat != nil && *s.logFormat != "" {
		return strings.ToLower(*s.logFormat)
	}
	return strings.ToLower(envOr(s, envLogFormat, "text"))
}

// loadLexicon returns the lexicon at path, or the embedded default. A file
// with problems is reported problem by problem on stderr and ends the
// command with exit status 1.
func loadLexicon(s streams, command, path string) (*lexicon.Lexicon, error) {
	if path == "" {
		lex, err := lexicon.Default()
		if err != nil {
			return nil, fmt.Errorf("%s: default lexicon: %w", command, err)
		}
		return lex, nil
	}
	lex, err := lexicon.Load(path)
	var pe *lexicon.ProblemsError
	if errors.As(err, &pe) {
		for _, p := range pe.Problems {
			fmt.Fprintf(s.err, "%s\n", p.Format(path))
		}
		fmt.Fprintf(s.err, "adscan: %s: lexicon %s has %d problem(s)\n", command, path, len(pe.Problems))
		return nil, exitError{exitFailure}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	return lex, nil
}

// workerOptions are the flags of a process that runs the work.
type workerOptions struct {
	lexicon          string
	allowPrivate     bool
	crawlDelay       time.Duration
	userAgent        string
	maxPages         int
	referralEndpoint string
	outbox           string
	reviewSLA        time.Duration
	metrics          string          // --metrics ADDR ("" for none); not passed on by args
	observer         *metrics.Worker // the metrics served there, made before Temporal is dialled (withMetrics)
	metricsLn        net.Listener    // --metrics, listened on before anything starts (listenMetrics)
	queues           string          // all, work or crawl
	maxCrawls        int
	maxActivities    int
	signingKey       string // --signing-key FILE
	tsaURL           string // --tsa-url URL
	keyDir           string // where dev keeps the signing key it makes; not a flag
	chromium         string // --chromium PATH ("" looks on PATH)
	maxBrowsers      int    // --max-browsers: the pool's size
	plainScreenshots bool   // --plain-screenshots: render flagged pages of plain crawls for their screenshot
}

func (o *workerOptions) register(f *pflag.FlagSet, s streams) {
	f.StringVar(&o.lexicon, "lexicon", "", "classify with this lexicon file instead of the embedded default")
	f.BoolVar(&o.allowPrivate, "allow-private-targets", false, "allow targets on private, loopback and link-local addresses (never for public targets)")
	f.DurationVar(&o.crawlDelay, "crawl-delay", crawler.DefaultDelay, "least time between two requests to one host (0: none)")
	f.StringVar(&o.userAgent, "user-agent", crawler.DefaultUserAgent, "User-Agent the crawler sends: name the tool and a contact URL")
	f.IntVar(&o.maxPages, "max-pages", crawler.DefaultMaxPages, "pages per target when a scan does not say")
	f.StringVar(&o.referralEndpoint, "referral-endpoint", envOr(s, envReferralEndpoint, ""), "deliver referral packages by POST to this URL instead of the outbox, env "+envReferralEndpoint)
	f.StringVar(&o.outbox, "outbox", envOr(s, envOutbox, ""), "directory referral packages are written to (dev: default DATA/outbox; a worker needs this or --referral-endpoint), env "+envOutbox)
	f.DurationVar(&o.reviewSLA, "review-sla", workflows.DefaultReviewSLA, "escalate a case no reviewer decided within this time")
	f.StringVar(&o.queues, "queues", envOr(s, envQueues, "all"), "task queues to poll: all, work (workflows, review, referral and store activities) or crawl (the crawls), env "+envQueues)
	f.IntVar(&o.maxCrawls, "max-crawls", envInt(s, envMaxCrawls, 4), "crawls this worker runs at once, env "+envMaxCrawls)
	f.IntVar(&o.maxActivities, "max-activities", envInt(s, envMaxActivities, 0), "other activities this worker runs at once (0: the Temporal SDK's default), env "+envMaxActivities)
	f.StringVar(&o.metrics, "metrics", envOr(s, envMetrics, ""), "serve the worker's Prometheus metrics, /healthz and /readyz on this address (e.g. :9090), env "+envMetrics)
	f.StringVar(&o.signingKey, "signing-key", "", "Ed25519 private key (PKCS #8 PEM) that signs the WACZ evidence packages in the outbox; or the key itself in $"+evidence.EnvSigningKey+" (dev: made under DATA on first start)")
	f.StringVar(&o.tsaURL, "tsa-url", "", "RFC 3161 time-stamping authority to timestamp each evidence package (none by default)")
	f.StringVar(&o.chromium, "chromium", envOr(s, envChromium, ""), "headless Chromium for rendered targets and screenshots of flagged pages (default: chromium on PATH), env "+envChromium)
	f.IntVar(&o.maxBrowsers, "max-browsers", envInt(s, envMaxBrowsers, render.DefaultMaxBrowsers), "browsers this worker runs at once for rendered pages and screenshots (each about 300-400 MiB), env "+envMaxBrowsers)
	f.BoolVar(&o.plainScreenshots, "plain-screenshots", true, "screenshot each flagged page of a plain crawl by rendering it once more in the browser (rendered crawls always screenshot from their tab)")
}

// envChromium names the browser executable, as --chromium does.
const envChromium = "ADSCAN_CHROMIUM"

// browsers is the worker process's browser pool, made when a crawl first
// needs it: bounded by the pool's defaults, its requests under the same
// address rules as the crawler's.
func (o workerOptions) browsers(logger *slog.Logger) *workflows.Browsers {
	return &workflows.Browsers{Config: render.Config{
		Chromium:     o.chromium,
		MaxBrowsers:  o.maxBrowsers,
		UserAgent:    o.userAgent,
		AllowPrivate: o.allowPrivate,
		Logger:       logger.With("component", "render"),
	}}
}

// signer returns the signer of the outbox's WACZ packages: the key from
// --signing-key, $ADSCAN_SIGNING_KEY or (dev) the data directory, and the
// --tsa-url. A worker writing to an outbox needs a key; one delivering by
// HTTP signs nothing.
func (o workerOptions) signer(s streams, command string) (evidence.Signer, error) {
	key, err := evidence.ResolveKey(evidence.KeySource{File: o.signingKey, Env: s.getenv(evidence.EnvSigningKey), DataDir: o.keyDir})
	if err != nil {
		if o.outbox == "" && o.signingKey == "" && s.getenv(evidence.EnvSigningKey) == "" {
			return evidence.Signer{}, nil
		}
		if adscan.ErrorCode(err) == adscan.EINVALID && o.signingKey == "" && s.getenv(evidence.EnvSigningKey) == "" {
			return evidence.Signer{}, usageError{fmt.Errorf("%s: the evidence packages in --outbox are signed: give --signing-key FILE or set $%s "+
				"(make a key with: openssl genpkey -algorithm ed25519 -out signing-key.pem)", command, evidence.EnvSigningKey)}
		}
		return evidence.Signer{}, fmt.Errorf("%s: %w", command, err)
	}
	sg := evidence.Signer{Key: key}
	if o.tsaURL != "" {
		u, err := url.Parse(o.tsaURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return evidence.Signer{}, usageError{fmt.Errorf("%s: --tsa-url %q is not an http(s) URL", command, o.tsaURL)}
		}
		sg.TSA = &evidence.TSA{URL: o.tsaURL}
	}
	return sg, nil
}

// args returns the command-line flags that give o, leaving out those at
// their defaults, each value quoted for the shell: what a worker started by
// hand needs to do the same work as this one.
func (o workerOptions) args() []string {
	var a []string
	add := func(flag, value string) { a = append(a, flag, shellQuote(value)) }
	if o.lexicon != "" {
		add("--lexicon", o.lexicon)
	}
	if o.chromium != "" {
		add("--chromium", o.chromium)
	}
	if !o.plainScreenshots {
		a = append(a, "--plain-screenshots=false")
	}
	if o.allowPrivate {
		a = append(a, "--allow-private-targets")
	}
	if o.crawlDelay != crawler.DefaultDelay {
		add("--crawl-delay", o.crawlDelay.String())
	}
	if o.userAgent != crawler.DefaultUserAgent {
		add("--user-agent", o.userAgent)
	}
	if o.maxPages != crawler.DefaultMaxPages {
		add("--max-pages", strconv.Itoa(o.maxPages))
	}
	if o.referralEndpoint != "" {
		add("--referral-endpoint", o.referralEndpoint)
	}
	if o.outbox != "" {
		add("--outbox", o.outbox)
	}
	if o.signingKey != "" {
		add("--signing-key", o.signingKey)
	}
	if o.tsaURL != "" {
		add("--tsa-url", o.tsaURL)
	}
	if o.reviewSLA != workflows.DefaultReviewSLA {
		add("--review-sla", o.reviewSLA.String())
	}
	if o.queues != "" && o.queues != "all" {
		add("--queues", o.queues)
	}
	if o.maxCrawls != 0 && o.maxCrawls != 4 {
		add("--max-crawls", strconv.Itoa(o.maxCrawls))
	}
	if o.maxActivities != 0 {
		add("--max-activities", strconv.Itoa(o.maxActivities))
	}
	if o.maxBrowsers != 0 && o.maxBrowsers != render.DefaultMaxBrowsers {
		add("--max-browsers", strconv.Itoa(o.maxBrowsers))
	}
	return a
}

// startWorker registers the workflows and activities on a worker of the
// adscan task queue and starts it. Stop it with Stop.
func startWorker(ctx context.Context, s streams, tc client.Client, st *store.Store, o workerOptions, logger *slog.Logger) (*workers, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	lex, err := loadLexicon(s, "worker", o.lexicon)
	if err != nil {
		return nil, err
	}
	if o.referralEndpoint == "" && o.outbox == "" {
		return nil, usageError{errors.New("worker: give --referral-endpoint URL or --outbox DIR for confirmed cases")}
	}
	signer, err := o.signer(s, "worker")
	if err != nil {
		return nil, err
	}
	ws := &workers{}
	acts := &workflows.Activities{
		Store:    st,
		Temporal: tc,
		Referral: workflows.ReferralConfig{Endpoint: o.referralEndpoint, OutboxDir: o.outbox, Signer: signer,
			HTTPClient: &http.Client{Timeout: 30 * time.Second}},
		ReviewSLA:    o.reviewSLA,
		Logger:       logger.With("component", "activities"),
		AllowPrivate: o.allowPrivate,
	}
	if o.crawls() {
		cl, err := classifier.New(lex)
		if err != nil {
			return nil, fmt.Errorf("worker: lexicon %s: %w", lex.Name, err)
		}
		crawler := o.crawler(st, cl, logger)
		crawler.Browsers = o.browsers(logger)
		crawler.NoPlainScreenshots = !o.plainScreenshots
		acts.Crawler = crawler
		ws.browsers = crawler.Browsers
	}
	if o.metrics != "" {
		m := o.observer
		if m == nil {
			m = metrics.NewWorker()
		}
		acts.Observer = m
		ready := func(ctx context.Context) error {
			if err := st.Ping(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			if _, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
				return fmt.Errorf("temporal: %w", err)
			}
			return nil
		}
		if o.metricsLn == nil {
			if err := o.listenMetrics("worker"); err != nil {
				return nil, err
			}
		}
		// Served until ctx ends or ws.Stop, which a failure of a later
		// step here calls: no server is left running on a listener the
		// caller's copy of o still holds.
		var mctx context.Context
		mctx, ws.stopMetrics = context.WithCancel(ctx)
		addr := metrics.ServeOn(mctx, o.metricsLn, m.Handler(ready))
		o.metricsLn = nil
		fmt.Fprintf(s.out, "adscan worker: metrics at http://%s/metrics (and /healthz, /readyz)\n", addr)
	}
	if o.queues == "all" || o.queues == "work" {
		w := worker.New(tc, workflows.TaskQueue, worker.Options{MaxConcurrentActivityExecutionSize: o.maxActivities,
			WorkerStopTimeout: workerStopTimeout})
		workflows.Register(w, acts)
		ws.ws = append(ws.ws, w)
	}
	if o.queues == "all" || o.queues == "crawl" {
		w := worker.New(tc, workflows.CrawlTaskQueue, worker.Options{MaxConcurrentActivityExecutionSize: o.maxCrawls,
			WorkerStopTimeout: workerStopTimeout})
		workflows.RegisterActivities(w, acts)
		ws.ws = append(ws.ws, w)
	}
	for _, w := range ws.ws {
		if err := w.Start(); err != nil {
			ws.Stop()
			return nil, fmt.Errorf("worker: start: %w", err)
		}
	}
	logger.Info("worker started", "queues", o.queues, "max_crawls", o.maxCrawls, "max_activities", o.maxActivities,
		"lexicon", lex.Name, "lexicon_version", lex.Version)
	return ws, nil
}

// crawler is the worker's SiteCrawler: polite by the worker's flags, taking
// turns on hosts with every other worker through the store, classifying
// with the newest lexicon version in the store (cl until there is one).
func (o workerOptions) crawler(st *store.Store, cl adscan.Classifier, logger *slog.Logger) *workflows.CollyCrawler {
	delay := o.crawlDelay
	if delay == 0 {
		delay = -1 // crawler.Config: negative is "no delay"
	}
	return &workflows.CollyCrawler{
		Base: crawler.Config{
			UserAgent:    o.userAgent,
			Delay:        delay,
			MaxPages:     o.maxPages,
			AllowPrivate: o.allowPrivate,
			// Every worker on the database takes turns on a host
			// together: the host's delay holds across the cluster.
			Gate:   st,
			Logger: logger.With("component", "crawler"),
		},
		Classifier:  cl,
		Classifiers: &storeClassifiers{store: st, base: cl, logger: logger.With("component", "lexicon")},
		Profiles:    st,
		Logger:      logger,
	}
}

// workers are the Temporal workers of one process, one a task queue, and
// the process's browser pool.
type workers struct {
	ws          []worker.Worker
	browsers    *workflows.Browsers // nil for a worker that does not crawl
	stopMetrics func()              // stops serving --metrics; nil without
}

// Stop stops each worker, after its running activities, then the browsers
// and the metrics server.
func (ws *workers) Stop() {
	for _, w := range ws.ws {
		w.Stop()
	}
	if ws.browsers != nil {
		ws.browsers.Close()
	}
	if ws.stopMetrics != nil {
		ws.stopMetrics()
	}
}

// openStore opens the database, naming it in the error.
func openStore(ctx context.Context, dsn string, logger *slog.Logger, opts ...store.Option) (*store.Store, error) {
	st, err := store.Open(ctx, dsn, append([]store.Option{store.WithLogger(logger.With("component", "store"))}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactDSN(dsn), err)
	}
	return st, nil
}

// sessionKey is the key that signs console sessions: from ADSCAN_SESSION_KEY
// (hex), else read from (or first written to) file when file is set, else
// random for this process only.
func sessionKey(s streams, file string) ([]byte, error) {
	if v := s.getenv(envSessionKey); v != "" {
		key, err := hex.DecodeString(v)
		if err != nil || len(key) < 32 {
			return nil, fmt.Errorf("%s: want at least 32 bytes in hex", envSessionKey)
		}
		return key, nil
	}
	if file == "" {
		return nil, nil
	}
	if b, err := os.ReadFile(file); err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) < 32 {
			return nil, fmt.Errorf("session key file %s: want at least 32 bytes in hex", file)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read session key %s: %w", file, err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, fmt.Errorf("write session key: %w", err)
	}
	if err := os.WriteFile(file, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write session key %s: %w", file, err)
	}
	return key, nil
}

// listenMetrics opens o's --metrics address, if it has one, so that a busy
// or wrong address is reported before anything is started or created;
// startWorker serves on it. command names the command in the error.
func (o *workerOptions) listenMetrics(command string) error {
	if o.metrics == "" || o.metricsLn != nil {
		return nil
	}
	ln, err := listenFlag(command, "--metrics", o.metrics, "HOST:PORT or :PORT (e.g. :9090)")
	if err != nil {
		return err
	}
	o.metricsLn = ln
	return nil
}

// closeMetrics closes the --metrics listener if nothing came to serve on it.
func (o *workerOptions) closeMetrics() {
	if o.metricsLn != nil {
		o.metricsLn.Close()
		o.metricsLn = nil
	}
}

// listenHTTP opens the console's --http address at the start of dev and
// serve, before anything is created (the first admin, the database), so a
// busy address is the one problem reported.
func listenHTTP(command, addr string) (net.Listener, error) {
	return listenFlag(command, "--http", addr, "HOST:PORT (e.g. 127.0.0.1:8080; port 0 picks a free one)")
}

// listenFlag listens on addr, the value of flag: one that is no address
// is a usage error (want says what is), one that cannot be listened on (in
// use, not this machine's) a failure, each naming the flag.
func listenFlag(command, flag, addr, want string) (net.Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, usageError{fmt.Errorf("%s: %s %q: want %s: %v", command, flag, addr, want, err)}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %s %s: %s", command, flag, addr, listenProblem(err))
	}
	return ln, nil
}

// httpServer serves the console and API on a listener until Shutdown.
type httpServer struct {
	srv *http.Server
	ln  net.Listener
	web *web.Server
}

// startHTTP serves the console and API on ln (listenHTTP) in the
// background. It closes ln if the console cannot be made.
func startHTTP(ln net.Listener, cfg web.Config, logger *slog.Logger) (*httpServer, error) {
	ws, err := web.New(cfg)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("console: %w", err)
	}
	srv := &http.Server{
		Handler:           ws.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("console stopped", "err", err)
		}
	}()
	return &httpServer{srv: srv, ln: ln, web: ws}, nil
}

// URL is the console's base URL.
func (h *httpServer) URL() string {
	addr := h.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port)) + "/"
}

// Shutdown stops accepting requests and waits up to 10 s for those in flight.
func (h *httpServer) Shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return h.srv.Shutdown(ctx)
}

// withMetrics makes the worker's metrics when --metrics is given and has
// the Temporal client report the SDK's own metrics into them too.
func (o *workerOptions) withMetrics(t *temporalOptions) {
	if o.metrics == "" {
		return
	}
	o.observer = metrics.NewWorker()
	t.metrics = o.observer.TemporalHandler()
}

// Environment variables of the worker's capacity flags.
const (
	envQueues        = "ADSCAN_QUEUES"
	envMaxCrawls     = "ADSCAN_MAX_CRAWLS"
	envMaxBrowsers   = "ADSCAN_MAX_BROWSERS"
	envMaxActivities = "ADSCAN_MAX_ACTIVITIES"

	envOutbox           = "ADSCAN_OUTBOX"
	envReferralEndpoint = "ADSCAN_REFERRAL_ENDPOINT"
	envMetrics          = "ADSCAN_METRICS" // worker and serve --metrics
)

// crawls reports whether the worker polls the crawl queue. Only crawls
// classify: a worker of the work queue alone does without the classifier
// and its segmenter's dictionary (about 150 MB).
func (o workerOptions) crawls() bool { return o.queues != "work" }

// workerStopTimeout is how long a stopping worker lets its running
// activities finish. Crawls run for hours and are not waited for: they
// are canceled and resume on another worker from their last checkpoint.
const workerStopTimeout = 20 * time.Second

// envInt is the integer in the environment variable name, or def when it
// is unset or not an integer.
func envInt(s streams, name string, def int) int {
	if v, err := strconv.Atoi(strings.TrimSpace(s.getenv(name))); err == nil {
		return v
	}
	return def
}

// check reports a bad capacity flag as a usage error.
func (o *workerOptions) check() error {
	switch o.queues {
	case "all", "work", "crawl":
	default:
		return usageError{fmt.Errorf("--queues %q: want all, work or crawl", o.queues)}
	}
	switch {
	case o.maxCrawls < 1:
		return usageError{fmt.Errorf("--max-crawls %d: want 1 or more", o.maxCrawls)}
	case o.maxActivities < 0:
		return usageError{fmt.Errorf("--max-activities %d: want 0 (the Temporal SDK's default) or more", o.maxActivities)}
	}
	if o.maxBrowsers < 0 {
		return usageError{fmt.Errorf("--max-browsers %d: want 1 or more (0: the default, %d)", o.maxBrowsers, render.DefaultMaxBrowsers)}
	}
	switch {
	case o.crawlDelay < 0:
		return usageError{fmt.Errorf("--crawl-delay %s: want 0 or more", o.crawlDelay)}
	case o.maxPages < 0:
		return usageError{fmt.Errorf("--max-pages %d: want 0 or more", o.maxPages)}
	case o.reviewSLA <= 0:
		return usageError{fmt.Errorf("--review-sla %s: want more than 0 (the default is %s)", o.reviewSLA, workflows.DefaultReviewSLA)}
	}
	if e := o.referralEndpoint; e != "" {
		// Found at start, not when the first confirmed case cannot go out.
		if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageError{fmt.Errorf("--referral-endpoint %q: want an http:// or https:// URL", e)}
		}
	}
	return nil
}
