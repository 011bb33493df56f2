//go:build unix

package importer

import (
	"errors"
	"syscall"
)

// Alive reports whether a process exists: the temporary files of one
// that is gone (a run that was killed) may be removed.
func Alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
