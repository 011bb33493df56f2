package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"payroll/payout/clickpay"
	"payroll/payout/journal"
	"payroll/payout/upload"
)

type statusOptions struct {
	BatchID string
	Wait    bool
	Results string
	JSON    bool
	Sandbox bool
	KeyFile string
	Every   time.Duration
}

func newStatusCmd(s *streams, g *globals) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status BATCH_ID",
		Short: "Refresh a batch's transfers, its results sheet and the sheet of failed rows",
		Long: `status queries the batch, records every entry's status in the journal,
rewrites the results sheet, prints the count per status and the failed rows
with Clickpay's message, and writes the failed rows as a new upload-ready
sheet (FILE.failed.xlsx) that HR can fix and upload again. --wait polls until
every transfer is Paid, Failed or Rejected.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.BatchID = args[0]
			return runStatus(cmd, s, g, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Wait, "wait", false, "poll until every transfer is final")
	f.StringVar(&o.Results, "results", "", "results sheet to write (default: the upload's)")
	f.BoolVar(&o.JSON, "json", false, "print the statuses as JSON")
	f.BoolVar(&o.Sandbox, "sandbox", false, "ask the built-in simulator")
	f.StringVar(&o.KeyFile, "server-key-file", "", "file holding the Clickpay server key (else CLICKPAY_SERVER_KEY)")
	f.DurationVar(&o.Every, "poll", 2*time.Second, "first wait between polls with --wait (doubles up to 1m)")
	return cmd
}

type statusReport struct {
	BatchID string               `json:"batch_id"`
	OrderID string               `json:"order_id"`
	Period  string               `json:"period"`
	Sandbox bool                 `json:"sandbox"`
	File    string               `json:"file"`
	Final   bool                 `json:"final"`
	Counts  []upload.StatusCount `json:"counts"`
	Failed  []upload.ResultRow   `json:"failed"`
	Results string               `json:"results"`
	Retry   string               `json:"failed_sheet,omitempty"`
}

func runStatus(cmd *cobra.Command, s *streams, g *globals, o *statusOptions) error {
	ctx := cmd.Context()
	x, err := g.open(ctx, o.KeyFile, o.Sandbox, true)
	if err != nil {
		return err
	}
	defer x.Close()
	up, err := x.journal.ByBatch(ctx, o.BatchID)
	if errors.Is(err, journal.ErrNotFound) {
		return foreignStatus(cmd, s, g, o, x.client, x.StateDir)
	}
	if err != nil {
		return err
	}
	g.say(s, "%s", x.which())
	if note := upload.OpenNote(up); note != "" {
		fmt.Fprintf(s.Out, "batch %s: %s\n", up.BatchID, note)
	}
	u := x.uploader(s, g)
	wait := o.Every
	for {
		rows, err := u.Refresh(ctx, up)
		if err != nil {
			return err
		}
		results := upload.Results(up, rows)
		final := upload.AllFinal(results)
		if !o.Wait || final {
			return finishStatus(s, o, up, rows, results, final)
		}
		g.say(s, "waiting: %d of %d transfers final", countFinal(results), len(results))
		select {
		case <-ctx.Done():
			return finishStatus(s, o, up, rows, results, final)
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Minute)
	}
}

// foreignStatus reports a batch that is not in this journal (uploaded from
// elsewhere): counts and failed entries from the server, no sheets.
func foreignStatus(cmd *cobra.Command, s *streams, g *globals, o *statusOptions, client *clickpay.Client, stateDir string) error {
	b, err := client.Query(cmd.Context(), clickpay.ID(o.BatchID))
	if err != nil {
		return fmt.Errorf("batch %s is not in the journal at %s, and Clickpay says: %w", o.BatchID, stateDir, err)
	}
	g.say(s, "batch %s is not in the journal at %s: showing Clickpay's view only (no results sheet)", o.BatchID, stateDir)
	counts := map[string]int{}
	var failed []clickpay.Entry
	for _, e := range b.Entries {
		counts[e.Status]++
		if e.Status == clickpay.StatusFailed || e.Status == clickpay.StatusRejected {
			failed = append(failed, e)
		}
	}
	if o.JSON {
		return printJSON(s, map[string]any{"batch_id": b.BatchID, "order_id": b.OrderID, "status": b.Status, "count": b.Count, "total": b.Total, "counts": counts})
	}
	fmt.Fprintf(s.Out, "batch %s (order %s, %s): %d entries, SAR %s\n", b.BatchID, b.OrderID, b.Status, b.Count, b.Total.Grouped())
	if clickpay.BatchOpen(b.Status) {
		fmt.Fprintln(s.Out, "this batch is open: it was never closed, so nothing of it is paid unless it is closed")
	}
	for _, st := range []string{"Pending", "Paid", "Failed", "Rejected"} {
		if counts[st] > 0 {
			fmt.Fprintf(s.Out, "  %-10s %5d\n", st, counts[st])
		}
	}
	for _, e := range failed {
		fmt.Fprintf(s.Out, "entry %s: %s %s SAR %s: %s %s\n", e.EntryID, e.Name, e.IBAN, e.Amount.Grouped(), e.Status, e.ProtocolMessage)
	}
	return nil
}

func countFinal(rs []upload.ResultRow) int {
	n := 0
	for _, r := range rs {
		if clickpay.Final(r.Status) {
			n++
		}
	}
	return n
}

func finishStatus(s *streams, o *statusOptions, up *journal.Upload, rows []journal.Row, results []upload.ResultRow, final bool) error {
	path := o.Results
	if path == "" {
		path = up.ResultsPath
	}
	if err := upload.WriteResults(path, results, "en"); err != nil {
		return err
	}
	rep := statusReport{BatchID: up.BatchID, OrderID: up.OrderID, Period: up.Period, Sandbox: up.Endpoint == "sandbox", File: up.File, Final: final, Counts: upload.CountStatuses(results), Results: path, Failed: []upload.ResultRow{}}
	for _, r := range results {
		if r.Status == "Failed" || r.Status == "Rejected" {
			rep.Failed = append(rep.Failed, r)
		}
	}
	if n, err := upload.WriteFailed(upload.FailedPath(up.File), rows); err != nil {
		return err
	} else if n > 0 {
		rep.Retry = upload.FailedPath(up.File)
	}
	if o.JSON {
		return printJSON(s, rep)
	}
	fmt.Fprintf(s.Out, "batch %s (order %s, pay period %s, %s)\n", up.BatchID, up.OrderID, up.Period, up.File)
	for _, c := range rep.Counts {
		fmt.Fprintf(s.Out, "  %-10s %5d  SAR %s\n", c.Status, c.Count, c.Amount.Grouped())
	}
	for _, r := range rep.Failed {
		fmt.Fprintf(s.Out, "row %d: %s %s SAR %s: %s %s\n", r.Row, r.Name, r.IBAN, r.Amount.Grouped(), r.Status, r.ProtocolMessage)
	}
	if !final {
		fmt.Fprintln(s.Out, "not all transfers are final yet; run again later or with --wait")
	}
	fmt.Fprintf(s.Out, "results: %s\n", path)
	if rep.Retry != "" {
		fmt.Fprintf(s.Out, "failed rows, ready to fix and upload again: %s\n", rep.Retry)
	}
	return nil
}
