package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"payroll/payout"
	"payroll/payout/clickpaysim"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the payroll command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "payroll-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "payroll")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func command(t *testing.T, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(append(os.Environ(), "CLICKPAY_SERVER_KEY=", "CLICKPAY_PROFILE_ID=", "CLICKPAY_ACCOUNT_ID=", "CLICKPAY_BASE_URL="), env...)
	return cmd
}

// TestSandboxServer runs `payroll sandbox`, answers the example calls of
// testdata/clickpay, and pays a sheet through it with the real client.
func TestSandboxServer(t *testing.T) {
	state := t.TempDir()
	cmd := command(t, []string{"PAYROLL_SANDBOX_SETTLE=0s"}, "sandbox", "--addr", "127.0.0.1:0", "--state-dir", state)
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on http://127.0.0.1:") {
		t.Fatalf("first line %q (%v); stderr %s", line, err, stderr.String())
	}
	base := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	post := func(path, file string) map[string]any {
		body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "clickpay", file))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
		req.Header.Set("authorization", "SANDBOX-SERVER-KEY")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: HTTP %d %s", path, resp.StatusCode, b)
		}
		return m
	}
	nb := post("/payout/batch/new", "new-request.json")
	if nb["status"] != "New" || nb["total"] != "12500.50" || nb["currency"] != "SAR" || nb["trace"] == "" {
		t.Fatalf("new: %v", nb)
	}
	if fmt.Sprint(nb["batch_id"]) != "1001" {
		t.Fatalf("batch id %v", nb["batch_id"])
	}
	post("/payout/batch/close", "close-request.json")
	q := post("/payout/batch/query", "close-request.json")
	if q["status"] != "Completed" {
		t.Errorf("query: %v", q)
	}

	// The same state is seen by a later `payroll status --sandbox`.
	out, err := command(t, nil, "status", "1001", "--sandbox", "--state-dir", state).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Paid") || !strings.Contains(string(out), "1 entries, SAR 12,500.50") {
		t.Errorf("status: %v\n%s", err, out)
	}

	// The real client pays a sheet through the standalone server.
	work := t.TempDir()
	copyFile(t, filepath.Join("..", "..", "testdata", "salaries.csv"), filepath.Join(work, "march.csv"))
	up := command(t, []string{"CLICKPAY_BASE_URL=" + base, "CLICKPAY_SERVER_KEY=SANDBOX-SERVER-KEY", "CLICKPAY_PROFILE_ID=100001", "CLICKPAY_ACCOUNT_ID=200001"},
		"upload", filepath.Join(work, "march.csv"), "--yes", "--state-dir", filepath.Join(work, "state"))
	out, err = up.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "closed batch 1002: 10 rows") {
		t.Fatalf("upload through the sandbox server: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "SANDBOX-SERVER-KEY") {
		t.Error("the server key was printed")
	}
	// A wrong key is refused with a clear message and exit 2: the
	// configuration is to be corrected before the same command runs again.
	bad := command(t, []string{"CLICKPAY_BASE_URL=" + base, "CLICKPAY_SERVER_KEY=wrong-key-123", "CLICKPAY_PROFILE_ID=100001", "CLICKPAY_ACCOUNT_ID=200001"},
		"upload", filepath.Join(work, "march.csv"), "--yes", "--pay-again", "--state-dir", filepath.Join(work, "state"))
	out, err = bad.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "server key was refused") ||
		!strings.Contains(string(out), "correct it, then run the same command again") || strings.Contains(string(out), "wrong-key-123") {
		t.Errorf("wrong key: %v\n%s", err, out)
	}
}

