package upload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"payroll/payout"
	"payroll/payout/journal"
)

// Uploader runs uploads against the API, keeping the journal.
type Uploader struct {
	API     API
	Journal *journal.Journal
	Log     *slog.Logger
	// Progress, when set, is told how many rows the server holds so far.
	Progress func(sent, total int)
	// UnknownRetries bounds how often a call with an unknown outcome is
	// checked and sent again within one run. Default 3.
	UnknownRetries int
	// Sandbox says that API is the built-in simulator, for messages that
	// would otherwise send the user to Clickpay's settings.
	Sandbox bool
}

func (u *Uploader) log() *slog.Logger {
	if u.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return u.Log
}

// Existing returns the newest upload of a file's content in a pay period
// and endpoint that was not abandoned, or nil.
func (u *Uploader) Existing(ctx context.Context, hash, period, endpoint string) (*journal.Upload, error) {
	earlier, err := u.Journal.ByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	for _, x := range earlier {
		if x.Status != journal.StatusAbandoned && x.Period == period && (x.Endpoint == endpoint || x.Endpoint == "") {
			return x, nil
		}
	}
	return nil, nil
}

// Begin records a new upload of a plan in the journal, before any call.
// A default order id already used gets a suffix (-2, -3, ...); an explicit
// one (explicitOrder) already used is refused.
func (u *Uploader) Begin(ctx context.Context, plan *Plan, explicitOrder bool) (*journal.Upload, error) {
	up, _, err := u.begin(ctx, plan, explicitOrder)
	return up, err
}

// begin is Begin, also returning the rows as recorded (the journal's rows
// of the new upload, without reading them back).
func (u *Uploader) begin(ctx context.Context, plan *Plan, explicitOrder bool) (*journal.Upload, []journal.Row, error) {
	other, err := u.Journal.ByOrder(ctx, plan.OrderID)
	switch {
	case err == nil && explicitOrder:
		return nil, nil, fmt.Errorf("%w: order id %s was already used for %s (batch %s); choose another --order-id", payout.ErrUsage, plan.OrderID, other.File, other.BatchID)
	case err == nil:
		base := plan.OrderID
		for n := 2; ; n++ {
			plan.OrderID = fmt.Sprintf("%s-%d", base, n)
			_, err := u.Journal.ByOrder(ctx, plan.OrderID)
			if errors.Is(err, journal.ErrNotFound) {
				break
			}
			if err != nil {
				return nil, nil, err
			}
		}
	case !errors.Is(err, journal.ErrNotFound):
		return nil, nil, err
	}
	up := &journal.Upload{File: plan.File, FileHash: plan.FileHash, Period: plan.Period, Endpoint: plan.Endpoint, OrderID: plan.OrderID,
		Count: plan.Count, Total: plan.Total, PageSize: plan.PageSize, Pages: plan.Pages(), ResultsPath: plan.Results}
	// The plan's lines become the upload's rows in place: a line is a row
	// with only the plan's fields set, and they are all it keeps.
	rows := plan.Lines
	for i := range rows {
		l := &rows[i]
		*l = journal.Row{Index: i, Row: l.Row, EmployeeID: l.EmployeeID, Page: i / plan.PageSize, Occurrence: l.Occurrence, Request: l.Request}
	}
	if err := u.Journal.Plan(ctx, up, rows); err != nil {
		return nil, nil, err
	}
	for i := range rows {
		rows[i].UploadID, rows[i].Occurrence = up.ID, max(rows[i].Occurrence, 1) // as Plan recorded them
	}
	return up, rows, nil
}

// Prepare finds the upload to run for a plan: the unfinished upload of the
// same file content in the same pay period, to resume as recorded (with or
// without force: a rerun of an interrupted forced upload continues it); or
// a new one, recorded in the journal before any call. A file already
// uploaded and closed in the period is refused unless payAgain; a batch
// that did not match its plan is never closed, and force abandons it and
// starts a new one. It returns the upload and whether it is resumed.
func (u *Uploader) Prepare(ctx context.Context, plan *Plan, force, payAgain, explicitOrder bool) (*journal.Upload, bool, error) {
	up, _, resume, err := u.prepare(ctx, plan, force, payAgain, explicitOrder)
	return up, resume, err
}

