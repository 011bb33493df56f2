package payout

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gocarina/gocsv"
	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"payroll/importer"
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
	return WriteTableWith(path, sheet, rows, TableOptions{})
}

// TableOptions say how a table looks in XLSX.
type TableOptions struct {
	// Lang of the column headers: "en" (default) or "ar" (the sheet then
	// reads right to left).
	Lang string
	// Totals adds a last row with the number of rows and the sum of every
	// money column, as values.
	Totals bool
	// Omit are the columns, by csv key, left out of the table (in both
	// forms): a column no row has a value for, without a copy of every row
	// in a struct that lacks it.
	Omit []string
}

// WriteTableWith is WriteTable with options for the XLSX form. In XLSX,
// every cell has its type: numbers (row, ids, amounts with #,##0.00) are
// numbers, and text is text in a text-formatted column (IBANs and mobiles
// show no apostrophe, and a value edited in Excel stays text, never a
// formula). Headers are readable, in lang; columns are as wide as their
// content and the header row is frozen. The CSV form keeps the machine
// headers.
func WriteTableWith(path, sheet string, rows any, opts TableOptions) error {
	if !IsTableFile(path) {
		return fmt.Errorf("%s: the file name must end in .csv or .xlsx", path)
	}
	if err := mayReplace(path); err != nil {
		return err
	}
	return writeAtomic(path, func(w io.Writer) error {
		if strings.EqualFold(filepath.Ext(path), ".xlsx") {
			return writeXLSX(w, filepath.Dir(path), sheet, rows, opts)
		}
		return writeCSV(w, rows, opts.Omit)
	})
}

// safeCSV is a gocsv.CSVWriter that neutralises every cell but the
// header's and quotes every field, so that no list separator splits one.
// The columns whose header is in omit are left out.
type safeCSV struct {
	w      *bufio.Writer
	omit   []string
	left   []bool // by position: a column left out (from the header)
	header bool
	err    error
}

