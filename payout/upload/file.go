package upload

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"payroll/payout"
)

// FileOptions say how to check and plan a file.
type FileOptions struct {
	Check       payout.FileOptions
	Report      payout.ReportOptions
	SkipInvalid bool   // send the valid rows of a file with invalid rows
	OrderID     string // "" for the default
	PageSize    int
	Results     string // results sheet path; "" for the default
	Now         time.Time
}

// Checked is a checked file and its plan.
type Checked struct {
	Result  *payout.Result
	Reports []string // error reports written
	Plan    *Plan    // nil when the file has invalid rows and SkipInvalid is off
}

// PlanFile checks a file, writes its error reports, and makes the plan of
// its valid rows. With invalid rows and no SkipInvalid it returns the
// Checked result and an error wrapping payout.ErrInvalid: nothing is to be
// sent.
func PlanFile(ctx context.Context, path string, opts FileOptions) (*Checked, error) {
	res, err := payout.CheckFile(ctx, path, opts.Check)
	if err != nil {
		return nil, err
	}
	reports, err := res.WriteReports(opts.Report)
	if err != nil {
		return nil, err
	}
	c := &Checked{Result: res, Reports: reports}
	headerProblem := len(res.Mapping.Problems) > 0
	if res.Err() != nil && (!opts.SkipInvalid || headerProblem) {
		return c, fmt.Errorf("%w: %v; nothing was sent", payout.ErrInvalid, res.Err())
	}
	if len(res.Lines) == 0 {
		return c, fmt.Errorf("%w: no valid rows to pay; nothing was sent", payout.ErrInvalid)
	}
	hash, err := HashFile(path)
	if err != nil {
		return nil, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	order := opts.OrderID
	if order == "" {
		order = DefaultOrderID(hash, opts.Now)
	}
	if opts.PageSize == 0 {
		opts.PageSize = DefaultPageSize
	}
	if c.Plan, err = NewPlan(path, hash, order, res.Lines, opts.PageSize); err != nil {
		return nil, err
	}
	c.Plan.Results = opts.Results
	if c.Plan.Results == "" {
		c.Plan.Results = DefaultResultsPath(path)
	}
	if err := checkWritable(c.Plan.Results); err != nil {
		return nil, err
	}
	return c, nil
}

// checkWritable makes sure the results sheet can be written before any
// money moves, by creating and removing a file in its folder.
func checkWritable(path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".payroll-check-*")
	if err != nil {
		return fmt.Errorf("the results sheet %s cannot be written (%v); choose another place with --results; nothing was sent", path, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
