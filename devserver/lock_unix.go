//go:build unix

package devserver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDataDir takes an exclusive advisory lock on dir/temporal.lock so that
// two servers never share one database. The kernel drops the lock when the
// process dies, so a killed server does not leave a stale lock behind.
// Returns an error naming dir if another server holds it.
func lockDataDir(dir string) (unlock func() error, err error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("devserver: open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("devserver: data dir %s is in use by another server", dir)
		}
		return nil, fmt.Errorf("devserver: lock %s: %w", path, err)
	}
	return f.Close, nil // closing the file releases the lock
}
