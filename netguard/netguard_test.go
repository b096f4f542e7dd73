package netguard

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"adscan"
)

func TestDialerRefusesPrivate(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	_, err = Dialer(time.Second, false, nil, "needs --allow-private").Dial("tcp", addr)
	if !errors.Is(err, adscan.ErrPrivateAddress) || !strings.Contains(err.Error(), "needs --allow-private") {
		t.Errorf("dial %s: %v, want a refusal wrapping ErrPrivateAddress with the hint", addr, err)
	}
	for _, d := range []*net.Dialer{Dialer(time.Second, true, nil, ""), Dialer(time.Second, false, map[string]bool{addr: true}, "")} {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Errorf("allowed dial of %s: %v", addr, err)
			continue
		}
		c.Close()
	}
}
