package payout

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"payroll/importer"
	"payroll/mapping"
)

// FileOptions say how to read and check a file.
type FileOptions struct {
	Sheet       string
	Encoding    string
	MappingFile string
	Check       CheckOptions
}

// CheckFile opens a file, resolves its columns and validates every row. The
// error is for a file that cannot be read at all (an *importer.Error or a
// mapping file error); problems with rows are in the Result.
func CheckFile(ctx context.Context, path string, opts FileOptions) (*Result, error) {
	return checkFile(ctx, path, path, opts)
}

// checkFile reads the bytes at path as the file called name.
func checkFile(ctx context.Context, path, name string, opts FileOptions) (*Result, error) {
	var mf *mapping.File
	if opts.MappingFile != "" {
		var err error
		if mf, err = mapping.LoadFile(opts.MappingFile); err != nil {
			return nil, &importer.Error{Path: opts.MappingFile, Msg: strings.TrimPrefix(err.Error(), "mapping file "+opts.MappingFile+": "), Err: err}
		}
	}
	r, err := mapping.Open(path, mapping.Options{Sheet: opts.Sheet, Encoding: opts.Encoding, File: mf, Name: name})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	res, err := Check(ctx, r, opts.Check)
	if err != nil {
		return nil, err
	}
	res.Input, res.read = name, path
	res.Format = r.Workbook().Format()
	res.Encoding = r.Workbook().Encoding()
	return res, nil
}

// ReportOptions say where the error reports go.
type ReportOptions struct {
	// Path of the error report (.csv or .xlsx). Empty means
	// <input>.errors.csv beside the input.
	Path string
	// Lang of the messages: "en" (default) or "ar".
	Lang string
}

// DefaultReportPath is where the error report of input goes by default.
func DefaultReportPath(input string) string {
	return strings.TrimSuffix(input, filepath.Ext(input)) + ".errors.csv"
}

// MarkedPath is where the marked copy of an XLSX input goes.
func MarkedPath(input string) string {
	return strings.TrimSuffix(input, filepath.Ext(input)) + ".errors-marked.xlsx"
}

// WriteReports writes the error report and, for XLSX input, the marked copy
// of the workbook. It returns the paths written. With no problems it writes
// nothing and removes stale reports of an earlier run.
func (r *Result) WriteReports(opts ReportOptions) ([]string, error) {
	path := opts.Path
	if path == "" {
		path = DefaultReportPath(r.Input)
	}
	if err := CheckOutput(path, r.Input); err != nil {
		return nil, err
	}
	if len(r.Problems) == 0 {
		if opts.Path == "" {
			// Stale reports of an earlier run, and only ours.
			for _, p := range []string{path, MarkedPath(r.Input)} {
				if Ours(p) {
					os.Remove(p)
				}
			}
		}
		return nil, nil
	}
	if err := WriteReport(path, r.Problems, opts.Lang); err != nil {
		return nil, err
	}
	written := []string{path}
	if r.Format == importer.FormatXLSX {
		marked := MarkedPath(r.Input)
		if err := CheckOutput(marked, r.Input); err != nil {
			return written, err
		}
		if err := MarkWorkbook(r.source(), r.Mapping.Sheet, marked, r.Problems, opts.Lang); err != nil {
			return written, err
		}
		written = append(written, marked)
	}
	return written, nil
}

// Summary is the outcome of a check in a form for people and for --json.
type Summary struct {
	File      string            `json:"file"`
	Encoding  string            `json:"encoding,omitempty"` // of a CSV or TSV file
	Sheet     string            `json:"sheet"`
	HeaderRow int               `json:"header_row"`
	Columns   map[string]string `json:"columns"`
	RowsRead  int               `json:"rows_read"`
	Valid     int               `json:"valid"`
	Invalid   int               `json:"invalid"`
	Warned    int               `json:"warned"` // valid rows with a warning
	Decimals  string            `json:"decimals"`
	Skipped   []mapping.Skipped `json:"skipped"`
	Total     Amount            `json:"total"`
	Currency  string            `json:"currency"`
	ByCode    []CodeCount       `json:"errors_by_code"`
	Problems  []Problem         `json:"errors"`
	Reports   []string          `json:"reports,omitempty"`
}

