package main

import (
	"errors"
	"fmt"
	"strings"

	"payroll/importer"
	"payroll/payout"
	"payroll/payout/journal"
)

// The exit codes of DESIGN.md.
const (
	exitOK       = 0
	exitInvalid  = 1
	exitUsage    = 2
	exitResume   = 3
	exitMismatch = 4
)

// usageError is a wrong command line.
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// silentError carries an exit code whose message was already printed.
type silentError struct{ code int }

func (e silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// exitCode maps an error to the documented exit codes, in one place.
func exitCode(err error) int {
	var se silentError
	var ue usageError
	var ie *importer.Error
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &se):
		return se.code
	case errors.As(err, &ue), errors.As(err, &ie):
		return exitUsage
	case errors.Is(err, payout.ErrInvalid), errors.Is(err, payout.ErrAlreadyUploaded):
		return exitInvalid
	case errors.Is(err, payout.ErrMismatch):
		return exitMismatch
	case errors.Is(err, payout.ErrResumable), errors.Is(err, journal.ErrBusy):
		return exitResume
	}
	// Anything else (a report that cannot be written, a full disk) stopped
	// the command before it could do its work.
	return exitUsage
}

func isCobraUsage(err error) bool {
	m := err.Error()
	for _, p := range []string{"unknown flag", "unknown command", "unknown shorthand", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(m, p) {
			return true
		}
	}
	return false
}

// report prints err for people and returns the exit code.
func report(s *streams, err error) int {
	code := exitCode(err)
	var se silentError
	if err != nil && !errors.As(err, &se) {
		fmt.Fprintf(s.Err, "payroll: %v\n", err)
		if code == exitUsage && isCobraUsage(err) {
			fmt.Fprintln(s.Err, "Run 'payroll --help' for usage.")
		}
	}
	return code
}
