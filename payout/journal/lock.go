//go:build unix

package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ErrBusy is returned by Lock when another process holds the lock.
var ErrBusy = errors.New("another payroll command is uploading with this state directory")

// Lock takes the state directory's upload lock, so that two uploads never
// run on one journal at once. The operating system releases it when the
// process ends, however it ends. Call the returned function to release it.
func (j *Journal) Lock() (func(), error) {
	unlock, err := LockFile(filepath.Join(filepath.Dir(j.path), "upload.lock"))
	if errors.Is(err, ErrLocked) {
		return nil, fmt.Errorf("%w (%s); wait for it to finish, then run the command again", ErrBusy, filepath.Dir(j.path))
	}
	return unlock, err
}

// ErrLocked is returned by LockFile when another process holds the lock.
var ErrLocked = errors.New("locked by another process")

// LockFile takes an exclusive lock on a file (created owner-only), without
// waiting. The operating system releases it when the process ends, however
// it ends. Call the returned function to release it.
func LockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock %s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
