package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"adscan/classifier"
	"adscan/store"
	"adscan/workflows"
)

// clusterOptions are the flags every cluster process shares.
type clusterOptions struct {
	temporal temporalOptions
	db       string
}

func (o *clusterOptions) register(cmd *cobra.Command, s streams) {
	o.temporal.register(cmd.Flags(), s, "")
	cmd.Flags().StringVar(&o.db, "db", s.getenv(envDB), "database DSN: postgres://… or a SQLite file shared with the other processes (env "+envDB+")")
}

func (o *clusterOptions) check(command string) error {
	if o.db == "" {
		return usageError{fmt.Errorf("%s: no database: give --db DSN or set %s", command, envDB)}
	}
	return nil
}

// newWorkerCmd is `adscan worker`: joins a cluster and runs scans, reviews
// and referrals until SIGINT/SIGTERM, then lets its running activities
// finish for up to workerStopTimeout — crawls still running are canceled and
// resume on another worker from their checkpoint — and exits.
func newWorkerCmd(s streams) *cobra.Command {
	var opts clusterOptions
	var wo workerOptions
	cmd := &cobra.Command{
		Use:   "worker --temporal-address HOST:PORT --db DSN [--namespace NS] [--allow-private-targets]",
		Short: "Join a cluster: run scans, case reviews and referrals",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.check("worker"); err != nil {
				return err
			}
			if err := wo.check(); err != nil {
				return err
			}
			if wo.outbox == "" && wo.referralEndpoint == "" {
				return usageError{errors.New("worker: give --referral-endpoint URL or --outbox DIR for confirmed cases")}
			}
			if _, err := wo.signer(s, "worker"); err != nil {
				return err // before dialling anything: a bad key is the operator's to fix
			}
			if err := wo.listenMetrics("worker"); err != nil {
				return err // likewise a busy --metrics address
			}
			defer wo.closeMetrics()
			if wo.crawls() {
				classifier.Preload() // about a second, beside the store and Temporal
			}
			ctx := cmd.Context()
			logger := newLogger(s)
			// The database is made by dev, serve or a command that writes
			// (README): a worker given a mistyped SQLite path would
			// otherwise take work into a new file nobody reads.
			st, err := openStore(ctx, opts.db, logger, store.Existing())
			if err != nil {
				return fmt.Errorf("worker: %w", err)
			}
			defer st.Close()
			wo.withMetrics(&opts.temporal)
			tc, err := dialTemporal(ctx, opts.temporal, logger)
			if err != nil {
				return fmt.Errorf("worker: %w", err)
			}
			defer tc.Close()
			w, err := startWorker(ctx, s, tc, st, wo, logger)
			if err != nil {
				return err
			}
			wo.metricsLn = nil // served now, until ctx ends
			queues := workflows.TaskQueue + " and " + workflows.CrawlTaskQueue
			switch wo.queues {
			case "work":
				queues = workflows.TaskQueue
			case "crawl":
				queues = workflows.CrawlTaskQueue
			}
			fmt.Fprintf(s.out, "adscan worker: polling %s on %s (namespace %s)\n", queues, opts.temporal.address, opts.temporal.namespace)
			<-ctx.Done()
			logger.Info("worker stopping")
			w.Stop()
			return nil
		},
	}
	opts.register(cmd, s)
	wo.register(cmd.Flags(), s)
	return cmd
}
