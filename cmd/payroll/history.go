package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"payroll/payout/upload"
)

func newHistoryCmd(s *streams, g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List past uploads: file, date, order id, batch id, count, total, status",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			x, err := g.open(cmd.Context(), "", false, false)
			if err != nil {
				return err
			}
			defer x.Close()
			lines, err := upload.History(cmd.Context(), x.journal)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(s, lines)
			}
			if len(lines) == 0 {
				fmt.Fprintln(s.Out, "no uploads yet")
				return nil
			}
			tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DATE\tFILE\tORDER ID\tBATCH\tROWS\tTOTAL (SAR)\tSTATUS")
			for _, l := range lines {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", l.Date, l.File, l.OrderID, l.BatchID, l.Count, l.Total.Grouped(), l.Status)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
