package upload

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"payroll/mapping"
	"payroll/payout"
	"payroll/payout/journal"
)

// RecentWindow is how far back a payment to the same IBAN in another pay
// period is shown before confirmation: an early or late month mixed up.
const RecentWindow = 25 * 24 * time.Hour

// Prior is an earlier payment that a row of the sheet meets.
type Prior struct {
	Period  string        `json:"period"`
	BatchID string        `json:"batch_id"`
	OrderID string        `json:"order_id,omitempty"`
	File    string        `json:"file,omitempty"`
	Date    time.Time     `json:"date"`
	Amount  payout.Amount `json:"amount"`
	Status  string        `json:"status"` // the entry's, or the upload's while unknown
	// OnServer: found on the server, not in this journal (another machine,
	// or a lost journal).
	OnServer bool `json:"on_server,omitempty"`
	// Open: the batch was not closed (yet); it may still be.
	Open bool `json:"open,omitempty"`
	// Unmatched: the batch did not match its plan (a page Clickpay
	// refused, say), so this tool never closed it and will not; it pays
	// only if a person closes it in the dashboard. Not Open as well:
	// Clickpay says it is no longer open (Comparison.Kept).
	Unmatched bool `json:"unmatched,omitempty"`
}

// Met is a row of the sheet with the earlier payment it meets.
type Met struct {
	Line  payout.Line `json:"-"`
	Row   int         `json:"row"`
	Name  string      `json:"beneficiary_name"`
	IBAN  string      `json:"beneficiary_account_number"`
	Prior Prior       `json:"paid"`
}

// Comparison is a sheet compared with what was paid in its pay period.
type Comparison struct {
	Period string
	// Fresh are the rows to pay, with their occurrence numbers.
	Fresh []Line
	// Paid are rows already paid in the period (same IBAN and amount): left
	// out, or with PayAgain paid again (they are in Fresh too).
	Paid []Met
	// Different are rows whose IBAN was paid another amount in the period:
	// row errors (row.paid_different), unless PayAgain.
	Different []Met
	// Recent are rows whose IBAN was paid in another period within
	// RecentWindow: shown before confirmation.
	Recent []Met
	// NoSearch: the server has no search call, so the journal is the only
	// record of earlier uploads.
	NoSearch bool
	// Asked: the server was asked (false for a dry run without credentials).
	Asked bool
	// Unsent are earlier uploads of the period that hold some of these
	// rows' IBANs but never reached Clickpay: no batch was created (its
	// call was never sent, or Clickpay refused it). They pay nobody, so
	// their rows do not count here; paying this sheet abandons them, so
	// that they can never be resumed to pay the same people as well. (A
	// corrected sheet uploaded after Clickpay refused the first one.)
	Unsent []*journal.Upload
	// Replaced are earlier uploads of the period that hold some of these
	// rows' IBANs in a batch that did not match its plan and was not
	// closed (a page Clickpay refused, say), replaced with Force: their
	// rows do not count here, and paying this sheet abandons them. The
	// server, asked, said each batch is still open.
	Replaced []*journal.Upload
	// Kept are such uploads that Force did not replace: Clickpay says
	// their batch is no longer open (a person closed it in the
	// dashboard), so the rows it holds count as paid.
	Kept []*journal.Upload
}

// CompareOptions say what to compare a sheet with.
type CompareOptions struct {
	Period   string
	Endpoint string
	PayAgain bool
	// Ignore is this file's own upload that Force replaces (--force after
	// a mismatch): abandoned as such, not listed in Replaced.
	Ignore int64
	// Force replaces the period's uploads whose batch did not match its
	// plan and was not closed (Comparison.Replaced): a corrected sheet
	// after Clickpay refused a page of the first one.
	Force bool
	// Server: ask the server too (where it has the search call).
	Server bool
	Now    time.Time
}

// payment is one earlier payment of an IBAN in the period.
type payment struct {
	Prior
	used bool
}

