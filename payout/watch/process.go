package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"payroll/payout"
	"payroll/payout/journal"
	"payroll/payout/upload"
)

// Sidecar files the watcher writes beside a sheet.
const (
	reasonSuffix  = ".reason.txt"
	summarySuffix = ".summary.txt"
)

// sidecar reports whether a name is one of the files written beside a
// sheet (reports, summaries, results), which travel with it and are never
// taken as sheets of their own.
func sidecar(name string) bool {
	lower := strings.ToLower(name)
	for _, s := range []string{reasonSuffix, summarySuffix, ".errors.csv", ".errors.xlsx", ".errors-marked.xlsx", ".results.xlsx", ".left-out.xlsx"} {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

func stem(path string) string { return strings.TrimSuffix(path, filepath.Ext(path)) }

// process checks and pays one file in processing/ and files it.
func (w *Watcher) process(ctx context.Context, path string) {
	name := filepath.Base(path)
	now := w.o.Now()
	period := w.o.Period
	if period == "" {
		// A file begun in one month and resumed in the next keeps its
		// period: a new one would pay it again.
		if period = w.recordedPeriod(ctx, path); period == "" {
			period = upload.DefaultPeriod(now)
		}
	}
	opts := upload.Options{Period: period, Endpoint: w.svc.Endpoint, PageSize: w.o.PageSize, AskServer: w.svc.API != nil, Now: now,
		Results: filepath.Join(w.o.Folders.Done, stem(name)+".results.xlsx"), Report: payout.ReportOptions{Lang: w.o.Lang}}
	p, err := w.svc.PrepareFile(ctx, path, opts)
	if err != nil {
		w.notPrepared(ctx, path, p, err)
		return
	}
	if p.Resume == nil {
		if reason := w.overLimit(p.Plan); reason != "" {
			p.Close()
			w.fail(path, p.Reports, reason)
			return
		}
		if why := w.needsApproval(p); why != "" {
			p.Close()
			w.wait(path, p, why)
			return
		}
	}
	count, total := plannedOf(p)
	w.event(Event{File: name, State: StatePaying, Period: p.Period, Count: count, Total: total, Reason: replaces(p)})
	out, err := w.svc.Pay(ctx, p)
	if err != nil {
		var up *journal.Upload
		if out != nil {
			up = out.Upload
		}
		w.notPaid(ctx, path, up, err)
		return
	}
	w.paid(path, out.Upload, p.Reports)
}

// recordedPeriod is the pay period of the journal's upload of this very
// file (same place, same bytes), or "" when there is none.
func (w *Watcher) recordedPeriod(ctx context.Context, path string) string {
	all, err := w.svc.Journal.All(ctx)
	if err != nil {
		return ""
	}
	var mine []*journal.Upload
	for _, up := range all {
		if up.File == path && up.Status != journal.StatusAbandoned {
			mine = append(mine, up)
		}
	}
	if len(mine) == 0 {
		return ""
	}
	cp, err := payout.FileSource(path).Snapshot()
	if err != nil {
		return ""
	}
	defer cp.Remove()
	for i := len(mine) - 1; i >= 0; i-- {
		if mine[i].FileHash == cp.Hash {
			return mine[i].Period
		}
	}
	return ""
}

func plannedOf(p *upload.Prepared) (int, payout.Amount) {
	if p.Resume != nil {
		return p.Resume.Count, p.Resume.Total
	}
	return p.Plan.Count, p.Plan.Total
}

// notPrepared files a sheet that was not paid, or leaves it to try again.
func (w *Watcher) notPrepared(ctx context.Context, path string, p *upload.Prepared, err error) {
	name := filepath.Base(path)
	var already *upload.AlreadyUploaded
	switch {
	case ctx.Err() != nil:
		// Shutting down: the next start takes it again.
	case errors.Is(err, journal.ErrBusy), errors.Is(err, payout.ErrResumable):
		w.retry(name, err)
	case errors.As(err, &already) && w.resumed[name] && already.Upload.File == path:
		// Paid by an earlier run that stopped before filing it.
		w.paid(path, already.Upload, nil)
	case errors.As(err, &already):
		u := already.Upload
		w.fail(path, reports(p), fmt.Sprintf("duplicate of batch %s: the same file was paid in pay period %s on %s (%s, %d rows, SAR %s); nothing was sent",
			u.BatchID, u.Period, u.ClosedAt.Local().Format("2006-01-02 15:04"), filepath.Base(u.File), u.Count, u.Total.Grouped()))
	default:
		// The file is named as the person knows it, not by its place in
		// processing/.
		detail := ""
		if p != nil && p.Result != nil && errors.Is(err, payout.ErrInvalid) {
			detail = firstProblems(p.Result.Problems, 20)
		}
		w.failWith(path, reports(p), strings.ReplaceAll(err.Error(), path, name), detail)
	}
}

// firstProblems lists the first n errors for the reason file; the report
// beside it has them all.
func firstProblems(ps []payout.Problem, n int) string {
	var b strings.Builder
	shown := 0
	for _, pr := range ps {
		if pr.Warning() {
			continue
		}
		if shown == n {
			fmt.Fprintf(&b, "... and more: see the error report\n")
			break
		}
		fmt.Fprintf(&b, "%s\n", pr.Error())
		shown++
	}
	return b.String()
}

func reports(p *upload.Prepared) []string {
	if p == nil {
		return nil
	}
	return p.Reports
}

// replaces says which earlier uploads of the period, never sent, the
// payment of p replaces (upload.Comparison.Unsent), or "".
func replaces(p *upload.Prepared) string {
	if p.Compared == nil {
		return ""
	}
	var said []string
	for _, up := range p.Compared.Unsent {
		said = append(said, fmt.Sprintf("replaces the upload of %s (order %s, %s) that never reached Clickpay: it pays nobody and will not be resumed",
			filepath.Base(up.File), up.OrderID, up.CreatedAt.Local().Format("2006-01-02 15:04")))
	}
	return strings.Join(said, "; ")
}

// notPaid files a sheet whose payment stopped, or leaves it in processing/
// to resume: the journal knows where it stopped. up is its upload, when
// one was recorded.
func (w *Watcher) notPaid(ctx context.Context, path string, up *journal.Upload, err error) {
	name := filepath.Base(path)
	var stop *upload.StopError
	switch {
	case ctx.Err() != nil:
		w.o.Log.Info("stopped while paying; the next start resumes it", "file", name, "err", err)
	case errors.Is(err, payout.ErrMismatch):
		w.fail(path, nil, "needs a person: "+say(err))
	case up != nil && up.BatchID == "" && payout.RefusedAsInvalid(err) && errors.As(err, &stop):
		// Sent again as it is, it would be refused again at every scan.
		// Nothing of it was applied, so a corrected sheet replaces it.
		w.fail(path, nil, fmt.Sprintf("%s: %v; if the message names a row or a field, correct the sheet and drop it in the inbox (it replaces this upload); "+
			"if the pages are too large for Clickpay, %s", stop.Msg, stop.Err, watchSmaller))
	default:
		w.retry(name, err)
	}
}

func (w *Watcher) retry(name string, err error) {
	w.retryAt[name] = w.o.Now().Add(w.o.Poll)
	w.event(Event{File: name, State: StateRetry, Reason: say(err)})
}

// say is a pipeline error in the watcher's words: a stopped payment is
// not started again by a command but by the watcher itself.
func say(err error) string {
	if stop, ok := err.(*upload.StopError); ok {
		return stop.Say(upload.Words{Again: watchResume, Smaller: watchSmaller})
	}
	return err.Error()
}

// watchResume is what starts a stopped payment again under the watcher.
const watchResume = "the watcher tries it again at every scan and when it starts again (nothing is sent twice)"

// watchSmaller is how a sheet is paid in smaller pages under the watcher.
const watchSmaller = "start the watcher with a smaller --page-size and drop the sheet in the inbox again"

// overLimit says why a plan may not be paid unattended, or "".
func (w *Watcher) overLimit(pl *upload.Plan) string {
	switch {
	case w.o.MaxRows > 0 && pl.Count > w.o.MaxRows:
		return fmt.Sprintf("%d rows to pay, more than --max-rows %d allows unattended; nothing was sent. Pay it with payroll upload, or raise --max-rows", pl.Count, w.o.MaxRows)
	case w.o.MaxTotal > 0 && pl.Total > w.o.MaxTotal:
		return fmt.Sprintf("SAR %s to pay, more than --max-total SAR %s allows unattended; nothing was sent. Pay it with payroll upload, or raise --max-total", pl.Total.Grouped(), w.o.MaxTotal.Grouped())
	}
	return ""
}

// approval is what a person saw in ready/: paid only if the plan is still
// the same when the file comes back through approved/.
type approval struct {
	Hash   string        `json:"hash"`
	Period string        `json:"period"`
	Count  int           `json:"count"`
	Total  payout.Amount `json:"total"`
}

func (w *Watcher) approvalPath(hash, period string) string {
	return filepath.Join(w.o.Dir, ".payroll-watch", "approval-"+hash[:32]+"-"+strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, period)+".json")
}

// needsApproval says why a checked file must wait for a person, or "" when
// it may be paid now: it came through approved/ with the plan the person
// saw, or no approval is asked for.
func (w *Watcher) needsApproval(p *upload.Prepared) string {
	name := filepath.Base(p.Plan.File)
	var why []string
	if w.o.Approve {
		why = append(why, "every file waits for approval (--approve)")
	}
	if n := len(p.Compared.Recent); n > 0 {
		who := fmt.Sprintf("%d of its people were", n)
		if n == 1 {
			who = "1 of its people was"
		}
		why = append(why, fmt.Sprintf("%s paid in another pay period within the last %d days", who, int(upload.RecentWindow.Hours()/24)))
	}
	if len(why) == 0 {
		return ""
	}
	if w.approved[name] {
		var a approval
		b, err := os.ReadFile(w.approvalPath(p.Plan.FileHash, p.Period))
		if err == nil && json.Unmarshal(b, &a) == nil && a.Hash == p.Plan.FileHash && a.Period == p.Period && a.Count == p.Plan.Count && a.Total == p.Plan.Total {
			return ""
		}
		if err == nil {
			why = append(why, fmt.Sprintf("what it pays changed since it was checked (then %d rows, SAR %s; now %d rows, SAR %s): check the new summary", a.Count, a.Total.Grouped(), p.Plan.Count, p.Plan.Total.Grouped()))
		} else {
			why = append(why, "it was not checked before it was approved: check the summary")
		}
	}
	return strings.Join(why, "; ")
}

// wait files a checked sheet in ready/ with its summary, for a person.
func (w *Watcher) wait(path string, p *upload.Prepared, why string) {
	name := filepath.Base(path)
	a := approval{Hash: p.Plan.FileHash, Period: p.Period, Count: p.Plan.Count, Total: p.Plan.Total}
	b, _ := json.Marshal(a)
	ap := w.approvalPath(a.Hash, a.Period)
	if err := os.MkdirAll(filepath.Dir(ap), 0o700); err == nil {
		err = payout.WriteFile(ap, b)
	}
	summary := stem(path) + summarySuffix
	if err := payout.WriteFile(summary, []byte(summaryText(name, p, why))); err != nil {
		w.retry(name, err)
		return
	}
	if err := w.file(path, w.o.Folders.Ready, append([]string{summary}, p.Reports...)); err != nil {
		w.o.Log.Error("cannot move a file to ready", "file", name, "err", err)
		return
	}
	w.event(Event{File: name, State: StateWaiting, Reason: why, Period: p.Period, Count: p.Plan.Count, Total: p.Plan.Total})
}

// summaryText is what a person reads before approving.
func summaryText(name string, p *upload.Prepared, why string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: checked, waiting for approval\n\n", name)
	fmt.Fprintf(&b, "Why it waits: %s.\n\n", why)
	fmt.Fprintf(&b, "Pay period:   %s\n", p.Period)
	fmt.Fprintf(&b, "Rows to pay:  %d\n", p.Plan.Count)
	fmt.Fprintf(&b, "Total:        SAR %s\n", p.Plan.Total.Grouped())
	if res := p.Result; res != nil {
		fmt.Fprintf(&b, "Rows read:    %d (%d with warnings)\n", res.RowsRead, res.Warned)
	}
	c := p.Compared
	if len(c.Paid) > 0 {
		fmt.Fprintf(&b, "\nAlready paid in pay period %s, left out: %s\n", c.Period, strings.Join(upload.PaidSummary(c.Paid), "; "))
	}
	if len(c.Recent) > 0 {
		fmt.Fprintf(&b, "\nPaid in another pay period within the last %d days (check the pay period is right):\n", int(upload.RecentWindow.Hours()/24))
		for _, m := range c.Recent {
			fmt.Fprintf(&b, "  row %d: %s %s: SAR %s in pay period %s (%s)\n", m.Row, m.Name, m.IBAN, m.Prior.Amount.Grouped(), m.Prior.Period, upload.DescribePrior(m.Prior))
		}
	}
	if len(p.Reports) > 0 {
		fmt.Fprintf(&b, "\nWarnings: %s\n", strings.Join(baseNames(p.Reports), ", "))
	}
	fmt.Fprintf(&b, "\nTo pay it, move %s into the approved folder. To refuse it, move it out of ready (or delete it).\n", name)
	return b.String()
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// fail files a sheet in failed/ with its reports and the reason.
func (w *Watcher) fail(path string, reps []string, reason string) { w.failWith(path, reps, reason, "") }

// failWith is fail with details for the reason file only (the log line
// keeps to the reason).
func (w *Watcher) failWith(path string, reps []string, reason, detail string) {
	name := filepath.Base(path)
	why := stem(path) + reasonSuffix
	text := fmt.Sprintf("%s was not paid.\n\n%s\n", name, reason)
	if detail != "" {
		text += "\n" + detail
	}
	if len(reps) > 0 {
		text += "\nReports: " + strings.Join(baseNames(reps), ", ") + "\n"
	}
	if err := payout.WriteFile(why, []byte(text)); err != nil {
		w.o.Log.Error("cannot write the reason", "file", name, "err", err)
	}
	if err := w.file(path, w.o.Folders.Failed, append([]string{why}, reps...)); err != nil {
		w.o.Log.Error("cannot move a file to failed", "file", name, "err", err)
		return
	}
	w.event(Event{File: name, State: StateFailed, Reason: reason, Reports: baseNames(reps)})
}

// paid files a paid sheet in done/ (its results sheet is there already)
// and follows its transfers until every one is final.
func (w *Watcher) paid(path string, up *journal.Upload, reps []string) {
	name := filepath.Base(path)
	if err := w.file(path, w.o.Folders.Done, reps); err != nil {
		w.o.Log.Error("paid, but cannot move the file to done", "file", name, "batch", up.BatchID, "err", err)
	} else if err := w.svc.Journal.SetFile(context.Background(), up.ID, filepath.Join(w.o.Folders.Done, name)); err != nil {
		w.o.Log.Warn("paid and filed in done, but the journal still names it in processing", "file", name, "batch", up.BatchID, "err", err)
	}
	os.Remove(w.approvalPath(up.FileHash, up.Period))
	w.tracking[up.ID] = tracked{name: name, batch: up.BatchID, results: up.ResultsPath,
		failed: filepath.Join(w.o.Folders.Done, stem(name)+".failed.xlsx")}
	w.event(Event{File: name, State: StateDone, Batch: up.BatchID, Period: up.Period, Count: up.Count, Total: up.Total,
		Reports: []string{filepath.Base(up.ResultsPath)}})
}

// file moves a sheet from processing/ and the files beside it (given, and
// a summary left in ready/ or approved/) into a folder.
func (w *Watcher) file(path, to string, with []string) error {
	name := filepath.Base(path)
	side := map[string]bool{}
	for _, p := range with {
		side[p] = true
	}
	for _, d := range []string{w.o.Folders.Ready, w.o.Folders.Approved} {
		side[filepath.Join(d, stem(name)+summarySuffix)] = true
	}
	for _, p := range []string{payout.DefaultReportPath(path), payout.MarkedPath(path), stem(path) + reasonSuffix, stem(path) + summarySuffix} {
		side[p] = true
	}
	if err := move(path, filepath.Join(to, name)); err != nil {
		return err
	}
	delete(w.approved, name)
	delete(w.retryAt, name)
	for p := range side {
		if filepath.Dir(p) == to {
			continue
		}
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		if err := move(p, filepath.Join(to, filepath.Base(p))); err != nil {
			w.o.Log.Warn("cannot move a report with its sheet", "file", p, "err", err)
		}
	}
	return nil
}

// move renames a file, never over another: the watcher's own names are
// unique, and a file a person put there is kept.
func move(from, to string) error {
	if _, err := os.Lstat(to); err == nil {
		ext := filepath.Ext(to)
		base := strings.TrimSuffix(to, ext)
		for n := 2; ; n++ {
			candidate := fmt.Sprintf("%s-%d%s", base, n, ext)
			if _, err := os.Lstat(candidate); err != nil {
				to = candidate
				break
			}
		}
	}
	return os.Rename(from, to)
}

// trackUnfinished finds the paid files of this folder whose transfers are
// not all final, so that their results sheets are refreshed after a
// restart too.
func (w *Watcher) trackUnfinished(ctx context.Context) error {
	all, err := w.svc.Journal.All(ctx)
	if err != nil {
		return err
	}
	for _, up := range all {
		if up.Status != journal.StatusClosed || filepath.Dir(up.ResultsPath) != w.o.Folders.Done {
			continue
		}
		rows, err := w.svc.Journal.Rows(ctx, up.ID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if !payout.EntryFinal(r.Status) {
				name := filepath.Base(up.File)
				w.tracking[up.ID] = tracked{name: name, batch: up.BatchID, results: up.ResultsPath,
					failed: filepath.Join(w.o.Folders.Done, stem(name)+".failed.xlsx")}
				break
			}
		}
	}
	return nil
}

// refresh asks for the statuses of the paid files' transfers and rewrites
// their results (and failed-rows) sheets.
func (w *Watcher) refresh(ctx context.Context) {
	for id, t := range w.tracking {
		if ctx.Err() != nil {
			return
		}
		rep, _, err := w.svc.Status(ctx, t.batch, upload.StatusOptions{Results: t.results, FailedSheet: t.failed, Lang: w.o.Lang})
		if err != nil {
			w.o.Log.Warn("cannot refresh a batch yet", "file", t.name, "batch", t.batch, "err", err)
			continue
		}
		if !rep.Final {
			continue
		}
		delete(w.tracking, id)
		var counts []string
		for _, c := range rep.Counts {
			counts = append(counts, fmt.Sprintf("%d %s", c.Count, c.Status))
		}
		reps := []string{filepath.Base(rep.Results)}
		if rep.FailedSheet != "" {
			reps = append(reps, filepath.Base(rep.FailedSheet))
		}
		w.event(Event{File: t.name, State: StateFinal, Batch: t.batch, Reason: strings.Join(counts, ", "), Reports: reps})
	}
}
