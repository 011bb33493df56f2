package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"payroll/payout"
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
	Lang    string
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
			return runStatus(cmd.Context(), s, g, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Wait, "wait", false, "poll until every transfer is final")
	f.StringVar(&o.Results, "results", "", "results sheet to write (default: the upload's)")
	f.BoolVar(&o.JSON, "json", false, "print the statuses as JSON")
	f.BoolVar(&o.Sandbox, "sandbox", false, "ask the built-in simulator")
	f.StringVar(&o.KeyFile, "server-key-file", "", "file holding the Clickpay server key (else CLICKPAY_SERVER_KEY)")
	f.DurationVar(&o.Every, "poll", 2*time.Second, "first wait between polls with --wait (doubles up to 1m)")
	f.StringVar(&o.Lang, "lang", "en", "language of the results and failed-rows sheets: en or ar")
	return cmd
}

func runStatus(ctx context.Context, s *streams, g *globals, o *statusOptions) error {
	if err := checkLang(o.Lang); err != nil {
		return err
	}
	x, err := g.open(ctx, s, o.KeyFile, o.Sandbox, false)
	if err != nil {
		return err
	}
	defer x.Close()
	g.say(s, "%s", x.Which())
	rep, foreign, err := x.Status(ctx, o.BatchID, upload.StatusOptions{Results: o.Results, Wait: o.Wait, Every: o.Every, Lang: o.Lang,
		Waiting: func(final, all int) { g.say(s, "waiting: %d of %d transfers final", final, all) }})
	if err != nil {
		return err
	}
	if foreign != nil {
		return printForeign(s, g, o, x.Which(), foreign)
	}
	if o.JSON {
		return printJSON(s, rep)
	}
	if rep.Note != "" {
		fmt.Fprintf(s.Out, "batch %s: %s\n", rep.BatchID, rep.Note)
	}
	fmt.Fprintf(s.Out, "batch %s (order %s, pay period %s, %s)\n", rep.BatchID, rep.OrderID, rep.Period, rep.File)
	for _, c := range rep.Counts {
		fmt.Fprintf(s.Out, "  %-10s %5d  SAR %s\n", c.Status, c.Count, c.Amount.Grouped())
	}
	for _, r := range rep.Failed {
		fmt.Fprintf(s.Out, "row %d: %s %s SAR %s: %s %s\n", r.Row, r.Name, r.IBAN, r.Amount.Grouped(), r.Status, r.ProtocolMessage)
	}
	if !rep.Final {
		fmt.Fprintln(s.Out, "not all transfers are final yet; run again later or with --wait")
	}
	fmt.Fprintf(s.Out, "results: %s\n", rep.Results)
	if rep.FailedSheet != "" {
		fmt.Fprintf(s.Out, "failed rows, ready to fix and upload again: %s\n", rep.FailedSheet)
	}
	return nil
}

// printForeign shows a batch that is not in this journal (uploaded from
// elsewhere): Clickpay's view only, no sheets.
func printForeign(s *streams, g *globals, o *statusOptions, journal string, f *upload.ForeignBatch) error {
	b := f.Batch
	g.say(s, "batch %s is not in the %s: showing Clickpay's view only (no results sheet)", o.BatchID, journal)
	if o.JSON {
		return printJSON(s, map[string]any{"batch_id": b.ID, "order_id": b.OrderID, "status": b.Status, "count": b.Count, "total": b.Total, "counts": f.Counts})
	}
	fmt.Fprintf(s.Out, "batch %s (order %s, %s): %d entries, SAR %s\n", b.ID, b.OrderID, b.Status, b.Count, b.Total.Grouped())
	if payout.BatchOpen(b.Status) {
		fmt.Fprintln(s.Out, "this batch is open: it was never closed, so nothing of it is paid unless it is closed")
	}
	for _, st := range []string{"Pending", "Paid", "Failed", "Rejected"} {
		if f.Counts[st] > 0 {
			fmt.Fprintf(s.Out, "  %-10s %5d\n", st, f.Counts[st])
		}
	}
	for _, e := range f.Failed {
		who := e.IBAN
		if e.Name != "" { // Clickpay's query answers carry no name
			who = e.Name + " " + e.IBAN
		}
		fmt.Fprintf(s.Out, "entry %s: %s SAR %s: %s %s\n", e.ID, who, e.Amount.Grouped(), e.Status, e.Message)
	}
	return nil
}
