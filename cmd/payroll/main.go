// Command payroll pays a company's salaries from the spreadsheet its HR team
// already keeps, through the Clickpay Payouts API.
//
// Exit codes:
//
//	0  done
//	1  the file has invalid rows (nothing was sent), or was already paid
//	2  usage error or unreadable file
//	3  the API failed; run the same command again to resume
//	4  the server's batch does not match the plan, so it was not closed (needs a human)
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and returns the exit code.
func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s := &streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		ErrTerminal: term.IsTerminal(int(os.Stderr.Fd()))}
	root := newRootCmd(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return report(s, err)
}
