package payout_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"payroll/payout"
)

// amountPool mixes every way of writing an amount that says something (or
// nothing) about the file's decimal convention, and some that are wrong in
// every convention.
var amountPool = []string{
	"3368.97", "12500", "1,250.50", "1,250", "7", "1.250,50", "3,5", "3.500", "1.000.000", "1,250,000",
	"SAR 100", "١٢٬٥٠٠٫٥٠", "12,500.50", "1.250", "0,01", "1,5", "2.75", "(5.00)", "-5", "0", "abc",
	"1.234", "1.25E+04", "1000000000", "ر.س ١٬٢٥٠", "12500,50",
}

// TestEveryAmountReadInTheFilesConvention: whatever mix of amounts a file
// holds, and in whatever order, each row's amount is what ParseAmountIn
// reads in the convention the whole file decided (its Decimals): the rows
// that wait for it are read exactly like the rows that did not need to.
func TestEveryAmountReadInTheFilesConvention(t *testing.T) {
	dir := t.TempDir()
	header := []string{"Employee Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"}
	conventions := map[payout.Convention]int{}
	for f := range 60 {
		r := rand.New(rand.NewPCG(uint64(f), 12))
		pool := make([]string, 0, 4)
		for range 1 + r.IntN(4) {
			pool = append(pool, amountPool[r.IntN(len(amountPool))])
		}
		comma := []rune{',', ';', '\t'}[f%3]
		rows := [][]string{header}
		typed := map[int]string{} // spreadsheet row → amount
		for i := range 300 + r.IntN(700) {
			a := pool[r.IntN(len(pool))]
			typed[i+2] = a
			rows = append(rows, []string{"E", saIBAN("80", i), a, "0501234567", "e@example.com", "R"})
		}
		path := filepath.Join(dir, fmt.Sprintf("f%d.csv", f))
		writeCSV(t, path, rows, comma)
		res, err := payout.CheckFile(context.Background(), path, payout.FileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		conventions[res.Decimals]++
		lines := map[int]payout.Amount{}
		for _, l := range res.Lines {
			lines[l.Row] = l.Request.Amount
		}
		codes := map[int]string{}
		for _, p := range res.Problems {
			codes[p.Row] = p.Code
		}
		var total payout.Amount
		for row, raw := range typed {
			a, code, _ := payout.ParseAmountIn(raw, res.Decimals)
			if code == "" {
				total += a
				if got, ok := lines[row]; !ok || got != a {
					t.Fatalf("%s (%q) row %d: %q read as %v (valid %v), want %v in %v", path, pool, row, raw, got, ok, a, res.Decimals)
				}
			} else if codes[row] != code {
				t.Fatalf("%s (%q) row %d: %q has problem %q, want %q in %v", path, pool, row, raw, codes[row], code, res.Decimals)
			}
		}
		if res.Total != total || res.Valid != len(res.Lines) {
			t.Fatalf("%s: total %v (want %v), valid %d of %d lines", path, res.Total, total, res.Valid, len(res.Lines))
		}
	}
	// The mixes must have led to every outcome, or the test proves less
	// than it says.
	for _, c := range []payout.Convention{payout.DecimalPoint, payout.DecimalComma, payout.Unknown} {
		if conventions[c] == 0 {
			t.Errorf("no file ended in %v: %v", c, conventions)
		}
	}
}

// TestCheckTheSameWhateverTheWorkers: checking on one core or many, and
// keeping the valid rows or only counting them, gives the same result, in
// file order.
func TestCheckTheSameWhateverTheWorkers(t *testing.T) {
	header := []string{"Employee ID", "Name", "IBAN", "Bank", "Net Salary", "Mobile", "Email", "Address", "City", "Country", "Transfer Code"}
	rows := [][]string{header}
	ds := defects()
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 5000 {
		row := []string{fmt.Sprintf("E%04d", i), fmt.Sprintf("Employee %d", i), saIBAN("80", 1000+i), "Al Rajhi Bank",
			amountPool[r.IntN(len(amountPool))], fmt.Sprintf("05%08d", 10000000+i), fmt.Sprintf("e%d@example.com", i), "Riyadh", "", "", ""}
		if r.IntN(3) == 0 {
			ds[r.IntN(len(ds))].apply(row, i)
		}
		rows = append(rows, row)
	}
	path := filepath.Join(t.TempDir(), "mixed.csv")
	writeCSV(t, path, rows, ';')
	check := func(o payout.CheckOptions) *payout.Result {
		res, err := payout.CheckFile(context.Background(), path, payout.FileOptions{Check: o})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	one := check(payout.CheckOptions{Workers: 1})
	if one.Invalid == 0 || one.Valid == 0 {
		t.Fatalf("the sheet should mix valid and invalid rows: %d valid, %d invalid", one.Valid, one.Invalid)
	}
	for i := 1; i < len(one.Lines); i++ {
		if one.Lines[i-1].Row >= one.Lines[i].Row {
			t.Fatalf("lines out of order at %d", i)
		}
	}
	for _, w := range []int{2, 3, 8} {
		many := check(payout.CheckOptions{Workers: w})
		if !reflect.DeepEqual(one, many) {
			t.Errorf("%d workers: a different result", w)
		}
	}
	counted := check(payout.CheckOptions{NoLines: true})
	if counted.Lines != nil || counted.Valid != one.Valid || counted.Total != one.Total ||
		!reflect.DeepEqual(counted.Problems, one.Problems) || !reflect.DeepEqual(counted.Rejected, one.Rejected) {
		t.Errorf("NoLines: valid %d total %v, want %d %v", counted.Valid, counted.Total, one.Valid, one.Total)
	}
}
