// Package devserver runs a complete single-node Temporal server inside the
// calling process, for `adscan dev`: SQLite persistence in a file under a
// data directory (state survives restarts), all four server roles on
// 127.0.0.1, and the frontend on an address of the caller's choosing.
//
// Only cmd/adscan imports this package: the server is a large dependency
// (a cold build takes minutes), and nothing else should have to compile it.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/temporal"
)

const (
	// DefaultNamespace is the namespace registered when Config.Namespace is
	// empty.
	DefaultNamespace = "default"
	// readyTimeout bounds the wait for the frontend to answer when the
	// context passed to Start has no earlier deadline.
	readyTimeout = 30 * time.Second
)

// Config configures an embedded server.
type Config struct {
	// DataDir holds the SQLite database (temporal.db); created if missing.
	// Required.
	DataDir string
	// FrontendAddr is the host:port the frontend listens on. Port 0 picks a
	// free port. The host must be an IP address; an empty host or
	// "localhost" means 127.0.0.1. The server has no authentication, so
	// listening on all interfaces must be asked for with 0.0.0.0. An empty
	// FrontendAddr means 127.0.0.1:0.
	FrontendAddr string
	// Namespace is registered on first start; DefaultNamespace if empty.
	Namespace string
	// Logger receives the server's warnings and errors; nil discards them.
	Logger *slog.Logger
	// UIAddr, if set, is the host:port where the Temporal Web UI is served
	// (port 0 = a free one; host rules as for FrontendAddr). The UI has no
	// login: it sees and can change everything in the server.
	UIAddr string
}

// Server is a running embedded Temporal server.
type Server struct {
	server    temporal.Server
	ui        *webUI         // nil without a UI
	unlock    func() error   // releases the data dir
	logLevel  *slog.LevelVar // the server's log threshold
	frontend  string
	namespace string

	stopOnce sync.Once
	stopErr  error
}

