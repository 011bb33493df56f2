package journal_test

import (
	"context"
	"fmt"
	"testing"

	"payroll/payout"
	"payroll/payout/journal"
)

// BenchmarkPlan100k records the plan of a 100,000-row upload. IBANs and
// references come in no order, as a sheet's do (the indexes on them are
// then filled at random places).
// Run: go test ./payout/journal -run '^$' -bench Plan -benchmem
func BenchmarkPlan100k(b *testing.B) {
	rows := make([]journal.Row, 100000)
	for i := range rows {
		n := uint64(i)*0x9E3779B97F4A7C15 + 1 // a permutation: no order, no repeats
		rows[i] = journal.Row{Index: i, Row: i + 2, EmployeeID: fmt.Sprint("E", i), Page: i / 1000, Occurrence: 1,
			Request: payout.Request{Amount: payout.Amount(100000 + i), MerchantReference: fmt.Sprintf("PR202611%024d", n%1e18), Name: "Employee",
				Country: "SA", IBAN: fmt.Sprintf("SA%022d", n%1e18), Bank: "RJHISARI", Email: "e@example.com", Mobile: "+966501234567", Address1: "Riyadh"}}
	}
	for b.Loop() {
		j, err := journal.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		up := &journal.Upload{File: "f", FileHash: "h", Period: "2026-11", OrderID: "o", Count: len(rows), PageSize: 1000, Pages: 100}
		if err := j.Plan(context.Background(), up, rows); err != nil {
			b.Fatal(err)
		}
		j.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(rows)), "ns/row")
}
