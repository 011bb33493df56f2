package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"payroll/importer"
	"payroll/payout"
	"payroll/payout/journal"
	"payroll/payout/upload"
	"payroll/payout/watch"
)

// TestExitCodes: each kind of error has its code, decided by type (never
// by the message's words).
func TestExitCodes(t *testing.T) {
	tests := []struct {
		err     error
		started bool
		want    int
	}{
		{nil, true, exitOK},
		{fmt.Errorf("x: %w", payout.ErrInvalid), true, exitInvalid},
		{fmt.Errorf("x: %w", payout.ErrNothingNew), true, exitInvalid},
		{&upload.AlreadyUploaded{Upload: &journal.Upload{}}, true, exitInvalid},
		{usagef("bad flag"), true, exitUsage},
		{&importer.Error{Path: "f", Msg: "unreadable"}, true, exitUsage},
		{&payout.OutputError{Path: "f", Input: true}, true, exitUsage},
		{&journal.Error{Path: "j", Err: errors.New("disk")}, true, exitUsage},
		{interrupted{"at the confirmation"}, true, exitUsage},
		{fmt.Errorf("x: %w", context.Canceled), true, exitUsage},
		{&upload.StopError{Kind: payout.ErrResumable, Msg: "stopped"}, true, exitResume},
		{&upload.StopError{Kind: payout.ErrMismatch, Msg: "mismatch"}, true, exitMismatch},
		// A key or id the server refused: configuration, to be corrected
		// (then the same command resumes); a mismatch still needs a human.
		{&upload.StopError{Kind: payout.ErrResumable, Err: &payout.CallError{Kind: payout.CallRefusedConfig, Err: errors.New("key refused")}}, true, exitUsage},
		{&upload.StopError{Kind: payout.ErrMismatch, Err: &payout.CallError{Kind: payout.CallRefusedConfig, Err: errors.New("key refused")}}, true, exitMismatch},
		{&upload.StopError{Kind: payout.ErrResumable, Err: &payout.CallError{Kind: payout.CallFailed, Err: errors.New("500")}}, true, exitResume},
		{fmt.Errorf("lock: %w", journal.ErrBusy), true, exitBusy},
		{fmt.Errorf("x: %w", watch.ErrFolderBusy), true, exitWatching},
		{errors.New("unknown command \"nope\" for \"payroll\""), false, exitUsage},
		// The same words after the command started are no usage error.
		{errors.New("unknown command \"nope\" for \"payroll\""), true, exitInternal},
		{errors.New("something nobody expected"), true, exitInternal},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err, tt.started); got != tt.want {
			t.Errorf("%v (started %v): exit %d, want %d", tt.err, tt.started, got, tt.want)
		}
	}
}

// TestPanicIsAnInternalError: a panic in a command is a message and exit
// code 6, never a Go trace.
func TestPanicIsAnInternalError(t *testing.T) {
	var errOut bytes.Buffer
	s := &streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &errOut}
	g := &globals{}
	root := newRootCmd(s, g)
	root.AddCommand(&cobra.Command{Use: "boom", RunE: func(*cobra.Command, []string) error {
		var m map[string]int
		m["x"] = 1 // a bug
		return nil
	}})
	code := executeRoot(context.Background(), s, g, root, []string{"boom"})
	if code != exitInternal || !strings.Contains(errOut.String(), "internal error") || !strings.Contains(errOut.String(), "This is a bug") || strings.Contains(errOut.String(), "goroutine") {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
}

// TestBusyLock: an upload while another holds the state directory's lock
// exits 5 with a message saying to wait, and sends nothing.
func TestBusyLock(t *testing.T) {
	state := t.TempDir()
	j, err := journal.Open(filepath.Join(state, "sandbox"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	unlock, err := j.Lock()
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	sheet := filepath.Join(t.TempDir(), "march.csv")
	copyFile(t, filepath.Join("..", "..", "testdata", "salaries.csv"), sheet)
	out, err := command(t, nil, "upload", sheet, "--sandbox", "--yes", "--state-dir", state).CombinedOutput()
	var ee interface{ ExitCode() int }
	if !errors.As(err, &ee) || ee.ExitCode() != exitBusy || !strings.Contains(string(out), "another payroll command is uploading") || !strings.Contains(string(out), "wait for it to finish") {
		t.Fatalf("%v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(sheet), "march.results.xlsx")); err == nil {
		t.Error("results written while busy")
	}
}

// TestSecondCtrlCExitsAtOnce: the first signal cancels the command (which
// then finishes or abandons its call); the second exits at once, code 3.
func TestSecondCtrlCExitsAtOnce(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	cancelled := make(chan struct{})
	exited := make(chan int, 1)
	var errOut strings.Builder
	stop := onSignals(sigs, func() { close(cancelled) }, func(code int) { exited <- code }, &errOut)
	defer stop()
	sigs <- os.Interrupt
	<-cancelled
	select {
	case code := <-exited:
		t.Fatalf("the first Ctrl-C exited (%d)", code)
	default:
	}
	sigs <- os.Interrupt
	if code := <-exited; code != exitResume || !strings.Contains(errOut.String(), "stopped at once; run the same command again") {
		t.Fatalf("second Ctrl-C: exit %d, %q", code, errOut.String())
	}
}
