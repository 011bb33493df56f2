package upload

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"payroll/payout"
	"payroll/payout/journal"
)

// ResultRow is a line of the results sheet.
type ResultRow struct {
	Row             int           `csv:"row" json:"row"`
	EmployeeID      string        `csv:"employee_id" json:"employee_id,omitempty"`
	Name            string        `csv:"beneficiary_name" json:"beneficiary_name"`
	IBAN            string        `csv:"beneficiary_account_number" json:"beneficiary_account_number"`
	Amount          payout.Amount `csv:"amount" json:"amount"`
	BatchID         string        `csv:"batch_id" json:"batch_id" xlsx:"id"`
	EntryID         string        `csv:"entry_id" json:"entry_id" xlsx:"id"`
	Status          string        `csv:"status" json:"status"`
	Fee             string        `csv:"fee" json:"fee" xlsx:"money"`
	Total           string        `csv:"total" json:"total" xlsx:"money"`
	ProtocolMessage string        `csv:"protocol_message" json:"protocol_message"`
}

// Results turns journal rows into results-sheet lines.
func Results(up *journal.Upload, rows []journal.Row) []ResultRow {
	out := make([]ResultRow, len(rows))
	for i, r := range rows {
		out[i] = ResultRow{Row: r.Row, EmployeeID: r.EmployeeID, Name: r.Request.Name, IBAN: r.Request.IBAN, Amount: r.Request.Amount,
			BatchID: up.BatchID, EntryID: r.EntryID, Status: r.Status, ProtocolMessage: r.ProtocolMessage}
		if r.Status == "" {
			out[i].Status = "Not sent"
			if up.Status == journal.StatusClosed || up.Status == journal.StatusOpen {
				out[i].Status = "Unknown"
			}
		}
		if r.EntryID != "" {
			out[i].Fee, out[i].Total = r.Fee, r.Total
		}
	}
	return out
}

// WriteResults writes the results sheet (XLSX or CSV by extension), with
// its headers in lang ("en" or "ar") and a totals row in XLSX. The
// employee_id column is left out when no row has one.
func WriteResults(path string, results []ResultRow, lang string) error {
	opts := payout.TableOptions{Lang: lang, Totals: true}
	hasID := false
	for _, r := range results {
		if r.EmployeeID != "" {
			hasID = true
		}
	}
	if !hasID {
		opts.Omit = []string{"employee_id"}
	}
	return payout.WriteTableWith(path, "Results", results, opts)
}

// DefaultResultsPath is <input>.results.xlsx beside the input.
func DefaultResultsPath(input string) string {
	return strings.TrimSuffix(input, filepath.Ext(input)) + ".results.xlsx"
}

// FailedPath is where the failed rows go as a new upload-ready sheet.
func FailedPath(input string) string {
	return strings.TrimSuffix(input, filepath.Ext(input)) + ".failed.xlsx"
}

// WriteFailed writes the failed and rejected rows in the template's columns,
// ready to be fixed and uploaded again. It returns how many rows it wrote;
// with none it writes nothing.
func WriteFailed(path string, rows []journal.Row) (int, error) {
	var out []payout.TemplateRow
	for _, r := range rows {
		if !failed(r.Status) {
			continue
		}
		q := r.Request
		out = append(out, payout.TemplateRow{EmployeeID: r.EmployeeID, Name: q.Name, IBAN: q.IBAN, Bank: q.Bank, Amount: q.Amount.String(),
			Mobile: q.Mobile, Email: q.Email, Country: q.Country, Address: q.Address1, City: q.Address2, Branch: q.Branch,
			TransferCode: fmt.Sprint(int(q.TransferCode)), Problem: r.Status + ": " + r.ProtocolMessage})
	}
	if len(out) == 0 {
		return 0, nil
	}
	return len(out), payout.WriteTable(path, "Failed", out)
}

func failed(status string) bool {
	s := strings.ToLower(status)
	return s == "failed" || s == "rejected"
}

// StatusCount is how many entries have one status.
type StatusCount struct {
	Status string        `json:"status"`
	Count  int           `json:"count"`
	Amount payout.Amount `json:"amount"`
}

// CountStatuses counts rows per status, in a stable order.
func CountStatuses(results []ResultRow) []StatusCount {
	m := map[string]*StatusCount{}
	for _, r := range results {
		c, ok := m[r.Status]
		if !ok {
			c = &StatusCount{Status: r.Status}
			m[r.Status] = c
		}
		c.Count++
		c.Amount += r.Amount
	}
	var out []StatusCount
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Status < out[j].Status })
	return out
}

