package clickpaysim_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
)

// BenchmarkAddToBatch adds a page of 1,000 requests to a batch that
// already holds 0, 20,000 or 100,000 entries, with the state kept in a
// file (as the sandbox keeps it): a call costs the same whatever the
// batch already holds.
// Run: go test ./payout/clickpaysim -run '^$' -bench AddToBatch -benchmem
func BenchmarkAddToBatch(b *testing.B) {
	for _, held := range []int{0, 20_000, 100_000} {
		b.Run(fmt.Sprint("held=", held), func(b *testing.B) {
			ctx := context.Background()
			c := startB(b, clickpaysim.Config{StateFile: filepath.Join(b.TempDir(), "sandbox.json"), MaxRequests: 1000})
			page := func(from int) []payout.Request {
				out := make([]payout.Request, 1000)
				for i := range out {
					out[i] = request(from + i)
				}
				return out
			}
			bt, err := c.NewBatch(ctx, "order", page(0))
			if err != nil {
				b.Fatal(err)
			}
			n := 1000
			for n < held {
				if _, err := c.Add(ctx, bt.BatchID, "order", page(n)); err != nil {
					b.Fatal(err)
				}
				n += 1000
			}
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				p := page(n)
				n += 1000
				b.StartTimer()
				if _, err := c.Add(ctx, bt.BatchID, "order", p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func startB(b *testing.B, cfg clickpaysim.Config) *clickpay.Client {
	sim, err := clickpaysim.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	b.Cleanup(srv.Close)
	c, err := clickpay.New(clickpay.Config{BaseURL: srv.URL, ServerKey: sim.Config().ServerKey, ProfileID: sim.Config().ProfileID, AccountID: sim.Config().AccountID})
	if err != nil {
		b.Fatal(err)
	}
	return c
}
