package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"adscan"
	"adscan/accounts"
	"adscan/classifier"
	"adscan/devserver"
	"adscan/evidence"
	"adscan/lexicon"
	"adscan/store"
	"adscan/web"
	"adscan/workflows"
)

// devOptions are the flags of `adscan dev`.
type devOptions struct {
	data            string
	http            string
	temporalAddress string
	temporalUI      string
	db              string
	noWorker        bool
	demo            int // synthetic cases to seed an empty store with (--demo)
	crawlHeartbeat  time.Duration
	worker          workerOptions
	metricsFlag     bool // --metrics was given on the command line (not only $ADSCAN_METRICS)
}

// newDevCmd is `adscan dev`: everything in one process.
func newDevCmd(s streams) *cobra.Command {
	var opts devOptions
	cmd := &cobra.Command{
		Use:   "dev [--data DIR] [--http ADDR] [--temporal-address ADDR] [--db DSN] [--no-worker] [--allow-private-targets]",
		Short: "Run everything in one process: Temporal, a worker, the console and API",
		Long: `Run everything in one process: an embedded Temporal server (SQLite under
DIR/temporal, frontend on --temporal-address), a worker, the review console and
JSON API on --http, and the store (SQLite under DIR unless --db names
PostgreSQL). Data survives restarts. With --no-worker the work is left to
separate 'adscan worker' processes (a cluster on one machine).

The first start creates the user admin with the password in
ADSCAN_ADMIN_PASSWORD, or generates one and prints it once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.metricsFlag = cmd.Flags().Changed("metrics")
			p := &devProgram{opts: opts, s: s}
			if err := p.Start(cmd.Context()); err != nil {
				p.Close()
				return err
			}
			<-cmd.Context().Done()
			fmt.Fprintln(s.err, "adscan dev: shutting down")
			return p.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.data, "data", "adscan-data", "directory for the Temporal database, the store, the outbox and the session key")
	f.StringVar(&opts.http, "http", "127.0.0.1:8080", "address of the console and API (port 0: a free one)")
	f.StringVar(&opts.temporalAddress, "temporal-address", "127.0.0.1:7233", "address of the embedded Temporal frontend (port 0: a free one)")
	f.StringVar(&opts.temporalUI, "temporal-ui", "", "also serve the Temporal Web UI on this address (e.g. 127.0.0.1:8233)")
	f.StringVar(&opts.db, "db", "", "database DSN: postgres://… (default: SQLite at DATA/adscan.db)")
	f.BoolVar(&opts.noWorker, "no-worker", false, "run no worker: leave the work to 'adscan worker' processes")
	f.IntVar(&opts.demo, "demo", 0, "fill an empty store with this many made-up cases (on 100 made-up targets) to look around the console")
	f.DurationVar(&opts.crawlHeartbeat, "crawl-heartbeat-timeout", workflows.DefaultCrawlHeartbeatTimeout,
		"how long a crawl may go silent before Temporal retries it on a live worker, resuming from its checkpoint")
	opts.worker.register(f, s)
	return cmd
}

// devProgram is `adscan dev` as a value, so tests can start the real program
// on port 0 and stop it.
type devProgram struct {
	opts devOptions
	s    streams

	logger   *slog.Logger
	temporal *devserver.Server
	store    *store.Store
	client   client.Client
	worker   *workers
	http     *httpServer
	httpLn   net.Listener // --http, listened on first, until the console serves on it
}

// Start brings everything up and prints where the console and Temporal
// are. On error, Close releases whatever had started.
func (p *devProgram) Start(ctx context.Context) error {
	begin := time.Now()
	p.logger = newLogger(p.s)
	data, err := filepath.Abs(p.opts.data)
	if err != nil {
		return fmt.Errorf("dev: --data %s: %w", p.opts.data, err)
	}
	for _, a := range []struct{ flag, addr string }{{"--temporal-address", p.opts.temporalAddress}, {"--temporal-ui", p.opts.temporalUI}} {
		if err := loopbackOnly(a.flag, a.addr); err != nil {
			return err
		}
	}
	// Bad worker flags before anything is made (the admin user, the
	// database, Temporal's files).
	// A new SQLite database gets its first admin from ADSCAN_ADMIN_PASSWORD:
	// a password the account rules refuse is found before the database is
	// made (an existing one has its admin; EnsureAdmin then ignores it).
	if _, err := os.Stat(filepath.Join(data, "adscan.db")); p.opts.db == "" && errors.Is(err, fs.ErrNotExist) {
		if err := accounts.CheckAdminPasswordEnv(p.s.getenv); err != nil {
			return usageError{fmt.Errorf("dev: %s", adscan.ErrorMessage(err))}
		}
	}
	if !p.opts.noWorker {
		if err := p.opts.worker.check(); err != nil {
			return err
		}
	} else if p.opts.worker.metrics != "" && !p.opts.metricsFlag {
		p.opts.worker.metrics = "" // $ADSCAN_METRICS is the workers' (serve reads it too)
	} else if p.opts.worker.metrics != "" {
		// It would be silently ignored: the metrics are a worker's.
		return usageError{fmt.Errorf("dev --no-worker: --metrics %s serves a worker's metrics, and this process runs none; give --metrics to each adscan worker", p.opts.worker.metrics)}
	}
	var lex *lexicon.Lexicon         // the console's base lexicon: --lexicon, else the embedded default
	if p.opts.worker.lexicon != "" { // its problems before anything is made
		if lex, err = loadLexicon(p.s, "dev", p.opts.worker.lexicon); err != nil {
			return err
		}
	}
	if p.opts.demo < 0 {
		return usageError{fmt.Errorf("dev: --demo %d: want a number of made-up cases, 1 or more (0: none)", p.opts.demo)}
	}
	// The addresses next: a busy one is reported before anything is made.
	if p.httpLn, err = listenHTTP("dev", p.opts.http); err != nil {
		return err
	}
	if !p.opts.noWorker {
		if err := p.opts.worker.listenMetrics("dev"); err != nil {
			return err
		}
	}
	if !p.opts.noWorker && p.opts.worker.crawls() {
		classifier.Preload() // about a second, beside starting Temporal
	}
	// The database first: a wrong --db is then the one line the program
	// prints, not that line after the embedded Temporal server's own
	// complaints as it is stopped half started.
	dsn := p.opts.db
	if dsn == "" {
		dsn = filepath.Join(data, "adscan.db")
	}
	if p.store, err = openStore(ctx, dsn, p.logger); err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	p.temporal, err = devserver.Start(ctx, devserver.Config{
		DataDir:      filepath.Join(data, "temporal"),
		FrontendAddr: p.opts.temporalAddress,
		UIAddr:       p.opts.temporalUI,
		Logger:       p.logger.With("component", "temporal-server"),
	})
	if err != nil {
		return fmt.Errorf("dev: start Temporal: %w", err)
	}
	if err := accounts.EnsureAdmin(ctx, p.store, p.s.getenv, p.s.out); err != nil {
		return fmt.Errorf("dev: first admin: %w", err)
	}
	if p.opts.demo > 0 {
		err := p.store.SeedSynthetic(ctx, store.SyntheticSpec{Targets: 100, Cases: p.opts.demo, Now: time.Now(), Seed: 1})
		switch {
		case adscan.ErrorCode(err) == adscan.EINVALID:
			fmt.Fprintf(p.s.out, "adscan dev: --demo: %s; left as it is\n", adscan.ErrorMessage(err))
		case err != nil:
			return fmt.Errorf("dev: --demo: %w", err)
		default:
			fmt.Fprintf(p.s.out, "adscan dev: made %d demo cases on 100 made-up targets (*.example.cn)\n", p.opts.demo)
		}
	}
	tOpts := temporalOptions{address: p.temporal.FrontendHostPort(), namespace: p.temporal.Namespace()}
	if !p.opts.noWorker {
		p.opts.worker.withMetrics(&tOpts)
	}
	if p.client, err = dialTemporal(ctx, tOpts, p.logger); err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	// The deployment's evidence signing key: --signing-key, else
	// $ADSCAN_SIGNING_KEY, else DATA/signing-key.pem, made on first start.
	p.opts.worker.keyDir = data
	signer, err := p.opts.worker.signer(p.s, "dev")
	if err != nil {
		return err
	}
	if !p.opts.noWorker {
		wo := p.opts.worker
		if wo.outbox == "" && wo.referralEndpoint == "" {
			wo.outbox = filepath.Join(data, "outbox")
		}
		if p.worker, err = startWorker(ctx, p.s, p.client, p.store, wo, p.logger); err != nil {
			return fmt.Errorf("dev: %w", err)
		}
		p.opts.worker.metricsLn = nil // served now, until ctx ends
	}
	key, err := sessionKey(p.s, filepath.Join(data, "session.key"))
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	ln := p.httpLn
	p.httpLn = nil // startHTTP owns it now
	p.http, err = startHTTP(ln, web.Config{
		Store: p.store,
		Orchestrator: &workflows.Client{
			Temporal:     p.client,
			Store:        p.store,
			AllowPrivate: p.opts.worker.allowPrivate,
			ReviewSLA:    p.opts.worker.reviewSLA,

			CrawlHeartbeatTimeout: p.opts.crawlHeartbeat,
		},
		Logger:      p.logger.With("component", "web"),
		SessionKey:  key,
		EvidenceKey: signer.PublicKey(),

		AllowPrivateTargets: p.opts.worker.allowPrivate,
		ReviewSLA:           p.opts.worker.reviewSLA,
		Lexicon:             lex,
		NewClassifier:       newClassifier,
		Ready:               storeReady(p.store),
	}, p.logger)
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	fmt.Fprintf(p.s.out, "adscan dev is ready (%.1fs)\n", time.Since(begin).Seconds())
	fmt.Fprintf(p.s.out, "  console:  %s  (sign in as admin)\n", p.http.URL())
	fmt.Fprintf(p.s.out, "  temporal: %s  (namespace %s)\n", p.temporal.FrontendHostPort(), p.temporal.Namespace())
	if u := p.temporal.UIURL(); u != "" {
		fmt.Fprintf(p.s.out, "  temporal ui: %s\n", u)
	}
	fmt.Fprintf(p.s.out, "  data:     %s\n", data)
	if p.opts.noWorker {
		wo := p.opts.worker
		if wo.referralEndpoint == "" && wo.outbox == "" {
			wo.outbox = filepath.Join(data, "outbox")
		}
		for _, path := range []*string{&wo.lexicon, &wo.signingKey, &wo.outbox} {
			if *path != "" { // the hint runs from any directory
				if abs, err := filepath.Abs(*path); err == nil {
					*path = abs
				}
			}
		}
		if strings.ContainsRune(wo.chromium, filepath.Separator) { // a path, not a name looked up on PATH
			if abs, err := filepath.Abs(wo.chromium); err == nil {
				wo.chromium = abs
			}
		}
		if wo.signingKey == "" && p.s.getenv(evidence.EnvSigningKey) == "" {
			wo.signingKey = filepath.Join(data, evidence.KeyFileName) // the key dev made
		}
		hint := strings.Join(append([]string{"adscan", "worker", "--temporal-address", p.temporal.FrontendHostPort(),
			"--namespace", p.temporal.Namespace(), "--db", shellQuote(store.AbsDSN(dsn))}, wo.args()...), " ")
		fmt.Fprintf(p.s.out, "  no worker: start one with: %s\n", hint)
	}
	return nil
}

// Close stops everything Start started, the newest first.
func (p *devProgram) Close() error {
	var errs []error
	if p.httpLn != nil {
		p.httpLn.Close()
	}
	p.opts.worker.closeMetrics()
	if p.http != nil {
		errs = append(errs, p.http.Shutdown())
	}
	if p.worker != nil {
		p.worker.Stop()
	}
	if p.client != nil {
		p.client.Close()
	}
	if p.temporal != nil {
		errs = append(errs, p.temporal.Stop())
	}
	if p.store != nil {
		errs = append(errs, p.store.Close())
	}
	return errors.Join(errs...)
}

// storeReady is the console's readiness check: the database answers.
func storeReady(st *store.Store) func() bool {
	return func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return st.Ping(ctx) == nil
	}
}

// shellQuote returns s as a shell word: as it is when it holds only
// characters no shell treats specially, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@=,+-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// loopbackOnly refuses an address for the embedded Temporal server that
// is not on loopback: it has no authentication, so anyone who reaches it
// could start, signal or cancel workflows around the console's roles. A
// cluster's Temporal is secured with mTLS and namespaces instead (see
// README, "Running a cluster").
func loopbackOnly(flag, addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Errorf("dev: %s %q: %v", flag, addr, err)}
	}
	if host == "localhost" {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return nil
	}
	return usageError{fmt.Errorf("dev: %s %s: the embedded Temporal server has no authentication and listens on loopback only (127.0.0.1 or [::1]); run a secured Temporal cluster and 'adscan worker'/'adscan serve' to share it", flag, addr)}
}