// prepare is Prepare, also returning a new upload's rows as recorded (nil
// when it resumes one).
func (u *Uploader) prepare(ctx context.Context, plan *Plan, force, payAgain, explicitOrder bool) (*journal.Upload, []journal.Row, bool, error) {
	e, err := u.Existing(ctx, plan.FileHash, plan.Period, plan.Endpoint)
	if err != nil {
		return nil, nil, false, err
	}
	resume, err := resumeOrRefuse(e, plan.File, force, payAgain)
	if resume || err != nil {
		return e, nil, resume, err
	}
	if e != nil && e.Status == journal.StatusMismatch {
		if err := u.stillToReplace(ctx, e, true); err != nil {
			return nil, nil, false, err
		}
		if err := u.Journal.SetStatus(ctx, e.ID, journal.StatusAbandoned, "replaced by a forced upload; "+e.Message); err != nil {
			return nil, nil, false, err
		}
	}
	up, rows, err := u.begin(ctx, plan, explicitOrder)
	return up, rows, false, err
}

// resumeOrRefuse says what an earlier upload of the same file in the same
// pay period (nil for none) means for a new one: resume it (unfinished, or
// closed with its results sheet still to write), refuse (already paid
// without payAgain; a batch that did not match its plan without force), or
// neither: a new upload, which replaces a mismatched batch. file is the
// file being uploaded now.
func resumeOrRefuse(e *journal.Upload, file string, force, payAgain bool) (resume bool, err error) {
	switch {
	case e == nil:
		return false, nil
	case e.Unfinished(), e.Status == journal.StatusClosed && !e.ResultsWritten:
		return true, nil
	case e.Status == journal.StatusClosed && !payAgain:
		return false, &AlreadyUploaded{Upload: e, File: file}
	case e.Status == journal.StatusMismatch && !force:
		return false, mismatch("batch %s of %s (order %s) does not match its plan and was not closed: %s. Check it in the Clickpay dashboard; to start a new batch use --force", e.BatchID, e.File, e.OrderID, e.Message)
	}
	return false, nil
}

// run is the state of one run of one upload.
type run struct {
	u      *Uploader
	jctx   context.Context // journal writes survive Ctrl-C
	up     *journal.Upload
	rows   []journal.Row
	pages  [][]journal.Row
	states []string
	// noSearch is set when the server has no search call.
	noSearch bool
}

// Run creates, fills, checks and closes the batch of an upload, resuming
// from wherever the journal says it stopped. It returns the rows with their
// entry ids and statuses as the check before the close read them (or, for
// a batch closed earlier, as a query reads them now). Errors are
// *StopError (resumable or mismatch) or journal failures.
func (u *Uploader) Run(ctx context.Context, up *journal.Upload) ([]journal.Row, error) {
	return u.run(ctx, up, nil)
}

// run is Run with the upload's rows when they are at hand as the journal
// recorded them (a new upload's, from begin; the journal's codec keeps
// every text as it is, TestCodecRoundTrip), read from the journal when
// nil (a resumed upload's).
func (u *Uploader) run(ctx context.Context, up *journal.Upload, rows []journal.Row) ([]journal.Row, error) {
	r := &run{u: u, jctx: context.WithoutCancel(ctx), up: up, rows: rows}
	var err error
	if r.rows == nil {
		if r.rows, err = u.Journal.Rows(ctx, up.ID); err != nil {
			return nil, err
		}
	}
	if r.states, err = u.Journal.PageStates(ctx, up.ID); err != nil {
		return nil, err
	}
	r.pages = pagesOf(r.rows, up.Pages)
	switch up.Status {
	case journal.StatusMismatch:
		return nil, mismatch("batch %s does not match its plan and was not closed: %s", up.BatchID, up.Message)
	case journal.StatusAbandoned:
		return nil, fmt.Errorf("upload %s was abandoned and is not sent", up.OrderID)
	case journal.StatusClosed:
		return u.Refresh(ctx, up)
	}
	if err := r.create(ctx); err != nil {
		return nil, err
	}
	if err := r.fill(ctx); err != nil {
		return nil, err
	}
	if err := r.close(ctx); err != nil {
		return nil, err
	}
	return r.rows, nil
}

// pagesOf groups an upload's rows by page: parts of rows when each page's
// rows are together in it (as Begin plans them), else copies.
func pagesOf(rows []journal.Row, n int) [][]journal.Row {
	pages := make([][]journal.Row, n)
	for start := 0; start < len(rows); {
		p, end := rows[start].Page, start
		for end < len(rows) && rows[end].Page == p {
			end++
		}
		if pages[p] != nil {
			// A page in two parts: its rows are gathered as copies.
			pages = make([][]journal.Row, n)
			for _, row := range rows {
				pages[row.Page] = append(pages[row.Page], row)
			}
			return pages
		}
		pages[p] = rows[start:end:end]
		start = end
	}
	return pages
}

