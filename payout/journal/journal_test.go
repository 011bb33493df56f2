package journal

import (
	"context"
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
	if err := j.UpdateEntries(ctx, up.ID, []EntryUpdate{{Index: 1, EntryID: "77", Status: "Paid", Fee: 5, Total: 205}}); err != nil {
		t.Fatal(err)
	}
	got, _ := j.Rows(ctx, up.ID)
	if got[1].EntryID != "77" || got[1].Status != "Paid" || got[1].Total != 205 || got[0].EmployeeID != "E1" || got[0].Request.MerchantReference != "o1-r2" {
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
