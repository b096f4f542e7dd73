package adscan

import (
	"errors"
	"net/netip"
	"testing"
)

func TestCheckPublicAddress(t *testing.T) {
	refused := []string{
		"127.0.0.1", "127.1.2.3", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
		"169.254.1.1", "100.64.0.1", "100.100.100.200", "fd00:ec2::254", "fc00::1", "fe80::1",
		"0.0.0.0", "::", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1", "255.255.255.255", "64:ff9b::a00:1",
		"::127.0.0.1", "::a9fe:a9fe", "::ffff:0:7f00:1", "fec0::1",
	}
	for _, a := range refused {
		if err := CheckPublicAddress(netip.MustParseAddr(a)); !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("CheckPublicAddress(%s) = %v, want ErrPrivateAddress", a, err)
		}
	}
	for _, a := range []string{"8.8.8.8", "1.1.1.1", "114.114.114.114", "2400:3200::1", "2001:4860:4860::8888"} {
		if err := CheckPublicAddress(netip.MustParseAddr(a)); err != nil {
			t.Errorf("CheckPublicAddress(%s) = %v, want nil", a, err)
		}
	}
}
