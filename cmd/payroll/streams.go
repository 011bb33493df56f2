package main

import (
	"io"

	"payroll/payout"
)

// streams are the command's I/O, so tests can run commands without a terminal.
type streams struct {
	In          io.Reader
	Out         io.Writer // results
	Err         io.Writer // messages for people, progress
	InTerminal  bool      // stdin is a terminal (confirmation prompts)
	ErrTerminal bool      // stderr is a terminal (progress bars)
}

func plural(n int, noun string) string { return payout.Plural(n, noun) }

func rowsText(n int) string { return plural(n, "row") }
