package crawler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"adscan"
)

func TestErrorKind(t *testing.T) {
	for err, want := range map[error]adscan.FetchErrorKind{
		nil: "",
		fmt.Errorf("crawler: dial refused: %w", fmt.Errorf("127.0.0.1 is a loopback address: %w", adscan.ErrPrivateAddress)): adscan.FetchRefusedAddress,
		fmt.Errorf("get x: %w", ErrDisallowed):                              adscan.FetchRobots,
		fmt.Errorf("%w: x requested again", ErrRedirectLoop):                adscan.FetchRedirectLoop,
		fmt.Errorf("%w (11) at x", ErrTooManyRedirects):                     adscan.FetchTooManyRedirects,
		fmt.Errorf("get: %w", context.DeadlineExceeded):                     adscan.FetchTimeout,
		&net.OpError{Op: "dial", Err: errors.New("connection refused")}:     adscan.FetchNetwork,
		fmt.Errorf("crawler: decode http://x/: %w: bad charset", ErrDecode): adscan.FetchDecode,
		fmt.Errorf("%w 503 after 3 attempts", ErrServerError):               adscan.FetchHTTPStatus,
		errors.New("something else"):                                        adscan.FetchOther,
	} {
		if got := ErrorKind(err); got != want {
			t.Errorf("ErrorKind(%v) = %q, want %q", err, got, want)
		}
	}
}
