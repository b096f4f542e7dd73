package main

import "testing"

func TestParseTrustedProxies(t *testing.T) {
	got, err := parseTrustedProxies([]string{"10.0.0.5", "10.1.2.3/16", "::ffff:192.0.2.1", "fd00::/8"})
	if err != nil || len(got) != 4 || got[0].String() != "10.0.0.5/32" || got[1].String() != "10.1.0.0/16" || got[2].String() != "192.0.2.1/32" {
		t.Errorf("parseTrustedProxies = %v, %v", got, err)
	}
	if _, err := parseTrustedProxies([]string{"proxy.internal"}); err == nil {
		t.Error("a host name was accepted")
	}
}
