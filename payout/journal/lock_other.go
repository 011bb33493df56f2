//go:build !unix

package journal

import "errors"

// ErrLocked is returned by LockFile when another process holds the lock.
var ErrLocked = errors.New("locked by another process")

// Lock is a no-op where the operating system has no flock; do not run two
// uploads on one state directory at once there.
func (j *Journal) Lock() (func(), error) { return func() {}, nil }

// LockFile is a no-op where the operating system has no flock.
func LockFile(path string) (func(), error) { return func() {}, nil }
