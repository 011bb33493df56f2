package upload_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/journal"
	"payroll/payout/upload"
)

func saIBAN(account int) string {
	bban := fmt.Sprintf("80%018d", account)
	return "SA" + payout.IBANCheckDigits("SA", bban) + bban
}

func lines(n int) []payout.Line {
	var out []payout.Line
	for i := 0; i < n; i++ {
		out = append(out, payout.Line{Row: i + 2, EmployeeID: fmt.Sprintf("E%d", i), Request: payout.Request{
			Amount: payout.Amount(100000 + i*101), Name: fmt.Sprintf("Employee %d", i), Country: "SA", IBAN: saIBAN(1000 + i),
			Bank: "RJHISARI", Email: "e@example.com", Mobile: "+966501234567", Address1: "Street", TransferCode: payout.Salary}})
	}
	return out
}

// fresh makes checked lines into lines to pay, each the first payment of
// its IBAN in the period.
func fresh(ls []payout.Line) []upload.Line {
	out := make([]upload.Line, len(ls))
	for i, l := range ls {
		out[i] = upload.Line{Row: l.Row, EmployeeID: l.EmployeeID, Request: l.Request, Occurrence: 1}
	}
	return out
}

// checked turns planned lines back into checked lines.
func checked(ls []upload.Line) []payout.Line {
	out := make([]payout.Line, len(ls))
	for i, l := range ls {
		out[i] = payout.Line{Row: l.Row, EmployeeID: l.EmployeeID, Request: l.Request}
	}
	return out
}

type harness struct {
	t      *testing.T
	sim    *clickpaysim.Server
	client *clickpay.Client
	j      *journal.Journal
	plan   *upload.Plan
}

func newHarness(t *testing.T, simCfg clickpaysim.Config, rows, pageSize int) *harness {
	return newHarnessPaths(t, simCfg, rows, pageSize, clickpay.Paths{})
}

