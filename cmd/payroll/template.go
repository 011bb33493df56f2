package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/spf13/cobra"

	"payroll/payout"
	"payroll/templates"
)

type templateOptions struct {
	Format string
	Output string
	Preset string
}

func newTemplateCmd(s *streams, g *globals) *cobra.Command {
	o := &templateOptions{}
	cmd := &cobra.Command{
		Use:   "template",
		Short: "Write the blank input template (XLSX or CSV) or a mapping preset",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTemplate(s, g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", "", "xlsx or csv (default: from -o's extension, else xlsx)")
	f.StringVarP(&o.Output, "output", "o", "", "file to write (default payroll-template.xlsx; - for stdout)")
	f.StringVar(&o.Preset, "preset", "", "write the named mapping preset (YAML) instead: "+fmt.Sprint(templates.Presets()))
	return cmd
}

func runTemplate(s *streams, g *globals, o *templateOptions) error {
	if o.Preset != "" {
		b, err := templates.Preset(o.Preset)
		if err != nil {
			return usageError{err}
		}
		return writeOutput(s, o.Output, func(w io.Writer) error { _, err := w.Write(b); return err })
	}
	format := o.Format
	if format == "" {
		format = "xlsx"
		if filepath.Ext(o.Output) == ".csv" {
			format = "csv"
		}
	}
	if o.Output == "" {
		o.Output = "payroll-template." + format
	}
	var write func(io.Writer) error
	switch format {
	case "csv":
		write = templates.WriteCSV
	case "xlsx":
		if o.Output == "-" {
			return usagef("an XLSX template cannot go to stdout; name a file with -o")
		}
		write = func(w io.Writer) error { return templates.WriteXLSX(w, templates.Countries()) }
	default:
		return usagef("--format must be xlsx or csv, not %q", format)
	}
	if err := writeOutput(s, o.Output, write); err != nil {
		return err
	}
	if o.Output != "-" {
		g.say(s, "wrote %s", o.Output)
	}
	return nil
}

// writeOutput writes to the named file, or stdout for "-" or "". An
// existing file is never replaced: it may be a filled-in sheet.
func writeOutput(s *streams, path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(s.Out)
	}
	// A blank template holds no salaries: readable by others, as before.
	err := payout.WriteNew(path, 0o644, write)
	if errors.Is(err, fs.ErrExist) {
		return usagef("%s already exists and is not replaced (it may be a filled-in sheet); choose another name with -o, or move it away", path)
	}
	return err
}
