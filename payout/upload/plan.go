// Package upload pays a checked sheet exactly once: it records the plan in
// the journal before the first call, creates the batch with the first page,
// adds the other pages, checks that the server holds exactly the plan, and
// only then closes the batch with the exact count and total. A call whose
// outcome is unknown is never sent again blindly: the batch is queried and
// only what is missing is sent. Running it again after any interruption
// resumes from the journal.
package upload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/journal"
)

// API is the part of the Clickpay client the uploader uses.
type API interface {
	NewBatch(ctx context.Context, orderID string, page []payout.Request) (*clickpay.Batch, error)
	Add(ctx context.Context, batchID clickpay.ID, orderID string, page []payout.Request) (*clickpay.Batch, error)
	Close(ctx context.Context, batchID clickpay.ID, count int, total payout.Amount) (*clickpay.Batch, error)
	Query(ctx context.Context, batchID clickpay.ID) (*clickpay.Batch, error)
	Search(ctx context.Context, merchantReference string) ([]clickpay.Entry, error)
}

// DefaultPageSize is how many requests go in one call by default.
const DefaultPageSize = 100

// MaxPageSize is the most requests one call may carry.
const MaxPageSize = 1000

// Plan is what an upload will send.
type Plan struct {
	File     string
	FileHash string
	OrderID  string
	PageSize int
	Lines    []payout.Line // with MerchantReference set
	Count    int
	Total    payout.Amount
	Results  string // results sheet path
}

// Pages returns how many calls the rows take.
func (p *Plan) Pages() int { return (len(p.Lines) + p.PageSize - 1) / p.PageSize }

// Page returns the requests of page i.
func (p *Plan) Page(i int) []payout.Request {
	var out []payout.Request
	for _, l := range p.Lines[i*p.PageSize : min((i+1)*p.PageSize, len(p.Lines))] {
		out = append(out, l.Request)
	}
	return out
}

// HashFile returns the SHA-256 of a file's content, in hex.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// DefaultOrderID is payroll-<YYYYMMDD>-<first 10 hex of the file's SHA-256>.
func DefaultOrderID(hash string, day time.Time) string {
	return fmt.Sprintf("payroll-%s-%s", day.Format("20060102"), hash[:10])
}

// Reference is the merchant_reference of a row: the order id and the row
// number, at most 50 characters, so that every server entry can be traced
// to its row. A long order id is replaced by a digest of it.
func Reference(orderID string, row int) string {
	suffix := fmt.Sprintf("-r%d", row)
	if len(orderID)+len(suffix) <= 50 {
		return orderID + suffix
	}
	sum := sha256.Sum256([]byte(orderID))
	return "p" + hex.EncodeToString(sum[:])[:20] + suffix
}

// NewPlan makes the plan for the valid lines of a file.
func NewPlan(file, hash, orderID string, lines []payout.Line, pageSize int) (*Plan, error) {
	if pageSize < 1 || pageSize > MaxPageSize {
		return nil, fmt.Errorf("the page size must be from 1 to %d, not %d", MaxPageSize, pageSize)
	}
	if len(lines) == 0 {
		return nil, errors.New("there are no valid rows to pay")
	}
	p := &Plan{File: file, FileHash: hash, OrderID: orderID, PageSize: pageSize}
	for _, l := range lines {
		l.Request.MerchantReference = Reference(orderID, l.Row)
		p.Lines = append(p.Lines, l)
		p.Count++
		p.Total += l.Request.Amount
	}
	return p, nil
}

// StopError is an upload that stopped. It says why and what to do, and
// matches payout.ErrResumable (run the same command again) or
// payout.ErrMismatch (needs a human) with errors.Is.
type StopError struct {
	Kind error  // payout.ErrResumable or payout.ErrMismatch
	Msg  string // what stopped
	Err  error  // the failure behind it, if any
	Hint string // what to do
}

func (e *StopError) Error() string {
	s := e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Is matches the kind.
func (e *StopError) Is(target error) bool { return target == e.Kind }

func (e *StopError) Unwrap() error { return e.Err }

const resumeHint = "run the same command again to resume (nothing is sent twice)"

func resumable(err error, format string, a ...any) error {
	return &StopError{Kind: payout.ErrResumable, Msg: fmt.Sprintf(format, a...), Err: err, Hint: resumeHint}
}

// interrupted is the stop after Ctrl-C: the call in flight was abandoned
// and its outcome is left for the next run to find out.
func interrupted(when string) error {
	return &StopError{Kind: payout.ErrResumable, Msg: "interrupted " + when, Hint: resumeHint}
}

func mismatch(format string, a ...any) error {
	return &StopError{Kind: payout.ErrMismatch, Msg: fmt.Sprintf(format, a...)}
}

// AlreadyUploaded is the refusal to upload a file whose content was already
// uploaded and closed.
type AlreadyUploaded struct{ Upload *journal.Upload }

func (e *AlreadyUploaded) Error() string {
	u := e.Upload
	return fmt.Sprintf("%s was already uploaded on %s as batch %s (order %s, %d rows, SAR %s); nothing was sent. Its results: payroll status %s; to pay it again: --force",
		u.File, u.ClosedAt.Local().Format("2006-01-02 15:04"), u.BatchID, u.OrderID, u.Count, u.Total.Grouped(), u.BatchID)
}

// Is matches payout.ErrAlreadyUploaded.
func (e *AlreadyUploaded) Is(target error) bool { return target == payout.ErrAlreadyUploaded }
