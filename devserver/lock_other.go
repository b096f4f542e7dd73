//go:build !unix

package devserver

// lockDataDir does nothing on systems without flock: there, starting two
// servers on one data dir is not detected, and the operator must not do it.
func lockDataDir(string) (unlock func() error, err error) {
	return func() error { return nil }, nil
}