// Summary returns the summary of the check, with messages in lang.
func (r *Result) Summary(lang string) Summary {
	s := Summary{File: r.Input, Encoding: r.Encoding, Sheet: r.Mapping.Sheet, HeaderRow: r.Mapping.HeaderRow, Columns: map[string]string{},
		RowsRead: r.RowsRead, Valid: r.Valid, Invalid: r.Invalid, Warned: r.Warned, Skipped: r.Skipped, Decimals: r.Decimals.String(),
		Total: r.Total, Currency: "SAR", ByCode: r.CountByCode(), Problems: []Problem{}}
	if s.Skipped == nil {
		s.Skipped = []mapping.Skipped{}
	}
	if s.ByCode == nil {
		s.ByCode = []CodeCount{}
	}
	for f, c := range r.Mapping.Columns {
		s.Columns[string(f)] = c.Letter
	}
	for _, p := range r.Problems {
		s.Problems = append(s.Problems, p.Localized(lang))
	}
	return s
}

// Describe writes the human summary of a check as lines of text.
func (s Summary) Describe() []string { return s.DescribeIn("en") }

// summaryLines are the summary's lines in English and Arabic.
var summaryLines = map[string][2]string{
	"sheet":     {"file:      %s (sheet %q, header on row %d)", "الملف:      %s (الورقة %q، صف العناوين %d)"},
	"text":      {"file:      %s (header on row %d, text encoding %s)", "الملف:      %s (صف العناوين %d، ترميز النص %s)"},
	"read":      {"rows read: %d", "الصفوف المقروءة: %d"},
	"valid":     {"valid:     %d (total %s %s)", "الصحيحة:   %d (الإجمالي %s %s)"},
	"invalid":   {"invalid:   %d", "الخاطئة:   %d"},
	"comma":     {"amounts:   read with a %s, as the file writes them", "المبالغ:   قُرئت بفاصلة عشرية (1.250,50) كما يكتبها الملف%.0s"},
	"warned":    {"warnings:  %s (paid all the same; see the report)", "تنبيهات:   %s (تُدفع رغم ذلك؛ انظر التقرير)"},
	"skipped":   {"skipped:   row %d (%s)", "تم تجاوز:  الصف %d (%s)"},
	"totalsrow": {"totals row", "صف الإجمالي"},
}

// DescribeIn writes the human summary of a check in lang ("en" or "ar").
func (s Summary) DescribeIn(lang string) []string {
	i := 0
	if lang == "ar" {
		i = 1
	}
	line := func(key string, a ...any) string { return fmt.Sprintf(summaryLines[key][i], a...) }
	file := line("sheet", s.File, s.Sheet, s.HeaderRow)
	if s.Encoding != "" {
		file = line("text", s.File, s.HeaderRow, strings.ToUpper(s.Encoding))
	}
	out := []string{file, line("read", s.RowsRead), line("valid", s.Valid, s.Currency, s.Total.Grouped()), line("invalid", s.Invalid)}
	if strings.HasPrefix(s.Decimals, "decimal comma") {
		out = append(out, line("comma", s.Decimals))
	}
	if s.Warned > 0 {
		n := Plural(s.Warned, "valid row")
		if lang == "ar" {
			n = fmt.Sprintf("%d صف صحيح", s.Warned)
		}
		out = append(out, line("warned", n))
	}
	for _, sk := range s.Skipped {
		reason := sk.Reason
		if reason == "totals row" {
			reason = summaryLines["totalsrow"][i]
		}
		out = append(out, line("skipped", sk.Row, reason))
	}
	for _, c := range s.ByCode {
		out = append(out, fmt.Sprintf("  %-24s %d", c.Code, c.Count))
	}
	return out
}

// source is where the checked bytes are.
func (r *Result) source() string {
	if r.read != "" {
		return r.read
	}
	return r.Input
}
