package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"payroll/payout"
	"payroll/payout/clickpaysim"
)

// TestFiftyCommandsAtOnce: 50 `payroll upload` commands of 1,000 rows each
// run at once against one `payroll sandbox` over loopback, first each with
// its own state directory, then all sharing one (those that find it busy,
// exit 5, are run again one at a time). The sandbox then holds
// one batch a sheet, closed, with exactly the sheet's rows.
func TestFiftyCommandsAtOnce(t *testing.T) {
	const commands, rows = 50, 1000
	work := t.TempDir()
	server := filepath.Join(work, "server")
	url := startSandbox(t, server)
	env := []string{"CLICKPAY_BASE_URL=" + url, "CLICKPAY_SERVER_KEY=" + clickpaysim.DefaultServerKey,
		"CLICKPAY_PROFILE_ID=" + clickpaysim.DefaultProfileID, "CLICKPAY_ACCOUNT_ID=" + clickpaysim.DefaultAccountID}

	want := make([]map[string]payout.Amount, 2*commands)
	sheet := func(n int) string {
		var b strings.Builder
		b.WriteString("Employee ID,Employee Name,IBAN,Net Salary,Mobile,Email,Address\n")
		want[n] = map[string]payout.Amount{}
		for i := 0; i < rows; i++ {
			iban := saIBAN(1_000_000 + n*rows + i)
			amount := payout.Amount(100_000 + n*rows + i)
			want[n][iban] = amount
			fmt.Fprintf(&b, "E%d,Employee %d,%s,%s,0501234567,e%d@example.com,Riyadh\n", i, i, iban, amount, i)
		}
		path := filepath.Join(work, fmt.Sprintf("sheet-%02d.csv", n))
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	// A command that finds the state directory busy (exit 5) waits for
	// its turn, one at a time; in its turn, while it is still busy, it
	// waits for another command to end. No sleeps, and no herd of retries
	// at every end.
	turn := make(chan struct{}, 1)
	var mu sync.Mutex
	finished := make(chan struct{})
	ended := func() {
		mu.Lock()
		close(finished)
		finished = make(chan struct{})
		mu.Unlock()
	}
	run := func(n int, state string) error {
		defer ended()
		path := sheet(n)
		waited := false
		defer func() {
			if waited {
				<-turn
			}
		}()
		for {
			mu.Lock()
			next := finished
			mu.Unlock()
			out, err := command(t, env, "upload", path, "--yes", "--period", "2026-11", "--state-dir", state, "--results", path+".results.csv", "-q").CombinedOutput()
			var exit *exec.ExitError
			switch {
			case errors.As(err, &exit) && exit.ExitCode() == 5 && !waited:
				turn <- struct{}{}
				waited = true
			case errors.As(err, &exit) && exit.ExitCode() == 5:
				<-next
			case err != nil:
				return fmt.Errorf("sheet %d: %v\n%s", n, err, out)
			default:
				return nil
			}
		}
	}
	for phase := range 2 {
		var wg sync.WaitGroup
		errs := make(chan error, commands)
		for i := range commands {
			n := phase*commands + i
			state := filepath.Join(work, "shared")
			if phase == 0 {
				state = filepath.Join(work, fmt.Sprint("state-", i))
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := run(n, state); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}

	b, err := clickpaysim.State(filepath.Join(server, "sandbox", "sandbox.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Batches map[string]struct {
			Status  string `json:"status"`
			Entries []struct {
				Request payout.Request `json:"request"`
			} `json:"entries"`
		} `json:"batches"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Batches) != 2*commands {
		t.Fatalf("%d batches for %d sheets", len(st.Batches), 2*commands)
	}
	owner := map[string]int{} // IBAN → sheet
	for n, w := range want {
		for iban := range w {
			owner[iban] = n
		}
	}
	sheets := map[int]string{}
	for id, batch := range st.Batches {
		if batch.Status == "New" || len(batch.Entries) != rows {
			t.Fatalf("batch %s: %s, %d entries", id, batch.Status, len(batch.Entries))
		}
		n := owner[batch.Entries[0].Request.IBAN]
		if other, dup := sheets[n]; dup {
			t.Fatalf("sheet %d is in batches %s and %s", n, other, id)
		}
		sheets[n] = id
		left := map[string]payout.Amount{}
		for k, v := range want[n] {
			left[k] = v
		}
		for _, e := range batch.Entries {
			if a, mine := left[e.Request.IBAN]; !mine || a != e.Request.Amount {
				t.Fatalf("batch %s (sheet %d) holds %s for SAR %s, not a row of the sheet (or twice)", id, n, e.Request.IBAN, e.Request.Amount)
			}
			delete(left, e.Request.IBAN)
		}
	}
}
