package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"payroll/payout/upload"
)

// TestCommandsRunWithoutCobra: each command is an options struct and a
// run function over streams; upload, history and status work when called
// directly, as a front end or a test would.
func TestCommandsRunWithoutCobra(t *testing.T) {
	for _, v := range []string{"CLICKPAY_SERVER_KEY", "CLICKPAY_PROFILE_ID", "CLICKPAY_ACCOUNT_ID", "CLICKPAY_BASE_URL", "PAYROLL_STATE_DIR"} {
		t.Setenv(v, "")
	}
	ctx := context.Background()
	sheet := filepath.Join(t.TempDir(), "march.csv")
	copyFile(t, filepath.Join("..", "..", "testdata", "salaries.csv"), sheet)
	var out, errOut bytes.Buffer
	s := &streams{In: strings.NewReader(""), Out: &out, Err: &errOut}
	g := &globals{StateDir: t.TempDir(), LogFormat: "text"}

	err := runUpload(ctx, s, g, &uploadOptions{File: sheet, Sandbox: true, Yes: true, PageSize: upload.DefaultPageSize, Lang: "en", Period: "2026-03"})
	if err != nil || !strings.Contains(out.String(), "closed batch 1001: 10 rows") {
		t.Fatalf("upload: %v\n%s\n%s", err, out.String(), errOut.String())
	}

	out.Reset()
	if err := runHistory(ctx, s, g, &historyOptions{Sandbox: true, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var lines []upload.HistoryLine
	if err := json.Unmarshal(out.Bytes(), &lines); err != nil || len(lines) != 1 || lines[0].BatchID != "1001" || lines[0].Period != "2026-03" {
		t.Fatalf("history: %v %+v\n%s", err, lines, out.String())
	}

	out.Reset()
	if err := runStatus(ctx, s, g, &statusOptions{BatchID: "1001", Sandbox: true, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var rep upload.StatusReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.BatchID != "1001" || rep.File != sheet {
		t.Fatalf("status: %v %+v\n%s", err, rep, out.String())
	}

	// A second upload of the same sheet in the period is refused, as a
	// typed error that decides the exit code.
	err = runUpload(ctx, s, g, &uploadOptions{File: sheet, Sandbox: true, Yes: true, PageSize: upload.DefaultPageSize, Lang: "en", Period: "2026-03"})
	if exitCode(err, true) != exitInvalid || !strings.Contains(err.Error(), "already uploaded") {
		t.Fatalf("second upload: %v", err)
	}
}