// Compare sets a sheet's valid lines against the payments of their pay
// period that the journal holds and, with Server, that the server holds:
// rows already paid (same IBAN and amount) are left out, an IBAN paid
// another amount is a row error, and the rest is what to pay, each line
// with its occurrence number.
func (u *Uploader) Compare(ctx context.Context, lines []payout.Line, o CompareOptions) (*Comparison, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	c := &Comparison{Period: o.Period}
	// The period's payments and the recent ones of other periods, each
	// upload read once.
	since := o.Now.Add(-RecentWindow)
	rows, err := u.Journal.PeriodOrSince(ctx, o.Period, o.Endpoint, since)
	if err != nil {
		return nil, err
	}
	ups := uploadsOf(rows)
	unsent, err := u.unsent(ctx, ups)
	if err != nil {
		return nil, err
	}
	replaceable, kept, err := u.replaceable(ctx, ups, o)
	if err != nil {
		return nil, err
	}
	c.Kept = kept
	closedThere := map[int64]bool{} // unmatched, and no longer open on the server
	for _, up := range kept {
		closedThere[up.ID] = true
	}
	unsentPages, err := u.unsentPages(ctx, ups, o.Period)
	if err != nil {
		return nil, err
	}
	replacedIBANs := map[string][]*journal.Upload{}
	unsentIBANs := map[string][]*journal.Upload{}
	byIBAN := map[string][]*payment{}
	lastOcc := map[string]int{} // the highest occurrence used for an IBAN
	known := map[string]bool{}  // batches this journal knows
	for i := range rows {
		p := &rows[i]
		if up := unsent[p.Upload.ID]; up != nil {
			// Never reached Clickpay. Its occurrences are not counted
			// either: a row of this sheet takes the same reference, which
			// the search below would find were it on the server after all.
			if p.Upload.Period == o.Period {
				unsentIBANs[p.Request.IBAN] = append(unsentIBANs[p.Request.IBAN], up)
			}
			continue
		}
		if p.Upload.Period != o.Period {
			continue // a recent payment of another period: below
		}
		iban := p.Request.IBAN
		lastOcc[iban] = max(lastOcc[iban], p.Occurrence)
		if p.Upload.BatchID != "" {
			known[p.Upload.BatchID] = true
		}
		if pages := unsentPages[p.Upload.ID]; p.Page < len(pages) && pages[p.Page] == journal.PagePlanned {
			continue // never sent: a batch that stopped short holds no such row
		}
		if up := replaceable[p.Upload.ID]; up != nil {
			if up.ID != o.Ignore { // that one is this file's, replaced as such
				replacedIBANs[iban] = append(replacedIBANs[iban], up)
			}
			continue
		}
		if !p.Upload.MayPay() || failed(p.Status) {
			continue
		}
		status := p.Status
		if status == "" {
			status = p.Upload.Status
		}
		byIBAN[iban] = append(byIBAN[iban], &payment{Prior: Prior{Period: p.Upload.Period, BatchID: p.Upload.BatchID, OrderID: p.Upload.OrderID,
			File: p.Upload.File, Date: p.Upload.CreatedAt, Amount: p.Request.Amount, Status: status,
			Open: p.Upload.Status != journal.StatusClosed && !closedThere[p.Upload.ID], Unmatched: p.Upload.Status == journal.StatusMismatch}})
	}
	if o.Server && u.API != nil {
		c.Asked = true
		found, err := u.searchPeriod(ctx, lines, o.Period, known, lastOcc)
		if err != nil {
			return nil, err
		}
		c.NoSearch = found.noSearch
		for _, e := range found.entries {
			if failed(e.Status) {
				continue
			}
			amount, _ := e.Amount.Amount()
			byIBAN[e.IBAN] = append(byIBAN[e.IBAN], &payment{Prior: Prior{Period: o.Period, BatchID: e.BatchID, OrderID: found.orders[e.BatchID],
				Amount: amount, Status: e.Status, OnServer: true, Open: found.open[e.BatchID]}})
		}
	}

	replaced := map[int64]bool{}
	for _, l := range lines {
		for _, up := range unsentIBANs[l.Request.IBAN] {
			if !replaced[up.ID] {
				replaced[up.ID] = true
				c.Unsent = append(c.Unsent, up)
			}
		}
		for _, up := range replacedIBANs[l.Request.IBAN] {
			if !replaced[up.ID] {
				replaced[up.ID] = true
				c.Replaced = append(c.Replaced, up)
			}
		}
	}
	next := make(map[string]int, len(lines)) // an IBAN's occurrence so far
	c.Fresh = make([]Line, 0, len(lines))
	for _, l := range lines {
		iban := l.Request.IBAN
		var same, other *payment
		for _, p := range byIBAN[iban] {
			if p.used {
				continue
			}
			if p.Amount == l.Request.Amount && same == nil {
				same = p
			} else if other == nil {
				other = p
			}
		}
		switch {
		case same != nil:
			same.used = true
			c.Paid = append(c.Paid, met(l, same.Prior))
			if !o.PayAgain {
				continue
			}
		case other != nil && !o.PayAgain:
			other.used = true
			c.Different = append(c.Different, met(l, other.Prior))
			continue
		}
		n, ok := next[iban]
		if !ok {
			n = lastOcc[iban]
		}
		n++
		next[iban] = n
		c.Fresh = append(c.Fresh, lineOf(l, n))
	}

	last := map[string]Prior{}
	for i := range rows {
		p := &rows[i]
		if p.Upload.CreatedAt.Before(since) || p.Upload.Period == o.Period || !p.Upload.MayPay() || unsent[p.Upload.ID] != nil || failed(p.Status) {
			continue
		}
		last[p.Request.IBAN] = Prior{Period: p.Upload.Period, BatchID: p.Upload.BatchID, OrderID: p.Upload.OrderID, File: p.Upload.File,
			Date: p.Upload.CreatedAt, Amount: p.Request.Amount, Status: p.Status, Open: p.Upload.Status != journal.StatusClosed}
	}
	for i := range c.Fresh {
		if p, ok := last[c.Fresh[i].Request.IBAN]; ok {
			c.Recent = append(c.Recent, met(checkedLine(&c.Fresh[i]), p))
		}
	}
	return c, nil
}

