package render

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"adscan"
)

// newGuardedDialer returns a dialer that checks every address it is about
// to connect to — after DNS resolution, each attempt on its own — with
// adscan.CheckPublicAddress, so neither a redirect, a script nor DNS
// rebinding reaches an internal address. The check runs before connect(2):
// a refused address never sees a packet. With allowPrivate the check is off
// (intranets, tests); exempt lists "ip:port" addresses let through anyway
// (tests whose fake sites are on loopback).
//
// It is the rule of crawler's dialer (crawler/dialguard.go) applied to the
// browser's traffic. It lives here, and not as an export of crawler, so that
// crawler can import render without an import cycle.
func newGuardedDialer(timeout time.Duration, allowPrivate bool, exempt map[string]bool) *net.Dialer {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if allowPrivate {
		return d
	}
	d.ControlContext = func(_ context.Context, network, address string, _ syscall.RawConn) error {
		if exempt[address] {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("render: dial %s %s: unparsable address: %w", network, address, adscan.ErrPrivateAddress)
		}
		if err := adscan.CheckPublicAddress(ap.Addr()); err != nil {
			return fmt.Errorf("render: dial refused: %w", err)
		}
		return nil
	}
	return d
}