func (r *run) retries() int {
	if r.u.UnknownRetries > 0 {
		return r.u.UnknownRetries
	}
	return 3
}

func (r *run) requests(p int) []payout.Request {
	out := make([]payout.Request, len(r.pages[p]))
	for i, row := range r.pages[p] {
		out[i] = row.Request
	}
	return out
}

// record keeps the outcome of a call in the journal.
func (r *run) record(call string, page int, err error) {
	c := journal.Call{UploadID: r.up.ID, Call: call, Page: page, Outcome: "ok"}
	var ce *payout.CallError
	switch {
	case err == nil:
	case errors.As(err, &ce):
		c.Outcome = ce.Outcome.String()
		c.HTTPStatus, c.Message, c.Trace = ce.HTTPStatus, ce.Error(), ce.Trace
	default:
		c.Outcome, c.Message = "unknown", err.Error()
	}
	if jerr := r.u.Journal.RecordCall(r.jctx, c); jerr != nil {
		r.u.log().Error("journal: cannot record a call", "call", call, "err", jerr)
	}
}

func (r *run) setPage(p int, state string) error {
	r.states[p] = state
	return r.u.Journal.SetPage(r.jctx, r.up.ID, p, state)
}

func (r *run) progress() {
	if r.u.Progress == nil {
		return
	}
	n := 0
	for p, s := range r.states {
		if s == journal.PageSent {
			n += len(r.pages[p])
		}
	}
	r.u.Progress(n, len(r.rows))
}

// create makes sure the batch exists, with page 0 in it.
func (r *run) create(ctx context.Context) error {
	if r.up.BatchID != "" {
		return nil
	}
	renamed := 0
	for attempt := 0; ; attempt++ {
		if r.states[0] == journal.PageSending {
			// An earlier new call may have been applied: look for our first row.
			id, err := r.findBatch(ctx)
			if err != nil {
				return err
			}
			if id != "" {
				r.u.log().Info("found the batch of an earlier call", "batch", id)
				return r.setBatch(id)
			}
		}
		if attempt > r.retries() {
			return resumable(nil, "creating the batch failed %d times with an unknown outcome", attempt)
		}
		if err := ctx.Err(); err != nil {
			return resumable(err, "stopped before creating the batch")
		}
		if err := r.setPage(0, journal.PageSending); err != nil {
			return err
		}
		b, err := r.u.API.NewBatch(ctx, r.up.OrderID, r.requests(0))
		r.record("new", 0, err)
		switch {
		case err == nil:
			if b.ID == "" {
				return resumable(nil, "Clickpay created a batch but sent no batch_id")
			}
			r.u.log().Info("batch created", "batch", b.ID, "order", r.up.OrderID)
			return r.setBatch(string(b.ID))
		case ctx.Err() != nil:
			return interrupted("while creating the batch")
		case payout.UnknownCall(err):
			r.u.log().Warn("creating the batch: outcome unknown, checking the server", "err", err)
			continue
		case payout.IsCall(err, payout.CallDuplicate):
			id, ferr := r.findBatch(ctx)
			if ferr != nil {
				return ferr
			}
			if id != "" {
				return r.setBatch(id)
			}
			r.setPage(0, journal.PagePlanned)
			if r.noSearch {
				return mismatch("Clickpay already has a batch for order %s, probably made by a create call whose answer was lost, and this server cannot search for it; it was not closed, so it pays nothing. Find it in the dashboard, or use --force to start a new batch under another order id", r.up.OrderID)
			}
			// The order id belongs to a batch that holds none of our
			// references: another upload's (the same file in another pay
			// period, from a lost journal or another machine). The create
			// was refused, so a new order id is safe.
			if renamed >= 5 {
				return mismatch("Clickpay already has batches for order %s and its next suffixes, none of them ours; choose an order id with --order-id", r.up.OrderID)
			}
			renamed++
			if err := r.nextOrderID(ctx); err != nil {
				return err
			}
			continue
		default:
			if err := r.setPage(0, journal.PagePlanned); err != nil {
				return err
			}
			if payout.RefusedAsInvalid(err) {
				// The same call again would be refused again.
				return &StopError{Kind: payout.ErrResumable, Err: err, Msg: "Clickpay refused to create the batch, so nothing of this upload was applied",
					Hint: "if its message names a row or a field, correct the sheet and upload it (it replaces this upload)", Smaller: true}
			}
			return resumable(err, "creating the batch failed")
		}
	}
}

