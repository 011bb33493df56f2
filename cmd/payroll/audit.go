package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"payroll/payout"
	"payroll/payout/upload"
)

type auditOptions struct {
	File     string
	Sheet    string
	Mapping  string
	Encoding string
	JSON     bool
	Sandbox  bool
	KeyFile  string
	Since    string
}

func newAuditCmd(s *streams, g *globals) *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit FILE",
		Short: "Was everyone on this sheet paid, once?",
		Long: `audit checks every valid row of FILE against every closed batch in the
journal, refreshed from the server, and says for each row which batch and
entry paid it and its status. Rows paid twice, never sent, or failed are
flagged. Rows are matched by IBAN and amount. Batches uploaded more than
20 days before the sheet's first upload are left out, so that last month's
payroll is not taken for a second payment (--since changes this). Exit code 1
when any row is flagged.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			return runAudit(cmd.Context(), s, g, o)
		},
	}
	f := cmd.Flags()
	var dup bool
	addFileFlags(cmd, &o.Sheet, &o.Mapping, &o.Encoding, &dup)
	f.BoolVar(&o.JSON, "json", false, "print as JSON")
	f.StringVar(&o.Since, "since", "", "only batches uploaded on or after this date, YYYY-MM-DD (default: 20 days before the sheet's first upload)")
	f.BoolVar(&o.Sandbox, "sandbox", false, "ask the built-in simulator")
	f.StringVar(&o.KeyFile, "server-key-file", "", "file holding the Clickpay server key (else CLICKPAY_SERVER_KEY)")
	return cmd
}

func runAudit(ctx context.Context, s *streams, g *globals, o *auditOptions) error {
	var since time.Time
	if o.Since != "" {
		t, err := time.ParseInLocation("2006-01-02", o.Since, time.Local)
		if err != nil {
			return usagef("--since must be a date like 2026-03-01, not %q", o.Since)
		}
		since = t
	}
	x, err := g.open(ctx, s, o.KeyFile, o.Sandbox, false)
	if err != nil {
		return err
	}
	defer x.Close()
	rep, err := x.AuditFile(ctx, o.File, upload.AuditOptions{Since: since,
		Check: payout.FileOptions{Sheet: o.Sheet, Encoding: o.Encoding, MappingFile: o.Mapping}})
	if err != nil {
		return err
	}
	g.say(s, "checking the batches uploaded since %s (--since to change)", rep.Since.Local().Format("2006-01-02"))
	if o.JSON {
		if err := printJSON(s, rep); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ROW\tNAME\tIBAN\tAMOUNT\tVERDICT\tBATCH/ENTRY (STATUS)")
		for _, l := range rep.Rows {
			var pays []string
			for _, p := range l.Payments {
				pays = append(pays, fmt.Sprintf("%s/%s (%s)", p.BatchID, p.EntryID, p.Status))
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", l.Row, l.Name, l.IBAN, l.Amount.Grouped(), l.Verdict, strings.Join(pays, "; "))
		}
		tw.Flush()
		if n := len(rep.InvalidRows); n > 0 {
			fmt.Fprintf(s.Out, "%d invalid rows were not audited (they cannot have been sent): %s\n", n, rowList(rep.InvalidRows))
		}
		fmt.Fprintf(s.Out, "%s, %d flagged\n", rowsText(len(rep.Rows)), rep.Flagged)
	}
	if rep.Flagged > 0 {
		return silentError{exitInvalid}
	}
	return nil
}
