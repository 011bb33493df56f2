package journal

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"payroll/payout"
)

// TestOddFolderNames: a state directory whose name holds URI characters
// keeps its journal inside it.
func TestOddFolderNames(t *testing.T) {
	for _, name := range []string{"a#b", "c?d", "e%20f", "g h"} {
		dir := filepath.Join(t.TempDir(), name)
		j, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		up := &Upload{File: "f", FileHash: "h", OrderID: "o", Count: 1, Total: 5, PageSize: 1, Pages: 1}
		if err := j.Plan(context.Background(), up, []Row{{Row: 2, Request: payout.Request{IBAN: "X", Amount: 5, MerchantReference: "o-r2"}}}); err != nil {
			t.Fatal(err)
		}
		j.Close()
		if fi, err := os.Stat(filepath.Join(dir, "journal.db")); err != nil || fi.Size() == 0 && !walExists(dir) {
			t.Errorf("%s: journal not in its folder: %v", name, err)
		}
		j, _ = Open(dir)
		all, _ := j.All(context.Background())
		if len(all) != 1 {
			t.Errorf("%s: %d uploads after reopening", name, len(all))
		}
		fi, _ := os.Stat(filepath.Join(dir, "journal.db"))
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("journal mode %v", fi.Mode().Perm())
		}
		j.Close()
	}
}

func walExists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "journal.db-wal"))
	return err == nil
}

func TestPlanRowsAndEntries(t *testing.T) {
	ctx := context.Background()
	j, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	up := &Upload{File: "f.xlsx", FileHash: "h1", OrderID: "o1", Count: 2, Total: 300, PageSize: 1, Pages: 2}
	rows := []Row{
		{Row: 2, Page: 0, EmployeeID: "E1", Request: payout.Request{IBAN: "SA1", Amount: 100, MerchantReference: "o1-r2"}},
		{Row: 3, Page: 1, Request: payout.Request{IBAN: "SA2", Amount: 200, MerchantReference: "o1-r3"}},
	}
	if err := j.Plan(ctx, up, rows); err != nil {
		t.Fatal(err)
	}
	if err := j.Plan(ctx, &Upload{File: "g", FileHash: "h2", OrderID: "o1", Pages: 0}, nil); err == nil {
		t.Error("a second upload with the same order id was recorded")
	}
	if err := j.SetBatch(ctx, up.ID, "B7"); err != nil {
		t.Fatal(err)
	}
	states, _ := j.PageStates(ctx, up.ID)
	if len(states) != 2 || states[0] != PageSent || states[1] != PagePlanned {
		t.Errorf("pages %v", states)
	}
	if err := j.UpdateEntries(ctx, up.ID, []EntryUpdate{{Index: 1, EntryID: "77", Status: "Paid", Fee: "1.725", Total: "201.725"}}); err != nil {
		t.Fatal(err)
	}
	got, _ := j.Rows(ctx, up.ID)
	if got[1].EntryID != "77" || got[1].Status != "Paid" || got[1].Total != "201.725" || got[1].Fee != "1.725" || got[0].EmployeeID != "E1" || got[0].Request.MerchantReference != "o1-r2" {
		t.Errorf("rows %+v", got)
	}
	j.SetStatus(ctx, up.ID, StatusClosed, "")
	u, _ := j.ByBatch(ctx, "B7")
	if u.Status != StatusClosed || u.ClosedAt.IsZero() || u.Total != 300 {
		t.Errorf("upload %+v", u)
	}
	if byIBAN, _ := j.RowsByIBAN(ctx, "SA2"); len(byIBAN) != 1 || byIBAN[0].Row != 3 {
		t.Errorf("by IBAN %+v", byIBAN)
	}
	j.RecordCall(ctx, Call{UploadID: up.ID, Call: "new", Outcome: "ok"})
	if calls, _ := j.Calls(ctx, up.ID); len(calls) != 1 {
		t.Errorf("calls %v", calls)
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	a, _ := Open(dir)
	defer a.Close()
	b, _ := Open(dir)
	defer b.Close()
	unlock, err := a.Lock()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(); !errors.Is(err, ErrBusy) {
		t.Fatalf("second lock: %v", err)
	}
	unlock()
	unlock2, err := b.Lock()
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	unlock2()
}

// TestMigratesAnOlderJournal: a journal of the first release (no pay
// periods) opens; its uploads belong to the month they were made in.
func TestMigratesAnOlderJournal(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	old := `CREATE TABLE uploads (id INTEGER PRIMARY KEY, file TEXT NOT NULL, file_hash TEXT NOT NULL, order_id TEXT NOT NULL UNIQUE,
	batch_id TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, count INTEGER NOT NULL, total INTEGER NOT NULL, page_size INTEGER NOT NULL,
	pages INTEGER NOT NULL, results_path TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, closed_at TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '');
	CREATE TABLE rows (upload_id INTEGER NOT NULL REFERENCES uploads(id), idx INTEGER NOT NULL, row INTEGER NOT NULL, employee_id TEXT NOT NULL,
	page INTEGER NOT NULL, ref TEXT NOT NULL, iban TEXT NOT NULL, amount INTEGER NOT NULL, request TEXT NOT NULL, entry_id TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT '', fee INTEGER NOT NULL DEFAULT 0, entry_total INTEGER NOT NULL DEFAULT 0, protocol_message TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (upload_id, idx), UNIQUE (upload_id, ref));
	INSERT INTO uploads (file, file_hash, order_id, batch_id, status, count, total, page_size, pages, created_at)
	VALUES ('march.xlsx', 'h', 'o1', '1001', 'closed', 1, 100, 100, 1, '2026-03-25T10:00:00Z');
	INSERT INTO rows (upload_id, idx, row, employee_id, page, ref, iban, amount, request) VALUES (1, 0, 2, '', 0, 'o1-r2', 'SA1', 100, '{"beneficiary_account_number":"SA1","amount":1.00}');`
	if _, err := db.Exec(old); err != nil {
		t.Fatal(err)
	}
	db.Close()
	j, err := Open(dir)
	if err != nil {
		t.Fatalf("an older journal does not open: %v", err)
	}
	defer j.Close()
	u, err := j.ByOrder(context.Background(), "o1")
	if err != nil || u.Period != "2026-03" || u.Endpoint != "" {
		t.Fatalf("upload %+v %v", u, err)
	}
	ps, err := j.PeriodRows(context.Background(), "2026-03", "sandbox")
	if err != nil || len(ps) != 1 || ps[0].Occurrence != 1 || ps[0].Upload.BatchID != "1001" {
		t.Fatalf("period rows %+v %v", ps, err)
	}
}

// TestOpenTightensPermissions: a state directory or journal readable by
// others is made the owner's alone.
func TestOpenTightensPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Join(dir, "journal.db"), 0o644)
	j, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "journal.db"): 0o600} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
}

