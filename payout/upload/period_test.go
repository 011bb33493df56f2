package upload_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/journal"
	"payroll/payout/upload"
)

// person is one row of a generated sheet.
type person struct {
	id     int
	amount string
	iban   string // "" for the person's own valid IBAN
}

// office is a simulator, a client and a journal, like one machine paying
// through one Clickpay account.
type office struct {
	t      *testing.T
	dir    string
	sim    *clickpaysim.Server
	client *clickpay.Client
	j      *journal.Journal
}

func newOffice(t *testing.T, cfg clickpaysim.Config, paths clickpay.Paths) *office {
	t.Helper()
	cfg.ServerKey = "k"
	sim, err := clickpaysim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	o := &office{t: t, dir: t.TempDir(), sim: sim}
	o.client = o.clientFor(srv.URL, paths)
	o.j = o.journal()
	return o
}

func (o *office) clientFor(url string, paths clickpay.Paths) *clickpay.Client {
	c, err := clickpay.New(clickpay.Config{BaseURL: url, ServerKey: "k", ProfileID: clickpaysim.DefaultProfileID, AccountID: clickpaysim.DefaultAccountID,
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, Paths: paths,
		Retry: clickpay.Retry{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond, Budget: time.Second}})
	if err != nil {
		o.t.Fatal(err)
	}
	return c
}

// journal opens a new journal: another machine, or a lost one.
func (o *office) journal() *journal.Journal {
	j, err := journal.Open(o.t.TempDir())
	if err != nil {
		o.t.Fatal(err)
	}
	o.t.Cleanup(func() { j.Close() })
	return j
}

// sheet writes a CSV salary sheet and returns its path.
func (o *office) sheet(name string, people []person) string {
	var b strings.Builder
	b.WriteString("Employee ID,Employee Name,IBAN,Net Salary,Mobile,Email,Address\n")
	for _, p := range people {
		iban := p.iban
		if iban == "" {
			iban = saIBAN(p.id)
		}
		fmt.Fprintf(&b, "E%d,Employee %d,%s,%s,0501234567,e%d@example.com,Street %d\n", p.id, p.id, iban, p.amount, p.id, p.id)
	}
	path := filepath.Join(o.dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		o.t.Fatal(err)
	}
	return path
}

func (o *office) options(period string) upload.Options {
	return upload.Options{Period: period, Endpoint: "test", AskServer: true, PageSize: 3}
}

// prepare runs PrepareFile with an uploader on journal j.
func (o *office) prepare(j *journal.Journal, path string, opts upload.Options) (*upload.Uploader, *upload.Prepared, error) {
	u := &upload.Uploader{API: o.client.Payouts(), Journal: j}
	p, err := u.PrepareFile(context.Background(), path, opts)
	return u, p, err
}

// pay prepares and pays a sheet, failing the test on any error.
func (o *office) pay(j *journal.Journal, path string, opts upload.Options) (*upload.Prepared, *upload.Outcome) {
	o.t.Helper()
	u, p, err := o.prepare(j, path, opts)
	if err != nil {
		o.t.Fatalf("prepare %s: %v", filepath.Base(path), err)
	}
	out, err := u.Pay(context.Background(), p)
	if err != nil {
		o.t.Fatalf("pay %s: %v", filepath.Base(path), err)
	}
	return p, out
}

// paidOnServer counts, per IBAN, the entries of closed batches on the server.
func (o *office) paidOnServer(people []person) map[string]int {
	o.t.Helper()
	got := map[string]int{}
	for id := 1001; ; id++ {
		b, err := o.client.Query(context.Background(), clickpay.ID(fmt.Sprint(id)))
		if err != nil {
			break
		}
		if !payout.BatchClosed(b.Status) {
			continue
		}
		for _, e := range b.Entries {
			got[e.IBAN]++
		}
	}
	return got
}

func everyone(n int, amount string) []person {
	var ps []person
	for i := 1; i <= n; i++ {
		ps = append(ps, person{id: i, amount: amount})
	}
	return ps
}

