package main

import (
	"adscan/accounts"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"adscan/web"
	"adscan/workflows"
)

// newServeCmd is `adscan serve`: the console and API of a cluster.
func newServeCmd(s streams) *cobra.Command {
	var opts clusterOptions
	var addr, keyFile string
	var allowPrivate, secure bool
	var crawlHeartbeat time.Duration
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
			if key == nil {
				logger.Warn("no session key: sessions end on restart and are not shared with other serve processes; set " + envSessionKey)
			}
			h, err := startHTTP(addr, web.Config{
				Store: st,
				Orchestrator: &workflows.Client{Temporal: tc, Store: st, AllowPrivate: allowPrivate,
					CrawlHeartbeatTimeout: crawlHeartbeat},
				Logger:        logger.With("component", "web"),
				SessionKey:    key,
				Ready:         storeReady(st),
				SecureCookies: secure,

				AllowPrivateTargets: allowPrivate,
			}, logger)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			fmt.Fprintf(s.out, "adscan serve: console at %s\n", h.URL())
			<-ctx.Done()
			return h.Shutdown()
		},
	}
	opts.register(cmd, s)
	f := cmd.Flags()
	f.StringVar(&addr, "http", "127.0.0.1:8080", "address of the console and API")
	f.StringVar(&keyFile, "session-key-file", "", "file holding the session key in hex (created if missing)")
	f.BoolVar(&allowPrivate, "allow-private-targets", false, "accept scan targets on private, loopback and link-local addresses")
	f.BoolVar(&secure, "secure-cookies", false, "mark cookies Secure (serve behind HTTPS)")
	f.DurationVar(&crawlHeartbeat, "crawl-heartbeat-timeout", workflows.DefaultCrawlHeartbeatTimeout,
		"how long a crawl may go silent before Temporal retries it on a live worker, resuming from its checkpoint")
	return cmd
}
