package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

func TestConfirm(t *testing.T) {
	tests := []struct {
		input    string
		terminal bool
		yes      bool
		ok       bool
	}{
		{"yes\n", true, false, true},
		{"YES\n", true, false, true},
		{"y\n", true, false, false},
		{"\n", true, false, false},
		{"yes\n", false, false, false},
		{"", false, true, true},
	}
	for _, tt := range tests {
		var errOut bytes.Buffer
		s := &streams{In: strings.NewReader(tt.input), Out: &bytes.Buffer{}, Err: &errOut, InTerminal: tt.terminal}
		err := confirm(context.Background(), s, &uploadOptions{Yes: tt.yes}, "Type yes to pay 3 rows, SAR 1,500.00: ")
		if (err == nil) != tt.ok {
			t.Errorf("%q terminal=%v yes=%v: %v", tt.input, tt.terminal, tt.yes, err)
		}
		if err != nil && exitCode(err, true) != exitUsage {
			t.Errorf("refusal exits %d", exitCode(err, true))
		}
		if tt.terminal && !tt.yes && !strings.Contains(errOut.String(), "Type yes to pay 3 rows, SAR 1,500.00") {
			t.Errorf("prompt %q", errOut.String())
		}
	}
}

// TestConfirmInterrupted: finding 11. Ctrl-C while the prompt waits for a
// line cancels at once: nothing was sent, exit 2.
func TestConfirmInterrupted(t *testing.T) {
	r, w := io.Pipe() // a terminal nobody types into
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	s := &streams{In: r, Out: io.Discard, Err: io.Discard, InTerminal: true}
	done := make(chan error, 1)
	go func() { done <- confirm(ctx, s, &uploadOptions{}, "Type yes: ") }()
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "nothing was sent") || exitCode(err, true) != exitUsage {
			t.Fatalf("%v (exit %d)", err, exitCode(err, true))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-C at the prompt was ignored")
	}
}
