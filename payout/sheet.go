package payout

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gocarina/gocsv"
	"github.com/xuri/excelize/v2"
)

// SafeCell neutralises a value that a spreadsheet would run as a formula
// (it starts with = + - @, a tab or a carriage return) by putting an
// apostrophe in front; and, since a CSV file may be opened with any list
// separator (Excel in Arabic and European settings splits on ";"), every
// part after a , ; | or tab that would start a formula gets one too. No
// report ever carries a live formula.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	start := true // at the start of what a spreadsheet may take as a cell
	for i := 0; i < len(s); i++ {
		c := s[i]
		if start {
			switch c {
			case ' ', '"':
				b.WriteByte(c)
				continue
			case '=', '+', '-', '@', '\t', '\r':
				b.WriteByte('\'')
			}
			start = false
		}
		b.WriteByte(c)
		switch c {
		case ',', ';', '|', '\t':
			start = true
		}
	}
	return b.String()
}

// IsTableFile reports whether the extension names a format WriteTable writes.
func IsTableFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".xlsx":
		return true
	}
	return false
}

// WriteTable writes a slice of structs with csv tags to path: as CSV (with a
// UTF-8 byte-order mark, so Excel shows Arabic) or as XLSX, by the file's
// extension. Every value is neutralised with SafeCell. The file is readable
// by its owner only (it holds salaries and IBANs) and replaces any earlier
// one atomically.
func WriteTable(path, sheet string, rows any) error {
	if !IsTableFile(path) {
		return fmt.Errorf("%s: the file name must end in .csv or .xlsx", path)
	}
	if err := mayReplace(path); err != nil {
		return err
	}
	return writeAtomic(path, func(w io.Writer) error {
		if strings.EqualFold(filepath.Ext(path), ".xlsx") {
			return writeXLSX(w, sheet, rows)
		}
		return writeCSV(w, rows)
	})
}

// writeAtomic writes a file the way every output is written: to a
// temporary file in the same folder, readable by its owner only, synced,
// then renamed over the name; the temporary file is removed on every
// error.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// safeCSV is a gocsv.CSVWriter that neutralises every cell but the
// header's and quotes every field, so that no list separator splits one.
type safeCSV struct {
	w      *bufio.Writer
	header bool
	err    error
}

func (s *safeCSV) Write(row []string) error {
	if s.header {
		row = safeRow(row)
	}
	s.header = true
	for i, f := range row {
		if i > 0 {
			s.w.WriteByte(',')
		}
		s.w.WriteByte('"')
		s.w.WriteString(strings.ReplaceAll(f, `"`, `""`))
		s.w.WriteByte('"')
	}
	_, s.err = s.w.WriteString("\r\n")
	return s.err
}
func (s *safeCSV) Flush()       { s.err = s.w.Flush() }
func (s *safeCSV) Error() error { return s.err }

func safeRow(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = SafeCell(c)
	}
	return out
}

func writeCSV(f io.Writer, rows any) error {
	b := bufio.NewWriter(f)
	if _, err := b.WriteString("\uFEFF"); err != nil {
		return err
	}
	w := &safeCSV{w: b}
	if err := gocsv.MarshalCSV(rows, w); err != nil {
		return err
	}
	return b.Flush()
}

// xlsxWriter is a gocsv.CSVWriter that streams rows into a worksheet.
type xlsxWriter struct {
	sw   *excelize.StreamWriter
	n    int
	bold int
	err  error
}

func (x *xlsxWriter) Write(row []string) error {
	if x.err != nil {
		return x.err
	}
	x.n++
	values := make([]any, len(row))
	for i, c := range row {
		if x.n == 1 {
			values[i] = excelize.Cell{Value: c, StyleID: x.bold}
		} else {
			values[i] = SafeCell(c)
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.n)
	x.err = x.sw.SetRow(cell, values)
	return x.err
}
func (x *xlsxWriter) Flush()       {}
func (x *xlsxWriter) Error() error { return x.err }

func writeXLSX(out io.Writer, sheet string, rows any) error {
	f := excelize.NewFile()
	defer f.Close()
	if sheet == "" {
		sheet = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := markOurs(f); err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	w := &xlsxWriter{sw: sw, bold: bold}
	if err := gocsv.MarshalCSV(rows, w); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(out)
	return err
}

// ownMark is the custom document property that marks a workbook this tool
// wrote; CSV files it writes start with a byte-order mark and the header
// cell "row".
const ownMark = "payroll.output"

func markOurs(f *excelize.File) error {
	return f.SetCustomProps(excelize.CustomProperty{Name: ownMark, Value: "payroll"})
}

// Ours reports whether an existing file was written by this tool (an error
// report, results or failed-rows sheet, a marked copy), so that writing it
// again replaces only our own output.
func Ours(path string) bool {
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		f, err := excelize.OpenFile(path)
		if err != nil {
			return false
		}
		defer f.Close()
		props, err := f.GetCustomProps()
		if err != nil {
			return false
		}
		for _, p := range props {
			if p.Name == ownMark {
				return true
			}
		}
		return false
	}
	fh, err := os.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	head := make([]byte, 9)
	n, _ := fh.Read(head)
	h := string(head[:n])
	return strings.HasPrefix(h, "\uFEFFrow,") || strings.HasPrefix(h, "\uFEFF\"row\",")
}

// mayReplace refuses to replace an existing file that the tool did not
// write. A missing file may be written.
func mayReplace(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if fi.IsDir() || !Ours(path) {
		return &OutputError{Path: path}
	}
	return nil
}
