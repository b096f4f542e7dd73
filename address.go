package adscan

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrPrivateAddress is wrapped by the error of a connection adscan
// refused because it would reach a private, loopback, link-local, CGNAT,
// unique-local or cloud-metadata address (see crawler.Config.AllowPrivate).
var ErrPrivateAddress = errors.New("address is not public")

// refusedPrefixes are the ranges a crawl of public websites must never reach,
// beyond what netip.Addr's predicates cover.
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"; 0.0.0.0 reaches the local host
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT, incl. Alibaba Cloud metadata 100.100.100.200
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, incl. cloud metadata 169.254.169.254
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking networks
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, incl. broadcast
	netip.MustParsePrefix("fc00::/7"),        // unique local, incl. AWS metadata fd00:ec2::254
	netip.MustParsePrefix("fe80::/10"),       // link-local
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: could wrap any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2002::/16"),       // 6to4: could wrap any IPv4 address
	netip.MustParsePrefix("2001::/32"),       // Teredo
	netip.MustParsePrefix("::ffff:0:0/96"),   // IPv4-mapped (checked unmapped too)
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated): ::127.0.0.1
	netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated: ::ffff:0:7f00:1
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("ff00::/8"),        // multicast
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback
	netip.MustParsePrefix("::1/128"),         // loopback
	netip.MustParsePrefix("::/128"),          // unspecified
	netip.MustParsePrefix("10.0.0.0/8"),      // private
	netip.MustParsePrefix("172.16.0.0/12"),   // private
	netip.MustParsePrefix("192.168.0.0/16"),  // private
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
}

// CheckPublicAddress returns nil if ip is a public unicast address, and an
// error wrapping ErrPrivateAddress that names the address and its kind
// otherwise. IPv4-mapped IPv6 addresses are judged by their IPv4 address.
func CheckPublicAddress(ip netip.Addr) error {
	if !ip.IsValid() {
		return fmt.Errorf("invalid address: %w", ErrPrivateAddress)
	}
	ip = ip.WithZone("")
	un := ip.Unmap()
	for _, a := range []netip.Addr{ip, un} {
		switch {
		case a.IsLoopback():
			return fmt.Errorf("%s is a loopback address: %w", ip, ErrPrivateAddress)
		case a == netip.MustParseAddr("169.254.169.254") || a == netip.MustParseAddr("fd00:ec2::254") ||
			a == netip.MustParseAddr("100.100.100.200"):
			return fmt.Errorf("%s is a cloud metadata address: %w", ip, ErrPrivateAddress)
		case a.IsPrivate():
			return fmt.Errorf("%s is a private address: %w", ip, ErrPrivateAddress)
		case a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast():
			return fmt.Errorf("%s is a link-local address: %w", ip, ErrPrivateAddress)
		case a.IsUnspecified():
			return fmt.Errorf("%s is an unspecified address: %w", ip, ErrPrivateAddress)
		}
		for _, p := range refusedPrefixes {
			if p.Contains(a) {
				return fmt.Errorf("%s is in reserved range %s: %w", ip, p, ErrPrivateAddress)
			}
		}
	}
	return nil
}
