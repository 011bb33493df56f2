package upload_test

import (
	"context"
	"errors"
	"io/fs"
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

// TestResultsWrittenOnTheNextRun: the results sheet's folder went away
// while the batch was paid. The payment stands: the stop says the batch is
// closed, that once the cause is put right the same sheet started again
// writes the results (in each front end's words), and is of the kind of
// the failure behind it (a file error: the command exits 2).
// Started again, the upload writes the results from the closed batch and
// pays nobody a second time.
func TestResultsWrittenOnTheNextRun(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	people := everyone(4, "1000.00")
	path := o.sheet("march.csv", people)
	opts := o.options("2026-11")
	out := filepath.Join(t.TempDir(), "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	opts.Results = filepath.Join(out, "march.results.xlsx")
	u, p, err := o.prepare(o.j, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	_, err = u.Pay(ctx, p)
	var stop *upload.StopError
	var pe *fs.PathError
	if !errors.As(err, &stop) || !errors.As(err, &pe) || errors.Is(err, payout.ErrResumable) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("paid, results not written: %T %v", err, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "is closed, but the results sheet was not written") || !strings.Contains(msg, "the folder "+out+" does not exist") ||
		!strings.Contains(msg, "correct it, then run the same command again") {
		t.Errorf("the command line's message: %s", msg)
	}
	if msg := stop.Say(upload.Words{Again: "upload the same sheet again"}); strings.Contains(msg, "command") || !strings.Contains(msg, "upload the same sheet again") {
		t.Errorf("in other words: %s", msg)
	}

	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	u, p, err = o.prepare(o.j, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if p.Resume == nil || p.Resume.Status != journal.StatusClosed {
		t.Fatalf("started again: resumes %+v", p.Resume)
	}
	res, err := u.Pay(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Upload.ResultsWritten || len(res.Results) != len(people) {
		t.Errorf("results written %v, %d rows", res.Upload.ResultsWritten, len(res.Results))
	}
	if _, err := os.Stat(opts.Results); err != nil {
		t.Error(err)
	}
	paid := o.paidOnServer(people)
	for _, pr := range people {
		if paid[saIBAN(pr.id)] != 1 {
			t.Errorf("employee %d paid %d times", pr.id, paid[saIBAN(pr.id)])
		}
	}
}
