package watch_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"payroll/payout"
	"payroll/payout/clickpaysim"
	"payroll/payout/upload"
	"payroll/payout/watch"
)

func saIBAN(account int) string {
	bban := fmt.Sprintf("80%018d", account)
	return "SA" + payout.IBANCheckDigits("SA", bban) + bban
}

// sheet is a CSV salary sheet of people (ids) paid amount each.
func sheet(ids []int, amount string) []byte {
	var b strings.Builder
	b.WriteString("Employee ID,Employee Name,IBAN,Net Salary,Mobile,Email,Address\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "E%d,Employee %d,%s,%s,0501234567,e%d@example.com,Street %d\n", id, id, saIBAN(id), amount, id, id)
	}
	return []byte(b.String())
}

func ids(from, n int) []int {
	var out []int
	for i := 0; i < n; i++ {
		out = append(out, from+i)
	}
	return out
}

// failing is the IBAN whose transfer the sandbox fails.
var failing = saIBAN(140)

func openSandbox(t *testing.T, state string) *upload.Service {
	return openSandboxWith(t, state, clickpaysim.Config{SettleAfter: 300 * time.Millisecond, Fail: map[string]string{failing: "Beneficiary account is closed"}})
}

// openSandboxWith is openSandbox with a simulator of its own making.
func openSandboxWith(t *testing.T, state string, sim clickpaysim.Config) *upload.Service {
	t.Helper()
	svc, err := upload.Open(context.Background(), upload.Setup{StateDir: state, Sandbox: true, Sim: sim})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return svc
}

// events collects a watcher's events and waits for states, by signal.
type events struct {
	t  *testing.T
	ch chan watch.Event
	// every state each file reached, and its last event
	reached map[string]map[string]bool
	state   map[string]watch.Event
	all     []watch.Event // every event read, in order
}

func newEvents(t *testing.T) *events {
	return &events{t: t, ch: make(chan watch.Event, 1000), state: map[string]watch.Event{}, reached: map[string]map[string]bool{}}
}

func (e *events) add(ev watch.Event) { e.ch <- ev }

