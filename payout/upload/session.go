package upload

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"payroll/payout"
	"payroll/payout/journal"
)

// Options say how to check, compare and pay a file.
type Options struct {
	Check  payout.FileOptions
	Report payout.ReportOptions
	// Period is the pay period; "" is the current month (DefaultPeriod).
	Period string
	// Endpoint names the API the upload goes to; uploads to one endpoint
	// never count as payments on another.
	Endpoint    string
	SkipInvalid bool // pay the valid rows of a file with invalid rows
	// Force replaces a batch of this file that did not match its plan.
	Force bool
	// PayAgain pays rows already paid in the period a second time.
	PayAgain bool
	OrderID  string // "" for the default
	PageSize int
	Results  string // results sheet path; "" for the default
	// AskServer compares with the server's records too (search), not only
	// the journal's.
	AskServer bool
	Now       time.Time
}

// Prepared is a file checked, compared with its pay period and planned:
// what a person confirms before Pay sends it. It holds the state
// directory's upload lock until Close, so that what was compared is what is
// paid.
type Prepared struct {
	// Result is the check. Its Lines are given up once the plan is made:
	// the rows to pay are the plan's (a sheet's rows are not kept twice).
	Result  *payout.Result
	Reports []string // error reports written
	Period  string
	// Compared is the sheet against the period's payments; nil when
	// resuming. Its Fresh lines are the plan's Lines (and given up with
	// them by Pay).
	Compared *Comparison
	// Plan is what will be sent; nil when resuming.
	Plan *Plan
	// LeftOut is the sheet of the rows --skip-invalid left out, ready to
	// be fixed and uploaded; "" when none.
	LeftOut string
	// Resume is an unfinished upload of the same file in the period (or a
	// closed one whose results sheet was never written): it is continued
	// exactly as recorded, and nothing is compared or planned anew.
	Resume *journal.Upload

	opts   Options
	path   string
	unlock func()
}

// Close releases the upload lock.
func (p *Prepared) Close() {
	if p != nil && p.unlock != nil {
		p.unlock()
		p.unlock = nil
	}
}

// PrepareFile checks a file, compares its valid rows with what was paid in
// its pay period (journal, and server with AskServer), writes the error
// reports and makes the plan. It takes the upload lock first (an error
// wrapping journal.ErrBusy when another upload holds it).
//
// Errors wrap payout.ErrInvalid (invalid rows and no SkipInvalid, or rows
// paid another amount in the period), payout.ErrNothingNew (every row was
// already paid in the period), payout.ErrAlreadyUploaded, payout.ErrMismatch
// or payout.ErrResumable; the Prepared is returned with them whenever the
// file was checked, so that a front end can show why.
func (u *Uploader) PrepareFile(ctx context.Context, path string, o Options) (*Prepared, error) {
	return u.PrepareSource(ctx, payout.FileSource(path), o)
}