// nextOrderID gives the upload the next order id (-2, -3, ...) that the
// journal does not hold.
func (r *run) nextOrderID(ctx context.Context) error {
	base := r.up.OrderID
	for n := 2; ; n++ {
		id := fmt.Sprintf("%s-%d", base, n)
		_, err := r.u.Journal.ByOrder(ctx, id)
		if errors.Is(err, journal.ErrNotFound) {
			r.u.log().Warn("the order id is taken on the server by another upload's batch; using a new one", "order", base, "new", id)
			r.up.OrderID = id
			return r.u.Journal.SetOrderID(r.jctx, r.up.ID, id)
		}
		if err != nil {
			return err
		}
	}
}

func (r *run) setBatch(id string) error {
	r.up.BatchID, r.up.Status = id, journal.StatusOpen
	r.states[0] = journal.PageSent
	if err := r.u.Journal.SetBatch(r.jctx, r.up.ID, id); err != nil {
		return err
	}
	r.progress()
	return nil
}

// findBatch searches for the entries of page 0 by merchant_reference and
// returns the batch that holds them, or "" when the server has none.
func (r *run) findBatch(ctx context.Context) (string, error) {
	ref := r.pages[0][0].Request.MerchantReference
	entries, err := r.u.API.Search(ctx, ref)
	r.record("search", 0, err)
	if payout.IsCall(err, payout.CallNoSearch) {
		// This server has no search call (only PayTabs documents it). A
		// batch that an earlier call may have created cannot be found; it
		// is never closed, so it pays nothing, and a new one is created.
		r.noSearch = true
		r.u.log().Warn("the server cannot search entries; if the earlier create call was applied, that batch stays open and unpaid", "order", r.up.OrderID)
		return "", nil
	}
	if err != nil {
		return "", resumable(err, "could not check whether the batch was created (search for %s)", ref)
	}
	for _, e := range entries {
		if e.BatchID != "" && (e.Reference == "" || e.Reference == ref) {
			return e.BatchID, nil
		}
	}
	return "", nil
}

// fill adds the pages that the server does not hold yet.
func (r *run) fill(ctx context.Context) error {
	// marked is the page this run marked "sending" when it recorded the
	// page before it, and has not sent yet: unlike a page found "sending"
	// in the journal, it cannot be on the server.
	marked := -1
	for p := 1; p < len(r.pages); p++ {
		if r.states[p] == journal.PageSent {
			continue
		}
		for attempt := 0; ; attempt++ {
			if r.states[p] == journal.PageSending && p != marked {
				present, err := r.pagePresent(ctx, p)
				if err != nil {
					return err
				}
				if present == all {
					if err := r.setPage(p, journal.PageSent); err != nil {
						return err
					}
					break
				}
				if present == some {
					return r.mismatch(ctx, fmt.Sprintf("the server holds only part of page %d (rows %d-%d)", p+1, r.pages[p][0].Row, r.pages[p][len(r.pages[p])-1].Row))
				}
			}
			if attempt > r.retries() {
				return resumable(nil, "adding page %d failed %d times with an unknown outcome", p+1, attempt)
			}
			if err := ctx.Err(); err != nil {
				return resumable(err, "stopped before page %d of %d", p+1, len(r.pages))
			}
			if p != marked {
				if err := r.setPage(p, journal.PageSending); err != nil {
					return err
				}
			}
			marked = -1
			_, err := r.u.API.Add(ctx, r.up.BatchID, r.up.OrderID, r.requests(p))
			if err == nil {
				// One commit: the call, this page sent, the next marked.
				next := -1
				for q := p + 1; q < len(r.pages); q++ {
					if r.states[q] != journal.PageSent {
						if r.states[q] == journal.PagePlanned {
							next = q
						}
						break
					}
				}
				if err := r.u.Journal.RecordSent(r.jctx, journal.Call{UploadID: r.up.ID, Call: "add", Page: p, Outcome: "ok"}, next); err != nil {
					return err
				}
				r.states[p] = journal.PageSent
				if next >= 0 {
					r.states[next], marked = journal.PageSending, next
				}
				break
			}
			r.record("add", p, err)
			if ctx.Err() != nil {
				return interrupted(fmt.Sprintf("while sending page %d of %d", p+1, len(r.pages)))
			}
			if payout.UnknownCall(err) || payout.IsCall(err, payout.CallDuplicate) {
				r.u.log().Warn("adding a page: outcome unknown, checking the server", "page", p+1, "err", err)
				continue
			}
			if err := r.setPage(p, journal.PagePlanned); err != nil {
				return err
			}
			if payout.RefusedAsInvalid(err) {
				// Sent again, it would be refused again: the batch can
				// never hold the plan, and is left unclosed for a person.
				return r.refusedPage(p, err)
			}
			return resumable(err, "adding page %d of %d failed", p+1, len(r.pages))
		}
		r.progress()
	}
	return nil
}

