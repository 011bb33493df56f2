package upload

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"payroll/payout"
	"payroll/payout/journal"
)

// StatusOptions say how to refresh a batch.
type StatusOptions struct {
	// Results is where to write the results sheet; "" is the upload's.
	Results string
	// FailedSheet is where the failed rows go; "" is beside the file
	// uploaded (FailedPath).
	FailedSheet string
	// Wait polls until every transfer is final (or ctx is done), waiting
	// Every at first and doubling up to a minute.
	Wait  bool
	Every time.Duration
	// Waiting, when set, is told how many transfers are final between polls.
	Waiting func(final, all int)
	Lang    string
}

// StatusReport is what a batch's refresh found.
type StatusReport struct {
	BatchID string `json:"batch_id"`
	OrderID string `json:"order_id"`
	Period  string `json:"period"`
	Sandbox bool   `json:"sandbox"`
	File    string `json:"file"`
	Final   bool   `json:"final"`
	// BatchStatus is the batch's status as the server answered it (for
	// Clickpay: New, Approved, Processing, Completed...).
	BatchStatus string        `json:"batch_status,omitempty"`
	Counts      []StatusCount `json:"counts"`
	Failed      []ResultRow   `json:"failed"`
	// Rows are every entry of the batch, in the sheet's order.
	Rows    []ResultRow `json:"-"`
	Results string      `json:"results"`
	// FailedSheet holds the failed rows, ready to fix and upload; "" when
	// none failed.
	FailedSheet string `json:"failed_sheet,omitempty"`
	// Note says what a person must know of a batch left open on the server.
	Note string `json:"note,omitempty"`
}

// ForeignBatch is a batch the journal does not know (uploaded from
// elsewhere), as the server reports it.
type ForeignBatch struct {
	Batch  *payout.Batch
	Counts map[string]int
	Failed []payout.Entry
}

// Status refreshes a batch of the journal: every entry's status, the
// results sheet and the sheet of failed rows; with Wait it polls until
// every transfer is final. A batch the journal does not know is reported
// as the server sees it (the *ForeignBatch), with no sheets.
func (u *Uploader) Status(ctx context.Context, batchID string, o StatusOptions) (*StatusReport, *ForeignBatch, error) {
	up, err := u.Journal.ByBatch(ctx, batchID)
	if errors.Is(err, journal.ErrNotFound) {
		f, err := u.foreign(ctx, batchID)
		return nil, f, err
	}
	if err != nil {
		return nil, nil, err
	}
	wait := o.Every
	if wait <= 0 {
		wait = 2 * time.Second
	}
	for {
		rows, batchStatus, err := u.refresh(ctx, up)
		if err != nil {
			return nil, nil, err
		}
		results := Results(up, rows)
		final := AllFinal(results)
		if !o.Wait || final || ctx.Err() != nil {
			rep, err := u.statusReport(up, rows, results, final, o)
			if rep != nil {
				rep.BatchStatus = batchStatus
			}
			return rep, nil, err
		}
		if o.Waiting != nil {
			o.Waiting(countFinal(results), len(results))
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Minute)
	}
}

func countFinal(rs []ResultRow) int {
	n := 0
	for _, r := range rs {
		if payout.EntryFinal(r.Status) {
			n++
		}
	}
	return n
}

// statusReport writes the results and failed-rows sheets and says what
// they hold.
func (u *Uploader) statusReport(up *journal.Upload, rows []journal.Row, results []ResultRow, final bool, o StatusOptions) (*StatusReport, error) {
	path := o.Results
	if path == "" {
		path = up.ResultsPath
	}
	if err := WriteResults(path, results, o.Lang); err != nil {
		return nil, err
	}
	rep := &StatusReport{BatchID: up.BatchID, OrderID: up.OrderID, Period: up.Period, Sandbox: up.Endpoint == "sandbox", File: up.File,
		Final: final, Counts: CountStatuses(results), Results: path, Failed: []ResultRow{}, Rows: results, Note: OpenNote(up)}
	for _, r := range results {
		if failed(r.Status) {
			rep.Failed = append(rep.Failed, r)
		}
	}
	failedPath := o.FailedSheet
	if failedPath == "" {
		failedPath = FailedPath(up.File)
		if _, err := os.Stat(up.File); err != nil {
			// The sheet is no longer where it was paid from (a watched
			// folder's processing/ of an older journal, a file moved
			// since): beside the results sheet instead.
			failedPath = filepath.Join(filepath.Dir(path), filepath.Base(failedPath))
		}
	}
	n, err := WriteFailed(failedPath, rows)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		rep.FailedSheet = failedPath
	}
	return rep, nil
}

// foreign reads a batch the journal does not know from the server.
func (u *Uploader) foreign(ctx context.Context, batchID string) (*ForeignBatch, error) {
	if u.API == nil {
		return nil, fmt.Errorf("%w: batch %s is not in the journal at %s", payout.ErrUsage, batchID, u.Journal.Path())
	}
	b, err := u.API.Query(ctx, batchID)
	var ce *payout.CallError
	switch {
	case err == nil:
	case errors.As(err, &ce) && ce.HTTPStatus >= 400 && ce.HTTPStatus < 500 && ce.HTTPStatus != 429:
		// The server answered that it will not tell of this batch (not
		// found, not ours): a batch id to check, not a failure.
		if u.Sandbox {
			// Its settings are not the user's to check.
			return nil, fmt.Errorf("%w: batch %s is not in the sandbox's journal at %s, and the sandbox has no such batch either (HTTP %d); check the batch id", payout.ErrUsage, batchID, u.Journal.Path(), ce.HTTPStatus)
		}
		return nil, fmt.Errorf("%w: batch %s is not in the journal at %s, and Clickpay says: %v", payout.ErrUsage, batchID, u.Journal.Path(), err)
	default:
		return nil, &StopError{Kind: payout.ErrResumable, Err: err, Msg: fmt.Sprintf("batch %s is not in the journal at %s, and Clickpay could not be asked about it", batchID, u.Journal.Path()),
			Hint: "run the same command again later"}
	}
	f := &ForeignBatch{Batch: b, Counts: map[string]int{}}
	for _, e := range b.Entries {
		f.Counts[e.Status]++
		if failed(e.Status) {
			f.Failed = append(f.Failed, e)
		}
	}
	return f, nil
}
