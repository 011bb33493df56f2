//go:build unix

package clickpaysim

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockState waits for the lock of the state file, held while a call reads
// what other processes appended, applies itself and appends its change:
// two processes serving one sandbox (payroll sandbox and a command run
// with --sandbox) take turns, so that they never give two batches one id.
// It returns the release. Without a state file there is nothing to share.
func (s *Server) lockState() func() {
	if s.cfg.StateFile == "" {
		return func() {}
	}
	if s.lockFile == nil {
		if err := os.MkdirAll(filepath.Dir(s.cfg.StateFile), 0o700); err != nil {
			return func() {}
		}
		f, err := os.OpenFile(s.cfg.StateFile+".lock", os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return func() {}
		}
		s.lockFile = f
	}
	fd := int(s.lockFile.Fd())
	for syscall.Flock(fd, syscall.LOCK_EX) == syscall.EINTR {
	}
	return func() { syscall.Flock(fd, syscall.LOCK_UN) }
}
