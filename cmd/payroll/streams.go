package main

import (
	"fmt"
	"io"
)

// streams are the command's I/O, so tests can run commands without a terminal.
type streams struct {
	In          io.Reader
	Out         io.Writer // results
	Err         io.Writer // messages for people, progress
	InTerminal  bool      // stdin is a terminal (confirmation prompts)
	ErrTerminal bool      // stderr is a terminal (progress bars)
}

// plural writes "1 row", "2 rows".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func rowsText(n int) string { return plural(n, "row") }