func copyFile(t *testing.T, from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func saIBAN(account int) string {
	bban := fmt.Sprintf("80%018d", account)
	return "SA" + payout.IBANCheckDigits("SA", bban) + bban
}

// sandboxState is what the crash test reads of the simulator's state file.
type sandboxState struct {
	Batches map[string]struct {
		Status  string `json:"status"`
		Entries []struct {
			Request struct {
				Ref    string        `json:"merchant_reference"`
				Amount payout.Amount `json:"amount"`
			} `json:"request"`
		} `json:"entries"`
	} `json:"batches"`
}

// readSandbox reads the sandbox's state file in a state directory.
func readSandbox(t *testing.T, state string) sandboxState {
	t.Helper()
	b, err := clickpaysim.State(filepath.Join(state, "sandbox", "sandbox.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st sandboxState
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestCrashAnywhere kills the real binary with SIGKILL at 20 moments of a
// 2,000-row upload to the sandbox, then runs the same command again: every
// time the sandbox ends with one closed batch holding each row exactly once.
func TestCrashAnywhere(t *testing.T) {
	work := t.TempDir()
	sheet := filepath.Join(work, "big.csv")
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"Employee ID", "Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"})
	var total payout.Amount
	for i := 0; i < 2000; i++ {
		a := payout.Amount(300000 + i*37)
		total += a
		w.Write([]string{fmt.Sprintf("E%d", i), fmt.Sprintf("Employee %d", i), saIBAN(100 + i), a.String(), "0501234567", fmt.Sprintf("e%d@example.com", i), "Riyadh"})
	}
	w.Flush()
	os.WriteFile(sheet, buf.Bytes(), 0o644)
	env := []string{"PAYROLL_SANDBOX_LATENCY=40ms", "PAYROLL_SANDBOX_SETTLE=1h"}
	args := func(state string) []string {
		return []string{"upload", sheet, "--sandbox", "--yes", "--page-size", "100", "--results", state + "-results.csv", "--state-dir", state}
	}

	// How long an uninterrupted upload takes (the faster of two), to
	// spread the kills over it.
	span := time.Hour
	for k := 0; k < 2; k++ {
		start := time.Now()
		if out, err := command(t, env, args(filepath.Join(work, fmt.Sprint("timing", k)))...).CombinedOutput(); err != nil {
			t.Fatalf("uninterrupted upload: %v\n%s", err, out)
		}
		span = min(span, time.Since(start))
	}
	// And how much of that is reading and checking the sheet, before the
	// plan is recorded: the kills are spread over the rest.
	start := time.Now()
	if out, err := command(t, env, append(args(filepath.Join(work, "timing2")), "--dry-run")...).CombinedOutput(); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	before := time.Since(start)
	if before > span {
		before = span
	}

	resumed, fresh := 0, 0
	for i := 0; i < 20; i++ {
		state := filepath.Join(work, fmt.Sprintf("run%02d", i))
		cmd := command(t, env, args(state)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		at := before + (span-before)*time.Duration(i)/20
		time.Sleep(at)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		out, err := command(t, env, args(state)...).CombinedOutput()
		switch {
		case err == nil && strings.Contains(string(out), "resuming"):
			resumed++
		case err == nil:
			fresh++
		}
		if err != nil && !strings.Contains(string(out), "already uploaded") {
			t.Fatalf("kill %d (after %v): the second run failed: %v\n%s", i, at, err, out)
		}
		st := readSandbox(t, state)
		if len(st.Batches) != 1 {
			t.Fatalf("kill %d: %d batches", i, len(st.Batches))
		}
		for id, batch := range st.Batches {
			refs := map[string]int{}
			var sum payout.Amount
			for _, e := range batch.Entries {
				refs[e.Request.Ref]++
				sum += e.Request.Amount
			}
			if batch.Status == "New" || len(batch.Entries) != 2000 || len(refs) != 2000 || sum != total {
				t.Fatalf("kill %d: batch %s status %s, %d entries, %d refs, total %s (want 2000, %s)", i, id, batch.Status, len(batch.Entries), len(refs), sum, total)
			}
		}
	}
	t.Logf("upload takes %v (%v before the plan); of 20 kills, %d left an upload to resume, %d came before the plan was recorded", span, before, resumed, fresh)
	if resumed < 10 {
		t.Errorf("only %d kills landed in the middle of the upload", resumed)
	}
}

// TestInterrupt sends Ctrl-C (SIGINT) to an upload in progress: it stops
// with exit 3 and says to run the same command again, which finishes it.
func TestInterrupt(t *testing.T) {
	work := t.TempDir()
	sheet := filepath.Join(work, "big.csv")
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"})
	for i := 0; i < 500; i++ {
		w.Write([]string{fmt.Sprintf("Employee %d", i), saIBAN(5000 + i), "1000.00", "0501234567", "e@example.com", "Riyadh"})
	}
	w.Flush()
	os.WriteFile(sheet, buf.Bytes(), 0o644)
	state := filepath.Join(work, "state")
	env := []string{"PAYROLL_SANDBOX_LATENCY=50ms", "PAYROLL_SANDBOX_SETTLE=1h"}
	args := []string{"upload", sheet, "--sandbox", "--yes", "--page-size", "20", "--state-dir", state}
	cmd := command(t, env, args...)
	var stdout, out bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Ctrl-C once the batch exists, so that it lands in the middle of the
	// upload: the signal is the log line, not a guess at the time.
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), "batch created") {
			cmd.Process.Signal(os.Interrupt)
			break
		}
	}
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	out.Write(stdout.Bytes())
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 || !strings.Contains(out.String(), "run the same command again") {
		t.Fatalf("interrupted upload: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "goroutine ") {
		t.Errorf("a stack trace was printed:\n%s", out.String())
	}
	again, err := command(t, env, args...).CombinedOutput()
	if err != nil || !strings.Contains(string(again), "resuming") || !strings.Contains(string(again), "closed batch 1001: 500 rows") {
		t.Fatalf("second run: %v\n%s", err, again)
	}
}

// startSandbox runs `payroll sandbox` on a free loopback port with its
// state in state, and returns its base URL; it is stopped when the test
// ends.
func startSandbox(t *testing.T, state string) string {
	t.Helper()
	cmd := command(t, []string{"PAYROLL_SANDBOX_SETTLE=0s"}, "sandbox", "--addr", "127.0.0.1:0", "--state-dir", state)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on http://127.0.0.1:") {
		t.Fatalf("first line %q (%v)", line, err)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
}

// TestSandboxThenLive: finding 4. A trial on the sandbox is neither a
// payment on the live API (the same sheet is paid there, not refused as
// "already uploaded") nor shown in the live history; audit of the live
// payment passes.
func TestSandboxThenLive(t *testing.T) {
	work := t.TempDir()
	state := filepath.Join(work, "state")
	sheet := filepath.Join(work, "march.csv")
	copyFile(t, filepath.Join("..", "..", "testdata", "salaries.csv"), sheet)

	out, err := command(t, []string{"PAYROLL_SANDBOX_SETTLE=0s"}, "upload", sheet, "--sandbox", "--yes", "--state-dir", state).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "closed batch 1001: 10 rows") {
		t.Fatalf("sandbox trial: %v\n%s", err, out)
	}

	live := startSandbox(t, filepath.Join(work, "clickpay")) // stands in for Clickpay
	env := []string{"CLICKPAY_BASE_URL=" + live, "CLICKPAY_SERVER_KEY=SANDBOX-SERVER-KEY", "CLICKPAY_PROFILE_ID=100001", "CLICKPAY_ACCOUNT_ID=200001"}
	out, err = command(t, env, "upload", sheet, "--yes", "--state-dir", state).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "closed batch 1001: 10 rows") || strings.Contains(string(out), "already") {
		t.Fatalf("live upload after the sandbox trial: %v\n%s", err, out)
	}
	out, err = command(t, nil, "history", "--json", "--state-dir", state).CombinedOutput()
	var lines []struct{ Endpoint, BatchID string }
	if err != nil || json.Unmarshal(out, &lines) != nil || len(lines) != 1 || lines[0].Endpoint == "sandbox" || !strings.HasPrefix(lines[0].Endpoint, live) {
		t.Fatalf("live history: %v\n%s", err, out)
	}
	out, err = command(t, nil, "history", "--sandbox", "--json", "--state-dir", state).CombinedOutput()
	if err != nil || json.Unmarshal(out, &lines) != nil || len(lines) != 1 || lines[0].Endpoint != "sandbox" {
		t.Fatalf("sandbox history: %v\n%s", err, out)
	}
	out, err = command(t, env, "audit", sheet, "--state-dir", state).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "10 rows, 0 flagged") {
		t.Fatalf("live audit: %v\n%s", err, out)
	}
}

