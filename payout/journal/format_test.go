package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"payroll/payout"
)

// TestOlderVersionsStop: a payroll version from before the page layout
// learns who was paid in a period from the rows table, reading each row's
// request as JSON. For an upload kept by page it finds the marker row, and
// its reading fails with a message that says what to do, instead of
// finding nothing and paying the upload's rows again.
func TestOlderVersionsStop(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	up := &Upload{File: "f", FileHash: "h", Period: "2026-12", OrderID: "o", Count: 1, PageSize: 1, Pages: 1}
	if err := j.Plan(context.Background(), up, []Row{{Row: 2, Request: payout.Request{IBAN: "SA1", Amount: 100, MerchantReference: "r"}}}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The queries of the last version before the page layout.
	var id int64
	if err := db.QueryRow(`SELECT DISTINCT u.id FROM rows JOIN uploads u ON u.id = rows.upload_id WHERE rows.period = ?`, "2026-12").Scan(&id); err != nil {
		t.Fatalf("an older version would not find the upload: %v", err)
	}
	var req string
	if err := db.QueryRow(`SELECT request FROM rows WHERE upload_id = ? ORDER BY idx`, id).Scan(&req); err != nil {
		t.Fatal(err)
	}
	var r payout.Request
	if err := json.Unmarshal([]byte(req), &r); err == nil || !strings.Contains(err.Error(), "payroll of 2026-12 or later") {
		t.Fatalf("an older version reads the marker: %v", err)
	}
}

// TestNewerJournalRefused: a journal of a later format is refused with a
// message that says so.
func TestNewerJournalRefused(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	j.Close()
	if _, err := Open(dir); !errors.Is(err, ErrNewer) || !strings.Contains(err.Error(), "newer version of payroll") {
		t.Fatalf("a newer journal: %v", err)
	}
}

// TestOlderLayoutUpdated: the entries of an upload kept a row a table row
// (before the page layout) are still recorded and read.
func TestOlderLayoutUpdated(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ctx := context.Background()
	if _, err := j.db.Exec(`INSERT INTO uploads (file, file_hash, period, order_id, batch_id, status, count, total, page_size, pages, created_at)
		VALUES ('march.xlsx', 'h', '2026-03', 'o1', '1001', 'closed', 2, 300, 100, 1, '2026-03-25T10:00:00Z');
		INSERT INTO rows (upload_id, idx, row, employee_id, page, ref, iban, amount, request, period) VALUES
		(1, 0, 2, 'E1', 0, 'r1', 'SA1', 100, '{"beneficiary_account_number":"SA1","amount":1.00,"merchant_reference":"r1"}', '2026-03'),
		(1, 1, 3, 'E2', 0, 'r2', 'SA2', 200, '{"beneficiary_account_number":"SA2","amount":2.00,"merchant_reference":"r2"}', '2026-03')`); err != nil {
		t.Fatal(err)
	}
	if err := j.UpdateEntries(ctx, 1, []EntryUpdate{{Index: 1, EntryID: "9", Status: "Paid", Fee: "0.5", Total: "2.50"}}); err != nil {
		t.Fatal(err)
	}
	rows, err := j.Rows(ctx, 1)
	if err != nil || len(rows) != 2 || rows[1].EntryID != "9" || rows[1].Status != "Paid" || rows[0].Status != "" || rows[1].Request.Amount != 200 {
		t.Fatalf("%+v %v", rows, err)
	}
	if ps, err := j.PeriodRows(ctx, "2026-03", "sandbox"); err != nil || len(ps) != 2 {
		t.Fatalf("period rows %+v %v", ps, err)
	}
}

// TestPageLayout: a plan is kept a page a value, read back whole and in
// order whatever order its pages were given in, with entries merged as
// they come; two rows with one reference are refused.
func TestPageLayout(t *testing.T) {
	j, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ctx := context.Background()
	var rows []Row
	for i := range 25 {
		rows = append(rows, Row{Row: i + 2, Page: (24 - i) / 10, Request: payout.Request{IBAN: "SA" + string(rune('A'+i)), Amount: payout.Amount(i + 1), MerchantReference: "r" + string(rune('A'+i)), Name: "N\"\\\n"}})
	}
	up := &Upload{File: "f", FileHash: "h", Period: "2026-12", OrderID: "o", Count: 25, PageSize: 10, Pages: 3}
	if err := j.Plan(ctx, up, rows); err != nil {
		t.Fatal(err)
	}
	var n int
	j.db.QueryRow(`SELECT count(*) FROM plan_pages WHERE upload_id = ?`, up.ID).Scan(&n)
	if n != 3 {
		t.Errorf("%d page values", n)
	}
	if err := j.UpdateEntries(ctx, up.ID, []EntryUpdate{{Index: 3, EntryID: "a", Status: "Pending"}, {Index: 20, EntryID: "b", Status: "Pending"}}); err != nil {
		t.Fatal(err)
	}
	if err := j.UpdateEntries(ctx, up.ID, []EntryUpdate{{Index: 3, EntryID: "a", Status: "Paid", Fee: "1.00"}}); err != nil {
		t.Fatal(err)
	}
	got, err := j.Rows(ctx, up.ID)
	if err != nil || len(got) != 25 {
		t.Fatalf("%d rows, %v", len(got), err)
	}
	for i, r := range got {
		want := rows[i]
		if r.Index != i || r.Row != want.Row || r.Page != want.Page || r.Request != want.Request || r.Occurrence != 1 || r.UploadID != up.ID {
			t.Errorf("row %d: %+v, want %+v", i, r, want)
		}
	}
	if got[3].Status != "Paid" || got[3].Fee != "1.00" || got[20].EntryID != "b" || got[4].EntryID != "" {
		t.Errorf("entries: %+v %+v %+v", got[3], got[20], got[4])
	}
	dup := []Row{{Request: payout.Request{MerchantReference: "x"}}, {Row: 9, Request: payout.Request{MerchantReference: "x"}}}
	if err := j.Plan(ctx, &Upload{File: "g", FileHash: "h2", OrderID: "o2", Pages: 1}, dup); err == nil || !strings.Contains(err.Error(), "same reference") {
		t.Errorf("two rows with one reference: %v", err)
	}
}

// TestRecordSent: a page's call, the page sent and the next page marked
// about to be sent are recorded together.
func TestRecordSent(t *testing.T) {
	j, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ctx := context.Background()
	up := &Upload{File: "f", FileHash: "h", Period: "2026-12", OrderID: "o", Count: 3, PageSize: 1, Pages: 3}
	rows := []Row{{Row: 2, Page: 0, Request: payout.Request{MerchantReference: "a"}}, {Row: 3, Page: 1, Request: payout.Request{MerchantReference: "b"}},
		{Row: 4, Page: 2, Request: payout.Request{MerchantReference: "c"}}}
	if err := j.Plan(ctx, up, rows); err != nil {
		t.Fatal(err)
	}
	if err := j.RecordSent(ctx, Call{UploadID: up.ID, Call: "add", Page: 1, Outcome: "ok"}, 2); err != nil {
		t.Fatal(err)
	}
	states, _ := j.PageStates(ctx, up.ID)
	calls, _ := j.Calls(ctx, up.ID)
	if len(states) != 3 || states[0] != PagePlanned || states[1] != PageSent || states[2] != PageSending || len(calls) != 1 || calls[0].Page != 1 {
		t.Errorf("states %v, calls %+v", states, calls)
	}
	if err := j.RecordSent(ctx, Call{UploadID: up.ID, Call: "add", Page: 2, Outcome: "ok"}, -1); err != nil {
		t.Fatal(err)
	}
	if states, _ := j.PageStates(ctx, up.ID); states[2] != PageSent {
		t.Errorf("states %v", states)
	}
}

// TestUpdateEntriesMerge: rounds of updates in any order, a row updated
// twice in a round, an update that says nothing clearing a row: after each
// round the rows read back are what applying the updates one by one gives.
func TestUpdateEntriesMerge(t *testing.T) {
	j, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ctx := context.Background()
	const n = 60
	var rows []Row
	for i := range n {
		rows = append(rows, Row{Row: i + 2, Page: i / 7, Request: payout.Request{IBAN: fmt.Sprint("SA", i), Amount: payout.Amount(i + 1), MerchantReference: fmt.Sprint("r", i)}})
	}
	up := &Upload{File: "f", FileHash: "h", Period: "2026-12", OrderID: "o", Count: n, PageSize: 7, Pages: (n + 6) / 7}
	if err := j.Plan(ctx, up, rows); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	model := map[int]EntryUpdate{}
	for round := range 40 {
		var updates []EntryUpdate
		for range r.IntN(30) {
			e := EntryUpdate{Index: r.IntN(n)}
			if r.IntN(5) > 0 {
				e.EntryID, e.Status = fmt.Sprint(1000+e.Index), []string{"Pending", "Paid", "Failed"}[r.IntN(3)]
				if r.IntN(2) == 0 {
					e.Fee, e.ProtocolMessage = fmt.Sprintf("%d.%02d", round, r.IntN(100)), fmt.Sprint("round ", round)
				}
			}
			updates = append(updates, e)
			if hasEntry(&e) {
				model[e.Index] = e
			} else {
				delete(model, e.Index)
			}
		}
		if err := j.UpdateEntries(ctx, up.ID, updates); err != nil {
			t.Fatal(err)
		}
		got, err := j.Rows(ctx, up.ID)
		if err != nil || len(got) != n {
			t.Fatalf("round %d: %d rows, %v", round, len(got), err)
		}
		for i, g := range got {
			want := model[i]
			want.Index = i
			if *entryOf(&g) != want {
				t.Fatalf("round %d, row %d: %+v, want %+v", round, i, *entryOf(&g), want)
			}
		}
	}
}

// TestOpenWhileAnotherWrites: a journal of this format is only read when
// opened, so a command opens it at once while another holds the write
// lock (an upload recording its plan), instead of waiting for the lock
// and, with fifty commands at once, giving up with "database is locked".
func TestOpenWhileAnotherWrites(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	tx, err := j.db.BeginTx(context.Background(), nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE uploads SET message = message`); err != nil {
		t.Fatal(err)
	}
	opened := make(chan error, 1)
	go func() {
		other, err := Open(dir)
		if err == nil {
			_, err = other.All(context.Background())
			other.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatalf("opening while another writes: %v", err)
		}
	case <-time.After(5 * time.Second): // the busy time-out is 10 s
		t.Fatal("opening waited for the other's write lock")
	}
}

// TestFiftyOpenANewJournalAtOnce: fifty commands started at once on a new
// state directory all open its journal: one makes it, the others wait for
// that and read it, none gives up with "database is locked".
func TestFiftyOpenANewJournalAtOnce(t *testing.T) {
	for round := range 5 {
		dir := filepath.Join(t.TempDir(), fmt.Sprint("state-", round))
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				j, err := Open(dir)
				if err == nil {
					_, err = j.All(context.Background())
					j.Close()
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", round, err)
		}
	}
}

// TestBusyIsKnown: the error SQLite gives a write while another holds the
// write lock is told apart from others (Open tries again on it).
func TestBusyIsKnown(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	tx, err := j.db.BeginTx(context.Background(), nil) // BEGIN IMMEDIATE
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	impatient, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "journal.db")+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()
	_, err = impatient.Exec(`UPDATE uploads SET message = message`)
	if !busy(err) {
		t.Errorf("a write while another holds the lock: %v, not known as busy", err)
	}
	if busy(errors.New("database is locked")) || busy(nil) || busy(fmt.Errorf("x: %w", sql.ErrNoRows)) {
		t.Error("other errors taken for busy")
	}
}
