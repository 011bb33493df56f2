package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"payroll/importer"
	"payroll/payout"
	"payroll/payout/journal"
	"payroll/payout/watch"
)

// The exit codes, documented in the README and in main's doc comment.
const (
	exitOK       = 0 // done
	exitInvalid  = 1 // invalid rows, nothing new to pay, already uploaded, audit flagged rows
	exitUsage    = 2 // usage, configuration (also as Clickpay refused it), unreadable file, refused output, not confirmed
	exitResume   = 3 // the upload stopped; the same command resumes it
	exitMismatch = 4 // the server's batch does not match the plan: not closed, needs a human
	exitBusy     = 5 // another upload or watcher holds the lock
	exitInternal = 6 // a bug: a panic or an error of no known kind
	exitWatching = 7 // another watcher is watching the folder
)

// usageError is a wrong command line or configuration.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// silentError carries an exit code whose message was already printed.
type silentError struct{ code int }

func (e silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// interrupted is Ctrl-C before anything was sent.
type interrupted struct{ when string }

func (e interrupted) Error() string { return "interrupted " + e.when + "; nothing was sent" }

// exitCode maps an error to its exit code, by type, in one place. started
// says whether the command's own code ran: an error of no known kind before
// that is cobra's (an unknown command, a wrong number of arguments).
func exitCode(err error, started bool) int {
	var se silentError
	var ue usageError
	var ie *importer.Error
	var oe *payout.OutputError
	var je *journal.Error
	var ir interrupted
	var pe *fs.PathError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &se):
		return se.code
	case errors.Is(err, journal.ErrBusy):
		return exitBusy
	case errors.Is(err, watch.ErrFolderBusy):
		return exitWatching
	case errors.Is(err, payout.ErrMismatch):
		return exitMismatch
	case payout.IsCall(err, payout.CallRefusedConfig):
		// The server refused the key or the ids: a person corrects the
		// configuration, then the same command resumes the upload.
		return exitUsage
	case errors.Is(err, payout.ErrResumable):
		return exitResume
	case errors.Is(err, payout.ErrInvalid), errors.Is(err, payout.ErrNothingNew), errors.Is(err, payout.ErrAlreadyUploaded):
		return exitInvalid
	case errors.As(err, &ue), errors.As(err, &ie), errors.As(err, &oe), errors.As(err, &je), errors.As(err, &ir),
		errors.Is(err, payout.ErrUsage), errors.Is(err, context.Canceled), errors.As(err, &pe):
		return exitUsage
	case !started:
		return exitUsage
	}
	return exitInternal
}

// report prints err for people and returns the exit code.
func report(s *streams, err error, started bool) int {
	code := exitCode(err, started)
	var se silentError
	switch {
	case err == nil, errors.As(err, &se):
	case code == exitInternal:
		fmt.Fprintf(s.Err, "payroll: internal error: %v\nThis is a bug in payroll, not in your sheet. Nothing more was sent; if an upload was under way, the same command resumes it. Please report this message.\n", err)
	case code == exitUsage && errors.Is(err, context.Canceled):
		fmt.Fprintln(s.Err, "payroll: interrupted; nothing was sent")
	default:
		fmt.Fprintf(s.Err, "payroll: %v\n", err)
		if code == exitUsage && !started {
			fmt.Fprintln(s.Err, "Run 'payroll --help' for usage.")
		}
	}
	return code
}