type presence int

const (
	none presence = iota
	some
	all
)

type key struct {
	iban   string
	amount payout.Amount
}

// pagePresent queries the batch and says whether page p's rows are on it.
// It matches by merchant_reference when the server echoes it, else by
// (IBAN, amount) among the entries that the pages already sent do not
// account for.
func (r *run) pagePresent(ctx context.Context, p int) (presence, error) {
	b, err := r.u.API.Query(ctx, r.up.BatchID)
	r.record("query", p, err)
	if err != nil {
		return none, resumable(err, "could not check page %d on the server", p+1)
	}
	found := 0
	if echoes(b) {
		refs := map[string]bool{}
		for _, e := range b.Entries {
			refs[e.Reference] = true
		}
		for _, row := range r.pages[p] {
			if refs[row.Request.MerchantReference] {
				found++
			}
		}
	} else {
		left := map[key]int{}
		for _, e := range b.Entries {
			if k, ok := entryKey(e); ok {
				left[k]++
			}
		}
		for q, rows := range r.pages {
			if q != p && r.states[q] == journal.PageSent {
				for _, row := range rows {
					left[key{row.Request.IBAN, row.Request.Amount}]--
				}
			}
		}
		for _, row := range r.pages[p] {
			k := key{row.Request.IBAN, row.Request.Amount}
			if left[k] > 0 {
				left[k]--
				found++
			}
		}
	}
	switch found {
	case 0:
		return none, nil
	case len(r.pages[p]):
		return all, nil
	}
	return some, nil
}

// entryKey is a server entry's IBAN and amount, when the amount is exactly
// a whole number of halalas (else it matches no row of ours).
func entryKey(e payout.Entry) (key, bool) {
	a, ok := e.Amount.Amount()
	return key{e.IBAN, a}, ok
}

func echoes(b *payout.Batch) bool {
	for _, e := range b.Entries {
		if e.Reference == "" {
			return false
		}
	}
	return len(b.Entries) > 0
}

// refusedPage is the stop when Clickpay refused page p as invalid: the
// batch holds the pages before it and is not closed. The same page would
// be refused again, so the upload cannot be finished: it is marked as not
// matching its plan, and a corrected sheet uploaded with --force replaces
// it (Comparison.Replaced).
func (r *run) refusedPage(p int, err error) error {
	rows := r.pages[p]
	why := fmt.Sprintf("Clickpay refused page %d of %d (rows %d-%d) as invalid: %v", p+1, len(r.pages), rows[0].Row, rows[len(rows)-1].Row, err)
	if jerr := r.markMismatch(why); jerr != nil {
		return jerr
	}
	return &StopError{Kind: payout.ErrMismatch, Err: err,
		Msg: fmt.Sprintf("Clickpay refused page %d of %d (rows %d-%d) as invalid, so batch %s holds only the pages before it", p+1, len(r.pages), rows[0].Row, rows[len(rows)-1].Row, r.up.BatchID),
		Hint: "the batch was NOT closed, so nothing of it is paid; sent again, the page would be refused again. Correct the rows its message names, " +
			"then upload the corrected sheet with --force: it replaces batch " + r.up.BatchID + " with a new one (do not close " + r.up.BatchID + " in the Clickpay dashboard)"}
}

func (r *run) mismatch(ctx context.Context, why string) error {
	msg := why + "; the batch was NOT closed, so nothing of it is paid. Check batch " + r.up.BatchID + " in the Clickpay dashboard; to start a new batch use --force"
	if err := r.markMismatch(why); err != nil {
		return err
	}
	return mismatch("%s", msg)
}

// markMismatch records that the batch does not match the plan and will
// not be closed by this tool, and why.
func (r *run) markMismatch(why string) error {
	if err := r.u.Journal.SetStatus(r.jctx, r.up.ID, journal.StatusMismatch, why); err != nil {
		return err
	}
	r.up.Status = journal.StatusMismatch
	return nil
}

