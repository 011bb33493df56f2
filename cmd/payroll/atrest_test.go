package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestKilledMidWrite kills the binary while it writes an error report
// (SIGKILL: nothing of it runs after): no half-written report is ever
// under the report's name, the report an earlier run wrote stays whole,
// and the next run removes the killed run's temporary file and writes the
// report in full.
func TestKilledMidWrite(t *testing.T) {
	dir := t.TempDir()
	sheet := filepath.Join(dir, "big.csv")
	// Every row has an error: the report is as long as the sheet.
	write := func(rows int, amount string) {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{"Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"})
		for i := 0; i < rows; i++ {
			w.Write([]string{fmt.Sprintf("Employee %d", i), saIBAN(10_000 + i), amount, "0501234567", "e@example.com", "Riyadh"})
		}
		w.Flush()
		if err := os.WriteFile(sheet, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	report := filepath.Join(dir, "big.errors.xlsx")
	temps := func() []string {
		m, _ := filepath.Glob(filepath.Join(dir, ".big.errors.xlsx.*.tmp"))
		return m
	}
	// killMidWrite starts a validate and kills it once its temporary file
	// is there: the signal is the file, not a guess at the time.
	killMidWrite := func() int {
		cmd := command(t, nil, "validate", sheet, "--report", report)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(time.Minute)
		for len(temps()) == 0 {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatal("the report's temporary file never appeared")
			}
			time.Sleep(time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if len(temps()) == 0 {
			t.Fatal("the kill came after the write: nothing was proved")
		}
		return cmd.Process.Pid
	}
	rowsOf := func() int {
		f, err := excelize.OpenFile(report)
		if err != nil {
			t.Fatalf("the report is not a whole workbook: %v", err)
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}

	write(40_000, "-5")
	pid := killMidWrite()
	if _, err := os.Stat(report); err == nil {
		t.Fatal("a report was left under its name by a run killed while writing it")
	}
	if err := command(t, nil, "validate", sheet, "--report", report).Run(); err == nil {
		t.Fatal("validate of a sheet with errors succeeded")
	}
	if n := rowsOf(); n != 40_001 {
		t.Errorf("the report has %d rows, want 40,001", n)
	}
	if left := temps(); len(left) != 0 {
		t.Errorf("the killed run's temporary file is still there: %v", left)
	}
	private := filepath.Join(os.TempDir(), fmt.Sprintf("payroll-%d", os.Getuid()), fmt.Sprint(pid))
	if _, err := os.Stat(private); err == nil {
		t.Errorf("the killed run's private folder %s is still there", private)
	}

	// Killed while replacing a report: the earlier one stays whole.
	write(45_000, "abc")
	killMidWrite()
	if n := rowsOf(); n != 40_001 {
		t.Errorf("after a killed rewrite the report has %d rows, want the earlier 40,001", n)
	}
	for _, e := range mustReadDir(t, dir) {
		if !strings.HasPrefix(e, ".big.errors.xlsx.") && e != "big.csv" && e != "big.errors.xlsx" && e != "big.errors-marked.xlsx" {
			t.Errorf("unexpected file %s", e)
		}
	}
}

func mustReadDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
