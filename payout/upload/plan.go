// Package upload pays a checked sheet exactly once: it records the plan in
// the journal before the first call, creates the batch with the first page,
// adds the other pages, checks that the server holds exactly the plan, and
// only then closes the batch with the exact count and total. A call whose
// outcome is unknown is never sent again blindly: the batch is queried and
// only what is missing is sent. Running it again after any interruption
// resumes from the journal.
package upload

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"payroll/payout"
	"payroll/payout/journal"
)

// API is what the uploader needs of a payouts API: a payout.Provider.
type API = payout.Provider

// DefaultPageSize is how many requests go in one call by default. How
// many Clickpay takes is not public; at 20 ms a call, 20,000 rows took
// 7.0 s in pages of 100, 4.1 s of 250, 3.1 s of 500 and 2.8 s of 1000
// (docs/performance.md): 250 keeps most of the gain with pages a quarter
// of the largest. An upload whose first page is refused is planned again
// with a smaller --page-size (keepOrReplan).
const DefaultPageSize = 250

// MaxPageSize is the most requests one call may carry.
const MaxPageSize = 1000

// Line is a row to pay: the checked line (Row, EmployeeID, Request) and
// which payment of its IBAN in the pay period it is (Occurrence, 1 for the
// first). It is the journal's row, filled in as the upload goes (its
// place, then its entry), so that 100,000 lines are compared, planned,
// recorded and sent without a copy of each at every step.
type Line = journal.Row

// lineOf makes a checked line a line to pay.
func lineOf(l payout.Line, occurrence int) Line {
	return Line{Row: l.Row, EmployeeID: l.EmployeeID, Request: l.Request, Occurrence: occurrence}
}

// checkedLine is the checked line a line to pay was made of.
func checkedLine(l *Line) payout.Line {
	return payout.Line{Row: l.Row, EmployeeID: l.EmployeeID, Request: l.Request}
}

// Plan is what an upload will send.
type Plan struct {
	File     string // absolute path
	FileHash string
	Period   string
	Endpoint string
	OrderID  string
	PageSize int
	Lines    []Line // with MerchantReference set; nil once Pay recorded them
	Count    int    // len(Lines)
	Total    payout.Amount
	Results  string // results sheet, absolute path
}

// Pages returns how many calls the rows take.
func (p *Plan) Pages() int { return (p.Count + p.PageSize - 1) / p.PageSize }

// Page returns the requests of page i.
func (p *Plan) Page(i int) []payout.Request {
	var out []payout.Request
	for _, l := range p.Lines[i*p.PageSize : min((i+1)*p.PageSize, len(p.Lines))] {
		out = append(out, l.Request)
	}
	return out
}

// DefaultOrderID is payroll-<YYYYMMDD>-<first 10 hex of the file's SHA-256>.
func DefaultOrderID(hash string, day time.Time) string {
	return fmt.Sprintf("payroll-%s-%s", day.Format("20060102"), hash[:10])
}

// DefaultPeriod is the pay period of an upload made at t: its month,
// YYYY-MM.
func DefaultPeriod(t time.Time) string { return t.Format("2006-01") }

// CheckPeriod says what is wrong with a pay period label, or "" when
// nothing is: 1 to 20 letters, digits and dashes, such as 2026-11 or
// 2026-11-bonus.
func CheckPeriod(p string) string {
	if p == "" || len(p) > 20 {
		return "a pay period is 1 to 20 characters, such as 2026-11 or 2026-11-bonus"
	}
	alnum := false
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			alnum = true
		case r == '-':
		default:
			return "a pay period holds only letters, digits and dashes, such as 2026-11 or 2026-11-bonus"
		}
	}
	if !alnum {
		return "a pay period needs a letter or a digit, such as 2026-11"
	}
	return ""
}

// Reference is the merchant_reference of the occ-th payment (from 1) of an
// IBAN in a pay period: "PR", the period's letters and digits (at most
// 12), and 24 hex digits of a SHA-256 of period, IBAN and occurrence. The
// same person in the same period always gets the same reference, on any
// machine and from any sheet, so the server can be asked whether they were
// paid. It is alphanumeric and at most 38 characters (Clickpay allows 50).
func Reference(period, iban string, occ int) string {
	var in [128]byte
	b := append(in[:0], "payroll/ref/v1\x00"...)
	b = append(b, period...)
	b = append(b, 0)
	b = append(b, iban...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(occ), 10)
	sum := sha256.Sum256(b)
	out := make([]byte, 0, 2+12+24)
	out = append(out, "PR"...)
	for i, n := 0, 0; i < len(period) && n < 12; i++ {
		if c := period[i]; c != '-' {
			out = append(out, c)
			n++
		}
	}
	return string(hex.AppendEncode(out, sum[:12]))
}

