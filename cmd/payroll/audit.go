package main

import (
	"context"
	"fmt"
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
			return runAudit(cmd, s, g, o)
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

func runAudit(cmd *cobra.Command, s *streams, g *globals, o *auditOptions) error {
	ctx := cmd.Context()
	res, err := payout.CheckFile(ctx, o.File, payout.FileOptions{Sheet: o.Sheet, Encoding: o.Encoding, MappingFile: o.Mapping,
		Check: payout.CheckOptions{AllowDuplicates: true}})
	if err != nil {
		return err
	}
	x, err := g.open(ctx, o.KeyFile, o.Sandbox, true)
	if err != nil {
		return err
	}
	defer x.Close()
	u := x.uploader(s, g)
	since, err := auditSince(ctx, u, o)
	if err != nil {
		return err
	}
	g.say(s, "checking the batches uploaded since %s (--since to change)", since.Local().Format("2006-01-02"))
	lines, err := u.Audit(ctx, res.Lines, since)
	if err != nil {
		return err
	}
	flagged := 0
	for _, l := range lines {
		if l.Verdict != upload.VerdictPaid && l.Verdict != upload.VerdictPending {
			flagged++
		}
	}
	if o.JSON {
		if err := printJSON(s, map[string]any{"file": o.File, "rows": lines, "flagged": flagged, "invalid_rows": res.InvalidRows()}); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ROW\tNAME\tIBAN\tAMOUNT\tVERDICT\tBATCH/ENTRY (STATUS)")
		for _, l := range lines {
			var pays string
			for i, p := range l.Payments {
				if i > 0 {
					pays += "; "
				}
				pays += fmt.Sprintf("%s/%s (%s)", p.BatchID, p.EntryID, p.Status)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", l.Row, l.Name, l.IBAN, l.Amount.Grouped(), l.Verdict, pays)
		}
		tw.Flush()
		if n := len(res.InvalidRows()); n > 0 {
			fmt.Fprintf(s.Out, "%d invalid rows were not audited (they cannot have been sent): %s\n", n, rowList(res.InvalidRows()))
		}
		fmt.Fprintf(s.Out, "%s, %d flagged\n", rowsText(len(lines)), flagged)
	}
	if flagged > 0 {
		return silentError{exitInvalid}
	}
	return nil
}

// auditSince is --since, or the default window of the file's first upload.
func auditSince(ctx context.Context, u *upload.Uploader, o *auditOptions) (time.Time, error) {
	if o.Since != "" {
		t, err := time.ParseInLocation("2006-01-02", o.Since, time.Local)
		if err != nil {
			return t, usagef("--since must be a date like 2026-03-01, not %q", o.Since)
		}
		return t, nil
	}
	hash, err := upload.HashFile(o.File)
	if err != nil {
		return time.Time{}, err
	}
	return u.AuditSince(ctx, hash, time.Now())
}
