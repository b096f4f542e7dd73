package devserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// webUI is a running Temporal Web UI.
type webUI struct {
	server *uiserver.Server
	url    string
}

// startUI serves the Temporal Web UI on host:port (port 0 = a free one)
// for the frontend at frontend, and returns once it answers its health
// check. The UI's assets are embedded in the binary; it needs no internet.
// Returns an error if the address is taken or the UI does not answer before
// ctx ends.
func startUI(ctx context.Context, host string, port int, frontend, namespace string) (*webUI, error) {
	var err error
	if port == 0 {
		if port, err = freePort(host); err != nil {
			return nil, err
		}
	}
	// Checked (again) just before starting because the UI server exits the
	// process when it cannot listen.
	if err := checkAddrFree("UI", host, port); err != nil {
		return nil, err
	}
	srv := uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                host,
		Port:                port,
		TemporalGRPCAddress: frontend,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		DisableNewsFetch:    true,                                // no calls to the internet
		CORS:                uiconfig.CORS{CookieInsecure: true}, // plain HTTP
		HideLogs:            true,
	}))
	go func() { _ = srv.Start() }() // returns when Stop closes it

	ui := &webUI{server: srv, url: "http://" + net.JoinHostPort(host, strconv.Itoa(port))}
	if err := ui.waitHealthy(ctx); err != nil {
		srv.Stop()
		return nil, err
	}
	return ui, nil
}

func (ui *webUI) waitHealthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var lastErr error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, ui.url+"/healthz", nil)
		if err != nil {
			return fmt.Errorf("devserver: UI health check: %w", err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("devserver: UI at %s not ready: %w (last error: %v)", ui.url, ctx.Err(), lastErr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
