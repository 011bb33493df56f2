package payout_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"payroll/payout"
)

// BenchmarkCheckFile10k reads and validates a 10,000-row CSV sheet.
// Run: go test ./payout -run '^$' -bench CheckFile -benchmem
func BenchmarkCheckFile10k(b *testing.B) {
	rows := [][]string{{"Employee ID", "Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"}}
	for i := 0; i < 10000; i++ {
		rows = append(rows, []string{fmt.Sprint("E", i), fmt.Sprint("Employee ", i), saIBAN("80", i), "12,500.50", "0501234567", fmt.Sprintf("e%d@example.com", i), "Riyadh"})
	}
	p := filepath.Join(b.TempDir(), "big.csv")
	writeCSV(b, p, rows, ',')
	b.ResetTimer()
	for b.Loop() {
		res, err := payout.CheckFile(context.Background(), p, payout.FileOptions{})
		if err != nil || len(res.Lines) != 10000 {
			b.Fatalf("%v %d", err, len(res.Lines))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/row")
}
