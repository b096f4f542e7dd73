package render

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestWebRTCSendsNoUDP: a page's WebRTC peer connection with a STUN server
// on loopback, and a WebTransport (HTTP/3, QUIC) session to the same port,
// send it no packet: non-proxied UDP and QUIC are off, so neither can go
// around the proxy.
func TestWebRTCSendsNoUDP(t *testing.T) {
	p, s, _ := sharedFixture(t)
	udp, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	var packets atomic.Int32
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := udp.ReadFrom(buf); err != nil {
				return
			}
			packets.Add(1)
		}
	}()
	page := strings.ReplaceAll(`<!doctype html><meta charset="utf-8"><p>实时</p><script>
const pc = new RTCPeerConnection({iceServers: [{urls: "stun:STUN"}]});
pc.createDataChannel("x");
pc.onicecandidate = e => { if (e.candidate) document.body.insertAdjacentHTML("beforeend", "<p>candidate " + e.candidate.candidate + "</p>"); };
pc.createOffer().then(o => pc.setLocalDescription(o));
try { new WebTransport("https://STUN/wt").ready.catch(() => {}); } catch (e) {}
</script>`, "STUN", udp.LocalAddr().String())
	s.handle("/webrtc", htmlHandler(page))
	r, err := p.Render(context.Background(), s.URL+"/webrtc")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	t.Logf("text %q", r.Text)
	if n := packets.Load(); n != 0 {
		t.Errorf("the STUN server on loopback got %d UDP packets", n)
	}
}
