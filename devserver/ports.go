package devserver

import (
	"fmt"
	"net"
	"strconv"
)

// freePort asks the kernel for a free TCP port on host. The port is only
// probably still free when the server binds it a moment later; to make reuse
// by another bind(:0) unlikely, the probe connection is closed from the
// accepting side, which parks the port in TIME_WAIT (Linux does not hand out
// ports in TIME_WAIT for ephemeral binds, while an explicit bind with
// SO_REUSEADDR, as gRPC does, still succeeds).
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("devserver: find a free port on %s: %w", host, err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port

	// The handshake completes in the listen backlog, so Dial returns before
	// Accept. If the probe fails, the port is still usable, only less
	// protected against reuse.
	c, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return port, nil
	}
	defer c.Close()
	if accepted, err := l.Accept(); err == nil {
		accepted.Close() // server side first: TIME_WAIT stays on this port
	}
	return port, nil
}

// checkAddrFree returns an error naming the listener (what) if host:port
// cannot be bound now. Port 0 is always free.
func checkAddrFree(what, host string, port int) error {
	if port == 0 {
		return nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("devserver: %s address: %w", what, err)
	}
	return l.Close()
}