// TestFixAndReuploadPaysOnlyWhatIsNew: finding 1. A sheet with an invalid
// row is paid with --skip-invalid; the fixed sheet pays only that row.
func TestFixAndReuploadPaysOnlyWhatIsNew(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	people := everyone(5, "1000.00")
	people[3].iban = "SA00BROKEN"
	opts := o.options("2026-11")
	opts.SkipInvalid = true
	o.pay(o.j, o.sheet("march.csv", people), opts)

	people[3].iban = ""
	// What was compared is read before Pay, which gives up the lines.
	u, p, err := o.prepare(o.j, o.sheet("march-fixed.csv", people), o.options("2026-11"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Compared.Paid) != 4 || len(p.Compared.Fresh) != 1 || p.Compared.Fresh[0].Row != 5 {
		t.Fatalf("paid %d, fresh %+v", len(p.Compared.Paid), p.Compared.Fresh)
	}
	out, err := u.Pay(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if out.Upload.Count != 1 {
		t.Errorf("the second batch has %d rows", out.Upload.Count)
	}
	for _, pr := range people {
		if n := o.paidOnServer(people)[saIBAN(pr.id)]; n != 1 {
			t.Errorf("employee %d paid %d times", pr.id, n)
		}
	}

	// An extended sheet (one more person) pays only the newcomer; the same
	// sheet again has nothing new.
	people = append(people, person{id: 6, amount: "500.00"})
	_, out = o.pay(o.j, o.sheet("march-more.csv", people), o.options("2026-11"))
	if out.Upload.Count != 1 || out.Upload.Total != 50000 {
		t.Errorf("extended sheet paid %d rows, SAR %s", out.Upload.Count, out.Upload.Total)
	}
	if _, _, err := o.prepare(o.j, o.sheet("march-copy.csv", people), o.options("2026-11")); !errors.Is(err, payout.ErrAlreadyUploaded) {
		t.Errorf("the same file again: %v", err)
	}
	reordered := append([]person{people[5]}, people[:5]...)
	_, _, err = o.prepare(o.j, o.sheet("march-again.csv", reordered), o.options("2026-11"))
	if !errors.Is(err, payout.ErrNothingNew) || !strings.Contains(err.Error(), "already paid in pay period 2026-11") {
		t.Errorf("the same rows again: %v", err)
	}
}

// TestChangedAmountIsARowError: the same IBAN with another amount in the
// period is row.paid_different, naming the earlier batch and amount;
// --pay-again pays everyone a second time, with new references.
func TestChangedAmountIsARowError(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	people := everyone(3, "1000.00")
	_, first := o.pay(o.j, o.sheet("a.csv", people), o.options("2026-11"))
	people[1].amount = "1200.00"
	path := o.sheet("b.csv", people)
	_, p, err := o.prepare(o.j, path, o.options("2026-11"))
	if !errors.Is(err, payout.ErrInvalid) {
		t.Fatalf("changed amount: %v", err)
	}
	var found *payout.Problem
	for i, pr := range p.Result.Problems {
		if pr.Code == "row.paid_different" {
			found = &p.Result.Problems[i]
		}
	}
	if found == nil || found.Row != 3 || found.Column != "C" || !strings.Contains(found.Message, "1,000.00") || !strings.Contains(found.Message, "batch "+first.Upload.BatchID) {
		t.Fatalf("problem %+v", found)
	}
	report, err := os.ReadFile(strings.TrimSuffix(path, ".csv") + ".errors.csv")
	if err != nil || !strings.Contains(string(report), "row.paid_different") {
		t.Errorf("the error report does not have it: %v", err)
	}
	opts := o.options("2026-11")
	opts.SkipInvalid = true
	if _, _, err := o.prepare(o.j, path, opts); !errors.Is(err, payout.ErrNothingNew) {
		t.Errorf("--skip-invalid: %v", err)
	}
	opts = o.options("2026-11")
	opts.PayAgain = true
	u, p, err := o.prepare(o.j, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Plan.Lines) != 3 {
		t.Fatalf("--pay-again plans %d rows", len(p.Plan.Lines))
	}
	for _, l := range p.Plan.Lines {
		if l.Occurrence != 2 || l.Request.MerchantReference != upload.Reference("2026-11", l.Request.IBAN, 2) {
			t.Errorf("row %d: occurrence %d, reference %s", l.Row, l.Occurrence, l.Request.MerchantReference)
		}
	}
	out, err := u.Pay(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if out.Upload.Count != 3 || len(p.Compared.Paid) != 2 {
		t.Fatalf("--pay-again paid %d, with %d already paid", out.Upload.Count, len(p.Compared.Paid))
	}
}

// TestNewPeriodPaysTheSameSheet: an identical sheet is refused in its
// period and paid in the next one; a payment in the last 25 days in
// another period is shown.
func TestNewPeriodPaysTheSameSheet(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	path := o.sheet("salaries.csv", everyone(4, "3000.00"))
	o.pay(o.j, path, o.options("2026-11"))
	if _, _, err := o.prepare(o.j, path, o.options("2026-11")); !errors.Is(err, payout.ErrAlreadyUploaded) || !strings.Contains(err.Error(), "--pay-again") {
		t.Fatalf("same file, same period: %v", err)
	}
	p, out := o.pay(o.j, path, o.options("2026-12"))
	if out.Upload.Count != 4 || out.Upload.Period != "2026-12" {
		t.Fatalf("next period: %+v", out.Upload)
	}
	if len(p.Compared.Recent) != 4 || p.Compared.Recent[0].Prior.Period != "2026-11" {
		t.Errorf("recent payments in another period: %+v", p.Compared.Recent)
	}
}

// TestLostJournalFindsPaymentsOnTheServer: finding 2. Another machine (a
// new journal) finds the rows already paid through the search call, for a
// sheet too long for a search per row.
func TestLostJournalFindsPaymentsOnTheServer(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	people := everyone(100, "2000.00")
	o.pay(o.j, o.sheet("big.csv", people), o.options("2026-11"))

	other := o.journal()
	people = append(people, person{id: 101, amount: "2000.00"})
	people[49].amount = "2500.00"
	path := o.sheet("big-more.csv", people)
	_, p, err := o.prepare(other, path, o.options("2026-11"))
	if !errors.Is(err, payout.ErrInvalid) {
		t.Fatalf("changed amount found on the server only: %v", err)
	}
	if len(p.Compared.Different) != 1 || p.Compared.Different[0].Row != 51 || !p.Compared.Different[0].Prior.OnServer {
		t.Fatalf("different %+v", p.Compared.Different)
	}
	people[49].amount = "2000.00"
	p, out := o.pay(other, o.sheet("big-fixed.csv", people), o.options("2026-11"))
	if len(p.Compared.Paid) != 100 || out.Upload.Count != 1 || out.Upload.Total != 200000 {
		t.Fatalf("paid %d, sent %d rows SAR %s", len(p.Compared.Paid), out.Upload.Count, out.Upload.Total)
	}
	if got := o.paidOnServer(people); len(got) != 101 {
		t.Errorf("%d people paid", len(got))
	} else {
		for iban, n := range got {
			if n != 1 {
				t.Errorf("%s paid %d times", iban, n)
			}
		}
	}
	// A new sheet on a fresh journal is searched by sample, not row by row.
	fresh := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	fresh.pay(fresh.j, fresh.sheet("new.csv", everyone(100, "10.00")), fresh.options("2026-11"))
	if n := fresh.sim.Calls("search"); n > 10 {
		t.Errorf("%d searches for a new 100-row sheet", n)
	}
}

// TestServerWithoutSearchSaysSo: where the server has no search call, the
// journal is the only record, and the comparison says so.
func TestServerWithoutSearchSaysSo(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{Search: "/payout/batch/request/nosearch"})
	p, _ := o.pay(o.j, o.sheet("a.csv", everyone(2, "10.00")), o.options("2026-11"))
	if !p.Compared.NoSearch || !p.Compared.Asked {
		t.Errorf("compared %+v", p.Compared)
	}
}

// TestUnknownOpenStatusIsNotClosed: finding 5. A server that calls an open
// batch "Open" (or a word nobody knows) still gets its close call; the
// upload is not taken as closed before.
func TestUnknownOpenStatusIsNotClosed(t *testing.T) {
	for _, word := range []string{"Open", "Draft"} {
		o := newOffice(t, clickpaysim.Config{OpenStatus: word}, clickpay.Paths{})
		o.pay(o.j, o.sheet("a.csv", everyone(4, "10.00")), o.options("2026-11"))
		if o.sim.Calls("close") != 1 {
			t.Errorf("%s: %d close calls", word, o.sim.Calls("close"))
		}
		b, _ := o.client.Query(context.Background(), "1001")
		if !payout.BatchClosed(b.Status) {
			t.Errorf("%s: the batch is %s", word, b.Status)
		}
	}
}

// TestThreeDecimalFees: finding 6. A fee of 1.725 does not block the
// close; the results keep it as the server wrote it.
func TestThreeDecimalFees(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{FeeMills: 1725}, clickpay.Paths{})
	_, out := o.pay(o.j, o.sheet("a.csv", everyone(4, "10.00")), o.options("2026-11"))
	if o.sim.Calls("close") != 1 || out.Results[0].Fee != "1.725" || out.Results[0].Total != "11.725" {
		t.Fatalf("close calls %d, results %+v", o.sim.Calls("close"), out.Results[0])
	}
}

// TestForcedUploadResumes: finding 9. After a mismatch, --force starts a
// new batch; when that run is interrupted, the same command (with --force)
// continues it instead of abandoning it.
func TestForcedUploadResumes(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	path := o.sheet("a.csv", everyone(7, "10.00"))
	o.sim.Inject(clickpaysim.Fault{Call: "close", N: 1, Kind: clickpaysim.TooMany})
	o.sim.Inject(clickpaysim.Fault{Call: "close", N: 2, Kind: clickpaysim.TooMany})
	u, p, err := o.prepare(o.j, path, o.options("2026-11"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Pay(context.Background(), p); !errors.Is(err, payout.ErrResumable) {
		t.Fatalf("first run: %v", err)
	}
	// Someone adds an entry to the batch: it no longer matches.
	intruder := lines(1)[0].Request
	intruder.MerchantReference = "intruder"
	if _, err := o.client.Add(context.Background(), "1001", p.Plan.OrderID, []payout.Request{intruder}); err != nil {
		t.Fatal(err)
	}
	u, p, err = o.prepare(o.j, path, o.options("2026-11"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Pay(context.Background(), p); !errors.Is(err, payout.ErrMismatch) {
		t.Fatalf("mismatch: %v", err)
	}

	forced := o.options("2026-11")
	forced.Force = true
	ctx, cancel := context.WithCancel(context.Background())
	u, p, err = o.prepare(o.j, path, forced)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Compared.Fresh) != 7 {
		t.Fatalf("the mismatched batch's rows counted as paid: %+v", p.Compared)
	}
	u.Progress = func(sent, total int) {
		if sent >= 3 {
			cancel()
		}
	}
	if _, err := u.Pay(ctx, p); !errors.Is(err, payout.ErrResumable) {
		t.Fatalf("interrupted forced run: %v", err)
	}
	_, out := o.pay(o.j, path, forced)
	if out.Upload.BatchID != "1002" || !out.Resumed {
		t.Errorf("the rerun of --force did not continue batch 1002: %+v resumed=%v", out.Upload, out.Resumed)
	}
	if o.sim.Calls("new") != 2 {
		t.Errorf("%d batches created", o.sim.Calls("new"))
	}
	ups, _ := o.j.All(context.Background())
	if len(ups) != 2 || ups[0].Status != journal.StatusAbandoned || upload.OpenNote(ups[0]) == "" {
		t.Errorf("the replaced batch is not reported as left open: %+v", ups[0])
	}
}

// TestCrashAfterCloseFinishesTheResults: finding 10. When the results
// sheet was never written after close, the same command writes it and
// succeeds, sending nothing.
func TestCrashAfterCloseFinishesTheResults(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	path := o.sheet("a.csv", everyone(3, "10.00"))
	u, p, err := o.prepare(o.j, path, o.options("2026-11"))
	if err != nil {
		t.Fatal(err)
	}
	up, _, err := u.Prepare(context.Background(), p.Plan, false, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Run(context.Background(), up); err != nil { // closed; killed before the results sheet
		t.Fatal(err)
	}
	p.Close()
	results := strings.TrimSuffix(path, ".csv") + ".results.xlsx"
	if _, err := os.Stat(results); err == nil {
		t.Fatal("results written too early")
	}
	_, out := o.pay(o.j, path, o.options("2026-11"))
	if !out.Resumed || out.Upload.BatchID != "1001" || len(out.Results) != 3 || o.sim.Calls("new") != 1 || o.sim.Calls("close") != 1 {
		t.Fatalf("rerun: %+v", out)
	}
	if _, err := os.Stat(results); err != nil {
		t.Fatal(err)
	}
	if _, _, err := o.prepare(o.j, path, o.options("2026-11")); !errors.Is(err, payout.ErrAlreadyUploaded) {
		t.Errorf("after the results: %v", err)
	}
}

// TestOutputsNeverReplaceTheInput: finding 7, and a file that is not ours.
func TestOutputsNeverReplaceTheInput(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	path := o.sheet("march.csv", everyone(2, "10.00"))
	before, _ := os.ReadFile(path)
	for _, opts := range []upload.Options{{Results: path}, {Report: payout.ReportOptions{Path: path}}} {
		opts.Period, opts.Endpoint = "2026-11", "test"
		_, _, err := o.prepare(o.j, path, opts)
		var oe *payout.OutputError
		if !errors.As(err, &oe) || !oe.Input {
			t.Errorf("%+v: %v", opts, err)
		}
	}
	mine := filepath.Join(o.dir, "budget.xlsx")
	os.WriteFile(mine, []byte("my own workbook"), 0o600)
	_, _, err := o.prepare(o.j, path, upload.Options{Period: "2026-11", Endpoint: "test", Results: mine})
	var oe *payout.OutputError
	if !errors.As(err, &oe) || oe.Input {
		t.Errorf("a file of the user's as results: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the input was changed")
	}
	if b, _ := os.ReadFile(mine); string(b) != "my own workbook" {
		t.Error("the user's file was changed")
	}
}

// TestBeginStopsOnJournalErrors: finding 14. A journal that fails is an
// error, never a loop.
func TestBeginStopsOnJournalErrors(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	u := &upload.Uploader{API: o.client.Payouts(), Journal: o.j}
	plan, err := upload.NewPlan("/f.csv", strings.Repeat("ef", 32), "2026-03", "payroll-20260301-efefefefef", fresh(lines(2)), 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Begin(context.Background(), plan, false); err != nil {
		t.Fatal(err)
	}
	o.j.Close()
	done := make(chan error, 1)
	go func() {
		_, err := u.Begin(context.Background(), plan, false)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a closed journal recorded a plan")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Begin loops on a journal error")
	}
}

// TestDescribeAnOpenPrior: a batch not closed yet pays nobody, and the
// description says so, with what finishes it.
func TestDescribeAnOpenPrior(t *testing.T) {
	day := time.Date(2026, 11, 27, 10, 0, 0, 0, time.Local)
	for _, tt := range []struct {
		p    upload.Prior
		want string
	}{
		{upload.Prior{BatchID: "1001", File: "/data/may.csv", Date: day, Open: true}, "batch 1001 on 2026-11-27, not closed yet: nobody on it is paid until the upload of may.csv is finished"},
		{upload.Prior{BatchID: "1002", Date: day, Open: true, OnServer: true}, "batch 1002 on 2026-11-27, found on the server, not closed yet: nobody on it is paid until it is closed"},
		{upload.Prior{BatchID: "1003", File: "/data/may.csv", Date: day}, "batch 1003 on 2026-11-27"},
		{upload.Prior{BatchID: "1004", File: "/data/may.csv", Date: day, Open: true, Unmatched: true},
			"batch 1004 on 2026-11-27, which did not match its plan and was not closed: nobody on it is paid unless a person closes it in the Clickpay dashboard"},
	} {
		if got := upload.DescribePrior(tt.p); got != tt.want {
			t.Errorf("DescribePrior = %q, want %q", got, tt.want)
		}
	}
}
