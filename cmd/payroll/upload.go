package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"payroll/payout"
	"payroll/payout/upload"
)

type uploadOptions struct {
	File            string
	Sheet           string
	Mapping         string
	Encoding        string
	AllowDuplicates bool
	Sandbox         bool
	PageSize        int
	SkipInvalid     bool
	Yes             bool
	DryRun          bool
	Results         string
	OrderID         string
	Force           bool
	Report          string
	Lang            string
	KeyFile         string
}

func newUploadCmd(s *streams, g *globals) *cobra.Command {
	o := &uploadOptions{}
	cmd := &cobra.Command{
		Use:   "upload FILE",
		Short: "Check a salary sheet and pay its rows as one Clickpay batch, exactly once",
		Long: `upload checks every row of FILE, shows what will be paid, asks for
confirmation, and pays the rows as one batch: created, filled in pages,
checked against the plan, then closed with the exact count and total. The
plan and every call are recorded in the journal first, so running the same
command again after any interruption resumes without paying anyone twice.
A file already paid is refused unless --force.

It writes the results sheet (default FILE.results.xlsx) with each row's
batch id, entry id and status; 'payroll status BATCH_ID' refreshes it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			return runUpload(cmd, s, g, o)
		},
	}
	f := cmd.Flags()
	addFileFlags(cmd, &o.Sheet, &o.Mapping, &o.Encoding, &o.AllowDuplicates)
	f.BoolVar(&o.Sandbox, "sandbox", false, "pay into the built-in simulator instead of Clickpay (no credentials needed)")
	f.IntVar(&o.PageSize, "page-size", upload.DefaultPageSize, "requests per call, 1 to 1000")
	f.BoolVar(&o.SkipInvalid, "skip-invalid", false, "pay the valid rows of a file that has invalid rows (the error report lists the rows left out)")
	f.BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation (for scripts)")
	f.BoolVar(&o.DryRun, "dry-run", false, "print the plan and the JSON pages; send nothing")
	f.StringVar(&o.Results, "results", "", "results sheet, .xlsx or .csv (default FILE.results.xlsx)")
	f.StringVar(&o.OrderID, "order-id", "", "order id of the batch (default payroll-YYYYMMDD-<file hash>)")
	f.BoolVar(&o.Force, "force", false, "pay a file that was already paid, or replace a batch that cannot be closed")
	f.StringVar(&o.Report, "report", "", "error report to write, .csv or .xlsx (default FILE.errors.csv)")
	f.StringVar(&o.Lang, "lang", "en", "language of the messages: en or ar")
	f.StringVar(&o.KeyFile, "server-key-file", "", "file holding the Clickpay server key (else CLICKPAY_SERVER_KEY)")
	return cmd
}

func runUpload(cmd *cobra.Command, s *streams, g *globals, o *uploadOptions) error {
	ctx := cmd.Context()
	if o.PageSize < 1 || o.PageSize > upload.MaxPageSize {
		return usagef("--page-size must be from 1 to %d, not %d", upload.MaxPageSize, o.PageSize)
	}
	if o.Results != "" && !payout.IsTableFile(o.Results) {
		return usagef("--results must end in .xlsx or .csv, not %q", o.Results)
	}
	if o.Lang != "en" && o.Lang != "ar" {
		return usagef("--lang must be en or ar, not %q", o.Lang)
	}
	if len(o.OrderID) > 64 {
		return usagef("--order-id is too long (at most 64 characters)")
	}
	checked, err := upload.PlanFile(ctx, o.File, upload.FileOptions{
		Check:  payout.FileOptions{Sheet: o.Sheet, Encoding: o.Encoding, MappingFile: o.Mapping, Check: payout.CheckOptions{AllowDuplicates: o.AllowDuplicates}},
		Report: payout.ReportOptions{Path: o.Report, Lang: o.Lang}, SkipInvalid: o.SkipInvalid,
		OrderID: o.OrderID, PageSize: o.PageSize, Results: o.Results,
	})
	if checked != nil {
		sum := checked.Result.Summary(o.Lang)
		sum.Reports = checked.Reports
		if errors.Is(err, payout.ErrInvalid) {
			printSummary(s, g, checked.Result, sum)
			fmt.Fprintln(s.Out, "nothing was sent: fix the rows in the report and upload again, or use --skip-invalid to pay only the valid rows")
			return silentError{exitInvalid}
		}
		if len(checked.Result.Problems) > 0 {
			fmt.Fprintf(s.Out, "left out %d invalid rows (%s); see %s\n", checked.Result.Invalid, rowList(checked.Result.InvalidRows()), strings.Join(checked.Reports, ", "))
		}
	}
	if err != nil {
		return err
	}
	plan := checked.Plan
	printPlan(s, plan, o)
	if o.DryRun {
		return printPages(s, plan)
	}
	if err := confirm(s, g, o, plan); err != nil {
		return err
	}
	x, err := g.open(ctx, o.KeyFile, o.Sandbox, true)
	if err != nil {
		return err
	}
	defer x.Close()
	bar := progressbar.NewOptions(plan.Count, progressbar.OptionSetWriter(s.Err), progressbar.OptionSetVisibility(s.ErrTerminal && !g.Quiet),
		progressbar.OptionSetDescription("uploading"), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	unlock, err := x.journal.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	u := x.uploader(s, g)
	u.Progress = func(sent, total int) { bar.Set(sent) }
	up, resumed, err := u.Prepare(ctx, plan, o.Force, o.OrderID != "")
	if err != nil {
		return err
	}
	if resumed {
		g.say(s, "resuming the upload of order %s (%s); the plan recorded then is kept", up.OrderID, up.Status)
		if o.Results != "" && o.Results != up.ResultsPath {
			if err := x.journal.SetResultsPath(ctx, up.ID, o.Results); err != nil {
				return err
			}
			up.ResultsPath = o.Results
		}
	}
	fmt.Fprintf(s.Out, "order id: %s\n", up.OrderID)
	rows, err := u.Run(ctx, up)
	bar.Finish()
	if err != nil {
		return err
	}
	results := upload.Results(up, rows)
	if err := upload.WriteResults(up.ResultsPath, results); err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "closed batch %s: %s, SAR %s (order %s)\n", up.BatchID, rowsText(up.Count), up.Total.Grouped(), up.OrderID)
	for _, c := range upload.CountStatuses(results) {
		fmt.Fprintf(s.Out, "  %-10s %d\n", c.Status, c.Count)
	}
	fmt.Fprintf(s.Out, "results: %s\n", up.ResultsPath)
	fmt.Fprintf(s.Out, "follow the transfers with: payroll status %s%s\n", up.BatchID, map[bool]string{true: " --sandbox"}[o.Sandbox])
	return nil
}

func rowList(rows []int) string {
	var parts []string
	for i, r := range rows {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(rows)-10))
			break
		}
		parts = append(parts, fmt.Sprint(r))
	}
	return "rows " + strings.Join(parts, ", ")
}

func printPlan(s *streams, p *upload.Plan, o *uploadOptions) {
	target := "Clickpay"
	if o.Sandbox {
		target = "the sandbox"
	}
	fmt.Fprintf(s.Out, "plan: pay %s, SAR %s, in %s of up to %d, to %s\n", rowsText(p.Count), p.Total.Grouped(), plural(p.Pages(), "page"), p.PageSize, target)
	if o.DryRun {
		fmt.Fprintf(s.Out, "order id: %s\n", p.OrderID)
	}
}

func printPages(s *streams, p *upload.Plan) error {
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", "  ")
	for i := 0; i < p.Pages(); i++ {
		call := "add"
		if i == 0 {
			call = "new"
		}
		if err := enc.Encode(map[string]any{"call": call, "page": i + 1, "order_id": p.OrderID, "requests": p.Page(i)}); err != nil {
			return err
		}
	}
	fmt.Fprintln(s.Out, "dry run: nothing was sent")
	return nil
}

// confirm asks the person at the terminal to type yes.
func confirm(s *streams, g *globals, o *uploadOptions, p *upload.Plan) error {
	if o.Yes {
		return nil
	}
	if !s.InTerminal {
		return usagef("not sending without confirmation: there is no terminal to ask on; add --yes to confirm")
	}
	fmt.Fprintf(s.Err, "Type yes to pay %s, SAR %s: ", rowsText(p.Count), p.Total.Grouped())
	line, _ := bufio.NewReader(s.In).ReadString('\n')
	if strings.TrimSpace(strings.ToLower(line)) != "yes" {
		return usagef("not confirmed; nothing was sent")
	}
	return nil
}
