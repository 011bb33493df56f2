package main

import (
	"bytes"
	"strings"
	"testing"

	"payroll/payout/upload"
)

func TestConfirm(t *testing.T) {
	plan := &upload.Plan{Count: 3, Total: 150000}
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
		err := confirm(s, &globals{}, &uploadOptions{Yes: tt.yes}, plan)
		if (err == nil) != tt.ok {
			t.Errorf("%q terminal=%v yes=%v: %v", tt.input, tt.terminal, tt.yes, err)
		}
		if err != nil && exitCode(err) != exitUsage {
			t.Errorf("refusal exits %d", exitCode(err))
		}
		if tt.terminal && !tt.yes && !strings.Contains(errOut.String(), "Type yes to pay 3 rows, SAR 1,500.00") {
			t.Errorf("prompt %q", errOut.String())
		}
	}
}
