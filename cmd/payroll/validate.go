package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"payroll/payout"
)

type validateOptions struct {
	File            string
	Sheet           string
	Mapping         string
	Encoding        string
	Report          string
	Lang            string
	JSON            bool
	AllowDuplicates bool
}

func newValidateCmd(s *streams, g *globals) *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check every row of a salary sheet and write an error report",
		Long: `validate reads FILE (XLSX, CSV or TSV), finds its header row, maps the
columns to payout fields and checks every row. It prints a summary and
writes the error report (default: FILE.errors.csv beside the input); for an
XLSX file also a copy of the workbook with the bad cells marked
(FILE.errors-marked.xlsx). Exit code 1 when any row is invalid.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			return runValidate(cmd.Context(), s, g, o)
		},
	}
	f := cmd.Flags()
	addFileFlags(cmd, &o.Sheet, &o.Mapping, &o.Encoding, &o.AllowDuplicates)
	f.StringVar(&o.Report, "report", "", "error report to write, .csv or .xlsx (default FILE.errors.csv)")
	f.StringVar(&o.Lang, "lang", "en", "language of the messages: en or ar")
	f.BoolVar(&o.JSON, "json", false, "print the summary and errors as JSON on stdout")
	return cmd
}

// addFileFlags adds the flags that say how to read a sheet.
func addFileFlags(cmd *cobra.Command, sheet, mapping, encoding *string, dup *bool) {
	f := cmd.Flags()
	f.StringVar(sheet, "sheet", "", "the sheet to read (default: the first with a header row)")
	f.StringVar(mapping, "mapping", "", "mapping file (YAML) naming the columns; see 'payroll template --preset'")
	f.StringVar(encoding, "encoding", "", "force the text encoding of a CSV: utf-8, utf-16le, utf-16be, windows-1256")
	f.BoolVar(dup, "allow-duplicates", false, "accept the same IBAN on several rows")
}

func runValidate(ctx context.Context, s *streams, g *globals, o *validateOptions) error {
	if err := checkLang(o.Lang); err != nil {
		return err
	}
	if o.Report != "" && !payout.IsTableFile(o.Report) {
		return usagef("--report must end in .csv or .xlsx, not %q", o.Report)
	}
	res, err := payout.CheckFile(ctx, o.File, payout.FileOptions{
		Sheet: o.Sheet, Encoding: o.Encoding, MappingFile: o.Mapping,
		Check: payout.CheckOptions{AllowDuplicates: o.AllowDuplicates, NoLines: true},
	})
	if err != nil {
		return err
	}
	written, err := res.WriteReports(payout.ReportOptions{Path: o.Report, Lang: o.Lang})
	if err != nil {
		return err
	}
	sum := res.Summary(o.Lang)
	sum.Reports = written
	if o.JSON {
		if err := printJSON(s, sum); err != nil {
			return err
		}
	} else {
		printSummary(s, g, res, sum, o.Lang)
	}
	if res.Err() != nil {
		return silentError{exitInvalid}
	}
	if res.RowsRead == 0 {
		fmt.Fprintf(s.Out, "no data rows below the header on row %d: nothing to pay\n", res.Mapping.HeaderRow)
		return silentError{exitInvalid}
	}
	return nil
}

func printSummary(s *streams, g *globals, res *payout.Result, sum payout.Summary, lang string) {
	fmt.Fprintln(s.Out, strings.Join(sum.DescribeIn(lang), "\n"))
	if !g.Quiet {
		fmt.Fprintln(s.Err, "columns:")
		for _, l := range res.Mapping.Summary() {
			fmt.Fprintln(s.Err, "  "+l)
		}
	}
	const show = 20
	for i, p := range sum.Problems {
		if i == show {
			fmt.Fprintf(s.Out, "... and %d more problems (see the report)\n", len(sum.Problems)-show)
			break
		}
		fmt.Fprintln(s.Out, p.Error())
	}
	for _, r := range sum.Reports {
		fmt.Fprintf(s.Out, "report: %s\n", r)
	}
}