// uploadsOf are the uploads the rows belong to, each once, in the order
// they first appear.
func uploadsOf(rows []journal.Payment) []*journal.Upload {
	var out []*journal.Upload
	seen := map[int64]bool{}
	for i := range rows {
		if up := rows[i].Upload; !seen[up.ID] {
			seen[up.ID] = true
			out = append(out, up)
		}
	}
	return out
}

// unsent returns the uploads among ups that never reached Clickpay: still
// planned, with no batch, and the page that creates the batch never sent
// or refused ("planned"; "sending" is a create whose outcome is not known,
// and such an upload may well have a batch).
func (u *Uploader) unsent(ctx context.Context, ups []*journal.Upload) (map[int64]*journal.Upload, error) {
	out := map[int64]*journal.Upload{}
	for _, up := range ups {
		never, err := u.neverSent(ctx, up)
		if err != nil {
			return nil, err
		}
		if never {
			out[up.ID] = up
		}
	}
	return out, nil
}

// replaceable are the uploads of the period that Force replaces: their
// batch did not match its plan and was not closed by this tool (without
// Force, only this file's own, Ignore). With the server to ask, each batch
// is looked up first, and one a person closed in the dashboard since (its
// entries are paid) is not replaced but kept: its rows count as ever.
func (u *Uploader) replaceable(ctx context.Context, ups []*journal.Upload, o CompareOptions) (out map[int64]*journal.Upload, kept []*journal.Upload, err error) {
	out = map[int64]*journal.Upload{}
	for _, up := range ups {
		if up.Period != o.Period || up.Status != journal.StatusMismatch || !o.Force && up.ID != o.Ignore {
			continue
		}
		open, err := u.stillOpen(ctx, up, o.Server)
		if err != nil {
			return nil, nil, err
		}
		if !open {
			u.log().Warn("a batch that did not match its plan is no longer open on the server: its rows count as paid, and --force does not replace it", "batch", up.BatchID)
			kept = append(kept, up)
			continue
		}
		out[up.ID] = up
	}
	return out, kept, nil
}

// stillOpen asks the server, when ask and there is a batch, whether the
// batch of an upload that did not match its plan is still open; without
// asking, it is taken to be (--force says so).
func (u *Uploader) stillOpen(ctx context.Context, up *journal.Upload, ask bool) (bool, error) {
	if !ask || u.API == nil || up.BatchID == "" {
		return true, nil
	}
	b, err := u.API.Query(ctx, up.BatchID)
	if err != nil {
		return false, resumable(err, "could not ask Clickpay whether batch %s, which --force would replace, is still open", up.BatchID)
	}
	return payout.BatchOpen(b.Status), nil
}

// stillToReplace is stillOpen asked again just before --force abandons an
// upload: a person may have closed its batch in the dashboard while the
// plan waited to be confirmed. Then nothing is sent, and started again
// the sheet is compared with that batch as paid.
func (u *Uploader) stillToReplace(ctx context.Context, up *journal.Upload, ask bool) error {
	open, err := u.stillOpen(ctx, up, ask)
	if err != nil || open {
		return err
	}
	return resumable(nil, "batch %s of %s is no longer open on Clickpay: a person closed it after this sheet was compared with it, so the rows it holds are paid and --force does not replace it; nothing was sent. "+
		"Started again, the sheet is compared with that batch as paid", up.BatchID, up.File)
}