// namespaceName is what Temporal accepts as a namespace name.
var namespaceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$`)

// Start starts the server and returns once the frontend answers calls for
// the namespace. On first start in cfg.DataDir it creates the database
// schema and registers the namespace; later starts reuse both, so workflow
// executions and schedules survive restarts.
//
// Start returns an error, with no server left running, if cfg is invalid,
// the frontend or UI address is taken, another server holds cfg.DataDir,
// the database cannot be opened or set up, the server fails to start, or
// the frontend does not answer within 30 s or before ctx ends.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	o, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	if err := checkAddrFree("frontend", o.host, o.port); err != nil {
		return nil, err
	}
	if o.uiHost != "" {
		if err := checkAddrFree("UI", o.uiHost, o.uiPort); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("devserver: create data dir: %w", err)
	}
	unlock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	logLevel := new(slog.LevelVar)
	logLevel.Set(serverLogLevel)
	serverLog := slogLogger{log: o.logger.With("component", "temporal"), min: logLevel}
	srv, ports, err := startServer(cfg.DataDir, o, serverLog)
	if err != nil {
		logLevel.Set(stoppingLogLevel)
		return nil, errors.Join(err, unlock())
	}
	s := &Server{
		server:    srv,
		unlock:    unlock,
		logLevel:  logLevel,
		frontend:  net.JoinHostPort(o.dialHost, strconv.Itoa(ports.frontend)),
		namespace: o.namespace,
	}
	if err := s.waitReady(ctx, o.logger); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	if o.uiHost != "" {
		if s.ui, err = startUI(ctx, o.uiHost, o.uiPort, s.frontend, s.namespace); err != nil {
			return nil, errors.Join(err, s.Stop())
		}
	}
	return s, nil
}

// FrontendHostPort is the address clients dial (host:port).
func (s *Server) FrontendHostPort() string { return s.frontend }

// Namespace is the namespace the server registered.
func (s *Server) Namespace() string { return s.namespace }

// UIURL is the Temporal Web UI's base URL (http://host:port), or "" if the
// server was started without Config.UIAddr.
func (s *Server) UIURL() string {
	if s.ui == nil {
		return ""
	}
	return s.ui.url
}

// Stop shuts the server (and its UI) down gracefully and releases the data
// dir. Only the first call does anything; later calls return the first
// call's result.
//
// Two things outlive Stop in server v1.32.1, harmless to a process that
// exits afterwards and noticed only by one that starts many servers (tests):
// about a hundred goroutines of the server's internal scanner workers, which
// it never stops, and the SQLite plugin's process-wide connection to the
// database file, which a later Start on the same file reuses.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.logLevel.Set(stoppingLogLevel)
		if s.ui != nil {
			s.ui.server.Stop()
		}
		if err := s.server.Stop(); err != nil {
			s.stopErr = fmt.Errorf("devserver: stop: %w", err)
		}
		// Only now may another server open the database.
		s.stopErr = errors.Join(s.stopErr, s.unlock())
	})
	return s.stopErr
}

// options is a validated Config with its defaults filled in.
type options struct {
	namespace string
	host      string // IP the frontend binds
	dialHost  string // IP clients dial: host, or loopback if host is 0.0.0.0/::
	port      int    // frontend port; 0 = pick one
	uiHost    string // IP the web UI binds; "" = no UI
	uiPort    int    // web UI port; 0 = pick one
	logger    *slog.Logger
}

// resolve validates cfg and fills in its defaults.
func (cfg Config) resolve() (options, error) {
	var o options
	var err error
	if cfg.DataDir == "" {
		return o, errors.New("devserver: data dir is required")
	}
	if cfg.UIAddr != "" {
		if o.uiHost, o.uiPort, err = parseAddr("UI", cfg.UIAddr); err != nil {
			return o, err
		}
	}
	o.namespace = cfg.Namespace
	if o.namespace == "" {
		o.namespace = DefaultNamespace
	}
	if !namespaceName.MatchString(o.namespace) {
		return o, fmt.Errorf("devserver: namespace %q: want letters, digits, '.', '_' or '-'", o.namespace)
	}
	o.logger = cfg.Logger
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if o.host, o.port, err = parseAddr("frontend", cfg.FrontendAddr); err != nil {
		return o, err
	}
	o.dialHost = o.host
	if net.ParseIP(o.host).IsUnspecified() {
		o.dialHost = loopback
	}
	return o, nil
}

// startServer prepares the database under dataDir and starts the server
// with its frontend on host:port (port 0 = a free one). On error nothing is
// left running.
func startServer(dataDir string, o options, logger slogLogger) (temporal.Server, servicePorts, error) {
	sqlConf, err := sqliteConfig(dataDir)
	if err != nil {
		return nil, servicePorts{}, err
	}
	if err := prepareDatabase(sqlConf, clusterName, o.namespace, logger); err != nil {
		return nil, servicePorts{}, err
	}
	ports, err := pickServicePorts(o.host, o.port)
	if err != nil {
		return nil, ports, err
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(serverConfig(sqlConf, o.host, o.dialHost, ports)),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(staticHosts(o.dialHost, ports)),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, ports, fmt.Errorf("devserver: build server: %w", err)
	}
	if err := srv.Start(); err != nil {
		logger.min.Set(stoppingLogLevel)
		_ = srv.Stop()
		return nil, ports, fmt.Errorf("devserver: start server: %w", err)
	}
	return srv, ports, nil
}

// parseAddr splits the address of the named listener into an IP and a port
// (0 = pick one). An empty addr is 127.0.0.1:0; an empty host or localhost
// is 127.0.0.1.
func parseAddr(what, addr string) (string, int, error) {
	if addr == "" {
		return loopback, 0, nil
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("devserver: %s address %q: %w", what, addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("devserver: %s address %q: bad port %q", what, addr, portStr)
	}
	switch {
	case host == "" || host == "localhost":
		host = loopback
	case net.ParseIP(host) == nil:
		return "", 0, fmt.Errorf("devserver: %s address %q: host must be an IP address", what, addr)
	}
	return host, port, nil
}

// waitReady polls the frontend with an SDK client until it describes the
// namespace, which means the frontend serves and its namespace cache is
// loaded.
func (s *Server) waitReady(ctx context.Context, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	quiet := sdklog.NewStructuredLogger(slog.New(minLevelHandler{Handler: logger.Handler(), min: slog.LevelError}))
	var lastErr error
	for {
		if lastErr = s.probe(ctx, quiet); lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devserver: frontend %s not ready: %w (last error: %v)", s.frontend, ctx.Err(), lastErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// probe makes one connection to the frontend and asks for the namespace.
// A fresh client per attempt avoids gRPC's reconnect backoff.
func (s *Server) probe(ctx context.Context, logger sdklog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: s.frontend, Namespace: s.namespace, Logger: logger})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.namespace})
	return err
}