// NewPlan makes the plan for the lines to pay, setting each line's
// occurrence (at least 1) and merchant_reference (from the period, its IBAN
// and its occurrence). The plan takes the lines as they are: it sets them
// in place, and its Lines are the slice given.
func NewPlan(file, hash, period, orderID string, lines []Line, pageSize int) (*Plan, error) {
	if pageSize < 1 || pageSize > MaxPageSize {
		return nil, fmt.Errorf("the page size must be from 1 to %d, not %d", MaxPageSize, pageSize)
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%w: there are no rows to pay", payout.ErrNothingNew)
	}
	p := &Plan{File: file, FileHash: hash, Period: period, OrderID: orderID, PageSize: pageSize, Lines: lines}
	for i := range lines {
		l := &lines[i]
		l.Occurrence = max(l.Occurrence, 1)
		l.Request.MerchantReference = Reference(period, l.Request.IBAN, l.Occurrence)
		p.Count++
		p.Total += l.Request.Amount
	}
	return p, nil
}

// StopError is an upload that stopped. It says why and what to do, and
// matches payout.ErrResumable (run the same command again) or
// payout.ErrMismatch (needs a human) with errors.Is.
type StopError struct {
	Kind error  // payout.ErrResumable or payout.ErrMismatch; nil: Err's kind is the stop's
	Msg  string // what stopped
	Err  error  // the failure behind it, if any
	// What to do. Resumes: started again, the upload resumes, after First
	// when it is set ("correct it", "top up the deposit account"); each
	// front end words "started again" its own way (Words.Again). Hint is
	// any other advice, in words every front end can show. Smaller: the
	// server may have refused pages too large for it, and smaller ones
	// may pass; each front end says how to send them (Words.Smaller).
	Resumes bool
	First   string
	Hint    string
	Smaller bool
}

// Words are a front end's own words for what a person does next.
type Words struct {
	Again   string // start the stopped upload again
	Smaller string // send it in smaller pages
}

// cliWords are the command line's.
var cliWords = Words{Again: resumeHint, Smaller: "upload it again with a smaller --page-size"}

// Error says it in the command line's words.
func (e *StopError) Error() string { return e.Say(cliWords) }

// Say is the message in a front end's words: "run the same command again
// ..." on the command line, "upload the same sheet again ..." on the web
// page.
func (e *StopError) Say(w Words) string {
	s := e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	hint := e.Hint
	if e.Resumes {
		hint = w.Again
		if e.First != "" {
			hint = e.First + ", then " + w.Again
		}
	}
	if e.Smaller && w.Smaller != "" {
		more := "if the pages are too large for it, " + w.Smaller
		if hint == "" {
			hint = more
		} else {
			hint += "; " + more
		}
	}
	if hint != "" {
		s += "; " + hint
	}
	return s
}

// Is matches the kind.
func (e *StopError) Is(target error) bool { return target == e.Kind }

func (e *StopError) Unwrap() error { return e.Err }

const resumeHint = "run the same command again to resume (nothing is sent twice)"

// resumable is an upload stopped by err; the same command resumes it. When
// the server refused the configuration, the message (the client's) says
// what to check, and the hint says to correct it first.
func resumable(err error, format string, a ...any) error {
	e := &StopError{Kind: payout.ErrResumable, Msg: fmt.Sprintf(format, a...), Err: err, Resumes: true}
	if payout.IsCall(err, payout.CallRefusedConfig) {
		e.First = "correct it"
	}
	return e
}

// interrupted is the stop after Ctrl-C: the call in flight was abandoned
// and its outcome is left for the next run to find out.
func interrupted(when string) error {
	return &StopError{Kind: payout.ErrResumable, Msg: "interrupted " + when, Resumes: true}
}

func mismatch(format string, a ...any) error {
	return &StopError{Kind: payout.ErrMismatch, Msg: fmt.Sprintf(format, a...)}
}

// AlreadyUploaded is the refusal to upload a file whose content was already
// uploaded and closed in the same pay period.
type AlreadyUploaded struct {
	Upload *journal.Upload
	// File is the file being uploaded now, when known: a copy of the
	// paid one under another name or in another folder is said to be one.
	File string
}

func (e *AlreadyUploaded) Error() string {
	u := e.Upload
	sandbox := ""
	if u.Endpoint == "sandbox" {
		sandbox = " --sandbox"
	}
	what := u.File + " was"
	if e.File != "" && e.File != u.File {
		what = fmt.Sprintf("%s has the same content as %s, which was", e.File, u.File)
	}
	return fmt.Sprintf("%s already uploaded for pay period %s on %s as batch %s (order %s, %d rows, SAR %s); nothing was sent. Its results: payroll status %s%s; to pay everyone on it a second time in %s: --pay-again",
		what, u.Period, u.ClosedAt.Local().Format("2006-01-02 15:04"), u.BatchID, u.OrderID, u.Count, u.Total.Grouped(), u.BatchID, sandbox, u.Period)
}

// Is matches payout.ErrAlreadyUploaded.
func (e *AlreadyUploaded) Is(target error) bool { return target == payout.ErrAlreadyUploaded }
