package payout

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// The kinds of failure a front end tells apart, each wrapped (errors.Is) by
// the errors that mean it. cmd/payroll maps them to exit codes in one place.
var (
	// ErrInvalid: the file has invalid rows, and nothing was sent (exit 1).
	ErrInvalid = errors.New("the file has invalid rows")
	// ErrNothingNew: every row was already paid in the pay period, or the
	// sheet has no rows; nothing was sent (exit 1).
	ErrNothingNew = errors.New("nothing new to pay")
	// ErrAlreadyUploaded: the same file was already paid in the pay period
	// (exit 1).
	ErrAlreadyUploaded = errors.New("this file was already uploaded")
	// ErrMismatch: the server's batch does not match the plan, so it was not
	// closed; it needs a human (exit 4).
	ErrMismatch = errors.New("the server's batch does not match the plan")
	// ErrUsage: a wrong option, path or configuration; nothing was done
	// (exit 2).
	ErrUsage = errors.New("usage error")
	// ErrResumable: the upload stopped (API failure, interruption) and
	// running the same command again resumes it (exit 3).
	ErrResumable = errors.New("the upload stopped and can be resumed")
)

// kindError is an error of a kind, with its own words.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// Errorf returns an error of a kind (one of the Err values above) whose
// message is only the formatted text.
func Errorf(kind error, format string, a ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, a...)}
}

// OutputError is the refusal to write an output where it would replace a
// file the user owns: the input sheet, or an existing file that this tool
// did not write (exit 2).
type OutputError struct {
	Path  string
	Input bool // the path is the input sheet itself
}

func (e *OutputError) Error() string {
	if e.Input {
		return fmt.Sprintf("%s is the sheet being read; an output may never replace it: choose another file name", e.Path)
	}
	return fmt.Sprintf("%s already exists and was not written by payroll, so it is not replaced: choose another file name, or move that file away", e.Path)
}

// MayReplace says whether an output may be written at path: a missing
// file may; an existing one only when this tool wrote it (see Ours).
func MayReplace(path string) error { return mayReplace(path) }

// CheckOutput refuses an output path that is one of the inputs (the same
// file, by any name). Whether an existing file may be replaced at all is
// WriteTable's and MarkWorkbook's concern (see Ours).
func CheckOutput(output string, inputs ...string) error {
	if output == "" || output == "-" {
		return nil
	}
	oa, _ := filepath.Abs(output)
	oi, oerr := os.Stat(output)
	for _, in := range inputs {
		if in == "" {
			continue
		}
		ia, _ := filepath.Abs(in)
		if oa == ia {
			return &OutputError{Path: output, Input: true}
		}
		if ii, err := os.Stat(in); err == nil && oerr == nil && os.SameFile(oi, ii) {
			return &OutputError{Path: output, Input: true}
		}
	}
	return nil
}
