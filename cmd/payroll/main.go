// Command payroll pays a company's salaries from the spreadsheet its HR team
// already keeps, through the Clickpay Payouts API.
//
// Exit codes (decided in exit.go, by error type):
//
//	0  done
//	1  the file has invalid rows, nothing new to pay (every row already paid
//	   in the pay period), the file was already paid, or audit flagged rows
//	2  usage error, configuration (also a server key, profile or account id
//	   Clickpay refused: correct it, then the same command resumes),
//	   unreadable file, an output that would replace a file of the user's,
//	   not confirmed or interrupted before anything was sent
//	3  the upload stopped (API failure, Ctrl-C); run the same command again
//	   to resume (nothing is sent twice)
//	4  the server's batch does not match the plan, so it was not closed
//	   (needs a human)
//	5  busy: another upload or watcher holds the state directory's lock
//	6  internal error (a bug)
//	7  another watcher is watching the folder (payroll watch)
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and returns the exit code. The first
// Ctrl-C (or SIGTERM) cancels the command, which finishes or abandons the
// call in flight and leaves the journal consistent; a second one exits at
// once (the journal is crash-safe: the same command resumes).
func run(args []string) (code int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	defer onSignals(sigs, cancel, os.Exit, os.Stderr)()
	s := &streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		ErrTerminal: term.IsTerminal(int(os.Stderr.Fd()))}
	return execute(ctx, s, args)
}

// onSignals cancels the command at the first signal and exits at once
// (exit code 3) at the second. It returns the function that stops it.
func onSignals(sigs <-chan os.Signal, cancel func(), exit func(int), errw io.Writer) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		cancel()
		select {
		case <-sigs:
			fmt.Fprintln(errw, "\npayroll: stopped at once; run the same command again to resume (nothing is sent twice)")
			exit(exitResume)
		case <-done:
		}
	}()
	return func() { close(done) }
}

// execute runs the root command; a panic becomes an internal-error message
// and exit code, never a Go trace.
func execute(ctx context.Context, s *streams, args []string) (code int) {
	g := &globals{}
	return executeRoot(ctx, s, g, newRootCmd(s, g), args)
}

func executeRoot(ctx context.Context, s *streams, g *globals, root *cobra.Command, args []string) (code int) {
	defer func() {
		if p := recover(); p != nil {
			code = report(s, fmt.Errorf("panic: %v", p), true)
		}
	}()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return report(s, err, g.started)
}