// verifier checks that the server holds exactly the plan: count, total and
// every (IBAN, amount) pair (and every reference, when echoed), from the
// entries of a query as they are read.
//
// As long as every entry echoes the reference of a row not yet seen, with
// that row's IBAN and amount, it is counted by its row alone (the fast
// path: a batch that is the plan is checked without a table of its pairs
// and another of its references). At the first entry that does not, the
// tables are made of the rows not yet seen, and every later entry is
// checked by them: the verdict is the same either way
// (TestVerifierAsPlainly).
type verifier struct {
	rows  []journal.Row
	byRef map[string]int // a reference's row
	fast  bool           // every entry so far was its row's
	seen  []bool         // by row: an entry of the fast path was its own
	want  map[key]int    // the plan's pairs the entries have not accounted for
	refs  map[string]int
	n     int
	sum   payout.Amount
	echo  bool   // every entry so far carries a reference
	extra string // the first entry the plan does not have
}

// newVerifier checks the rows' batch; byRef, when not nil, is each
// reference's row (a matcher's).
func newVerifier(rows []journal.Row, byRef map[string]int) *verifier {
	if byRef == nil {
		byRef = refIndex(rows)
	}
	v := &verifier{rows: rows, byRef: byRef, seen: make([]bool, len(rows))}
	v.start()
	return v
}

// refIndex is each reference's row.
func refIndex(rows []journal.Row) map[string]int {
	m := make(map[string]int, len(rows))
	for i, r := range rows {
		m[r.Request.MerchantReference] = i
	}
	return m
}

// start forgets the entries seen (the answer is read afresh).
func (v *verifier) start() {
	if v.fast && v.n == 0 {
		return
	}
	clear(v.seen)
	v.fast, v.want, v.refs = true, nil, nil
	v.n, v.sum, v.echo, v.extra = 0, 0, true, ""
}

func (v *verifier) add(e *payout.Entry) {
	if v.fast {
		if i, ok := v.byRef[e.Reference]; ok && e.Reference != "" && !v.seen[i] {
			if k, ok := entryKey(*e); ok && k == (key{v.rows[i].Request.IBAN, v.rows[i].Request.Amount}) {
				v.seen[i] = true
				v.n++
				v.sum += k.amount
				return
			}
		}
		v.slow()
	}
	v.n++
	if e.Reference == "" {
		v.echo = false
	} else if v.echo {
		v.refs[e.Reference]++
	}
	if v.extra != "" {
		return
	}
	k, ok := entryKey(*e)
	if !ok || v.want[k] == 0 {
		v.extra = fmt.Sprintf("the server's batch has an entry the plan does not: %s for SAR %s", e.IBAN, e.Amount.Grouped())
		return
	}
	v.sum += k.amount
	v.want[k]--
}

// slow leaves the fast path: the pairs still wanted are those of the rows
// no entry was, and each row an entry was has its reference once.
func (v *verifier) slow() {
	v.fast = false
	v.want = make(map[key]int, len(v.rows))
	v.refs = make(map[string]int, len(v.rows))
	for i, row := range v.rows {
		if v.seen[i] {
			v.refs[row.Request.MerchantReference]++
		} else {
			v.want[key{row.Request.IBAN, row.Request.Amount}]++
		}
	}
}

// timesOn is how many entries carry row i's reference.
func (v *verifier) timesOn(i int) int {
	if v.fast {
		if v.seen[i] {
			return 1
		}
		return 0
	}
	return v.refs[v.rows[i].Request.MerchantReference]
}

// result says why the batch b, whose entries were added, is not the plan
// of count rows totalling total ("" when it is).
func (v *verifier) result(b *payout.Batch, count int, total payout.Amount) string {
	if int(b.Count) != count || v.n != count {
		return fmt.Sprintf("the server's batch has %d entries (count %d), the plan %d", v.n, b.Count, count)
	}
	if t, ok := b.Total.Amount(); !ok || t != total {
		return fmt.Sprintf("the server's batch totals SAR %s, the plan SAR %s", b.Total.Grouped(), total.Grouped())
	}
	if v.extra != "" {
		return v.extra
	}
	if v.sum != total {
		return fmt.Sprintf("the server's entries add up to SAR %s, the plan SAR %s", v.sum.Grouped(), total.Grouped())
	}
	if v.echo && v.n > 0 {
		for i, row := range v.rows {
			if n := v.timesOn(i); n != 1 {
				return fmt.Sprintf("row %d (%s) is on the server %d times", row.Row, row.Request.MerchantReference, n)
			}
		}
	}
	return ""
}

