package upload_test

import (
	"context"
	"errors"
	"testing"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/journal"
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
	if _, err := u.Pay(context.Background(), p); !errors.Is(err, payout.ErrResumable) {
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