// waitFor reads events until every named file has reached the state
// wanted.
func (e *events) waitFor(ctx context.Context, want map[string]string) {
	e.t.Helper()
	for {
		missing := 0
		for f, st := range want {
			if !e.reached[f][st] {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		select {
		case ev := <-e.ch:
			e.all = append(e.all, ev)
			e.state[ev.File] = ev
			if e.reached[ev.File] == nil {
				e.reached[ev.File] = map[string]bool{}
			}
			e.reached[ev.File][ev.State] = true
		case <-ctx.Done():
			var got []string
			for f, st := range want {
				got = append(got, fmt.Sprintf("%s: want %s, last %+v", f, st, e.state[f]))
			}
			sort.Strings(got)
			e.t.Fatalf("timed out waiting for the files:\n%s", strings.Join(got, "\n"))
		}
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// paidOnServer counts, per IBAN, the entries of the sandbox's closed
// batches.
func paidOnServer(t *testing.T, svc *upload.Service) map[string]int {
	t.Helper()
	got := map[string]int{}
	for id := 1001; ; id++ {
		b, err := svc.API.Query(context.Background(), fmt.Sprint(id))
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

// TestWatchedFolder drops 20 files: valid ones, invalid ones, one written
// slowly in pieces, a duplicate under a new name, one over --max-total and
// one that needs approval. Every file ends in the right folder with the
// right reports, and the simulator holds every valid row exactly once.
func TestWatchedFolder(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dir := t.TempDir()
	svc := openSandbox(t, t.TempDir())

	// Person 900 was paid in October: paying them again in November needs
	// a person's approval.
	prior := filepath.Join(t.TempDir(), "october.csv")
	write(t, prior, sheet([]int{900}, "1000.00"))
	p, err := svc.PrepareFile(ctx, prior, upload.Options{Period: "2026-10", Endpoint: svc.Endpoint, AskServer: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Pay(ctx, p); err != nil {
		t.Fatal(err)
	}

	ev := newEvents(t)
	w, err := watch.New(svc, watch.Options{Dir: dir, Settle: time.Second, Poll: 200 * time.Millisecond, Refresh: 200 * time.Millisecond,
		MaxTotal: 5_000_000, Period: "2026-11", Event: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	f := watch.DefaultFolders(dir)
	want := map[string]string{}
	valid := map[string][]int{}
	for i := 1; i <= 14; i++ {
		name := fmt.Sprintf("valid-%02d.csv", i)
		valid[name] = ids(i*10, 3)
		write(t, filepath.Join(f.Inbox, name), sheet(valid[name], "1000.00"))
		want[name] = watch.StateDone
	}
	bad := sheet(ids(500, 2), "1000.00")
	bad = []byte(strings.Replace(string(bad), saIBAN(501), "SA00 1234", 1))
	write(t, filepath.Join(f.Inbox, "bad-iban.csv"), bad)
	write(t, filepath.Join(f.Inbox, "not-a-sheet.xlsx"), []byte("PK\x03\x04 this is not a workbook"))
	write(t, filepath.Join(f.Inbox, "over.csv"), sheet(ids(600, 2), "30000.00"))
	write(t, filepath.Join(f.Inbox, "recent.csv"), sheet([]int{900}, "1000.00"))
	write(t, filepath.Join(f.Inbox, "~$valid-01.csv"), []byte("owner lock file"))
	write(t, filepath.Join(f.Inbox, ".~lock.valid-02.csv#"), []byte("lock"))
	write(t, filepath.Join(f.Inbox, "upload.csv.part"), []byte("half"))
	want["bad-iban.csv"], want["not-a-sheet.xlsx"], want["over.csv"] = watch.StateFailed, watch.StateFailed, watch.StateFailed
	want["recent.csv"] = watch.StateWaiting

	// The slow file: written in eight pieces over about three seconds,
	// each within the settle time of the last.
	slowIDs := ids(700, 8)
	slow := sheet(slowIDs, "1000.00")
	slowPath := filepath.Join(f.Inbox, "slow.csv")
	sf, err := os.OpenFile(slowPath, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	step := (len(slow) + 7) / 8
	for i := 0; i < len(slow); i += step {
		if _, err := sf.Write(slow[i:min(i+step, len(slow))]); err != nil {
			t.Fatal(err)
		}
		sf.Sync()
		time.Sleep(400 * time.Millisecond) // the scenario: a slow copy over the network
	}
	sf.Close()
	want["slow.csv"] = watch.StateDone
	ev.waitFor(ctx, want)

	// The same bytes as a paid file, under another name.
	b, err := os.ReadFile(filepath.Join(f.Done, "valid-01.csv"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(f.Inbox, "copy-of-valid-01.csv"), b)
	want["copy-of-valid-01.csv"] = watch.StateFailed

	// A person approves the file that waits.
	if err := os.Rename(filepath.Join(f.Ready, "recent.csv"), filepath.Join(f.Approved, "recent.csv")); err != nil {
		t.Fatal(err)
	}
	want["recent.csv"] = watch.StateDone
	ev.waitFor(ctx, want)

	// Every paid file's transfers become final.
	for name, st := range want {
		if st == watch.StateDone {
			want[name] = watch.StateFinal
		}
	}
	ev.waitFor(ctx, want)

	// Where every file is, with its reports.
	if n := names(t, f.Inbox); len(n) != 3 {
		t.Errorf("inbox holds %v; want only the three temporary and lock files", n)
	}
	for _, d := range []string{f.Processing, f.Ready, f.Approved} {
		if n := names(t, d); len(n) != 0 {
			t.Errorf("%s holds %v", d, n)
		}
	}
	for name, st := range want {
		folder := f.Done
		if st == watch.StateFailed {
			folder = f.Failed
		}
		if _, err := os.Stat(filepath.Join(folder, name)); err != nil {
			t.Errorf("%s is not in %s: %v", name, folder, err)
		}
		stem := strings.TrimSuffix(name, filepath.Ext(name))
		side := stem + ".results.xlsx"
		if st == watch.StateFailed {
			side = stem + ".reason.txt"
		}
		if _, err := os.Stat(filepath.Join(folder, side)); err != nil {
			t.Errorf("%s has no %s beside it: %v", name, side, err)
		}
	}
	if _, err := os.Stat(filepath.Join(f.Failed, "bad-iban.errors.csv")); err != nil {
		t.Errorf("the invalid file's error report is not beside it: %v", err)
	}
	for name, text := range map[string]string{"copy-of-valid-01.reason.txt": "duplicate of batch", "over.reason.txt": "--max-total",
		"not-a-sheet.reason.txt": "not-a-sheet.xlsx", "bad-iban.reason.txt": "invalid"} {
		b, err := os.ReadFile(filepath.Join(f.Failed, name))
		if err != nil || !strings.Contains(string(b), text) {
			t.Errorf("%s: %q, %v; want it to say %q", name, b, err, text)
		}
	}
	// valid-14 holds the IBAN whose transfer fails: its failed rows are
	// beside it, ready to fix, and only there.
	if _, err := os.Stat(filepath.Join(f.Done, "valid-14.failed.xlsx")); err != nil {
		t.Errorf("the failed rows of valid-14.csv: %v", err)
	}
	if st := ev.state["valid-14.csv"]; !strings.Contains(st.Reason, "1 Failed") {
		t.Errorf("valid-14.csv final: %+v, want 1 Failed", st)
	}
	if _, err := os.Stat(filepath.Join(f.Done, "valid-13.failed.xlsx")); err == nil {
		t.Error("valid-13.csv has a failed-rows sheet, but none of its transfers failed")
	}
	if b, err := os.ReadFile(filepath.Join(f.Done, "recent.summary.txt")); err != nil || !strings.Contains(string(b), "2026-10") {
		t.Errorf("the approved file's summary: %q, %v; want it beside it in done, naming the October payment", b, err)
	}

	// The simulator holds every valid row exactly once.
	paid := paidOnServer(t, svc)
	wantPaid := map[string]int{saIBAN(900): 2} // October, and November approved
	for _, people := range valid {
		for _, id := range people {
			wantPaid[saIBAN(id)] = 1
		}
	}
	for _, id := range slowIDs {
		wantPaid[saIBAN(id)] = 1
	}
	for iban, n := range wantPaid {
		if paid[iban] != n {
			t.Errorf("%s paid %d times, want %d", iban, paid[iban], n)
		}
	}
	if len(paid) != len(wantPaid) {
		t.Errorf("the simulator paid %d people, want %d (nothing of the invalid, over-limit or duplicate files)", len(paid), len(wantPaid))
	}
}

// TestOneWatcherPerFolder: a second watcher of a folder is refused while
// the first runs.
func TestOneWatcherPerFolder(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	svc := openSandbox(t, t.TempDir())
	ev := newEvents(t)
	first, err := watch.New(svc, watch.Options{Dir: dir, Settle: 10 * time.Millisecond, Poll: 50 * time.Millisecond, Event: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- first.Run(runCtx) }()
	// The first watcher is running once it has taken a file.
	write(t, filepath.Join(dir, "inbox", "a.csv"), []byte("not a salary sheet\n"))
	ev.waitFor(ctx, map[string]string{"a.csv": watch.StateFailed})

	second, err := watch.New(openSandbox(t, t.TempDir()), watch.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Run(ctx); !errors.Is(err, watch.ErrFolderBusy) {
		t.Fatalf("second watcher: %v, want ErrFolderBusy", err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Once the first has stopped, the folder is free.
	again, cancelAgain := context.WithCancel(ctx)
	cancelAgain()
	if err := second.Run(again); err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
}

// runWatcher runs a watcher on dir with short waits; stop ends it and
// checks that it ended well.
func runWatcher(ctx context.Context, t *testing.T, svc *upload.Service, dir string) (*events, func()) {
	t.Helper()
	return runWatcherWith(ctx, t, svc, watch.Options{Dir: dir})
}

// runWatcherWith is runWatcher with more options.
func runWatcherWith(ctx context.Context, t *testing.T, svc *upload.Service, o watch.Options) (*events, func()) {
	t.Helper()
	ev := newEvents(t)
	o.Settle, o.Poll, o.Refresh, o.Event = 50*time.Millisecond, 100*time.Millisecond, 100*time.Millisecond, ev.add
	w, err := watch.New(svc, o)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	return ev, func() {
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// TestResumedInTheNextMonth: a file paid by a watcher that died before
// filing it is filed in done/ when the watcher starts again in the next
// month, not paid again in the new pay period.
func TestResumedInTheNextMonth(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	svc := openSandbox(t, t.TempDir())
	f := watch.DefaultFolders(dir)
	for _, d := range []string{f.Processing, f.Done} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// Last month's run: taken and paid from processing/, then killed.
	path := filepath.Join(f.Processing, "october.csv")
	people := ids(300, 3)
	write(t, path, sheet(people, "1000.00"))
	last := upload.DefaultPeriod(time.Now().AddDate(0, -1, 0))
	p, err := svc.PrepareFile(ctx, path, upload.Options{Period: last, Endpoint: svc.Endpoint, AskServer: true,
		Results: filepath.Join(f.Done, "october.results.xlsx")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Pay(ctx, p); err != nil {
		t.Fatal(err)
	}

	ev, stop := runWatcher(ctx, t, svc, dir)
	ev.waitFor(ctx, map[string]string{"october.csv": watch.StateDone})
	stop()
	if got := ev.state["october.csv"]; got.Period != last {
		t.Errorf("filed as pay period %q, want %s: %+v", got.Period, last, got)
	}
	paid := paidOnServer(t, svc)
	for _, id := range people {
		if paid[saIBAN(id)] != 1 {
			t.Errorf("%s paid %d times, want once", saIBAN(id), paid[saIBAN(id)])
		}
	}
}

// TestSameStemKeepsBothResults: march.csv and march.txt would share
// march.results.xlsx; the second is taken as march-2.txt and both results
// sheets are kept.
func TestSameStemKeepsBothResults(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	svc := openSandbox(t, t.TempDir())
	ev := newEvents(t)
	w, err := watch.New(svc, watch.Options{Dir: dir, Settle: 50 * time.Millisecond, Poll: 100 * time.Millisecond, Event: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	f := watch.DefaultFolders(dir)
	write(t, filepath.Join(f.Inbox, "march.csv"), sheet(ids(400, 2), "1000.00"))
	write(t, filepath.Join(f.Inbox, "march.txt"), sheet(ids(410, 3), "1000.00"))
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	ev.waitFor(ctx, map[string]string{"march.csv": watch.StateDone, "march-2.txt": watch.StateDone})
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file, results string
		rows          int
	}{{"march.csv", "march.results.xlsx", 2}, {"march-2.txt", "march-2.results.xlsx", 3}} {
		if got := ev.state[c.file]; got.Count != c.rows || len(got.Reports) != 1 || got.Reports[0] != c.results {
			t.Errorf("%s: %+v, want %d rows paid, results in %s", c.file, got, c.rows, c.results)
		}
		if _, err := os.Stat(filepath.Join(f.Done, c.results)); err != nil {
			t.Errorf("%s: %v", c.results, err)
		}
	}
}

// TestStatusNeverFeedsTheWatcher: a paid sheet is recorded where the
// watcher filed it, so that `payroll status` writes the failed rows beside
// it in done/; one of an older journal, which names the sheet in
// processing/, goes beside the results sheet. And a failed-rows sheet
// found in processing/ at start, which no watcher took from inbox/, is
// left there, not paid.
func TestStatusNeverFeedsTheWatcher(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	svc := openSandbox(t, t.TempDir())
	f := watch.DefaultFolders(dir)
	ev, stop := runWatcher(ctx, t, svc, dir)
	people := append(ids(500, 2), 140) // 140: the sandbox fails its transfer
	write(t, filepath.Join(f.Inbox, "march.csv"), sheet(people, "1000.00"))
	ev.waitFor(ctx, map[string]string{"march.csv": watch.StateFinal})
	stop()

	up, err := svc.Journal.ByBatch(ctx, ev.state["march.csv"].Batch)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(f.Done, "march.csv"); up.File != want {
		t.Errorf("the journal names the paid sheet %s, want %s", up.File, want)
	}
	os.Remove(filepath.Join(f.Done, "march.failed.xlsx"))
	rep, _, err := svc.Status(ctx, up.BatchID, upload.StatusOptions{})
	if err != nil || rep.FailedSheet != filepath.Join(f.Done, "march.failed.xlsx") {
		t.Fatalf("status: failed rows in %q, %v", rep.FailedSheet, err)
	}
	// An older journal: the sheet named in processing/, where it is no more.
	if err := svc.Journal.SetFile(ctx, up.ID, filepath.Join(f.Processing, "march.csv")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(f.Done, "march.failed.xlsx"))
	if rep, _, err = svc.Status(ctx, up.BatchID, upload.StatusOptions{}); err != nil || rep.FailedSheet != filepath.Join(f.Done, "march.failed.xlsx") {
		t.Fatalf("status of an older journal: failed rows in %q, %v", rep.FailedSheet, err)
	}

	// Such a sheet in processing/ at start (as an older status left it).
	stray, err := os.ReadFile(rep.FailedSheet)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(f.Processing, "march.failed.xlsx"), stray)
	ev, stop = runWatcher(ctx, t, svc, dir)
	// A file of the inbox is taken after processing/ is looked at.
	write(t, filepath.Join(f.Inbox, "april.csv"), sheet(ids(600, 2), "1000.00"))
	ev.waitFor(ctx, map[string]string{"april.csv": watch.StateDone})
	stop()
	if ev.reached["march.failed.xlsx"] != nil {
		t.Errorf("the stray failed-rows sheet was taken: %+v", ev.state["march.failed.xlsx"])
	}
	if got := names(t, f.Processing); len(got) != 1 || got[0] != "march.failed.xlsx" {
		t.Errorf("processing/ holds %v", got)
	}
	if n := paidOnServer(t, svc)[saIBAN(140)]; n != 1 {
		t.Errorf("the failed transfer was sent %d times", n)
	}
}

// TestRefusedCreateGoesToFailed: a sheet whose batch Clickpay refuses to
// create (here: pages larger than it takes) reached nobody. It is filed in
// failed/ with the reason and what to do, in the watcher's words, instead
// of being sent again at every scan to be refused again. The corrected
// sheet, dropped in after the watcher is started with smaller pages,
// replaces it, says so, and pays everyone once.
func TestRefusedCreateGoesToFailed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	svc := openSandboxWith(t, t.TempDir(), clickpaysim.Config{MaxRequests: 2})
	f := watch.DefaultFolders(dir)
	people := ids(700, 5)
	ev, stop := runWatcherWith(ctx, t, svc, watch.Options{Dir: dir, PageSize: 3})
	write(t, filepath.Join(f.Inbox, "march.csv"), sheet(people, "1000.00"))
	ev.waitFor(ctx, map[string]string{"march.csv": watch.StateFailed})
	stop()
	why := ev.state["march.csv"].Reason
	for _, want := range []string{"Clickpay refused to create the batch", "nothing of this upload was applied", "inbox", "--page-size"} {
		if !strings.Contains(why, want) {
			t.Errorf("the reason does not say %q: %s", want, why)
		}
	}
	if strings.Contains(why, "command") || ev.reached["march.csv"][watch.StateRetry] {
		t.Errorf("retried, or worded for the command line: %v, %s", ev.reached["march.csv"], why)
	}
	if got := names(t, f.Failed); strings.Join(got, " ") != "march.csv march.reason.txt" {
		t.Errorf("failed/ holds %v", got)
	}
	if n := len(paidOnServer(t, svc)); n != 0 {
		t.Fatalf("%d people paid", n)
	}

	ev, stop = runWatcherWith(ctx, t, svc, watch.Options{Dir: dir, PageSize: 2})
	write(t, filepath.Join(f.Inbox, "march-fixed.csv"), sheet(people, "1200.00"))
	ev.waitFor(ctx, map[string]string{"march-fixed.csv": watch.StateDone})
	stop()
	var paying string
	for _, e := range ev.all {
		if e.File == "march-fixed.csv" && e.State == watch.StatePaying {
			paying = e.Reason
		}
	}
	if !strings.Contains(paying, "replaces the upload of march.csv") {
		t.Errorf("the paying event does not say what it replaces: %q", paying)
	}
	paid := paidOnServer(t, svc)
	for _, id := range people {
		if paid[saIBAN(id)] != 1 {
			t.Errorf("employee %d paid %d times", id, paid[saIBAN(id)])
		}
	}
}

// TestRetryInTheWatchersWords: a payment stopped for something to be put
// right outside the sheet (here the deposit account's balance) is tried
// again, and its reason says so in the watcher's words, not the command
// line's.
func TestRetryInTheWatchersWords(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	svc := openSandboxWith(t, t.TempDir(), clickpaysim.Config{Balance: 100_00})
	f := watch.DefaultFolders(dir)
	ev, stop := runWatcher(ctx, t, svc, dir)
	write(t, filepath.Join(f.Inbox, "march.csv"), sheet(ids(800, 2), "1000.00"))
	ev.waitFor(ctx, map[string]string{"march.csv": watch.StateRetry})
	stop()
	why := ev.state["march.csv"].Reason
	if !strings.Contains(why, "top up the deposit account, then the watcher tries it again") || strings.Contains(why, "command") {
		t.Errorf("retry reason: %s", why)
	}
}
