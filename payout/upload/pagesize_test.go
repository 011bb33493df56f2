package upload_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/journal"
	"payroll/payout/upload"
)

// TestPagesTooLargeForTheServer: a server that refuses pages of the size
// planned (Clickpay's limit is not public) refuses the batch's creation,
// and nothing is applied; run again with a smaller page size, the upload
// is planned again and everyone is paid once. An upload whose creation may
// have been applied is never planned again.
func TestPagesTooLargeForTheServer(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{MaxRequests: 2}, clickpay.Paths{})
	people := everyone(5, "1000.00")
	sheet := o.sheet("big-pages.csv", people)
	opts := o.options("2026-11")
	u, p, err := o.prepare(o.j, sheet, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Pay(context.Background(), p); !errors.Is(err, payout.ErrResumable) || !strings.Contains(err.Error(), "if the pages are too large for it, upload it again with a smaller --page-size") ||
		!strings.Contains(err.Error(), "at most 2 requests per call") {
		t.Fatalf("pages of 3 to a server that takes 2: %v", err)
	}
	// The same size again resumes the same plan (and fails the same way).
	if u, p, err = o.prepare(o.j, sheet, opts); err != nil || p.Resume == nil {
		t.Fatalf("the same page size: %v, resume %v", err, p.Resume)
	}
	p.Close()
	opts.PageSize = 2
	_, out := o.pay(o.j, sheet, opts)
	if out.Upload.PageSize != 2 || out.Upload.Status != journal.StatusClosed {
		t.Fatalf("upload %+v", out.Upload)
	}
	for _, pr := range people {
		if n := o.paidOnServer(people)[saIBAN(pr.id)]; n != 1 {
			t.Errorf("employee %d paid %d times", pr.id, n)
		}
	}
	all, _ := o.j.All(context.Background())
	if len(all) != 2 || all[0].Status != journal.StatusAbandoned {
		t.Errorf("uploads %+v", all)
	}
	// The upload that never reached Clickpay held no results sheet: the
	// one planned again writes the sheet's own, not a "-2" beside it.
	if want := upload.DefaultResultsPath(sheet); out.Upload.ResultsPath != want || all[0].ResultsPath != want {
		t.Errorf("results at %s (the abandoned upload's %s), want %s", out.Upload.ResultsPath, all[0].ResultsPath, want)
	}
	if _, err := os.Stat(out.Upload.ResultsPath); err != nil {
		t.Error(err)
	}

	// A create whose outcome was unknown is not planned again.
	o2 := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	o2.sim.Inject(clickpaysim.Fault{Call: "new", Kind: clickpaysim.Fail500})
	sheet2 := o2.sheet("unknown.csv", people)
	u, p, err = o2.prepare(o2.j, sheet2, o2.options("2026-11"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Pay(context.Background(), p); err == nil {
		t.Fatal("creates that always end unknown: no error")
	}
	opts2 := o2.options("2026-11")
	opts2.PageSize = 2
	if _, p, err = o2.prepare(o2.j, sheet2, opts2); err != nil || p.Resume == nil {
		t.Fatalf("an upload whose create may have been applied was planned again: %v", err)
	}
	p.Close()
}

// TestCorrectedSheetAfterARefusedCreate: Clickpay refused the batch of a
// sheet, so nothing of it was applied; HR uploads a corrected sheet (one
// salary changed) instead of the same file. The refused upload pays nobody,
// so it neither blocks the corrected sheet ("already paid") nor stays to
// be resumed later: paying the corrected sheet abandons it, and the first
// file uploaded again is compared with what the corrected one paid.
// An upload whose create may have been applied still counts, and one that
// holds none of the sheet's people is left alone.
func TestCorrectedSheetAfterARefusedCreate(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, clickpaysim.Config{MaxRequests: 2}, clickpay.Paths{})
	people := everyone(5, "1000.00")
	first := o.sheet("march.csv", people)
	opts := o.options("2026-11") // pages of 3: refused by this server
	u, p, err := o.prepare(o.j, first, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Pay(ctx, p); !errors.Is(err, payout.ErrResumable) || !payout.NotAppliedCall(err) {
		t.Fatalf("pages of 3 to a server that takes 2: %v", err)
	}
	// Another department's sheet, planned and refused the same way.
	other := o.sheet("drivers.csv", []person{{id: 20, amount: "500.00"}, {id: 21, amount: "500.00"}, {id: 22, amount: "500.00"}})
	if u, p, err = o.prepare(o.j, other, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Pay(ctx, p); !errors.Is(err, payout.ErrResumable) {
		t.Fatalf("drivers: %v", err)
	}

	people[4].amount = "1200.00"
	fixed := o.sheet("march-fixed.csv", people)
	opts.PageSize = 2
	u, p, err = o.prepare(o.j, fixed, opts)
	if err != nil {
		t.Fatalf("the corrected sheet: %v", err)
	}
	c := p.Compared
	if len(c.Paid) != 0 || len(c.Different) != 0 || len(c.Fresh) != 5 || len(c.Unsent) != 1 || filepath.Base(c.Unsent[0].File) != "march.csv" {
		t.Fatalf("the corrected sheet compared: paid %d, different %d, fresh %d, unsent %+v", len(c.Paid), len(c.Different), len(c.Fresh), c.Unsent)
	}
	if _, err := u.Pay(ctx, p); err != nil {
		t.Fatalf("paying the corrected sheet: %v", err)
	}
	paid := o.paidOnServer(people)
	for _, pr := range people {
		if paid[saIBAN(pr.id)] != 1 {
			t.Errorf("employee %d paid %d times", pr.id, paid[saIBAN(pr.id)])
		}
	}
	all, err := o.j.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]*journal.Upload{}
	for _, up := range all {
		byFile[filepath.Base(up.File)] = up
	}
	if up := byFile["march.csv"]; up == nil || up.Status != journal.StatusAbandoned || !strings.Contains(up.Message, "replaced by an upload of march-fixed.csv") {
		t.Errorf("the refused upload: %+v", up)
	}
	if up := byFile["drivers.csv"]; up == nil || up.Status != journal.StatusPlanned {
		t.Errorf("another sheet's refused upload was touched: %+v", up)
	}

	// The first file again is a new upload, compared with what was paid:
	// nothing new, one row paid another amount.
	u, p, err = o.prepare(o.j, first, opts)
	if !errors.Is(err, payout.ErrInvalid) || p.Resume != nil || len(p.Compared.Paid) != 4 || len(p.Compared.Different) != 1 {
		t.Fatalf("the first file again: %v (compared %+v)", err, p.Compared)
	}
	if paid := o.paidOnServer(people); paid[saIBAN(5)] != 1 {
		t.Errorf("employee 5 paid %d times", paid[saIBAN(5)])
	}

	// A create whose outcome is unknown may have made a batch: its rows
	// count, and it is not abandoned.
	o2 := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	o2.sim.Inject(clickpaysim.Fault{Call: "new", Kind: clickpaysim.Fail500})
	people2 := everyone(3, "1000.00")
	if u, p, err = o2.prepare(o2.j, o2.sheet("april.csv", people2), o2.options("2026-12")); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Pay(ctx, p); err == nil {
		t.Fatal("creates that always end unknown: no error")
	}
	people2[2].amount = "1100.00"
	_, p, err = o2.prepare(o2.j, o2.sheet("april-fixed.csv", people2), o2.options("2026-12"))
	if !errors.Is(err, payout.ErrInvalid) || len(p.Compared.Unsent) != 0 || len(p.Compared.Paid) != 2 || len(p.Compared.Different) != 1 {
		t.Fatalf("after a create of unknown outcome: %v (compared %+v)", err, p.Compared)
	}
}
