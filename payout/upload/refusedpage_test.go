package upload_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/journal"
	"payroll/payout/upload"
)

// refusedOnPageTwo pays seven people in pages of three to a server that
// refuses the second page as invalid (a rule of Clickpay's the sheet's
// checks do not know), and returns the stop.
func refusedOnPageTwo(t *testing.T, o *office, people []person) error {
	t.Helper()
	o.sim.Inject(clickpaysim.Fault{Call: "add", N: 1, Kind: clickpaysim.Refuse})
	path := o.sheet("march.csv", people)
	u, p, err := o.prepare(o.j, path, o.options("2026-11"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = u.Pay(context.Background(), p)
	return err
}

// closeInTheDashboard closes batch 1001, stopped after its first page of
// three people, as a person would in Clickpay's dashboard.
func closeInTheDashboard(t *testing.T, o *office) {
	t.Helper()
	if _, err := o.client.Close(context.Background(), "1001", 3, payout.Amount(3000_00)); err != nil {
		t.Fatal(err)
	}
}

// eachPaidOnce fails the test unless every person is in exactly one
// closed batch on the server.
func eachPaidOnce(t *testing.T, o *office, people []person) {
	t.Helper()
	paid := o.paidOnServer(people)
	for _, pr := range people {
		if paid[saIBAN(pr.id)] != 1 {
			t.Errorf("employee %d paid %d times", pr.id, paid[saIBAN(pr.id)])
		}
	}
}

// TestCorrectedSheetAfterARefusedPage: Clickpay refused a page of a batch
// as invalid. Sent again it is refused again, so the upload stops as not
// matching its plan (never "run it again"), the batch unclosed: nobody is
// paid. The corrected sheet with --force replaces it: the server is asked
// that the batch is still open, the plan says what it replaces, the old
// upload is abandoned, and everyone is paid once, in the new batch.
func TestCorrectedSheetAfterARefusedPage(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	people := everyone(7, "1000.00")
	err := refusedOnPageTwo(t, o, people)
	var stop *upload.StopError
	if !errors.As(err, &stop) || !errors.Is(err, payout.ErrMismatch) {
		t.Fatalf("a page refused as invalid: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"Clickpay refused page 2 of 3 (rows 5-7) as invalid", "batch 1001", "NOT closed", "--force", "Invalid beneficiary_name"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the stop does not say %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "run the same command again") {
		t.Errorf("the stop says to send the refused page again: %s", msg)
	}
	b, err := o.client.Query(ctx, "1001")
	if err != nil || !payout.BatchOpen(b.Status) || len(b.Entries) != 3 {
		t.Fatalf("batch 1001: %v, %+v", err, b)
	}
	opts := o.options("2026-11")
	people[4].amount = "1200.00" // on the refused page
	fixed := o.sheet("march-fixed.csv", people)
	if _, _, err := o.prepare(o.j, fixed, opts); !errors.Is(err, payout.ErrMismatch) || !strings.Contains(err.Error(), "rows 2, 3, 4 are in batch 1001") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("the corrected sheet without --force: %v", err)
	}

	opts.Force = true
	u, p, err := o.prepare(o.j, fixed, opts)
	if err != nil {
		t.Fatalf("the corrected sheet with --force: %v", err)
	}
	c := p.Compared
	if len(c.Paid) != 0 || len(c.Fresh) != 7 || len(c.Replaced) != 1 || filepath.Base(c.Replaced[0].File) != "march.csv" {
		t.Fatalf("compared: paid %d, fresh %d, replaced %+v", len(c.Paid), len(c.Fresh), c.Replaced)
	}
	out, err := u.Pay(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if out.Upload.BatchID == "1001" {
		t.Fatal("paid into the refused batch")
	}
	old, err := o.j.ByBatch(ctx, "1001")
	if err != nil || old.Status != journal.StatusAbandoned || !strings.Contains(old.Message, "replaced by a forced upload of march-fixed.csv") {
		t.Errorf("the refused upload: %v, %+v", err, old)
	}
	eachPaidOnce(t, o, people)
}

// TestForceLeavesABatchClosedInTheDashboard: after the refused page, a
// person closed the batch in the dashboard, so its three entries are
// paid. --force does not replace it: the server says it is closed, the
// rows of its first page count as paid (those of the pages never sent do
// not), and only the rest is paid.
func TestForceLeavesABatchClosedInTheDashboard(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	people := everyone(7, "1000.00")
	if err := refusedOnPageTwo(t, o, people); !errors.Is(err, payout.ErrMismatch) {
		t.Fatal(err)
	}
	closeInTheDashboard(t, o)
	opts := o.options("2026-11")
	opts.Force = true
	people[4].amount = "1200.00"
	u, p, err := o.prepare(o.j, o.sheet("march-fixed.csv", people), opts)
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Compared; len(c.Replaced) != 0 || len(c.Paid) != 3 || len(c.Fresh) != 4 {
		t.Fatalf("compared: paid %d, fresh %d, replaced %+v", len(c.Paid), len(c.Fresh), c.Replaced)
	}
	// The rows it holds are said to be paid from it, not to wait for a
	// close that happened.
	for _, m := range p.Compared.Paid {
		if d := upload.DescribePrior(m.Prior); !strings.Contains(d, "no longer open (a person closed it in the dashboard), so the rows on it are paid from it") ||
			strings.Contains(d, "nobody on it is paid") {
			t.Errorf("row %d: %s", m.Row, d)
		}
	}
	if _, err := u.Pay(ctx, p); err != nil {
		t.Fatal(err)
	}
	eachPaidOnce(t, o, people)
}

// TestForceOfTheSameFileAfterTheDashboard: the same file with --force,
// after a person closed its unmatched batch in the dashboard, is refused:
// replacing that upload would abandon it, and its paid rows would count
// nowhere from then on.
func TestForceOfTheSameFileAfterTheDashboard(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	people := everyone(7, "1000.00")
	if err := refusedOnPageTwo(t, o, people); !errors.Is(err, payout.ErrMismatch) {
		t.Fatal(err)
	}
	closeInTheDashboard(t, o)
	opts := o.options("2026-11")
	opts.Force = true
	_, _, err := o.prepare(o.j, filepath.Join(o.dir, "march.csv"), opts)
	if !errors.Is(err, payout.ErrMismatch) || !strings.Contains(err.Error(), "batch 1001 of") || !strings.Contains(err.Error(), "no longer open") {
		t.Fatalf("--force of the same file: %v", err)
	}
	up, err := o.j.ByBatch(ctx, "1001")
	if err != nil || up.Status != journal.StatusMismatch {
		t.Errorf("the upload of batch 1001: %v, %+v", err, up)
	}
}

// TestForceAsksAgainBeforeReplacing: a person closes the unmatched batch
// while the corrected sheet's plan, which replaces it, waits to be
// confirmed. Paying asks Clickpay again: nothing is sent, the upload is
// kept, and started again the sheet pays only the rows that batch does
// not hold. The same holds for the same file with --force.
func TestForceAsksAgainBeforeReplacing(t *testing.T) {
	ctx := context.Background()
	for _, same := range []bool{false, true} {
		o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
		people := everyone(7, "1000.00")
		if err := refusedOnPageTwo(t, o, people); !errors.Is(err, payout.ErrMismatch) {
			t.Fatal(err)
		}
		opts := o.options("2026-11")
		opts.Force = true
		path := filepath.Join(o.dir, "march.csv")
		if !same {
			people[4].amount = "1200.00"
			path = o.sheet("march-fixed.csv", people)
		}
		u, p, err := o.prepare(o.j, path, opts)
		if err != nil {
			t.Fatal(err)
		}
		closeInTheDashboard(t, o)
		if _, err := u.Pay(ctx, p); !errors.Is(err, payout.ErrResumable) || !strings.Contains(err.Error(), "batch 1001 of") || !strings.Contains(err.Error(), "no longer open") {
			t.Fatalf("same file %v: paying after the dashboard: %v", same, err)
		}
		if up, err := o.j.ByBatch(ctx, "1001"); err != nil || up.Status != journal.StatusMismatch {
			t.Fatalf("same file %v: the upload of batch 1001: %v, %+v", same, err, up)
		}
		if _, err := o.client.Query(ctx, "1002"); err == nil {
			t.Fatalf("same file %v: a batch was created", same)
		}
		u, p, err = o.prepare(o.j, path, opts)
		if same {
			if !errors.Is(err, payout.ErrMismatch) {
				t.Fatalf("the same file again: %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.Pay(ctx, p); err != nil {
			t.Fatal(err)
		}
		eachPaidOnce(t, o, people)
	}
}
