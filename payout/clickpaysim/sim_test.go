package clickpaysim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func iban(n int) string {
	bban := fmt.Sprintf("80%018d", n)
	return "SA" + payout.IBANCheckDigits("SA", bban) + bban
}

func request(n int) payout.Request {
	return payout.Request{Amount: payout.Amount(1000 + n), MerchantReference: fmt.Sprint("ref-", n), Name: "N", Country: "SA", IBAN: iban(n),
		Bank: "RJHISARI", Email: "a@example.com", Mobile: "+966501234567", Address1: "S", TransferCode: payout.Salary}
}

func start(t *testing.T, cfg clickpaysim.Config) *clickpay.Client {
	t.Helper()
	sim, err := clickpaysim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c, err := clickpay.New(clickpay.Config{BaseURL: srv.URL, ServerKey: sim.Config().ServerKey, ProfileID: sim.Config().ProfileID, AccountID: sim.Config().AccountID})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSettlement: entries stay Pending until SettleAfter has passed since
// close, then end Paid, Failed or Rejected as configured; the batch ends
// Completed. The state survives a restart from its file.
func TestSettlement(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)}
	state := filepath.Join(t.TempDir(), "sandbox.json")
	cfg := clickpaysim.Config{SettleAfter: time.Minute, Now: clk.now, StateFile: state,
		Fail: map[string]string{iban(2): "Account closed"}, Reject: map[string]string{iban(3): "Name mismatch"}}
	c := start(t, cfg)
	b, err := c.NewBatch(ctx, "o", []payout.Request{request(1), request(2), request(3)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Close(ctx, b.BatchID, 3, 3006); err != nil {
		t.Fatal(err)
	}
	q, _ := c.Query(ctx, b.BatchID)
	if q.Status != "Closed" || q.Entries[0].Status != "Pending" {
		t.Fatalf("right after close: %s %s", q.Status, q.Entries[0].Status)
	}
	clk.add(59 * time.Second)
	if q, _ = c.Query(ctx, b.BatchID); q.Entries[0].Status != "Pending" {
		t.Fatalf("before SettleAfter: %s", q.Entries[0].Status)
	}
	clk.add(time.Second)
	// A new simulator on the same state file sees the same batch.
	c2 := start(t, cfg)
	q, err = c2.Query(ctx, b.BatchID)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{q.Entries[0].Status, q.Entries[1].Status, q.Entries[1].ProtocolMessage, q.Entries[2].Status, q.Entries[2].ProtocolMessage}
	want := []string{"Paid", "Failed", "Account closed", "Rejected", "Name mismatch"}
	if fmt.Sprint(got) != fmt.Sprint(want) || q.Status != "Completed" {
		t.Errorf("settled: %v %s", got, q.Status)
	}
	processed, _ := c2.QueryStatus(ctx, b.BatchID, "processed")
	rejected, _ := c2.QueryStatus(ctx, b.BatchID, "rejected")
	pending, _ := c2.QueryStatus(ctx, b.BatchID, "pending")
	if len(processed.Entries) != 3 || len(rejected.Entries) != 1 || len(pending.Entries) != 0 {
		t.Errorf("filters: %d %d %d", len(processed.Entries), len(rejected.Entries), len(pending.Entries))
	}
}

func TestOmitReference(t *testing.T) {
	ctx := context.Background()
	c := start(t, clickpaysim.Config{OmitReference: true})
	b, _ := c.NewBatch(ctx, "o", []payout.Request{request(1)})
	q, _ := c.Query(ctx, b.BatchID)
	if q.Entries[0].MerchantReference != "" {
		t.Error("reference echoed")
	}
	found, _ := c.Search(ctx, "ref-1")
	if len(found) != 1 || found[0].MerchantReference != "ref-1" {
		t.Errorf("search: %+v", found)
	}
}

func TestPageLimit(t *testing.T) {
	c := start(t, clickpaysim.Config{MaxRequests: 2})
	_, err := c.NewBatch(context.Background(), "o", []payout.Request{request(1), request(2), request(3)})
	if err == nil || !clickpay.IsNotApplied(err) {
		t.Errorf("3 requests with a limit of 2: %v", err)
	}
}

// TestTwoProcessesShareTheStateFile: a batch made through one simulator is
// seen by another on the same state file, and the other's changes by the first.
func TestTwoProcessesShareTheStateFile(t *testing.T) {
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "sandbox.json")
	a := start(t, clickpaysim.Config{StateFile: state})
	b := start(t, clickpaysim.Config{StateFile: state})
	nb, err := a.NewBatch(ctx, "o", []payout.Request{request(1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Add(ctx, nb.BatchID, "o", []payout.Request{request(2)}); err != nil {
		t.Fatalf("add through the second: %v", err)
	}
	q, err := a.Query(ctx, nb.BatchID)
	if err != nil || len(q.Entries) != 2 {
		t.Fatalf("first sees %+v %v", q, err)
	}
}

// TestStateIsAppendedNotRewritten: every call appends its own change to
// the log, so a call costs the same however much the sandbox holds; a line
// cut short by a crash (never answered) is dropped, and what follows it
// reads.
func TestStateIsAppendedNotRewritten(t *testing.T) {
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "sandbox.json")
	c := start(t, clickpaysim.Config{StateFile: state})
	page := func(from int) []payout.Request {
		var rs []payout.Request
		for i := from; i < from+50; i++ {
			rs = append(rs, request(i))
		}
		return rs
	}
	read := func() []byte {
		b, err := os.ReadFile(state + ".log")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	nb, err := c.NewBatch(ctx, "o", page(1))
	if err != nil {
		t.Fatal(err)
	}
	first := len(read())
	for p := 1; p < 10; p++ {
		before := read()
		if _, err := c.Add(ctx, nb.BatchID, "o", page(1+50*p)); err != nil {
			t.Fatal(err)
		}
		after := read()
		if !bytes.HasPrefix(after, before) || len(after)-len(before) > first*3/2 {
			t.Fatalf("page %d: the state went from %d to %d bytes (the first page took %d), not by appending the page", p+1, len(before), len(after), first)
		}
	}
	// A crash in the middle of writing a change.
	f, err := os.OpenFile(state+".log", os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"op":"add","batch":"` + string(nb.BatchID) + `","entries":[{"id":1`)
	f.Close()
	again := start(t, clickpaysim.Config{StateFile: state})
	if _, err := again.Add(ctx, nb.BatchID, "o", page(1000)); err != nil {
		t.Fatal(err)
	}
	var st struct {
		Batches map[string]struct {
			Entries []json.RawMessage `json:"entries"`
		} `json:"batches"`
	}
	b, err := clickpaysim.State(state)
	if err != nil || json.Unmarshal(b, &st) != nil {
		t.Fatalf("state: %v", err)
	}
	if n := len(st.Batches[string(nb.BatchID)].Entries); n != 550 {
		t.Fatalf("%d entries after the cut line, want 550", n)
	}
}

// TestTwoProcessesTakeTurns: two simulators on one state file (payroll
// sandbox, and a command run with --sandbox) creating batches at the same
// time never give two batches one id, and each sees every batch.
func TestTwoProcessesTakeTurns(t *testing.T) {
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "sandbox.json")
	clients := []*clickpay.Client{start(t, clickpaysim.Config{StateFile: state}), start(t, clickpaysim.Config{StateFile: state})}
	const each = 40
	ids := make(chan string, 2*each)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range each {
				b, err := c.NewBatch(ctx, fmt.Sprintf("order-%d-%d", i, n), []payout.Request{request(1000*i + n)})
				if err != nil {
					t.Error(err)
					return
				}
				ids <- string(b.BatchID)
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("batch id %s given twice", id)
		}
		seen[id] = true
	}
	for i, c := range clients {
		for id := range seen {
			if q, err := c.Query(ctx, clickpay.ID(id)); err != nil || len(q.Entries) != 1 {
				t.Errorf("simulator %d: batch %s: %+v, %v", i, id, q, err)
			}
		}
	}
}
