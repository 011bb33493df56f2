package upload_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/journal"
	"payroll/payout/upload"
)

// BenchmarkUpload2000 pays 2,000 rows in pages of 100 into the simulator
// on loopback, with the journal on disk: the cost of the exactly-once
// bookkeeping, not of the network.
// Run: go test ./payout/upload -run '^$' -bench Upload -benchmem
func BenchmarkUpload2000(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		sim, _ := clickpaysim.New(clickpaysim.Config{ServerKey: "k"})
		srv := httptest.NewServer(sim)
		client, _ := clickpay.New(clickpay.Config{BaseURL: srv.URL, ServerKey: "k", ProfileID: clickpaysim.DefaultProfileID, AccountID: clickpaysim.DefaultAccountID})
		j, err := journal.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		plan, _ := upload.NewPlan("f", strings.Repeat("cd", 32), "2026-03", fmt.Sprint("bench-", b.N), fresh(lines(2000)), 100)
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
		j.Close()
		srv.Close()
		b.StartTimer()
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
				b.StopTimer()
				sim, _ := clickpaysim.New(clickpaysim.Config{ServerKey: "k"})
				srv := httptest.NewServer(clickpaysim.WithLatency(sim, 20*time.Millisecond))
				client, _ := clickpay.New(clickpay.Config{BaseURL: srv.URL, ServerKey: "k", ProfileID: clickpaysim.DefaultProfileID, AccountID: clickpaysim.DefaultAccountID})
				j, err := journal.Open(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
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
				j.Close()
				srv.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
		})
	}
}
