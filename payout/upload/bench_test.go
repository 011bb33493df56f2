package upload_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/journal"
	"payroll/payout/upload"
)

// benchUpload pays rows in pages of page into a fresh simulator on
// loopback answering each call latency late, with the journal on disk,
// timing only the upload; it returns the calls the simulator answered.
func benchUpload(b *testing.B, rows, page int, latency time.Duration) (calls int) {
	b.StopTimer()
	defer b.StartTimer()
	sim, _ := clickpaysim.New(clickpaysim.Config{ServerKey: "k"})
	srv := httptest.NewServer(clickpaysim.WithLatency(sim, latency))
	defer srv.Close()
	client, _ := clickpay.New(clickpay.Config{BaseURL: srv.URL, ServerKey: "k", ProfileID: clickpaysim.DefaultProfileID, AccountID: clickpaysim.DefaultAccountID})
	j, err := journal.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	plan, _ := upload.NewPlan("f", strings.Repeat("cd", 32), "2026-03", "bench", fresh(lines(rows)), page)
	b.StartTimer()
	u := &upload.Uploader{API: client.Payouts(), Journal: j}
	up, _, err := u.Prepare(context.Background(), plan, false, false, false)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := u.Run(context.Background(), up); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	for _, k := range []string{"new", "add", "query", "close", "search"} {
		calls += sim.Calls(k)
	}
	return calls
}

// BenchmarkUpload2000 pays 2,000 rows in pages of 100 into the simulator
// on loopback, with the journal on disk: the cost of the exactly-once
// bookkeeping, not of the network.
// Run: go test ./payout/upload -run '^$' -bench Upload -benchmem
func BenchmarkUpload2000(b *testing.B) {
	for b.Loop() {
		benchUpload(b, 2000, 100, 0)
	}
}

// BenchmarkUploadLatency pays 10,000 rows in pages of 250 and of 1,000
// into the simulator on loopback answering each call 20 ms late, as a
// distant API would: the rows a second an upload keeps up, the calls it
// makes, and what it allocates.
// Run: go test ./payout/upload -run '^$' -bench UploadLatency -benchmem
func BenchmarkUploadLatency(b *testing.B) {
	for _, page := range []int{250, 1000} {
		b.Run(fmt.Sprint("page=", page), func(b *testing.B) {
			const rows = 10_000
			calls := 0
			for b.Loop() {
				calls += benchUpload(b, rows, page, 20*time.Millisecond)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
		})
	}
}

// BenchmarkWriteResults100k writes the results workbook of a 100,000-row
// upload (11 columns: numbers, ids, money and text), against excelize's
// stream writer given the same cells ready-made: what the sheet costs
// beyond the library that writes it.
// Run: go test ./payout/upload -run '^$' -bench WriteResults -benchmem
func BenchmarkWriteResults100k(b *testing.B) {
	const n = 100_000
	results := make([]upload.ResultRow, n)
	for i, l := range lines(n) {
		results[i] = upload.ResultRow{Row: l.Row, EmployeeID: l.EmployeeID, Name: l.Request.Name, IBAN: l.Request.IBAN, Amount: l.Request.Amount,
			BatchID: "1001", EntryID: fmt.Sprint(500000 + i), Status: "Pending", Fee: "0.63", Total: l.Request.Amount.String()}
	}
	dir := b.TempDir()
	b.Run("results", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if err := upload.WriteResults(filepath.Join(dir, fmt.Sprintf("r%d.xlsx", i)), results, "en"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("excelize-alone", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			f := excelize.NewFile()
			sw, err := f.NewStreamWriter("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			for r, x := range results {
				cell, _ := excelize.CoordinatesToCellName(1, r+1)
				if err := sw.SetRow(cell, []any{x.Row, x.EmployeeID, x.Name, x.IBAN, float64(x.Amount) / 100, 1001, 500000 + r, x.Status, 0.63, float64(x.Amount) / 100, nil}); err != nil {
					b.Fatal(err)
				}
			}
			if err := sw.Flush(); err != nil {
				b.Fatal(err)
			}
			if err := f.SaveAs(filepath.Join(dir, fmt.Sprintf("e%d.xlsx", i))); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}
