package importer

import (
	"archive/zip"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

type xlsxBook struct {
	f      *excelize.File
	sheets []string
}

// checkZip refuses a workbook that would unpack beyond the limits, before
// anything is unpacked. The sizes are the ones the zip declares; reading a
// part beyond its declared size fails (archive/zip checks it), so they bound
// what is read.
func checkZip(path string, l Limits) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return &Error{Path: path, Msg: "this Excel file cannot be read (" + err.Error() + "); open it in Excel and save it again as .xlsx", Err: err}
	}
	defer z.Close()
	var total uint64
	for _, f := range z.File {
		total += f.UncompressedSize64
		if total > uint64(l.Unzip) {
			return &Error{Path: path, Msg: fmt.Sprintf("this workbook would unpack to more than %d MB, more than a payroll needs; it may be damaged or built to harm (a zip bomb): open it in Excel and save only the payroll sheet as .xlsx or CSV", l.Unzip>>20), Err: ErrLimit}
		}
		name := strings.ToLower(f.Name)
		bulk := strings.HasPrefix(name, "xl/worksheets/") || name == "xl/sharedstrings.xml"
		if !bulk && f.UncompressedSize64 > uint64(l.Part) {
			return &Error{Path: path, Msg: fmt.Sprintf("its part %s would unpack to %d MB, more than a workbook needs (at most %d MB); it may be damaged or built to harm: open it in Excel and save it again as .xlsx", f.Name, f.UncompressedSize64>>20, l.Part>>20), Err: ErrLimit}
		}
	}
	return nil
}

func openXLSX(path string, opts Options) (*xlsxBook, error) {
	if err := checkZip(path, opts.Limits); err != nil {
		return nil, err
	}
	if opts.TempDir == "" {
		if dir, err := TempDir(); err == nil {
			opts.TempDir = dir
		}
	}
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: opts.Limits.Unzip, UnzipXMLSizeLimit: min(opts.Limits.Unzip, opts.Limits.InMemory), TmpDir: opts.TempDir})
	if err != nil {
		return nil, &Error{Path: path, Msg: "this Excel file cannot be read (" + err.Error() + "); open it in Excel and save it again as .xlsx", Err: err}
	}
	b := &xlsxBook{f: f}
	b.sheets = f.GetSheetList()
	if len(b.sheets) == 0 {
		f.Close()
		return nil, &Error{Path: path, Msg: "the workbook has no sheets", Err: ErrUnsupported}
	}
	return b, nil
}

func (b *xlsxBook) close() error { return b.f.Close() }

// rows reads a sheet; errors name the file as the person knows it (name).
func (b *xlsxBook) rows(name, sheet string, l Limits) (Rows, error) {
	if sheet == "" {
		sheet = b.sheets[0]
	}
	found := false
	for _, s := range b.sheets {
		if strings.EqualFold(s, sheet) {
			sheet, found = s, true
			break
		}
	}
	if !found {
		return nil, &Error{Path: name, Msg: fmt.Sprintf("there is no sheet named %q; the sheets are: %s", sheet, strings.Join(b.sheets, ", "))}
	}
	r, err := b.f.Rows(sheet)
	if err != nil {
		return nil, &Error{Path: name, Msg: fmt.Sprintf("sheet %q cannot be read: %v", sheet, err), Err: err}
	}
	return &xlsxRows{path: name, r: r, limits: l}, nil
}

type xlsxRows struct {
	path   string
	r      *excelize.Rows
	row    Row
	err    error
	limits Limits
}

func (x *xlsxRows) Next() bool {
	if x.err != nil || x.r == nil || !x.r.Next() {
		if x.r != nil && x.err == nil {
			if err := x.r.Error(); err != nil {
				x.err = &Error{Path: x.path, Row: x.row.Number + 1, Msg: "the sheet cannot be read: " + err.Error(), Err: err}
			}
		}
		return false
	}
	cells, err := x.r.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		x.err = &Error{Path: x.path, Row: x.row.Number + 1, Msg: "the row cannot be read: " + err.Error(), Err: err}
		return false
	}
	for i, c := range cells {
		cells[i] = plainNumber(c)
	}
	x.row = Row{Number: x.row.Number + 1, Cells: cells, Hidden: x.r.GetRowOpts().Hidden}
	if err := x.limits.checkRow(x.path, x.row); err != nil {
		x.err = err
		return false
	}
	return true
}

func (x *xlsxRows) Row() Row   { return x.row }
func (x *xlsxRows) Err() error { return x.err }
func (x *xlsxRows) Close() error {
	if x.r == nil {
		return nil
	}
	err := x.r.Close()
	x.r = nil
	return err
}

// plainNumber rewrites a number as stored in the sheet's XML into the digits
// a person sees: binary noise such as 1234.5599999999999 becomes 1234.56
// (Excel shows 15 significant digits). Numbers in exponent form are left as
// they are: a spreadsheet stores ordinary numbers in full, so an exponent
// means the text itself was typed or pasted that way, and the validator says
// so. Anything that is not a plain number is returned unchanged.
func plainNumber(s string) string {
	if s == "" || !isXMLNumber(s) {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return s
	}
	digits := strings.TrimLeft(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s), "0")
	// Only fractions carry binary noise; long whole numbers may be account
	// numbers typed as text and must keep every digit.
	if strings.ContainsAny(s, "eE") || !strings.Contains(s, ".") || len(digits) <= 15 {
		return s
	}
	g, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	return strconv.FormatFloat(g, 'f', -1, 64)
}

func isXMLNumber(s string) bool {
	seenDigit, seenE := false, false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			seenDigit = true
		case r == '-' || r == '+':
			if i != 0 && !(seenE && (s[i-1] == 'e' || s[i-1] == 'E')) {
				return false
			}
		case r == '.':
		case r == 'e' || r == 'E':
			if seenE || !seenDigit {
				return false
			}
			seenE = true
		default:
			return false
		}
	}
	return seenDigit
}