// unsentPages are the page states of the period's uploads whose batch
// stopped short of its plan and will not be resumed (not matching it: a
// page Clickpay refused, say), by upload: the rows of a page still
// planned were never sent, and pay nobody even if a person closes that
// batch in the dashboard.
func (u *Uploader) unsentPages(ctx context.Context, ups []*journal.Upload, period string) (map[int64][]string, error) {
	out := map[int64][]string{}
	for _, up := range ups {
		if up.Period != period || up.Status != journal.StatusMismatch {
			continue
		}
		states, err := u.Journal.PageStates(ctx, up.ID)
		if err != nil {
			return nil, err
		}
		out[up.ID] = states
	}
	return out, nil
}

// neverSent reports whether an upload certainly reached Clickpay with
// nothing: it is planned, has no batch, and its first page (the create)
// is planned, never sent or refused.
func (u *Uploader) neverSent(ctx context.Context, up *journal.Upload) (bool, error) {
	if up.Status != journal.StatusPlanned || up.BatchID != "" {
		return false, nil
	}
	states, err := u.Journal.PageStates(ctx, up.ID)
	if err != nil {
		return false, err
	}
	return len(states) > 0 && states[0] == journal.PagePlanned, nil
}

func met(l payout.Line, p Prior) Met {
	return Met{Line: l, Row: l.Row, Name: l.Request.Name, IBAN: l.Request.IBAN, Prior: p}
}

// unmatched refuses a sheet some of whose rows are in a batch that did
// not match its plan and was never closed: whether they are paid depends
// on what a person does with that batch in the dashboard, so nothing is
// decided for them here. --force replaces such a batch that Clickpay
// says is still open (CompareOptions.Force).
func (c *Comparison) unmatched() error {
	rows := map[string][]string{}
	var batches []string
	for _, m := range append(append([]Met(nil), c.Paid...), c.Different...) {
		if !m.Prior.Unmatched {
			continue
		}
		b := m.Prior.BatchID
		if rows[b] == nil {
			batches = append(batches, b)
		}
		rows[b] = append(rows[b], strconv.Itoa(m.Row))
	}
	if len(batches) == 0 {
		return nil
	}
	var said []string
	for _, b := range batches {
		said = append(said, fmt.Sprintf("rows %s are in batch %s", strings.Join(rows[b], ", "), b))
	}
	return mismatch("%s, which did not match its plan and was not closed: nobody on it is paid unless a person closes it in the Clickpay dashboard; nothing was sent. "+
		"Check it there; to pay these rows with this sheet instead, upload it with --force, which replaces that batch if Clickpay says it is still open", strings.Join(said, "; "))
}

// Problems are the row errors of the rows whose IBAN was paid another
// amount earlier in the period (row.paid_different).
func (c *Comparison) Problems() []payout.Problem {
	var out []payout.Problem
	for _, m := range c.Different {
		out = append(out, payout.NewProblem(m.Row, string(mapping.Account), m.IBAN, "row.paid_different",
			m.Prior.Period, DescribePrior(m.Prior), m.Prior.Amount.Grouped()))
	}
	return out
}

// found is what the server holds for a period that the journal does not.
type found struct {
	entries  []payout.Entry
	orders   map[string]string
	open     map[string]bool
	noSearch bool
}

// sampleEvery is how many rows apart the references searched are: a few a
// page (at the default page size) lead to the batches, and each batch found
// is queried in full. A long sheet is sampled at most maxSamples times,
// evenly, so that a search costs a few calls whatever its length (a
// 100,000-row sheet would otherwise make 3,000): a batch holding at least
// one row in maxSamples of the sheet is always found; a smaller one when a
// sampled row is in it.
const (
	sampleEvery = 33
	maxSamples  = 32
)