// PrepareSource is PrepareFile for a file on disk or a reader with a name
// (an upload from the web page). The bytes are read once, into a private
// copy, and hashed in the same pass: what is checked is what is hashed and
// planned. The journal names the file by its absolute path (or the
// reader's name).
func (u *Uploader) PrepareSource(ctx context.Context, src payout.Source, o Options) (*Prepared, error) {
	path := src.Name
	if path == "" {
		path = src.Path
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Period == "" {
		o.Period = DefaultPeriod(o.Now)
	}
	if msg := CheckPeriod(o.Period); msg != "" {
		return nil, fmt.Errorf("%w: --period %q: %s", payout.ErrUsage, o.Period, msg)
	}
	if o.PageSize == 0 {
		o.PageSize = DefaultPageSize
	}
	abs := path
	if src.Reader == nil {
		var err error
		if abs, err = filepath.Abs(src.Path); err != nil {
			return nil, err
		}
	}
	results := o.Results
	if results == "" {
		results = DefaultResultsPath(abs)
	}
	results, err := filepath.Abs(results)
	if err != nil {
		return nil, err
	}
	for _, out := range []string{o.Report.Path, results} {
		if err := payout.CheckOutput(out, abs); err != nil {
			return nil, err
		}
	}
	if err := payout.MayReplace(results); err != nil {
		return nil, err
	}
	unlock, err := u.Journal.Lock()
	if err != nil {
		return nil, err
	}
	p := &Prepared{Period: o.Period, opts: o, path: abs, unlock: unlock}
	p.opts.Results = results
	fail := func(err error) (*Prepared, error) {
		p.Close()
		return p, err
	}

	cp, err := payout.Source{Name: path, Path: src.Path, Reader: src.Reader}.Snapshot()
	if err != nil {
		p.Close()
		return nil, err
	}
	defer cp.Remove()
	res, err := payout.CheckCopy(ctx, cp, o.Check)
	if err != nil {
		p.Close()
		return nil, err
	}
	p.Result = res
	hash := cp.Hash
	existing, err := u.Existing(ctx, hash, o.Period, o.Endpoint)
	if err != nil {
		return fail(err)
	}
	resume, err := resumeOrRefuse(existing, abs, o.Force, o.PayAgain)
	if err != nil {
		return fail(err)
	}
	if resume {
		if resume, err = u.keepOrReplan(ctx, existing, o.PageSize); err != nil {
			return fail(err)
		}
	}
	if resume {
		p.Resume = existing
		return p, nil
	}

	ignore := int64(0)
	if existing != nil && existing.Status == journal.StatusMismatch {
		ignore = existing.ID // --force replaces it
	}
	c, err := u.Compare(ctx, res.Lines, CompareOptions{Period: o.Period, Endpoint: o.Endpoint, PayAgain: o.PayAgain, Ignore: ignore, Force: o.Force, Server: o.AskServer, Now: o.Now})
	if err != nil {
		return fail(err)
	}
	p.Compared = c
	for _, k := range c.Kept {
		if k.ID == ignore {
			// Replaced as this file's, it would be abandoned, and the rows
			// it holds, paid, would count nowhere from then on.
			return fail(mismatch("batch %s of %s is no longer open on Clickpay: a person closed it in the dashboard after it stopped, so the rows it holds are paid, and --force does not replace it; nothing was sent. "+
				"Pay the rows it does not hold with a sheet of their own", k.BatchID, k.File))
		}
	}
	if !o.Force {
		if err := c.unmatched(); err != nil {
			return fail(err)
		}
	}
	res.Reject(c.Problems())
	if p.Reports, err = res.WriteReports(o.Report); err != nil {
		return fail(err)
	}
	if res.Err() != nil && (!o.SkipInvalid || len(res.Mapping.Problems) > 0) {
		return fail(fmt.Errorf("%w: %v; nothing was sent", payout.ErrInvalid, res.Err()))
	}
	if res.Err() != nil {
		// --skip-invalid: the rows left out, ready to fix and upload.
		leftOut := payout.LeftOutPath(abs)
		if err := payout.CheckOutput(leftOut, abs); err != nil {
			return fail(err)
		}
		n, err := res.WriteLeftOut(leftOut, o.Report.Lang)
		if err != nil {
			return fail(err)
		}
		if n > 0 {
			p.LeftOut = leftOut
		}
	}
	if len(c.Fresh) == 0 {
		if len(c.Paid) > 0 {
			return fail(payout.Errorf(payout.ErrNothingNew, "nothing new to pay: every row was already paid in pay period %s (%s); nothing was sent", o.Period, strings.Join(PaidSummary(c.Paid), "; ")))
		}
		if res.RowsRead == 0 {
			return fail(payout.Errorf(payout.ErrNothingNew, "%s has no rows below its header (row %d): nothing to pay; nothing was sent", path, res.Mapping.HeaderRow))
		}
		return fail(payout.Errorf(payout.ErrNothingNew, "no row of %s can be paid; nothing was sent", path))
	}
	if o.Results == "" {
		// The default results sheet of an earlier upload (the first part of
		// a sheet paid with --skip-invalid) is kept: this one gets its own.
		if results, err = u.freeResultsPath(ctx, results); err != nil {
			return fail(err)
		}
		if err := payout.MayReplace(results); err != nil {
			return fail(err)
		}
		p.opts.Results = results
	}
	order := o.OrderID
	if order == "" {
		order = DefaultOrderID(hash, o.Now)
	}
	if p.Plan, err = NewPlan(abs, hash, o.Period, order, c.Fresh, o.PageSize); err != nil {
		return fail(err)
	}
	p.Plan.Endpoint, p.Plan.Results = o.Endpoint, results
	res.Lines = nil
	if err := checkWritable(results); err != nil {
		return fail(err)
	}
	return p, nil
}

// keepOrReplan says whether an unfinished upload is resumed as recorded,
// or given up for a new plan with another page size: only when no call of
// it was ever applied (no batch, and its first page's create was refused,
// not sent with an unknown outcome), so that nothing of it can be on the
// server. The page size Clickpay allows is not public: an upload whose
// pages it refuses as too large is run again with a smaller --page-size.
func (u *Uploader) keepOrReplan(ctx context.Context, up *journal.Upload, pageSize int) (bool, error) {
	if pageSize == up.PageSize {
		return true, nil
	}
	if never, err := u.neverSent(ctx, up); err != nil || !never {
		return true, err
	}
	u.log().Info("an upload that never created its batch is planned again with another page size", "order", up.OrderID, "was", up.PageSize, "now", pageSize)
	return false, u.Journal.SetStatus(ctx, up.ID, journal.StatusAbandoned, fmt.Sprintf("planned again with pages of %d (no call of it was applied)", pageSize))
}

// abandonReplaced abandons the earlier uploads of the period that hold some
// of this sheet's people but never reached Clickpay (Comparison.Unsent),
// or whose batch, never closed, --force replaces (Comparison.Replaced),
// before this one is recorded: resumed later, they would pay the same
// people again. Each is looked at again first (the lock is held since the
// comparison, so nothing has sent them since). Should this run stop before
// recording its own plan, nothing was sent by either, and either file can
// be uploaded again.
func (u *Uploader) abandonReplaced(ctx context.Context, p *Prepared) error {
	if p.Compared == nil {
		return nil
	}
	for _, seen := range p.Compared.Unsent {
		up, err := u.Journal.Get(ctx, seen.ID)
		if err != nil {
			return err
		}
		never, err := u.neverSent(ctx, up)
		if err != nil {
			return err
		}
		if !never {
			return resumable(nil, "the upload of %s (order %s) was sent since this sheet was compared with it", up.File, up.OrderID)
		}
		u.log().Info("an earlier upload of the period that never reached Clickpay is replaced by this one", "file", up.File, "order", up.OrderID)
		if err := u.Journal.SetStatus(ctx, up.ID, journal.StatusAbandoned, fmt.Sprintf("replaced by an upload of %s before any of its calls reached Clickpay", filepath.Base(p.path))); err != nil {
			return err
		}
	}
	for _, seen := range p.Compared.Replaced {
		up, err := u.Journal.Get(ctx, seen.ID)
		if err != nil {
			return err
		}
		if up.Status != journal.StatusMismatch {
			return resumable(nil, "the upload of %s (order %s) changed since this sheet was compared with it", up.File, up.OrderID)
		}
		// Asked again: a person may have closed it in the dashboard while
		// the plan waited to be confirmed.
		if err := u.stillToReplace(ctx, up, p.opts.AskServer); err != nil {
			return err
		}
		u.log().Warn("an upload whose batch was never closed is replaced by this one (--force)", "file", up.File, "batch", up.BatchID)
		if err := u.Journal.SetStatus(ctx, up.ID, journal.StatusAbandoned, fmt.Sprintf("replaced by a forced upload of %s; batch %s was never closed: %s", filepath.Base(p.path), up.BatchID, up.Message)); err != nil {
			return err
		}
	}
	return nil
}

// Outcome is what Pay did.
type Outcome struct {
	Upload  *journal.Upload
	Results []ResultRow
	Resumed bool
}

// Pay sends a prepared upload: records the plan, creates, fills, checks and
// closes the batch (or resumes it), then writes the results sheet. The lock
// is released when it returns, and the plan's lines once they are recorded:
// a Prepared is paid once.
func (u *Uploader) Pay(ctx context.Context, p *Prepared) (*Outcome, error) {
	defer p.Close()
	if p.unlock == nil {
		return nil, errors.New("upload: Pay needs a Prepared that holds the lock")
	}
	out := &Outcome{}
	up := p.Resume
	if up != nil {
		out.Resumed = true
		if p.opts.Results != "" && p.opts.Results != up.ResultsPath && p.opts.Results != DefaultResultsPath(p.path) {
			if err := u.Journal.SetResultsPath(ctx, up.ID, p.opts.Results); err != nil {
				return nil, err
			}
			up.ResultsPath = p.opts.Results
		}
	}
	var rows []journal.Row // a new upload's rows as recorded; nil: read them from the journal
	var err error
	if up == nil {
		if err := u.abandonReplaced(ctx, p); err != nil {
			return nil, err
		}
		if up, rows, _, err = u.prepare(ctx, p.Plan, p.opts.Force, p.opts.PayAgain, p.opts.OrderID != ""); err != nil {
			return nil, err
		}
		if rows != nil {
			// Recorded: the rows carry the lines from here on, and a
			// hundred thousand lines need not be kept twice.
			p.Plan.Lines = nil
			if p.Compared != nil {
				p.Compared.Fresh = nil
			}
		}
	}
	out.Upload = up
	if up.Status == journal.StatusClosed {
		// Closed by an earlier run that stopped before the results sheet.
		if rows, err = u.Refresh(ctx, up); err != nil && errors.Is(err, payout.ErrResumable) {
			u.log().Warn("the batch is closed, but its entries could not be read yet; run payroll status", "batch", up.BatchID, "err", err)
			rows, err = u.Journal.Rows(ctx, up.ID)
		}
	} else {
		rows, err = u.run(ctx, up, rows)
	}
	if err != nil {
		return out, err
	}
	out.Results = Results(up, rows)
	if err := WriteResults(up.ResultsPath, out.Results, p.opts.Report.Lang); err != nil {
		// Paid: what stopped the sheet (a folder gone, a full disk) is
		// put right, then the upload started again writes it from the
		// closed batch. Its kind is the failure's (a refused output).
		return out, &StopError{Msg: fmt.Sprintf("batch %s is closed, but the results sheet was not written", up.BatchID), Err: err, Resumes: true, First: "correct it"}
	}
	if err := u.Journal.SetResultsWritten(context.WithoutCancel(ctx), up.ID); err != nil {
		return out, err
	}
	up.ResultsWritten = true
	return out, nil
}

// freeResultsPath returns path, or path with -2, -3, ... before its
// extension when an earlier upload's results sheet is there (or will be).
// An upload abandoned before it reached Clickpay (its first page refused,
// then planned again) holds no path: its sheet uploaded again gets the
// results sheet the person expects.
func (u *Uploader) freeResultsPath(ctx context.Context, path string) (string, error) {
	ext := filepath.Ext(path)
	candidate := path
	for n := 2; ; n++ {
		held, err := u.Journal.ResultsHeld(ctx, candidate)
		if err != nil {
			return "", err
		}
		if !held {
			return candidate, nil
		}
		candidate = fmt.Sprintf("%s-%d%s", strings.TrimSuffix(path, ext), n, ext)
	}
}

// checkWritable makes sure the results sheet can be written before any
// money moves.
func checkWritable(path string) error {
	if err := payout.ProbeWritable(path); err != nil {
		return fmt.Errorf("%w: the results sheet %s cannot be written (%v); choose another place with --results; nothing was sent", payout.ErrUsage, path, err)
	}
	return nil
}
