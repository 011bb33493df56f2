package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"payroll/payout/upload"
)

func newHistoryCmd(s *streams, g *globals) *cobra.Command {
	o := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List past uploads: date, pay period, file, order id, batch id, count, total, status",
		Long: `history lists the uploads in the journal, oldest first. With --sandbox it
lists the sandbox's uploads, which are kept in a journal of their own. A batch
that was created but will never be closed by payroll (it did not match its
plan, or was replaced with --force) is marked: it pays nothing unless someone
closes it in the Clickpay dashboard.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runHistory(cmd.Context(), s, g, o) },
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print as JSON")
	cmd.Flags().BoolVar(&o.Sandbox, "sandbox", false, "list the sandbox's uploads")
	return cmd
}

type historyOptions struct {
	JSON    bool
	Sandbox bool
}

func runHistory(ctx context.Context, s *streams, g *globals, o *historyOptions) error {
	x, err := g.open(ctx, s, "", o.Sandbox, true)
	if err != nil {
		return err
	}
	defer x.Close()
	lines, err := upload.History(ctx, x.Journal)
	if err != nil {
		return err
	}
	if o.JSON {
		return printJSON(s, lines)
	}
	g.say(s, "%s", x.Which())
	if len(lines) == 0 {
		fmt.Fprintln(s.Out, "no uploads yet")
		return nil
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATE\tPERIOD\tFILE\tORDER ID\tBATCH\tROWS\tTOTAL (SAR)\tSTATUS")
	for _, l := range lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", l.Date, l.Period, l.File, l.OrderID, l.BatchID, l.Count, l.Total.Grouped(), l.Status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, l := range lines {
		if l.Note != "" {
			fmt.Fprintf(s.Out, "batch %s: %s\n", l.BatchID, l.Note)
		}
	}
	return nil
}