// close checks the batch against the plan and closes it.
func (r *run) close(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return resumable(err, "stopped before closing the batch")
		}
		// The answer that checks the batch also gives each row its entry
		// id, fee and status, recorded once the batch is closed: the
		// statuses are those of the check (what changes after the close
		// is read by `payroll status`), and a hundred thousand entries
		// are not read a second time.
		m := newMatcher(r.rows)
		v := newVerifier(r.rows, m.byRef)
		b, err := r.u.API.QueryEach(ctx, r.up.BatchID,
			func() { v.start(); m.start() },
			func(e *payout.Entry) { v.add(e); m.add(e) })
		r.record("query", -1, err)
		if err != nil {
			return resumable(err, "could not check batch %s before closing it", r.up.BatchID)
		}
		if payout.BatchClosed(b.Status) {
			// An earlier close was applied. Only a word known to mean
			// closed counts: any other is tried (a second close is refused).
			return r.closed(m)
		}
		unknownStatus := !payout.BatchOpen(b.Status)
		if why := v.result(b, r.up.Count, r.up.Total); why != "" {
			return r.mismatch(ctx, why)
		}
		if attempt > r.retries() {
			return resumable(nil, "closing batch %s failed %d times with an unknown outcome", r.up.BatchID, attempt)
		}
		if err := r.u.Journal.SetStatus(r.jctx, r.up.ID, journal.StatusClosing, ""); err != nil {
			return err
		}
		r.up.Status = journal.StatusClosing
		_, err = r.u.API.Close(ctx, r.up.BatchID, r.up.Count, r.up.Total)
		r.record("close", -1, err)
		switch {
		case err == nil:
			return r.closed(m)
		case ctx.Err() != nil:
			// The close may have been applied: the journal says "closing",
			// and the next run asks the server before anything else.
			return interrupted("while closing the batch")
		case payout.UnknownCall(err):
			r.u.log().Warn("closing: outcome unknown, checking the server", "err", err)
			continue
		}
		if jerr := r.u.Journal.SetStatus(r.jctx, r.up.ID, journal.StatusOpen, ""); jerr != nil {
			return jerr
		}
		r.up.Status = journal.StatusOpen
		if unknownStatus && payout.NotAppliedCall(err) && !payout.IsCall(err, payout.CallInsufficientFunds) {
			return &StopError{Kind: payout.ErrMismatch, Err: err,
				Msg:  fmt.Sprintf("batch %s has the status %q, which this tool does not know, and Clickpay refused to close it", r.up.BatchID, b.Status),
				Hint: "check the batch in the Clickpay dashboard: if it was closed there, its entries are paid from it; 'payroll status " + r.up.BatchID + "' shows them"}
		}
		if payout.IsCall(err, payout.CallInsufficientFunds) {
			return &StopError{Kind: payout.ErrResumable, Err: err,
				Msg:     fmt.Sprintf("the deposit account's balance does not cover batch %s: it needs SAR %s (plus fees)", r.up.BatchID, r.up.Total.Grouped()),
				Resumes: true, First: "top up the deposit account"}
		}
		return resumable(err, "closing batch %s failed", r.up.BatchID)
	}
}

// closed records that the batch is closed, then the entries m matched to
// the rows.
func (r *run) closed(m *matcher) error {
	r.up.Status = journal.StatusClosed
	r.u.log().Info("batch closed", "batch", r.up.BatchID, "count", r.up.Count, "total", r.up.Total.String())
	if err := r.u.Journal.SetStatus(r.jctx, r.up.ID, journal.StatusClosed, ""); err != nil {
		return err
	}
	return r.u.recordEntries(r.jctx, r.up, r.rows, m.finish())
}

// Refresh queries an upload's batch, matches its entries to the rows (by
// merchant_reference when echoed, else by IBAN and amount in order) and
// records entry ids and statuses. It returns the rows.
func (u *Uploader) Refresh(ctx context.Context, up *journal.Upload) ([]journal.Row, error) {
	rows, _, err := u.refresh(ctx, up)
	return rows, err
}

// refresh is Refresh, also returning the batch's status as the server
// answered it ("" when the batch was not asked for).
func (u *Uploader) refresh(ctx context.Context, up *journal.Upload) ([]journal.Row, string, error) {
	rows, err := u.Journal.Rows(ctx, up.ID)
	if err != nil {
		return nil, "", err
	}
	return u.refreshRows(ctx, up, rows)
}