// TestNewJournalPages: a new journal has pages of 64 KiB and a write-ahead
// log; a journal made before, with SQLite's 4 KiB pages, keeps them and
// works as before.
func TestNewJournalPages(t *testing.T) {
	pages := func(j *Journal) (int, string) {
		t.Helper()
		var size int
		var mode string
		if err := j.db.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
			t.Fatal(err)
		}
		if err := j.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		return size, mode
	}
	j, err := Open(filepath.Join(t.TempDir(), "new"))
	if err != nil {
		t.Fatal(err)
	}
	if size, mode := pages(j); size != pageSize || mode != "wal" {
		t.Errorf("a new journal: pages of %d bytes, journal mode %s", size, mode)
	}
	j.Close()

	dir := filepath.Join(t.TempDir(), "old")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "journal.db")+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	if err := prepare(old); err != nil {
		t.Fatal(err)
	}
	old.Close()
	j, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if size, mode := pages(j); size != 4096 || mode != "wal" {
		t.Errorf("an older journal: pages of %d bytes, journal mode %s", size, mode)
	}
	up := &Upload{File: "/f.csv", FileHash: "h", Period: "2026-11", OrderID: "o", Count: 1, Total: 5, PageSize: 1, Pages: 1}
	if err := j.Plan(context.Background(), up, []Row{{Row: 2, Request: payout.Request{IBAN: "SA0380000000608010167519", Amount: 5, MerchantReference: "r"}}}); err != nil {
		t.Fatal(err)
	}
	if rows, err := j.Rows(context.Background(), up.ID); err != nil || len(rows) != 1 || rows[0].Request.MerchantReference != "r" {
		t.Fatalf("rows %+v, %v", rows, err)
	}
}
