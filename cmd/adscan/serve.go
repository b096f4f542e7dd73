package main

import (
	"adscan/evidence"
	"adscan/metrics"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"adscan/accounts"
	"adscan/web"
	"adscan/workflows"
)

// newServeCmd is `adscan serve`: the console and API of a cluster.
func newServeCmd(s streams) *cobra.Command {
	var opts clusterOptions
	var addr, keyFile, signingKey, metricsAddr string
	var allowPrivate, secure bool
	var crawlHeartbeat time.Duration
	var proxies []string
	var reviewSLA time.Duration
	var lexiconFile string
	cmd := &cobra.Command{
		Use:   "serve --temporal-address HOST:PORT --db DSN --http ADDR",
		Short: "Serve the review console and JSON API of a cluster",
		Long: `Serve the review console and JSON API of a cluster. Every 'serve' process of
one cluster must sign sessions with the same key: set ADSCAN_SESSION_KEY (hex,
32 bytes or more) or --session-key-file on each.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.check("serve"); err != nil {
				return err
			}
			// The addresses first: a busy one is reported before the
			// database is opened or the first admin made.
			ln, err := listenHTTP("serve", addr)
			if err != nil {
				return err
			}
			defer func() {
				if ln != nil {
					ln.Close()
				}
			}()
			var metricsLn net.Listener
			if metricsAddr != "" {
				if metricsLn, err = listenFlag("serve", "--metrics", metricsAddr, "HOST:PORT or :PORT (e.g. :9090)"); err != nil {
					return err
				}
				defer func() {
					if metricsLn != nil {
						metricsLn.Close()
					}
				}()
			}
			if reviewSLA <= 0 { // as a worker's
				return usageError{fmt.Errorf("serve: --review-sla %s: want more than 0 (the default is %s)", reviewSLA, workflows.DefaultReviewSLA)}
			}
			lex, err := loadLexicon(s, "serve", lexiconFile)
			if err != nil {
				return err
			}
			trusted, err := parseTrustedProxies(proxies)
			if err != nil {
				return usageError{fmt.Errorf("serve: %w", err)}
			}
			ctx := cmd.Context()
			logger := newLogger(s)
			st, err := openStore(ctx, opts.db, logger)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			defer st.Close()
			tc, err := dialTemporal(ctx, opts.temporal, logger)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			defer tc.Close()
			if err := accounts.EnsureAdmin(ctx, st, s.getenv, s.out); err != nil {
				return fmt.Errorf("serve: first admin: %w", err)
			}
			key, err := sessionKey(s, keyFile)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			var evidenceKey string
			if signingKey != "" || s.getenv(evidence.EnvSigningKey) != "" {
				k, err := evidence.ResolveKey(evidence.KeySource{File: signingKey, Env: s.getenv(evidence.EnvSigningKey)})
				if err != nil {
					return fmt.Errorf("serve: %w", err)
				}
				evidenceKey = evidence.Signer{Key: k}.PublicKey()
			}
			h, err := startHTTP(ln, web.Config{
				EvidenceKey: evidenceKey,
				Store:       st,
				Orchestrator: &workflows.Client{Temporal: tc, Store: st, AllowPrivate: allowPrivate,
					CrawlHeartbeatTimeout: crawlHeartbeat},
				Logger:        logger.With("component", "web"),
				SessionKey:    key,
				Ready:         storeReady(st),
				SecureCookies: secure,

				AllowPrivateTargets: allowPrivate,
				TrustedProxies:      trusted,
				ReviewSLA:           reviewSLA,
				Lexicon:             lex,
				NewClassifier:       newClassifier,
			}, logger)
			ln = nil // startHTTP owns it now
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			var maddr string // where the metrics are served, if they are
			if metricsLn != nil {
				// The console's own /metrics needs an admin; Prometheus
				// scrapes this one, on an address of the operator's.
				mux := http.NewServeMux()
				mux.Handle("GET /metrics", h.web.MetricsHandler())
				mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
				maddr = metrics.ServeOn(ctx, metricsLn, mux)
				metricsLn = nil
			}
			if key == nil {
				logger.Warn("no session key: sessions end on restart and are not shared with other serve processes; set " + envSessionKey)
			}
			fmt.Fprintf(s.out, "adscan serve: console at %s\n", h.URL())
			if maddr != "" {
				fmt.Fprintf(s.out, "adscan serve: metrics at http://%s/metrics (no sign-in: keep the address private)\n", maddr)
			}
			<-ctx.Done()
			return h.Shutdown()
		},
	}
	opts.register(cmd, s)
	f := cmd.Flags()
	f.StringVar(&addr, "http", "127.0.0.1:8080", "address of the console and API")
	f.StringVar(&metricsAddr, "metrics", envOr(s, envMetrics, ""), "also serve the console's Prometheus metrics without sign-in on this address (e.g. :9090), env "+envMetrics)
	f.StringVar(&signingKey, "signing-key", "", "the workers' --signing-key (or $"+evidence.EnvSigningKey+"): its public key is served at /api/evidence/key")
	f.StringVar(&keyFile, "session-key-file", "", "file holding the session key in hex (created if missing)")
	f.BoolVar(&allowPrivate, "allow-private-targets", false, "accept scan targets on private, loopback and link-local addresses")
	f.BoolVar(&secure, "secure-cookies", false, "mark cookies Secure (serve behind HTTPS)")
	f.StringVar(&lexiconFile, "lexicon", "", "the workers' --lexicon: the base of the lexicon versions the console makes (default: the embedded lexicon)")
	f.DurationVar(&reviewSLA, "review-sla", workflows.DefaultReviewSLA, "the workers' --review-sla: the dashboard counts open cases older than this as overdue")
	f.StringSliceVar(&proxies, "trusted-proxy", nil, "address or CIDR of a reverse proxy in front of serve, whose X-Forwarded-For names the client and X-Forwarded-Proto: https marks cookies Secure (repeatable)")
	f.DurationVar(&crawlHeartbeat, "crawl-heartbeat-timeout", workflows.DefaultCrawlHeartbeatTimeout,
		"how long a crawl may go silent before Temporal retries it on a live worker, resuming from its checkpoint")
	return cmd
}

// parseTrustedProxies reads --trusted-proxy values: addresses (a /32 or
// /128) or CIDR prefixes.
func parseTrustedProxies(vs []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if p, err := netip.ParsePrefix(v); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxy %q is not an address or CIDR prefix (e.g. 10.0.0.5 or 10.0.0.0/8)", v)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
