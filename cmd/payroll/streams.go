package main

import (
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