// searchPeriod asks the server which batches hold payments of the period
// that the journal does not know. It searches the first payment's
// reference of the first, the last and every sampleEvery-th row (at most
// maxSamples of them, evenly spread); once such
// a batch is found (so the journal is incomplete: another machine, or a
// lost journal), every row's; each batch found is queried in full; and
// after an entry that failed, the next occurrence's reference.
func (u *Uploader) searchPeriod(ctx context.Context, lines []payout.Line, period string, known map[string]bool, lastOcc map[string]int) (*found, error) {
	f := &found{orders: map[string]string{}, open: map[string]bool{}}
	if len(lines) == 0 {
		return f, nil
	}
	queried := map[string]bool{}
	searched := map[string]bool{}
	occs := map[string]int{} // highest occurrence of an IBAN seen on the server
	var search func(iban string, occ int) error
	search = func(iban string, occ int) error {
		ref := Reference(period, iban, occ)
		if f.noSearch || searched[ref] {
			return nil
		}
		searched[ref] = true
		entries, err := u.API.Search(ctx, ref)
		if payout.IsCall(err, payout.CallNoSearch) {
			f.noSearch = true
			return nil
		}
		if err != nil {
			return resumable(err, "could not ask Clickpay whether this period's rows were paid already (search for %s)", ref)
		}
		for _, e := range entries {
			occs[iban] = max(occs[iban], occ)
			if e.BatchID == "" {
				// No batch to query: the entry itself is the payment.
				if e.IBAN == "" {
					e.IBAN = iban
				}
				f.entries = append(f.entries, e)
				continue
			}
			if known[e.BatchID] || queried[e.BatchID] {
				continue
			}
			queried[e.BatchID] = true
			b, err := u.API.Query(ctx, e.BatchID)
			if err != nil {
				return resumable(err, "could not read batch %s, found on the server for this period", e.BatchID)
			}
			f.orders[e.BatchID] = b.OrderID
			f.open[e.BatchID] = !payout.BatchClosed(b.Status)
			for _, be := range b.Entries {
				be.BatchID = e.BatchID
				f.entries = append(f.entries, be)
			}
		}
		for _, e := range entries {
			if failed(e.Status) {
				// A failed payment may have been paid again under the next
				// reference.
				return search(iban, occ+1)
			}
		}
		return nil
	}
	step := max(sampleEvery, (len(lines)+maxSamples-1)/maxSamples)
	for i, l := range lines {
		if i == 0 || i == len(lines)-1 || i%step == 0 {
			if err := search(l.Request.IBAN, 1); err != nil {
				return nil, err
			}
		}
	}
	if len(queried) > 0 || len(f.entries) > 0 {
		for _, l := range lines {
			if err := search(l.Request.IBAN, 1); err != nil {
				return nil, err
			}
		}
	}
	// Entries found in batches the journal did not know belong to the
	// period; they take occurrence numbers too.
	for iban, occ := range occs {
		lastOcc[iban] = max(lastOcc[iban], occ)
	}
	perIBAN := map[string]int{}
	for _, e := range f.entries {
		perIBAN[e.IBAN]++
	}
	for iban, n := range perIBAN {
		lastOcc[iban] = max(lastOcc[iban], n)
	}
	return f, nil
}

// DescribePrior says in words where a row was paid before.
func DescribePrior(p Prior) string {
	var b strings.Builder
	if p.BatchID != "" {
		fmt.Fprintf(&b, "batch %s", p.BatchID)
	} else {
		fmt.Fprintf(&b, "order %s (no batch yet)", p.OrderID)
	}
	if !p.Date.IsZero() {
		fmt.Fprintf(&b, " on %s", p.Date.Local().Format("2006-01-02"))
	}
	if p.OnServer {
		b.WriteString(", found on the server")
	}
	if p.Unmatched && !p.Open {
		b.WriteString(", which did not match its plan; Clickpay says it is no longer open (a person closed it in the dashboard), so the rows on it are paid from it")
	}
	if p.Open {
		// Not paid: a batch pays nobody until it is closed.
		if p.Unmatched {
			b.WriteString(", which did not match its plan and was not closed: nobody on it is paid unless a person closes it in the Clickpay dashboard")
		} else if p.File != "" && !p.OnServer {
			fmt.Fprintf(&b, ", not closed yet: nobody on it is paid until the upload of %s is finished", filepath.Base(p.File))
		} else {
			b.WriteString(", not closed yet: nobody on it is paid until it is closed")
		}
	}
	return b.String()
}

// PaidSummary groups already-paid rows by batch: "197 rows, batch 30101 on
// 2026-11-27", newest batch first.
func PaidSummary(ms []Met) []string {
	type group struct {
		prior Prior
		n     int
	}
	var order []string
	groups := map[string]*group{}
	for _, m := range ms {
		k := m.Prior.BatchID + "/" + m.Prior.OrderID
		g, ok := groups[k]
		if !ok {
			g = &group{prior: m.Prior}
			groups[k] = g
			order = append(order, k)
		}
		g.n++
	}
	sort.SliceStable(order, func(i, j int) bool { return groups[order[i]].prior.Date.After(groups[order[j]].prior.Date) })
	var out []string
	for _, k := range order {
		g := groups[k]
		out = append(out, fmt.Sprintf("%s, %s", payout.Plural(g.n, "row"), DescribePrior(g.prior)))
	}
	return out
}