// TestEveryOutputIsSafe runs every command that writes a file (reports in
// CSV and XLSX, the marked copy, results in XLSX and CSV, the failed-rows
// and left-out sheets) on a sheet holding a formula, then opens each file
// written: no formula in any workbook, no field of any CSV that starts a
// formula under any list separator, and numbers where numbers belong.
func TestEveryOutputIsSafe(t *testing.T) {
	work := t.TempDir()
	state := filepath.Join(work, "state")
	copyFile(t, filepath.Join("..", "..", "testdata", "invalid.csv"), filepath.Join(work, "bad.csv"))
	copyFile(t, filepath.Join("..", "..", "testdata", "salaries.xlsx"), filepath.Join(work, "march.xlsx"))
	env := []string{"PAYROLL_SANDBOX_SETTLE=0s", "PAYROLL_SANDBOX_FAIL_IBANS=SA7310000000001234500001"}
	run := func(args ...string) {
		out, err := command(t, env, append(args, "--state-dir", state)...).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() > 1) {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run("validate", filepath.Join(work, "bad.csv"), "--report", filepath.Join(work, "bad-report.xlsx"))
	run("validate", filepath.Join(work, "bad.csv"))
	run("upload", filepath.Join(work, "bad.csv"), "--sandbox", "--yes", "--skip-invalid", "--results", filepath.Join(work, "bad-results.csv"))
	run("upload", filepath.Join(work, "march.xlsx"), "--sandbox", "--yes")
	run("status", "1002", "--sandbox")

	numeric := map[string][]string{ // file → cells that must be numbers
		"bad-report.xlsx":    {"A2"},
		"march.results.xlsx": {"A2", "E2", "F2", "G2"},
		"march.failed.xlsx":  {"E2"},
		"bad.left-out.xlsx":  {"E2"},
	}
	files, _ := filepath.Glob(filepath.Join(work, "*"))
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		if name == "bad.csv" || name == "march.xlsx" || name == "state" {
			continue
		}
		seen[name] = true
		switch filepath.Ext(name) {
		case ".xlsx":
			f, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, sh := range f.GetSheetList() {
				rows, _ := f.GetRows(sh)
				for r, row := range rows {
					for c := range row {
						cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
						if fm, _ := f.GetCellFormula(sh, cell); fm != "" {
							t.Errorf("%s!%s holds the formula %q", name, cell, fm)
						}
					}
				}
			}
			for _, cell := range numeric[name] {
				sh := f.GetSheetList()[0]
				if typ, _ := f.GetCellType(sh, cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
					t.Errorf("%s!%s is not a number (%v)", name, cell, typ)
				}
				if v, _ := f.GetCellValue(sh, cell); v == "" {
					t.Errorf("%s!%s is empty", name, cell)
				}
			}
			f.Close()
		case ".csv":
			b, _ := os.ReadFile(path)
			for _, sep := range []rune{',', ';', '\t', '|'} {
				r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
				r.Comma, r.LazyQuotes, r.FieldsPerRecord = sep, true, -1
				recs, err := r.ReadAll()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for _, rec := range recs {
					for _, field := range rec {
						if v := strings.TrimLeft(field, " \""); v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
							t.Errorf("%s split on %q: a field starts a formula: %q", name, sep, field)
						}
					}
				}
			}
		}
	}
	for _, want := range []string{"bad-report.xlsx", "bad.errors.csv", "bad-results.csv", "bad.left-out.xlsx", "march.results.xlsx", "march.failed.xlsx"} {
		if !seen[want] {
			t.Errorf("%s was not written; written: %v", want, seen)
		}
	}
}
