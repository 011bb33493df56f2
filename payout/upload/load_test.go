package upload_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/journal"
	"payroll/payout/upload"
)

// loadSheet writes the n-th sheet of a load test: rows people, IBANs of
// their own (no two sheets share one), amounts that say which sheet and
// row they are.
func loadSheet(t *testing.T, dir string, n, rows int) (string, map[string]payout.Amount) {
	var b strings.Builder
	b.WriteString("Employee ID,Employee Name,IBAN,Net Salary,Mobile,Email,Address\n")
	want := map[string]payout.Amount{}
	for i := 0; i < rows; i++ {
		iban := saIBAN(n*rows + i)
		amount := payout.Amount(100_000 + n*rows + i)
		want[iban] = amount
		fmt.Fprintf(&b, "E%d,Employee %d,%s,%s,0501234567,e%d@example.com,Riyadh\n", i, i, iban, amount, i)
	}
	path := filepath.Join(dir, fmt.Sprintf("sheet-%02d.csv", n))
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, want
}

// TestFiftyUploadsAtOnce: 50 uploads of 1,000 rows each, all at once
// through the library against one simulator on loopback, first each with
// its own state directory, then all sharing one (the upload lock lets one
// through at a time; the others are told the state directory is busy and
// try again, as a person would). Every sheet ends in a batch of its own
// holding exactly its rows: nothing lost, nothing paid twice, nothing of
// one sheet in another's batch.
func TestFiftyUploadsAtOnce(t *testing.T) {
	const uploads, rows = 50, 1000
	sim, err := clickpaysim.New(clickpaysim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	cc := clickpay.Config{BaseURL: srv.URL, ServerKey: clickpaysim.DefaultServerKey, ProfileID: clickpaysim.DefaultProfileID, AccountID: clickpaysim.DefaultAccountID}
	client, err := clickpay.New(cc)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	shared := filepath.Join(work, "shared")

	// finished is closed (and replaced) each time an upload ends: the
	// signal a busy upload waits for before it tries again.
	var mu sync.Mutex
	finished := make(chan struct{})
	ended := func() {
		mu.Lock()
		close(finished)
		finished = make(chan struct{})
		mu.Unlock()
	}
	pay := func(n int, state string) (string, error) {
		defer ended()
		path, _ := loadSheet(t, work, n, rows)
		ctx := context.Background()
		svc, err := upload.Open(ctx, upload.Setup{StateDir: state, Clickpay: cc})
		if err != nil {
			return "", err
		}
		defer svc.Close()
		for {
			mu.Lock()
			next := finished
			mu.Unlock()
			p, err := svc.PrepareFile(ctx, path, upload.Options{Endpoint: svc.Endpoint, Period: "2026-11", PageSize: 250, AskServer: true})
			if errors.Is(err, journal.ErrBusy) {
				<-next // another upload holds the state directory: when one ends, try again
				continue
			}
			if err != nil {
				return "", err
			}
			out, err := svc.Pay(ctx, p)
			if err != nil {
				return "", err
			}
			if len(out.Results) != rows {
				return "", fmt.Errorf("%d result rows", len(out.Results))
			}
			return out.Upload.BatchID, nil
		}
	}
	batches := make([]string, 2*uploads)
	var wg sync.WaitGroup
	errs := make(chan error, 2*uploads)
	for phase := range 2 {
		start := time.Now()
		for i := range uploads {
			n := phase*uploads + i
			state := shared
			if phase == 0 {
				state = filepath.Join(work, fmt.Sprint("state-", i))
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, err := pay(n, state)
				if err != nil {
					errs <- fmt.Errorf("sheet %d: %w", n, err)
				}
				batches[n] = id
			}()
		}
		wg.Wait()
		t.Logf("phase %d: %v", phase, time.Since(start))
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if got := sim.Calls("new"); got != 2*uploads {
		t.Errorf("%d batches created, want %d", got, 2*uploads)
	}
	seen := map[string]int{}
	for n, id := range batches {
		if other, dup := seen[id]; dup {
			t.Fatalf("sheets %d and %d share batch %s", other, n, id)
		}
		seen[id] = n
		_, want := loadSheet(t, t.TempDir(), n, rows)
		b, err := client.Query(context.Background(), clickpay.ID(id))
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Entries) != rows {
			t.Fatalf("sheet %d: batch %s holds %d entries", n, id, len(b.Entries))
		}
		for _, e := range b.Entries {
			a, ok := e.Amount.Amount()
			if w, mine := want[e.IBAN]; !mine || !ok || a != w {
				t.Fatalf("sheet %d: batch %s holds %s for SAR %s, which is not the sheet's", n, id, e.IBAN, e.Amount.String())
			}
			delete(want, e.IBAN) // each row once
		}
		if len(want) != 0 {
			t.Fatalf("sheet %d: %d rows missing from batch %s", n, len(want), id)
		}
	}
}