// refreshRows is refresh of an upload's rows already read from the
// journal; it updates them in place.
func (u *Uploader) refreshRows(ctx context.Context, up *journal.Upload, rows []journal.Row) ([]journal.Row, string, error) {
	if up.BatchID == "" {
		return rows, "", nil
	}
	m := newMatcher(rows)
	b, err := u.API.QueryEach(ctx, up.BatchID, m.start, m.add)
	if err != nil {
		return rows, "", resumable(err, "could not query batch %s", up.BatchID)
	}
	if err := u.recordEntries(context.WithoutCancel(ctx), up, rows, m.finish()); err != nil {
		return nil, "", err
	}
	return rows, b.Status, nil
}

// recordEntries records in the journal the entries matched to an upload's
// rows, and updates the rows.
func (u *Uploader) recordEntries(ctx context.Context, up *journal.Upload, rows []journal.Row, matched []journal.EntryUpdate) error {
	// Only what changed is written, and the rows read are updated in
	// place rather than read again.
	// Rows read from the journal are in plan order, each at its index;
	// otherwise they are found by it.
	var at map[int]int
	for i, r := range rows {
		if r.Index != i {
			at = make(map[int]int, len(rows))
			for i, r := range rows {
				at[r.Index] = i
			}
			break
		}
	}
	changed := matched[:0] // the changed ones, kept in place
	for _, e := range matched {
		i := e.Index
		if at != nil {
			i = at[e.Index]
		}
		r := &rows[i]
		if r.EntryID == e.EntryID && r.Status == e.Status && r.Fee == e.Fee && r.Total == e.Total && r.ProtocolMessage == e.ProtocolMessage {
			continue
		}
		r.EntryID, r.Status, r.Fee, r.Total, r.ProtocolMessage = e.EntryID, e.Status, e.Fee, e.Total, e.ProtocolMessage
		changed = append(changed, e)
	}
	return u.Journal.UpdateEntries(ctx, up.ID, changed)
}

// Match pairs server entries with planned rows: by merchant_reference when
// the entry carries one, else by (IBAN, amount) in order.
func Match(rows []journal.Row, entries []payout.Entry) []journal.EntryUpdate {
	m := newMatcher(rows)
	for i := range entries {
		m.add(&entries[i])
	}
	return m.finish()
}

// matcher is Match with the entries of a query handed to it as they are
// read: those carrying a reference are matched at once, the others kept
// for matching by (IBAN, amount) once every entry is in.
type matcher struct {
	rows  []journal.Row
	byRef map[string]int
	taken []bool
	out   []journal.EntryUpdate
	rest  []payout.Entry
}

func newMatcher(rows []journal.Row) *matcher {
	m := &matcher{rows: rows, byRef: refIndex(rows)}
	m.start()
	return m
}

// start forgets the entries seen (the answer is read afresh).
func (m *matcher) start() {
	if m.taken == nil {
		m.taken = make([]bool, len(m.rows))
		m.out = make([]journal.EntryUpdate, 0, len(m.rows))
	} else {
		clear(m.taken)
	}
	m.out, m.rest = m.out[:0], nil
}

func (m *matcher) take(i int, e *payout.Entry) {
	m.taken[i] = true
	m.out = append(m.out, journal.EntryUpdate{Index: m.rows[i].Index, EntryID: e.ID, Status: e.Status, Fee: e.Fee.String(), Total: e.Total.String(), ProtocolMessage: e.Message})
}

func (m *matcher) add(e *payout.Entry) {
	if i, ok := m.byRef[e.Reference]; ok && e.Reference != "" && !m.taken[i] {
		m.take(i, e)
		return
	}
	m.rest = append(m.rest, *e)
}

// finish matches the entries without a known reference and returns every
// match.
func (m *matcher) finish() []journal.EntryUpdate {
	if len(m.rest) == 0 {
		return m.out
	}
	// The rows of each (IBAN, amount), in order: the first, and after each
	// the next one (-1 at the end).
	first := make(map[key]int, len(m.rows))
	next := make([]int, len(m.rows))
	for i := len(m.rows) - 1; i >= 0; i-- {
		k := key{m.rows[i].Request.IBAN, m.rows[i].Request.Amount}
		next[i] = -1
		if j, ok := first[k]; ok {
			next[i] = j
		}
		first[k] = i
	}
	for j := range m.rest {
		e := &m.rest[j]
		k, ok := entryKey(*e)
		if !ok {
			continue
		}
		i, ok := first[k]
		for ok && i >= 0 && m.taken[i] {
			i = next[i]
		}
		if ok && i >= 0 {
			m.take(i, e)
		}
	}
	return m.out
}
