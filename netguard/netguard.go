// Package netguard is the dialer every outbound connection of a crawl goes
// through — the crawler's own and the browser's (through render's proxy):
// it checks each address it is about to connect to with
// adscan.CheckPublicAddress, after DNS resolution and for every attempt, so
// neither a redirect, a script nor DNS rebinding reaches a private,
// loopback, link-local or cloud-metadata address.
package netguard

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"adscan"
)

// Dialer returns a dialer that refuses non-public addresses before
// connect(2), so a refused address never sees a packet. The error wraps
// adscan.ErrPrivateAddress and ends with hint (how to allow it, for the
// caller's users). With allowPrivate the check is off (intranets, tests);
// exempt lists "ip:port" addresses let through anyway (tests whose fake
// sites are on loopback).
func Dialer(timeout time.Duration, allowPrivate bool, exempt map[string]bool, hint string) *net.Dialer {
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
			return fmt.Errorf("dial %s %s: unparsable address: %w", network, address, adscan.ErrPrivateAddress)
		}
		if err := adscan.CheckPublicAddress(ap.Addr()); err != nil {
			if hint != "" {
				return fmt.Errorf("dial refused: %w (%s)", err, hint)
			}
			return fmt.Errorf("dial refused: %w", err)
		}
		return nil
	}
	return d
}
