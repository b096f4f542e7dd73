package crawler

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"adscan"
)

// newDialer returns a dialer that checks every address it is about to
// connect to — after DNS resolution, for the first request and for every
// redirect — so neither a redirect nor DNS rebinding can reach an internal
// address. With allowPrivate the check is off (tests on loopback, intranets).
// exempt lists "ip:port" addresses let through anyway (tests only).
func newDialer(timeout time.Duration, allowPrivate bool, exempt map[string]bool) *net.Dialer {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.ControlContext = func(_ context.Context, network, address string, _ syscall.RawConn) error {
			if exempt[address] {
				return nil
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("crawler: dial %s %s: unparsable address: %w", network, address, adscan.ErrPrivateAddress)
			}
			if err := adscan.CheckPublicAddress(ap.Addr()); err != nil {
				return fmt.Errorf("crawler: dial refused: %w (crawling private addresses needs --allow-private)", err)
			}
			return nil
		}
	}
	return d
}