// AllFinal reports whether every row has a final status.
func AllFinal(results []ResultRow) bool {
	for _, r := range results {
		if !payout.EntryFinal(r.Status) {
			return false
		}
	}
	return true
}

// HistoryLine is one upload as `payroll history` lists it.
type HistoryLine struct {
	File     string        `json:"file"`
	Date     string        `json:"date"`
	Period   string        `json:"period"`
	Endpoint string        `json:"endpoint"`
	OrderID  string        `json:"order_id"`
	BatchID  string        `json:"batch_id"`
	Count    int           `json:"count"`
	Total    payout.Amount `json:"total"`
	Status   string        `json:"status"`
	// Note says what a person must know: a batch left open on the server.
	Note string `json:"note,omitempty"`
}

// OpenNote says, for an upload whose batch exists on the server but will
// never be closed by this tool, what that means; "" for any other.
func OpenNote(u *journal.Upload) string {
	if u.BatchID == "" {
		return ""
	}
	switch u.Status {
	case journal.StatusAbandoned:
		return "created on the server and never closed (" + u.Message + "); it pays nothing unless someone closes it in the Clickpay dashboard, so it is best deleted there"
	case journal.StatusMismatch:
		return "left open on the server because it does not match its plan (" + u.Message + "); check it in the Clickpay dashboard; --force on the same file replaces it"
	}
	return ""
}

// History lists every upload in the journal, oldest first.
func History(ctx context.Context, j *journal.Journal) ([]HistoryLine, error) {
	ups, err := j.All(ctx)
	if err != nil {
		return nil, err
	}
	out := []HistoryLine{}
	for _, u := range ups {
		out = append(out, HistoryLine{File: u.File, Date: u.CreatedAt.Local().Format("2006-01-02 15:04"), Period: u.Period, Endpoint: u.Endpoint,
			OrderID: u.OrderID, BatchID: u.BatchID, Count: u.Count, Total: u.Total, Status: u.Status, Note: OpenNote(u)})
	}
	return out, nil
}

// AuditLine answers, for one row of a sheet, whether it was paid, once.
type AuditLine struct {
	Row      int            `json:"row"`
	Name     string         `json:"beneficiary_name"`
	IBAN     string         `json:"beneficiary_account_number"`
	Amount   payout.Amount  `json:"amount"`
	Verdict  string         `json:"verdict"` // paid, pending, failed, never sent, paid twice
	Payments []AuditPayment `json:"payments"`
}

// AuditPayment is one entry on the server for a row.
type AuditPayment struct {
	OrderID string `json:"order_id"`
	BatchID string `json:"batch_id"`
	EntryID string `json:"entry_id"`
	Status  string `json:"status"`
	Message string `json:"protocol_message,omitempty"`
}

// Audit verdicts.
const (
	VerdictPaid      = "paid"
	VerdictPending   = "pending"
	VerdictFailed    = "failed"
	VerdictNeverSent = "never sent"
	VerdictTwice     = "paid twice"
)

// AuditWindow is how far before a sheet's first upload Audit looks by
// default: far enough to catch the same salaries paid again from a
// corrected copy of the sheet, short enough to leave last month's payroll
// (same IBANs, often the same amounts) out.
const AuditWindow = 20 * 24 * time.Hour

// AuditSince returns the default start of an audit of a file: AuditWindow
// before the first upload of its content, or before now when it was never
// uploaded.
func (u *Uploader) AuditSince(ctx context.Context, fileHash string, now time.Time) (time.Time, error) {
	ups, err := u.Journal.ByHash(ctx, fileHash)
	if err != nil {
		return time.Time{}, err
	}
	first := now
	for _, up := range ups {
		if up.CreatedAt.Before(first) {
			first = up.CreatedAt
		}
	}
	return first.Add(-AuditWindow), nil
}

