package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
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
	Period          string
	PageSize        int
	SkipInvalid     bool
	Yes             bool
	DryRun          bool
	Results         string
	OrderID         string
	Force           bool
	PayAgain        bool
	Report          string
	Lang            string
	KeyFile         string
}

func newUploadCmd(s *streams, g *globals) *cobra.Command {
	o := &uploadOptions{}
	cmd := &cobra.Command{
		Use:   "upload FILE",
		Short: "Check a salary sheet and pay its rows as one Clickpay batch, exactly once",
		Long: `upload checks every row of FILE, compares it with what was already paid in
the pay period (--period, default the current month), shows what will be
paid, asks for confirmation, and pays the new rows as one batch: created,
filled in pages, checked against the plan, then closed with the exact count
and total.

Within a pay period a person (IBAN) is paid once: rows already paid in the
period (same IBAN and amount) are left out, so a corrected or extended sheet
pays only what is new; the same IBAN with another amount is a row error
(row.paid_different). --pay-again is the one way to pay someone a second
time in a period. Where Clickpay has the search call, earlier payments are
found on the server too, even from another machine or with a lost journal.

The plan and every call are recorded in the journal first, so running the
same command again after any interruption resumes without paying anyone
twice. It writes the results sheet (default FILE.results.xlsx); 'payroll
status BATCH_ID' refreshes it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			return runUpload(cmd.Context(), s, g, o)
		},
	}
	f := cmd.Flags()
	addFileFlags(cmd, &o.Sheet, &o.Mapping, &o.Encoding, &o.AllowDuplicates)
	f.BoolVar(&o.Sandbox, "sandbox", false, "pay into the built-in simulator instead of Clickpay (no credentials needed; its own journal)")
	f.StringVar(&o.Period, "period", "", "pay period, e.g. 2026-11 or 2026-11-bonus (default the current month)")
	f.IntVar(&o.PageSize, "page-size", upload.DefaultPageSize, "requests per call, 1 to 1000")
	f.BoolVar(&o.SkipInvalid, "skip-invalid", false, "pay the valid rows of a file that has invalid rows (the error report lists the rows left out)")
	f.BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation (for scripts)")
	f.BoolVar(&o.DryRun, "dry-run", false, "print the plan and the JSON pages; send nothing")
	f.StringVar(&o.Results, "results", "", "results sheet, .xlsx or .csv (default FILE.results.xlsx)")
	f.StringVar(&o.OrderID, "order-id", "", "order id of the batch (default payroll-YYYYMMDD-<file hash>)")
	f.BoolVar(&o.Force, "force", false, "replace this file's batch that did not match its plan (exit 4) with a new one")
	f.BoolVar(&o.PayAgain, "pay-again", false, "pay rows that were already paid in this pay period a second time")
	f.StringVar(&o.Report, "report", "", "error report to write, .csv or .xlsx (default FILE.errors.csv)")
	f.StringVar(&o.Lang, "lang", "en", "language of the messages: en or ar")
	f.StringVar(&o.KeyFile, "server-key-file", "", "file holding the Clickpay server key (else CLICKPAY_SERVER_KEY)")
	return cmd
}

func runUpload(ctx context.Context, s *streams, g *globals, o *uploadOptions) error {
	if o.PageSize < 1 || o.PageSize > upload.MaxPageSize {
		return usagef("--page-size must be from 1 to %d, not %d", upload.MaxPageSize, o.PageSize)
	}
	if o.Results != "" && !payout.IsTableFile(o.Results) {
		return usagef("--results must end in .xlsx or .csv, not %q", o.Results)
	}
	if o.Report != "" && !payout.IsTableFile(o.Report) {
		return usagef("--report must end in .csv or .xlsx, not %q", o.Report)
	}
	if err := checkLang(o.Lang); err != nil {
		return err
	}
	if len(o.OrderID) > 64 {
		return usagef("--order-id is too long (at most 64 characters)")
	}
	if o.Period != "" {
		if msg := upload.CheckPeriod(o.Period); msg != "" {
			return usagef("--period %q: %s", o.Period, msg)
		}
	}
	// A dry run needs no credentials: without them it compares with the
	// journal only, and says so.
	journalOnly := false
	if o.DryRun && !o.Sandbox {
		if st, err := g.settings(o.KeyFile); err == nil && st.serverKey == "" {
			journalOnly = true
		}
	}
	x, err := g.open(ctx, s, o.KeyFile, o.Sandbox, journalOnly)
	if err != nil {
		return err
	}
	defer x.Close()
	u := x.Uploader
	p, err := u.PrepareFile(ctx, o.File, upload.Options{
		Check:  payout.FileOptions{Sheet: o.Sheet, Encoding: o.Encoding, MappingFile: o.Mapping, Check: payout.CheckOptions{AllowDuplicates: o.AllowDuplicates}},
		Report: payout.ReportOptions{Path: o.Report, Lang: o.Lang}, Period: o.Period, Endpoint: x.Endpoint,
		SkipInvalid: o.SkipInvalid, Force: o.Force, PayAgain: o.PayAgain, OrderID: o.OrderID, PageSize: o.PageSize,
		Results: o.Results, AskServer: x.API != nil,
	})
	if p != nil && p.Result != nil {
		printPrepared(s, g, x, o, p, err)
	}
	if err != nil {
		return err
	}
	defer p.Close()
	if p.Resume == nil {
		printPlan(s, p, o)
	}
	if o.DryRun {
		if p.Plan == nil {
			fmt.Fprintln(s.Out, "dry run: nothing was sent")
			return nil
		}
		return printPages(s, p.Plan)
	}
	count, total := plannedCount(p)
	if err := confirm(ctx, s, o, say(o.Lang, "prompt", count, noun(o.Lang, count, "row", "rows"), total.Grouped(), p.Period, target(o))); err != nil {
		return err
	}
	bar := progressbar.NewOptions(count, progressbar.OptionSetWriter(s.Err), progressbar.OptionSetVisibility(s.ErrTerminal && !g.Quiet),
		progressbar.OptionSetDescription("uploading"), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	u.Progress = func(sent, total int) { bar.Set(sent) }
	out, err := u.Pay(ctx, p)
	bar.Finish()
	if out != nil && out.Upload != nil {
		fmt.Fprintf(s.Out, "order id: %s\n", out.Upload.OrderID)
	}
	if err != nil {
		return err
	}
	up := out.Upload
	fmt.Fprintln(s.Out, say(o.Lang, "closed", up.BatchID, up.Count, noun(o.Lang, up.Count, "row", "rows"), up.Total.Grouped(), up.OrderID, up.Period))
	for _, c := range upload.CountStatuses(out.Results) {
		fmt.Fprintf(s.Out, "  %-10s %d\n", c.Status, c.Count)
	}
	fmt.Fprintln(s.Out, say(o.Lang, "results", up.ResultsPath))
	fmt.Fprintln(s.Out, say(o.Lang, "follow", up.BatchID, map[bool]string{true: " --sandbox"}[o.Sandbox]))
	return nil
}

func target(o *uploadOptions) string {
	if o.Sandbox {
		return say(o.Lang, "sandbox")
	}
	return say(o.Lang, "clickpay")
}

// plannedCount is what the confirmation is about: the new plan, or the
// recorded plan being resumed.
func plannedCount(p *upload.Prepared) (int, payout.Amount) {
	if p.Resume != nil {
		return p.Resume.Count, p.Resume.Total
	}
	return p.Plan.Count, p.Plan.Total
}

// printPrepared shows what the check and the comparison with the pay
// period found: invalid rows, rows already paid, payments in other periods.
func printPrepared(s *streams, g *globals, x *upload.Service, o *uploadOptions, p *upload.Prepared, err error) {
	res := p.Result
	sum := res.Summary(o.Lang)
	sum.Reports = p.Reports
	if errors.Is(err, payout.ErrInvalid) {
		printSummary(s, g, res, sum, o.Lang)
	}
	if err == nil {
		var warnings []payout.Problem
		for _, pr := range sum.Problems {
			if pr.Warning() {
				warnings = append(warnings, pr)
			}
		}
		for i, w := range warnings {
			if i == 10 {
				fmt.Fprintf(s.Out, "  ... and %d more warnings\n", len(warnings)-10)
				break
			}
			fmt.Fprintln(s.Out, w.Error())
		}
		if len(warnings) > 0 {
			fmt.Fprintln(s.Out, say(o.Lang, "warnings", len(warnings), noun(o.Lang, len(warnings), "warning", "warning2"), strings.Join(p.Reports, ", ")))
		}
	}
	if p.Resume != nil {
		r := p.Resume
		fmt.Fprintf(s.Out, "resuming the upload of %s started on %s (order %s, pay period %s, %s): %s, SAR %s; the plan recorded then is kept\n",
			r.File, r.CreatedAt.Local().Format("2006-01-02 15:04"), r.OrderID, r.Period, r.Status, rowsText(r.Count), r.Total.Grouped())
		return
	}
	c := p.Compared
	if c == nil {
		return
	}
	if c.Asked && c.NoSearch {
		fmt.Fprintf(s.Err, "note: this Clickpay server cannot search earlier payments, so the %s is the only record of earlier uploads\n", x.Which())
	} else if !c.Asked {
		fmt.Fprintf(s.Err, "note: without credentials the server was not asked; compared with the %s only\n", x.Which())
	}
	for _, up := range c.Unsent {
		fmt.Fprintln(s.Out, say(o.Lang, "replaces", filepath.Base(up.File), up.OrderID, up.CreatedAt.Local().Format("2006-01-02 15:04")))
	}
	for _, up := range c.Replaced {
		fmt.Fprintln(s.Out, say(o.Lang, "replacesopen", filepath.Base(up.File), up.OrderID, up.BatchID))
	}
	if len(c.Paid) > 0 {
		verb := say(o.Lang, "leftpaid")
		if o.PayAgain {
			verb = say(o.Lang, "again")
		}
		headline := "paid"
		for _, m := range c.Paid {
			if m.Prior.Open {
				headline = "paidopen" // not paid until that batch is closed
			}
		}
		fmt.Fprintln(s.Out, say(o.Lang, headline, c.Period, verb, strings.Join(upload.PaidSummary(c.Paid), "; ")))
		for i, m := range c.Paid {
			if i == 10 {
				fmt.Fprintf(s.Out, "  ... and %d more\n", len(c.Paid)-10)
				break
			}
			fmt.Fprintf(s.Out, "  row %d: %s %s SAR %s\n", m.Row, m.Name, m.IBAN, m.Line.Request.Amount.Grouped())
		}
	}
	if len(c.Different) > 0 {
		fmt.Fprintf(s.Out, "paid a different amount earlier in pay period %s (row.paid_different; nothing is paid for these rows):\n", c.Period)
		for _, m := range c.Different {
			fmt.Fprintf(s.Out, "  row %d: %s %s: SAR %s in this sheet, SAR %s in %s\n", m.Row, m.Name, m.IBAN, m.Line.Request.Amount.Grouped(), m.Prior.Amount.Grouped(), upload.DescribePrior(m.Prior))
		}
	}
	if n := len(c.Recent); n > 0 {
		who := "1 person was"
		if n > 1 {
			who = fmt.Sprintf("%d people were", n)
		}
		fmt.Fprintf(s.Out, "warning: %s paid in another pay period within the last 25 days (check the pay period is right):\n", who)
		for i, m := range c.Recent {
			if i == 10 {
				fmt.Fprintf(s.Out, "  ... and %d more\n", n-10)
				break
			}
			fmt.Fprintf(s.Out, "  row %d: %s %s: SAR %s in pay period %s (%s)\n", m.Row, m.Name, m.IBAN, m.Prior.Amount.Grouped(), m.Prior.Period, upload.DescribePrior(m.Prior))
		}
	}
	switch {
	case errors.Is(err, payout.ErrInvalid):
		fmt.Fprintln(s.Out, say(o.Lang, "invalid"))
	case err == nil && res.Invalid > 0:
		fmt.Fprintln(s.Out, say(o.Lang, "leftout", res.Invalid, noun(o.Lang, res.Invalid, "row", "rows"), rowList(res.InvalidRows()), strings.Join(p.Reports, ", ")))
		if p.LeftOut != "" {
			fmt.Fprintln(s.Out, say(o.Lang, "leftfile", p.LeftOut))
		}
	}
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
	if len(rows) == 1 {
		return "row " + parts[0]
	}
	return "rows " + strings.Join(parts, ", ")
}

func printPlan(s *streams, p *upload.Prepared, o *uploadOptions) {
	pl := p.Plan
	fmt.Fprintln(s.Out, say(o.Lang, "plan", pl.Count, noun(o.Lang, pl.Count, "row", "rows"), pl.Total.Grouped(), pl.Pages(), noun(o.Lang, pl.Pages(), "page", "pages"), pl.PageSize, p.Period, target(o)))
	if o.DryRun {
		fmt.Fprintf(s.Out, "order id: %s\n", pl.OrderID)
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

// confirm asks the person at the terminal to type yes. Ctrl-C while it
// waits cancels at once: nothing was sent.
func confirm(ctx context.Context, s *streams, o *uploadOptions, question string) error {
	if o.Yes {
		return nil
	}
	if !s.InTerminal {
		return usagef("not sending without confirmation: there is no terminal to ask on; add --yes to confirm")
	}
	fmt.Fprint(s.Err, question)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(s.In).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(s.Err)
		return interrupted{"at the confirmation"}
	case line := <-answer:
		if strings.TrimSpace(strings.ToLower(line)) != "yes" {
			return usagef("not confirmed; nothing was sent")
		}
	}
	return nil
}