func (s *safeCSV) Write(row []string) error {
	if s.header {
		row = safeRow(row)
	} else {
		s.left = make([]bool, len(row))
		for i, key := range row {
			s.left[i] = slices.Contains(s.omit, key)
		}
	}
	s.header = true
	first := true
	for i, f := range row {
		if i < len(s.left) && s.left[i] {
			continue
		}
		if !first {
			s.w.WriteByte(',')
		}
		first = false
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

func writeCSV(f io.Writer, rows any, omit []string) error {
	b := bufio.NewWriter(f)
	if _, err := b.WriteString("\uFEFF"); err != nil {
		return err
	}
	w := &safeCSV{w: b, omit: omit}
	if err := gocsv.MarshalCSV(rows, w); err != nil {
		return err
	}
	return b.Flush()
}

// column is one column of a table in XLSX: its field, header and kind.
type column struct {
	index  int    // struct field
	key    string // csv tag
	kind   string // xlsx tag: text, money, int, id
	header string
	width  int
}

// headers are the readable column headers of the tables written, by csv
// key, in English and Arabic. A key not here is its own header (the
// template's columns of the failed-rows sheet already are).
var headers = map[string][2]string{
	"row":                        {"Row", "الصف"},
	"column":                     {"Column", "العمود"},
	"header":                     {"Header in the sheet", "العنوان في الملف"},
	"field":                      {"Field", "الحقل"},
	"value":                      {"Value found", "القيمة"},
	"code":                       {"Code", "الرمز"},
	"message":                    {"What to do", "المطلوب"},
	"level":                      {"Level", "المستوى"},
	"employee_id":                {"Employee ID", "الرقم الوظيفي"},
	"beneficiary_name":           {"Name", "الاسم"},
	"beneficiary_account_number": {"IBAN", "الآيبان"},
	"amount":                     {"Amount (SAR)", "المبلغ (ريال)"},
	"batch_id":                   {"Batch", "الدفعة"},
	"entry_id":                   {"Entry", "رقم الحوالة"},
	"status":                     {"Status", "الحالة"},
	"fee":                        {"Fee (SAR)", "الرسوم (ريال)"},
	"total":                      {"Total (SAR)", "الإجمالي (ريال)"},
	"protocol_message":           {"Bank message", "رسالة البنك"},
}

// tableColumns reads the columns of a struct type from its csv and xlsx
// tags, but those omitted.
func tableColumns(t reflect.Type, lang string, omit []string) []column {
	var cols []column
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := f.Tag.Get("csv")
		if !f.IsExported() || key == "" || key == "-" || slices.Contains(omit, key) {
			continue
		}
		kind := f.Tag.Get("xlsx")
		if kind == "" {
			kind = "text"
			switch f.Type {
			case reflect.TypeOf(Amount(0)):
				kind = "money"
			}
			if f.Type.Kind() == reflect.Int {
				kind = "int"
			}
		}
		h := key
		if names, ok := headers[key]; ok {
			h = names[0]
			if lang == "ar" {
				h = names[1]
			}
		}
		cols = append(cols, column{index: i, key: key, kind: kind, header: h, width: len([]rune(h))})
	}
	return cols
}

// shownWidth is about how many characters a field's value takes in its
// cell: an amount as #,##0.00 shows it, text and numbers as they are.
func shownWidth(v reflect.Value) int {
	// By kind, as cell reads it: not boxed for each cell.
	switch {
	case v.Type() == amountType:
		whole := v.Int() / 100
		digits := 1
		for ; whole >= 10 || whole <= -10; whole /= 10 {
			digits++
		}
		return digits + (digits-1)/3 + 3
	case v.Kind() == reflect.String:
		return utf8.RuneCountInString(v.String())
	case v.Type() == intType:
		digits := 1
		if v.Int() < 0 {
			digits++
		}
		for n := v.Int(); n >= 10 || n <= -10; n /= 10 {
			digits++
		}
		return digits
	}
	return len(fmt.Sprint(v.Interface()))
}

// cell is a struct field's value as an XLSX cell value (a spreadsheet's
// numbers are binary floating point: money becomes one only here, at the
// edge) and, for money, the exact amount it adds to the totals.
func (c column) cell(v reflect.Value) (any, micros, bool) {
	// Read by kind, not through Interface: a field boxed for each cell of
	// a hundred thousand rows is garbage the sheet does not need.
	switch {
	case v.Type() == amountType:
		x := Amount(v.Int())
		return float64(x) / 100, micros(x) * 10_000, true
	case v.Type() == intType:
		return int(v.Int()), 0, false
	case v.Kind() == reflect.String:
		x := v.String()
		if x == "" {
			// A blank cell, not one holding empty text: a spreadsheet
			// counts and skips it as empty (COUNTA, Ctrl+arrow), and the
			// sheet is smaller.
			return nil, 0, false
		}
		switch c.kind {
		case "money":
			if d := ParseServerDecimal(x); d.text != "" {
				f, _ := strconv.ParseFloat(d.text, 64)
				m, exact := d.micros()
				if !exact {
					m = inexact
				}
				return f, m, true
			}
		case "id", "int":
			if n, err := strconv.ParseInt(x, 10, 64); err == nil && len(x) < 16 && (x == "0" || x[0] != '0') {
				return n, 0, false
			}
		}
		return x, 0, false
	}
	return fmt.Sprint(v.Interface()), 0, false
}

var amountType, intType = reflect.TypeFor[Amount](), reflect.TypeFor[int]()

func writeXLSX(out io.Writer, dir, sheet string, rows any, opts TableOptions) error {
	rv := reflect.ValueOf(rows)
	if rv.Kind() != reflect.Slice || rv.Type().Elem().Kind() != reflect.Struct {
		return fmt.Errorf("a table is a slice of structs, not %T", rows)
	}
	cols := tableColumns(rv.Type().Elem(), opts.Lang, opts.Omit)
	f := newWorkbook(dir)
	defer f.Close()
	if sheet == "" {
		sheet = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	if err := markOurs(f); err != nil {
		return err
	}
	money := "#,##0.00"
	styles := map[string]int{}
	for kind, st := range map[string]*excelize.Style{
		"header": {Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}},
		"text":  {NumFmt: 49},
		"money": {CustomNumFmt: &money},
		"int":   {NumFmt: 1},
		"id":    {NumFmt: 1},
		"total": {Font: &excelize.Font{Bold: true}, CustomNumFmt: &money},
	} {
		id, err := f.NewStyle(st)
		if err != nil {
			return err
		}
		styles[kind] = id
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	n := rv.Len()
	// Widths first: the stream writer takes them before any row.
	for r := 0; r < n; r++ {
		row := rv.Index(r)
		for i := range cols {
			cols[i].width = max(cols[i].width, shownWidth(row.Field(cols[i].index))+2)
		}
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, float64(min(max(c.width, 8), 60))); err != nil {
			return err
		}
		// Cells take their column's style; only a cell unlike its column
		// (text in a money column) carries its own.
		if err := sw.SetColStyle(i+1, i+1, styles[c.kind]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{Value: c.header, StyleID: styles["header"]}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	sums := make([]micros, len(cols))
	summed := make([]bool, len(cols))
	values := make([]any, len(cols)) // SetRow writes them out at once
	for r := 0; r < n; r++ {
		for i, c := range cols {
			v, add, isMoney := c.cell(rv.Index(r).Field(c.index))
			values[i] = v
			if _, text := v.(string); text && c.kind != "text" {
				values[i] = excelize.Cell{Value: v, StyleID: styles["text"]}
			}
			if isMoney {
				if add == inexact || sums[i] == inexact {
					sums[i] = inexact
				} else {
					sums[i] += add
				}
				summed[i] = true
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, values); err != nil {
			return err
		}
	}
	if opts.Totals && n > 0 {
		values := make([]any, len(cols))
		label := fmt.Sprintf("Total: %d rows", n)
		if opts.Lang == "ar" {
			label = fmt.Sprintf("الإجمالي: %d صف", n)
		}
		// The label goes in the name column, wide enough to show it.
		at := 0
		for i, c := range cols {
			if c.key == "beneficiary_name" {
				at = i
			}
		}
		values[at] = excelize.Cell{Value: label, StyleID: styles["total"]}
		for i := range cols {
			if summed[i] && i != at && sums[i] != inexact {
				// A value, never a formula.
				values[i] = excelize.Cell{Value: sums[i].Float(), StyleID: styles["total"]}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, values); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if opts.Lang == "ar" {
		rtl := true
		if err := f.SetSheetView(sheet, 0, &excelize.ViewOptions{RightToLeft: &rtl}); err != nil {
			return err
		}
	}
	return saveWorkbook(f, out)
}

// saveWorkbook writes the workbook f, started by newWorkbook, to out.
// Excelize builds the whole file in a buffer of its own before it hands it
// over (9 MB for a 100,000-row results sheet, grown by doubling: a tenth
// of the time that sheet costs); since the zip writer is ours, the zip goes
// to out as it is made and that buffer stays empty. Were a later excelize
// to write anything around its zip writer, the file would be refused here
// (and by every test that reads one back), not written short. (Excelize
// also marks, in that buffer, a part of more than 4 GiB as ZIP64; no table
// of ours comes near that: the sheets it is made from are limited far
// below.)
func saveWorkbook(f *excelize.File, out io.Writer) error {
	w := bufio.NewWriterSize(out, 1<<16)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return newZip(w) })
	var around bytes.Buffer
	if _, err := f.WriteTo(&around); err != nil {
		return err
	}
	if around.Len() != 0 {
		return errors.New("excelize wrote part of the workbook around its zip writer: this version of excelize needs payroll's saveWorkbook changed")
	}
	return w.Flush()
}

// newWorkbook starts a workbook to be written into the folder dir. The
// stream writer's temporary file for a large sheet goes to this process's
// private temporary folder (importer.TempDir: owner-only, removed by the
// next run if this one is killed), else beside the output; never to a
// shared temporary folder. It is compressed at the fastest level
// (deflate's default takes most of the time a 100,000-row sheet costs, for
// a file a few percent smaller).
func newWorkbook(dir string) *excelize.File {
	if private, err := importer.TempDir(); err == nil {
		dir = private
	}
	f := excelize.NewFile(excelize.Options{TmpDir: dir})
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return newZip(w) })
	return f
}

// newZip is the zip writer of our workbooks: deflate at its fastest level,
// one compressor for all the parts (a zip writer writes one part at a time
// and closes it before the next; a compressor is over a megabyte). The
// compressor is klauspost/compress's: its fastest level makes a 100,000-row
// sheet's 51 MB of XML a slightly smaller part than the standard library's
// does, in a third of the time (80 ms against 210-300 ms); what it writes
// is plain deflate, read by every spreadsheet and by excelize
// (TestWorkbookReadBack and every test that opens one).
func newZip(w io.Writer) *zip.Writer {
	zw := zip.NewWriter(w)
	var fw *flate.Writer
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if fw != nil {
			fw.Reset(out)
			return fw, nil
		}
		var err error
		fw, err = flate.NewWriter(out, flate.BestSpeed)
		return fw, err
	})
	return zw
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
		return markedOurs(path)
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

// markedOurs reports whether a workbook has our custom document property,
// reading only the part that holds it (a results sheet of 100,000 rows is
// not opened whole to learn who wrote it).
func markedOurs(path string) bool {
	z, err := zip.OpenReader(path)
	if err != nil {
		return false
	}
	defer z.Close()
	for _, f := range z.File {
		if f.Name != "docProps/custom.xml" {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return false
		}
		defer r.Close()
		var props struct {
			Property []struct {
				Name string `xml:"name,attr"`
			} `xml:"property"`
		}
		if xml.NewDecoder(io.LimitReader(r, 1<<20)).Decode(&props) != nil {
			return false
		}
		for _, p := range props.Property {
			if p.Name == ownMark {
				return true
			}
		}
	}
	return false
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