// Audit checks every valid line of a sheet against every closed batch in
// the journal created since the given time, refreshed from the server:
// which entry paid it, and whether it was paid twice, never sent, or
// failed. Rows are matched by IBAN and amount; several rows of the sheet
// with the same IBAN and amount share the payments found for them in order.
func (u *Uploader) Audit(ctx context.Context, lines []payout.Line, since time.Time) ([]AuditLine, error) {
	type candidate struct {
		up  *journal.Upload
		row journal.Row
	}
	byKey := map[key][]candidate{}
	for _, l := range lines {
		byKey[key{l.Request.IBAN, l.Request.Amount}] = nil
	}
	ups, err := u.Journal.All(ctx)
	if err != nil {
		return nil, err
	}
	// Every closed upload since then that pays one of the lines, refreshed
	// once; its rows in plan order, the uploads oldest first.
	for _, up := range ups {
		if up.Status != journal.StatusClosed || up.CreatedAt.Before(since) {
			continue // never closed (nothing of it is paid), or an earlier payroll
		}
		rows, err := u.Journal.Rows(ctx, up.ID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(rows, func(r journal.Row) bool {
			_, wanted := byKey[key{r.Request.IBAN, r.Request.Amount}]
			return wanted
		}) {
			continue
		}
		if rows, _, err = u.refreshRows(ctx, up, rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			k := key{r.Request.IBAN, r.Request.Amount}
			if cs, wanted := byKey[k]; wanted {
				byKey[k] = append(cs, candidate{up: up, row: r})
			}
		}
	}
	seen := map[key]int{}
	linesPer := map[key]int{}
	for _, l := range lines {
		linesPer[key{l.Request.IBAN, l.Request.Amount}]++
	}
	var out []AuditLine
	for _, l := range lines {
		k := key{l.Request.IBAN, l.Request.Amount}
		nth := seen[k]
		seen[k]++
		al := AuditLine{Row: l.Row, Name: l.Request.Name, IBAN: l.Request.IBAN, Amount: l.Request.Amount, Payments: []AuditPayment{}}
		// The payments of this key are shared out among the sheet's rows
		// with this key: the nth row takes the nth payment; the last row
		// takes whatever is left over.
		cs := byKey[k]
		var mine []candidate
		for i, c := range cs {
			if i == nth || (nth == linesPer[k]-1 && i > nth) {
				mine = append(mine, c)
			}
		}
		active, failedN, pending := 0, 0, 0
		for _, c := range mine {
			al.Payments = append(al.Payments, AuditPayment{OrderID: c.up.OrderID, BatchID: c.up.BatchID, EntryID: c.row.EntryID, Status: c.row.Status, Message: c.row.ProtocolMessage})
			switch {
			case failed(c.row.Status):
				failedN++
			case payout.EntryPaid(c.row.Status):
				active++
			default:
				active++
				pending++
			}
		}
		switch {
		case active > 1:
			al.Verdict = VerdictTwice
		case active == 1 && pending == 0:
			al.Verdict = VerdictPaid
		case active == 1:
			al.Verdict = VerdictPending
		case failedN > 0:
			al.Verdict = VerdictFailed
		default:
			al.Verdict = VerdictNeverSent
		}
		out = append(out, al)
	}
	return out, nil
}

// AuditOptions say how to audit a sheet.
type AuditOptions struct {
	Check payout.FileOptions
	// Since is the start of the batches looked at; zero is AuditWindow
	// before the sheet's first upload.
	Since time.Time
	Now   time.Time
}

// AuditReport is the audit of a sheet.
type AuditReport struct {
	File        string      `json:"file"`
	Since       time.Time   `json:"since"`
	Rows        []AuditLine `json:"rows"`
	Flagged     int         `json:"flagged"`
	InvalidRows []int       `json:"invalid_rows"`
}

// AuditFile answers, for every valid row of a sheet, whether it was paid,
// once (see Audit). Rows paid twice, never sent or failed are Flagged.
func (u *Uploader) AuditFile(ctx context.Context, path string, o AuditOptions) (*AuditReport, error) {
	o.Check.Check.AllowDuplicates = true
	cp, err := payout.FileSource(path).Snapshot()
	if err != nil {
		return nil, err
	}
	defer cp.Remove()
	res, err := payout.CheckCopy(ctx, cp, o.Check)
	if err != nil {
		return nil, err
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	since := o.Since
	if since.IsZero() {
		if since, err = u.AuditSince(ctx, cp.Hash, o.Now); err != nil {
			return nil, err
		}
	}
	lines, err := u.Audit(ctx, res.Lines, since)
	if err != nil {
		return nil, err
	}
	rep := &AuditReport{File: path, Since: since, Rows: lines, InvalidRows: res.InvalidRows()}
	if rep.InvalidRows == nil {
		rep.InvalidRows = []int{}
	}
	for _, l := range lines {
		if l.Verdict != VerdictPaid && l.Verdict != VerdictPending {
			rep.Flagged++
		}
	}
	return rep, nil
}