func newHarnessPaths(t *testing.T, simCfg clickpaysim.Config, rows, pageSize int, paths clickpay.Paths) *harness {
	t.Helper()
	simCfg.ServerKey = "k"
	sim, err := clickpaysim.New(simCfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	client, err := clickpay.New(clickpay.Config{BaseURL: srv.URL, ServerKey: "k", ProfileID: clickpaysim.DefaultProfileID, AccountID: clickpaysim.DefaultAccountID,
		HTTPClient: &http.Client{Timeout: 250 * time.Millisecond}, Paths: paths,
		Retry: clickpay.Retry{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond, Budget: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	plan, err := upload.NewPlan("/work/march.xlsx", strings.Repeat("ab", 32), "2026-03", "payroll-20260325-abababab", fresh(lines(rows)), pageSize)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, sim: sim, client: client, j: j, plan: plan}
}

// upload runs the upload the way a user does: run, and on a resumable stop
// run the same command again. It returns the last error.
func (h *harness) upload(maxRuns int) ([]journal.Row, error) {
	var err error
	var rows []journal.Row
	for i := 0; i < maxRuns; i++ {
		u := &upload.Uploader{API: h.client.Payouts(), Journal: h.j}
		var up *journal.Upload
		up, _, err = u.Prepare(context.Background(), h.plan, false, false, false)
		if err != nil {
			return nil, err
		}
		rows, err = u.Run(context.Background(), up)
		if err == nil {
			// As Pay does once the results sheet is written.
			return rows, h.j.SetResultsWritten(context.Background(), up.ID)
		}
		if !errors.Is(err, payout.ErrResumable) {
			return rows, err
		}
	}
	return rows, err
}

// checkExactlyOnce asserts that the server holds every row exactly once, in
// one closed batch with the right count and total.
func (h *harness) checkExactlyOnce(rows []journal.Row) {
	h.t.Helper()
	ctx := context.Background()
	batches := map[clickpay.ID]bool{}
	for _, l := range h.plan.Lines {
		found, err := h.client.Search(ctx, l.Request.MerchantReference)
		if err != nil {
			h.t.Fatal(err)
		}
		if len(found) != 1 {
			h.t.Fatalf("row %d is on the server %d times", l.Row, len(found))
		}
		batches[found[0].BatchID] = true
	}
	if len(batches) != 1 {
		h.t.Fatalf("rows spread over %d batches", len(batches))
	}
	for id := range batches {
		b, err := h.client.Query(ctx, id)
		if err != nil {
			h.t.Fatal(err)
		}
		if !payout.BatchClosed(b.Status) || int(b.Count) != h.plan.Count || b.Total != payout.DecimalOf(h.plan.Total) {
			h.t.Fatalf("batch %s: status %s count %d total %s; plan %d %s", id, b.Status, b.Count, b.Total, h.plan.Count, h.plan.Total)
		}
	}
	if len(rows) != h.plan.Count {
		h.t.Fatalf("%d rows back", len(rows))
	}
	ids := map[string]bool{}
	for _, r := range rows {
		if r.EntryID == "" || ids[r.EntryID] {
			h.t.Fatalf("row %d has entry id %q", r.Row, r.EntryID)
		}
		ids[r.EntryID] = true
	}
}

// TestFaultsAtEveryCall injects each fault kind at each call position
// (new, each add, close) and checks that after the upload and any resume
// the server holds every row exactly once in one batch closed once.
func TestFaultsAtEveryCall(t *testing.T) {
	kinds := map[string]clickpaysim.FaultKind{"500": clickpaysim.Fail500, "cut": clickpaysim.ApplyThenCut, "slow": clickpaysim.ApplySlow, "429": clickpaysim.TooMany}
	positions := []struct {
		call string
		n    int
	}{{"new", 1}, {"add", 1}, {"add", 2}, {"add", 3}, {"close", 1}}
	for _, echo := range []bool{true, false} {
		for kname, kind := range kinds {
			for _, pos := range positions {
				name := fmt.Sprintf("echo=%v/%s/%s#%d", echo, kname, pos.call, pos.n)
				t.Run(name, func(t *testing.T) {
					h := newHarness(t, clickpaysim.Config{OmitReference: !echo}, 7, 2) // 4 pages: new + 3 adds
					h.sim.Inject(clickpaysim.Fault{Call: pos.call, N: pos.n, Kind: kind, Delay: time.Second})
					rows, err := h.upload(4)
					if err != nil {
						t.Fatalf("upload: %v", err)
					}
					h.checkExactlyOnce(rows)
					if got := h.sim.Calls("close"); got > 2 {
						t.Errorf("%d close calls", got)
					}
				})
			}
		}
	}
}

// TestRepeatedFaultsStopAndResume: a call that keeps failing without being
// applied stops the upload with a resumable error; the next run finishes it
// exactly once. Calls that were applied before the cut are found by the
// query and finish within the same run.
func TestRepeatedFaultsStopAndResume(t *testing.T) {
	h := newHarness(t, clickpaysim.Config{}, 9, 3)
	for n := 1; n <= 6; n++ {
		h.sim.Inject(clickpaysim.Fault{Call: "add", N: n, Kind: clickpaysim.Fail500})
	}
	_, err := h.upload(1)
	if !errors.Is(err, payout.ErrResumable) || !strings.Contains(err.Error(), "run the same command again") {
		t.Fatalf("first run: %v", err)
	}
	rows, err := h.upload(3)
	if err != nil {
		t.Fatal(err)
	}
	h.checkExactlyOnce(rows)

	h = newHarness(t, clickpaysim.Config{}, 9, 3)
	for n := 1; n <= 6; n++ {
		h.sim.Inject(clickpaysim.Fault{Call: "add", N: n, Kind: clickpaysim.ApplyThenCut})
	}
	if rows, err = h.upload(1); err != nil {
		t.Fatalf("cut connections: %v", err)
	}
	h.checkExactlyOnce(rows)
	if h.sim.Calls("add") != 2 {
		t.Errorf("%d add calls for 2 pages: an applied page was sent again", h.sim.Calls("add"))
	}
}

func TestMismatchIsNeverClosed(t *testing.T) {
	h := newHarness(t, clickpaysim.Config{}, 5, 2)
	for n := 1; n <= 3; n++ {
		h.sim.Inject(clickpaysim.Fault{Call: "close", N: n, Kind: clickpaysim.TooMany})
	}
	_, err := h.upload(1)
	if !errors.Is(err, payout.ErrResumable) {
		t.Fatalf("first run: %v", err)
	}
	// Someone adds an entry to our batch behind our back.
	up, _ := h.j.ByOrder(context.Background(), h.plan.OrderID)
	extra := lines(6)[5].Request
	extra.MerchantReference = "intruder"
	if _, err := h.client.Add(context.Background(), clickpay.ID(up.BatchID), up.OrderID, []payout.Request{extra}); err != nil {
		t.Fatal(err)
	}
	_, err = h.upload(1)
	if !errors.Is(err, payout.ErrMismatch) || !strings.Contains(err.Error(), "NOT closed") {
		t.Fatalf("second run: %v", err)
	}
	if h.sim.Calls("close") != 3 {
		t.Errorf("close was called after the mismatch")
	}
	// Running again does not close it either; --force starts a new batch.
	if _, err := h.upload(1); !errors.Is(err, payout.ErrMismatch) {
		t.Errorf("third run: %v", err)
	}
	u := &upload.Uploader{API: h.client.Payouts(), Journal: h.j}
	up2, resumed, err := u.Prepare(context.Background(), h.plan, true, false, false)
	if err != nil || resumed || up2.OrderID == up.OrderID {
		t.Fatalf("force: %+v %v %v", up2, resumed, err)
	}
	if _, err := u.Run(context.Background(), up2); err != nil {
		t.Fatal(err)
	}
}

func TestInsufficientBalanceThenTopUp(t *testing.T) {
	h := newHarness(t, clickpaysim.Config{Balance: 1000}, 3, 2)
	_, err := h.upload(1)
	if !errors.Is(err, payout.ErrResumable) || !strings.Contains(err.Error(), "balance does not cover") || !strings.Contains(err.Error(), h.plan.Total.Grouped()) {
		t.Fatalf("low balance: %v", err)
	}
	h.sim.SetBalance(100_000_000)
	rows, err := h.upload(1)
	if err != nil {
		t.Fatal(err)
	}
	h.checkExactlyOnce(rows)
	if h.sim.Calls("new") != 1 {
		t.Errorf("a second batch was created")
	}
}

func TestAlreadyUploadedAndPayAgain(t *testing.T) {
	h := newHarness(t, clickpaysim.Config{}, 3, 2)
	if _, err := h.upload(1); err != nil {
		t.Fatal(err)
	}
	_, err := h.upload(1)
	var au *upload.AlreadyUploaded
	if !errors.As(err, &au) || !errors.Is(err, payout.ErrAlreadyUploaded) || !strings.Contains(err.Error(), "batch 1001") {
		t.Fatalf("second upload: %v", err)
	}
	u := &upload.Uploader{API: h.client.Payouts(), Journal: h.j}
	if _, _, err := u.Prepare(context.Background(), h.plan, true, false, false); !errors.Is(err, payout.ErrAlreadyUploaded) {
		t.Fatalf("--force is not --pay-again: %v", err)
	}
	up, _, err := u.Prepare(context.Background(), h.plan, false, true, false)
	if err != nil || !strings.HasSuffix(up.OrderID, "-2") {
		t.Fatalf("pay again: %+v %v", up, err)
	}
	if _, err := u.Run(context.Background(), up); err != nil {
		t.Fatal(err)
	}
	if h.sim.Calls("new") != 2 {
		t.Errorf("new calls %d", h.sim.Calls("new"))
	}
}

func TestCancelLeavesJournalResumable(t *testing.T) {
	h := newHarness(t, clickpaysim.Config{}, 20, 2)
	h.sim.Inject(clickpaysim.Fault{Call: "add", N: 4, Kind: clickpaysim.ApplySlow, Delay: 200 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	u := &upload.Uploader{API: h.client.Payouts(), Journal: h.j, Progress: func(sent, total int) {
		if sent >= 8 {
			cancel() // Ctrl-C during the slow call that follows
		}
	}}
	up, _, _ := u.Prepare(ctx, h.plan, false, false, false)
	_, err := u.Run(ctx, up)
	if !errors.Is(err, payout.ErrResumable) {
		t.Fatalf("cancelled run: %v", err)
	}
	rows, err := h.upload(2)
	if err != nil {
		t.Fatal(err)
	}
	h.checkExactlyOnce(rows)
}

func TestReferencesAndOrderID(t *testing.T) {
	if got := upload.DefaultOrderID("3f2a9c1b7d0011", time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC)); got != "payroll-20260325-3f2a9c1b7d" {
		t.Error(got)
	}
	iban := saIBAN(7)
	r := upload.Reference("2026-03", iban, 1)
	if r != upload.Reference("2026-03", iban, 1) {
		t.Error("the reference of one person in one period changes")
	}
	if !strings.HasPrefix(r, "PR202603") || len(r) > 50 {
		t.Errorf("reference %q", r)
	}
	seen := map[string]string{}
	for _, period := range []string{"2026-03", "202603", "2026-03-bonus", "2026-04", strings.Repeat("9", 20)} {
		for _, ib := range []string{iban, saIBAN(8)} {
			for occ := 1; occ <= 3; occ++ {
				ref := upload.Reference(period, ib, occ)
				for _, c := range ref {
					if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
						t.Fatalf("%q is not alphanumeric", ref)
					}
				}
				if len(ref) > 50 {
					t.Fatalf("%q is longer than 50", ref)
				}
				key := fmt.Sprint(period, ib, occ)
				if other, dup := seen[ref]; dup {
					t.Fatalf("%s and %s share the reference %s", key, other, ref)
				}
				seen[ref] = key
			}
		}
	}
	for _, p := range []string{"2026-11", "2026-11-bonus", "W47"} {
		if msg := upload.CheckPeriod(p); msg != "" {
			t.Errorf("%q refused: %s", p, msg)
		}
	}
	for _, p := range []string{"", "2026/11", "---", "2026 11", strings.Repeat("1", 21)} {
		if upload.CheckPeriod(p) == "" {
			t.Errorf("%q accepted", p)
		}
	}
	if _, err := upload.NewPlan("f", "h", "2026-03", "o", fresh(lines(1)), 1001); err == nil {
		t.Error("page size 1001 accepted")
	}
}

func TestMatchWithoutEcho(t *testing.T) {
	rows := []journal.Row{
		{Index: 0, Request: payout.Request{IBAN: "A", Amount: 5, MerchantReference: "r0"}},
		{Index: 1, Request: payout.Request{IBAN: "A", Amount: 5, MerchantReference: "r1"}},
		{Index: 2, Request: payout.Request{IBAN: "B", Amount: 7, MerchantReference: "r2"}},
	}
	d := payout.DecimalOf
	entries := []payout.Entry{{ID: "9", IBAN: "B", Amount: d(7)}, {ID: "10", IBAN: "A", Amount: d(5)}, {ID: "11", IBAN: "A", Amount: d(5)}}
	got := upload.Match(rows, entries)
	want := map[int]string{2: "9", 0: "10", 1: "11"}
	if len(got) != 3 {
		t.Fatalf("%+v", got)
	}
	for _, u := range got {
		if want[u.Index] != u.EntryID {
			t.Errorf("row %d got entry %s", u.Index, u.EntryID)
		}
	}
}

// TestEntriesFromTheCheck: the query that checks the batch before its
// close also gives the rows their entry ids and statuses, recorded once the
// batch is closed; no second query reads them again. What changes after the
// close (here, at once: the simulator settles with no delay) is for Refresh.
func TestEntriesFromTheCheck(t *testing.T) {
	h := newHarness(t, clickpaysim.Config{}, 5, 2)
	rows, err := h.upload(1)
	if err != nil {
		t.Fatal(err)
	}
	if q := h.sim.Calls("query"); q != 1 {
		t.Fatalf("%d queries, want the one check", q)
	}
	h.checkExactlyOnce(rows)
	up, err := h.j.ByOrder(context.Background(), h.plan.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	recorded, err := h.j.Rows(context.Background(), up.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recorded {
		if r.EntryID == "" || r.EntryID != rows[i].EntryID || r.Status != "Pending" || r.Fee == "" {
			t.Fatalf("row %d recorded as entry %q, status %q, fee %q; returned as entry %q", r.Row, r.EntryID, r.Status, r.Fee, rows[i].EntryID)
		}
	}
	u := &upload.Uploader{API: h.client.Payouts(), Journal: h.j}
	if rows, err = u.Refresh(context.Background(), up); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Status != "Paid" {
			t.Fatalf("row %d is %q after Refresh", r.Row, r.Status)
		}
	}
}

// TestEntriesOfAnEarlierClose: a close whose answer was lost is found
// applied by the next run's check, which records the entries from it.
func TestEntriesOfAnEarlierClose(t *testing.T) {
	h := newHarness(t, clickpaysim.Config{}, 3, 2)
	h.sim.Inject(clickpaysim.Fault{Call: "close", N: 1, Kind: clickpaysim.ApplyThenCut})
	rows, err := h.upload(3)
	if err != nil {
		t.Fatal(err)
	}
	if h.sim.Calls("close") != 1 {
		t.Fatalf("close calls %d", h.sim.Calls("close"))
	}
	h.checkExactlyOnce(rows)
	for _, r := range rows {
		if r.EntryID == "" || r.Status != "Paid" {
			t.Fatalf("row %d: entry %q, status %q", r.Row, r.EntryID, r.Status)
		}
	}
}

// TestServerWithoutSearch: where the server has no search call, a create
// that was not applied is simply sent again; one that was applied but
// unanswered leaves an unclosed batch and stops for a human (the simulator,
// like a server with unique order ids, refuses the second create).
func TestServerWithoutSearch(t *testing.T) {
	noSearch := clickpay.Paths{Search: "/payout/batch/request/nosearch"}
	h := newHarnessPaths(t, clickpaysim.Config{}, 5, 2, noSearch)
	h.sim.Inject(clickpaysim.Fault{Call: "new", N: 1, Kind: clickpaysim.Fail500})
	rows, err := h.upload(2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[4].EntryID == "" {
		t.Fatalf("rows %+v", rows)
	}

	h = newHarnessPaths(t, clickpaysim.Config{}, 5, 2, noSearch)
	h.sim.Inject(clickpaysim.Fault{Call: "new", N: 1, Kind: clickpaysim.ApplyThenCut})
	_, err = h.upload(2)
	if !errors.Is(err, payout.ErrMismatch) || !strings.Contains(err.Error(), "cannot search") {
		t.Fatalf("applied create without search: %v", err)
	}
	if h.sim.Calls("close") != 0 {
		t.Error("a batch was closed")
	}
}

// TestAuditWindow: batches uploaded before the audit's start are left out;
// the default start is AuditWindow before the file's first upload.
func TestAuditWindow(t *testing.T) {
	h := newHarness(t, clickpaysim.Config{}, 3, 2)
	if _, err := h.upload(1); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u := &upload.Uploader{API: h.client.Payouts(), Journal: h.j}
	since, err := u.AuditSince(ctx, h.plan.FileHash, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	up, _ := h.j.ByOrder(ctx, h.plan.OrderID)
	if want := up.CreatedAt.Add(-upload.AuditWindow); !since.Equal(want) {
		t.Errorf("since %v, want %v", since, want)
	}
	lines, err := u.Audit(ctx, checked(h.plan.Lines), since)
	if err != nil || lines[0].Verdict != upload.VerdictPaid || len(lines[0].Payments) != 1 || lines[0].Payments[0].EntryID == "" {
		t.Fatalf("in the window: %+v %v", lines, err)
	}
	lines, _ = u.Audit(ctx, checked(h.plan.Lines), time.Now().Add(time.Hour))
	if lines[0].Verdict != upload.VerdictNeverSent {
		t.Errorf("after the window: %+v", lines[0])
	}
}

// TestStatusOfABatchNobodyKnows: the status of a batch neither the journal
// nor Clickpay knows is a batch id to check (a usage error), not a bug;
// one Clickpay cannot be asked about now is to be asked again later.
func TestStatusOfABatchNobodyKnows(t *testing.T) {
	h := newHarness(t, clickpaysim.Config{}, 1, 1)
	u := &upload.Uploader{API: h.client.Payouts(), Journal: h.j}
	_, _, err := u.Status(context.Background(), "9999", upload.StatusOptions{})
	if !errors.Is(err, payout.ErrUsage) || errors.Is(err, payout.ErrResumable) || !strings.Contains(err.Error(), "batch 9999 is not in the journal") {
		t.Errorf("unknown batch: %v, want a usage error", err)
	}
	for n := 1; n <= 3; n++ {
		h.sim.Inject(clickpaysim.Fault{Call: "query", N: n, Kind: clickpaysim.Fail500})
	}
	_, _, err = u.Status(context.Background(), "9999", upload.StatusOptions{})
	if !errors.Is(err, payout.ErrResumable) || errors.Is(err, payout.ErrUsage) {
		t.Errorf("server failing: %v, want to be asked again", err)
	}
}
