package importer

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// The XLSX reader streams a worksheet straight out of the zip with its own
// tokenizer (xmlscan.go): nothing is unpacked to disk and only the shared
// strings are held in memory. It reads what the cells hold as stored, the
// way excelize reads them with RawCellValue, which is its oracle
// (TestXLSXSameAsExcelize): shared strings with their rich-text runs
// (phonetic runs left out), inline strings, and the value of every other
// type (n, str, b, e, d) as written. Numbers are not formatted, so dates
// stay serial numbers whatever the workbook's date system (1900 or 1904):
// no payout field is a date. Where excelize would guess (cells or rows out
// of order, a shared-string index that is not a number) this reader refuses
// the file instead.
type xlsxBook struct {
	z       *zip.ReadCloser
	sheets  []xlsxSheet
	strings *sharedStrings // nil until a sheet is read
	limits  Limits
}

type xlsxSheet struct {
	name   string
	part   string // the worksheet's path in the zip, "" when missing
	hidden bool
}

// checkZip refuses a workbook that would unpack beyond the limits, before
// anything is unpacked. The sizes are the ones the zip declares; reading a
// part beyond its declared size fails (archive/zip checks it), so they bound
// what is read.
func checkZip(z *zip.Reader, path string, l Limits) error {
	var total uint64
	for _, f := range z.File {
		total += f.UncompressedSize64
		if total > uint64(l.Unzip) {
			return &Error{Path: path, Msg: fmt.Sprintf("this workbook would unpack to more than %d MB, more than a payroll needs; it may be damaged or built to harm (a zip bomb): open it in Excel and save only the payroll sheet as .xlsx or CSV", l.Unzip>>20), Err: ErrLimit}
		}
		name := strings.ToLower(f.Name)
		switch {
		case strings.HasPrefix(name, "xl/worksheets/"):
		case name == "xl/sharedstrings.xml":
			if f.UncompressedSize64 > uint64(l.Strings) {
				return &Error{Path: path, Msg: fmt.Sprintf("its shared strings would unpack to %d MB, more than a payroll needs (at most %d MB); it may be damaged or built to harm: open it in Excel and save only the payroll sheet as .xlsx or CSV", f.UncompressedSize64>>20, l.Strings>>20), Err: ErrLimit}
			}
		default:
			if f.UncompressedSize64 > uint64(l.Part) {
				return &Error{Path: path, Msg: fmt.Sprintf("its part %s would unpack to %d MB, more than a workbook needs (at most %d MB); it may be damaged or built to harm: open it in Excel and save it again as .xlsx", f.Name, f.UncompressedSize64>>20, l.Part>>20), Err: ErrLimit}
			}
		}
	}
	return nil
}

func damaged(path string, err error) *Error {
	return &Error{Path: path, Msg: "this Excel file cannot be read (" + err.Error() + "); open it in Excel and save it again as .xlsx", Err: err}
}

func openXLSX(path string, opts Options) (*xlsxBook, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, damaged(path, err)
	}
	b := &xlsxBook{z: z, limits: opts.Limits}
	if err := checkZip(&z.Reader, path, opts.Limits); err != nil {
		z.Close()
		return nil, err
	}
	if err := b.readWorkbook(); err != nil {
		z.Close()
		return nil, damaged(path, err)
	}
	if len(b.sheets) == 0 {
		z.Close()
		return nil, &Error{Path: path, Msg: "the workbook has no sheets", Err: ErrUnsupported}
	}
	return b, nil
}

func (b *xlsxBook) close() error { return b.z.Close() }

// file finds a part by its name, exactly or, as Excel does, ignoring case.
func (b *xlsxBook) file(name string) *zip.File {
	var folded *zip.File
	for _, f := range b.z.File {
		if f.Name == name {
			return f
		}
		if folded == nil && strings.EqualFold(f.Name, name) {
			folded = f
		}
	}
	return folded
}

// readSmall unmarshals a small part (at most Limits.Part, checked before).
func (b *xlsxBook) readSmall(name string, v any) (bool, error) {
	f := b.file(name)
	if f == nil {
		return false, nil
	}
	r, err := f.Open()
	if err != nil {
		return true, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, b.limits.Part+1))
	if err != nil {
		return true, err
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("%s: %w", name, err)
	}
	return true, nil
}

type xmlRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// readWorkbook lists the sheets: names, parts and visibility, through the
// package's relationships as the format lays them out.
func (b *xlsxBook) readWorkbook() error {
	wbPath := "xl/workbook.xml"
	var root xmlRels
	if _, err := b.readSmall("_rels/.rels", &root); err != nil {
		return err
	}
	for _, r := range root.Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wbPath = strings.TrimPrefix(r.Target, "/")
			break
		}
	}
	var wb struct {
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			State string     `xml:"state,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	found, err := b.readSmall(wbPath, &wb)
	if err != nil {
		return err
	}
	if !found {
		return errors.New("it has no workbook part")
	}
	dir := path.Dir(wbPath)
	var rels xmlRels
	if _, err := b.readSmall(path.Join(dir, "_rels", path.Base(wbPath)+".rels"), &rels); err != nil {
		return err
	}
	for _, s := range wb.Sheets {
		sheet := xlsxSheet{name: s.Name, hidden: s.State != "" && s.State != "visible"}
		for _, a := range s.Attrs {
			if a.Name.Local != "id" {
				continue
			}
			for _, r := range rels.Rels {
				if r.ID != a.Value {
					continue
				}
				part := path.Clean(path.Join(dir, r.Target))
				if strings.HasPrefix(r.Target, "/") {
					part = path.Clean(r.Target)
				}
				part = strings.TrimPrefix(part, "/")
				if f := b.file(part); f != nil {
					sheet.part = f.Name
				}
			}
		}
		b.sheets = append(b.sheets, sheet)
	}
	return nil
}

func (b *xlsxBook) names() []string {
	out := make([]string, len(b.sheets))
	for i, s := range b.sheets {
		out[i] = s.name
	}
	return out
}

func (b *xlsxBook) hidden(name string) bool {
	for _, s := range b.sheets {
		if strings.EqualFold(s.name, name) {
			return s.hidden
		}
	}
	return false
}

// sharedStrings is a workbook's table of shared strings: one string, and
// where each of its strings ends in it.
type sharedStrings struct {
	all  string
	ends []uint32
}

func (t *sharedStrings) len() int { return len(t.ends) }

// at returns the i-th string, a part of all (nothing is copied).
func (t *sharedStrings) at(i int) string {
	lo := uint32(0)
	if i > 0 {
		lo = t.ends[i-1]
	}
	return t.all[lo:t.ends[i]]
}

// readStrings reads the shared strings once, on the first sheet read.
func (b *xlsxBook) readStrings() error {
	if b.strings != nil {
		return nil
	}
	b.strings = &sharedStrings{}
	f := b.file("xl/sharedStrings.xml")
	if f == nil {
		return nil
	}
	part, err := f.Open()
	if err != nil {
		return err
	}
	r := newReadAhead(part)
	defer r.Close()
	s := newXMLScan(r)
	// The text is shorter than the part, whose size checkZip bounded.
	text := make([]byte, 0, f.UncompressedSize64)
	var ends []uint32
	var sc richScratch
	for s.next() {
		if s.kind != xmlStart {
			continue
		}
		if string(s.name) != "si" {
			if len(s.stack) == 1 {
				continue // the root, <sst>
			}
			if !s.skip() {
				break
			}
			continue
		}
		var ok bool
		if text, ok = readRichText(s, text, &sc); !ok {
			break
		}
		ends = append(ends, uint32(len(text))) // at most Limits.Strings
	}
	if s.err != nil {
		return fmt.Errorf("shared strings: %w", s.err)
	}
	// The bytes become the string as they are: nothing writes to text
	// after this (strings.Builder does the same).
	all := ""
	if len(text) > 0 {
		all = unsafe.String(&text[0], len(text))
	}
	b.strings = &sharedStrings{all: all, ends: ends}
	return nil
}

// readRichText reads the element just started (<si> or <is>) to its end:
// its own <t>, then the <t> of each run <r>, as excelize joins them; runs
// of other kinds (phonetic <rPh>) are left out. It appends the text to out;
// sc is scratch space, kept by the caller between calls.
func readRichText(s *xmlScan, out []byte, sc *richScratch) ([]byte, bool) {
	own, runs := sc.own[:0], sc.runs[:0]
	defer func() { sc.own, sc.runs = own, runs }()
	for {
		if !s.next() {
			return nil, false
		}
		switch s.kind {
		case xmlEnd:
			start := len(out)
			out = append(out, own...)
			out = append(out, runs...)
			return unescapeOOXML(out, start), true
		case xmlStart:
			switch string(s.name) {
			case "t":
				t, ok := readText(s, own[:0])
				if !ok {
					return nil, false
				}
				own = t
			case "r":
				run := len(runs) // where this run's text starts
				for {
					if !s.next() {
						return nil, false
					}
					if s.kind == xmlEnd {
						break
					}
					if s.kind != xmlStart {
						continue
					}
					if string(s.name) == "t" {
						// A run's last <t> is its text.
						t, ok := readText(s, runs[:run])
						if !ok {
							return nil, false
						}
						runs = t
						continue
					}
					if !s.skip() {
						return nil, false
					}
				}
			default:
				if !s.skip() {
					return nil, false
				}
			}
		}
	}
}

// richScratch is space readRichText reuses.
type richScratch struct {
	own, runs []byte
}

// readText reads the text directly inside the element just started, to its
// end (text inside nested elements is not part of it).
func readText(s *xmlScan, out []byte) ([]byte, bool) {
	if t, ok := s.textToEnd(); ok {
		return append(out, t...), true
	}
	for {
		if !s.next() {
			return nil, false
		}
		switch s.kind {
		case xmlText:
			out = append(out, s.text...)
		case xmlStart:
			if !s.skip() {
				return nil, false
			}
		case xmlEnd:
			return out, true
		}
	}
}

// unescapeOOXML turns the _xHHHH_ escapes of the format (a character XML
// cannot hold, written as its code) back into characters, as excelize
// does, in s from start on: _x005F_ is a literal underscore, and a code
// that is no character (a lone surrogate) is dropped.
func unescapeOOXML(s []byte, start int) []byte {
	if !bytes.Contains(s[start:], []byte("_x")) {
		return s
	}
	in := append([]byte(nil), s[start:]...)
	out := s[:start]
	for i := 0; i < len(in); {
		if i+7 <= len(in) && in[i] == '_' && in[i+1] == 'x' && in[i+6] == '_' && isHex4(in[i+2:i+6]) {
			n, _ := strconv.ParseUint(string(in[i+2:i+6]), 16, 32)
			if n == 0x5F {
				out = append(out, '_')
			} else if r := rune(n); utf8.ValidRune(r) {
				out = utf8.AppendRune(out, r)
			}
			i += 7
			continue
		}
		out = append(out, in[i])
		i++
	}
	return out
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// rows reads a sheet; errors name the file as the person knows it (name).
func (b *xlsxBook) rows(name, sheet string, l Limits) (Rows, error) {
	var found *xlsxSheet
	if sheet == "" {
		found = &b.sheets[0]
	}
	for i := range b.sheets {
		if found == nil && strings.EqualFold(b.sheets[i].name, sheet) {
			found = &b.sheets[i]
		}
	}
	if found == nil {
		return nil, &Error{Path: name, Msg: fmt.Sprintf("there is no sheet named %q; the sheets are: %s", sheet, strings.Join(b.names(), ", "))}
	}
	if found.part == "" {
		return nil, &Error{Path: name, Msg: fmt.Sprintf("sheet %q cannot be read: the workbook names it but does not hold it; open it in Excel and save it again as .xlsx", found.name)}
	}
	if err := b.readStrings(); err != nil {
		return nil, damaged(name, err)
	}
	part, err := b.file(found.part).Open()
	if err != nil {
		return nil, damaged(name, err)
	}
	r := newReadAhead(part)
	x := &xlsxRows{path: name, rc: r, s: newXMLScan(r), strings: b.strings, limits: l}
	// Up to the sheet's data: <sheetPr>, <dimension>, <cols> and the like
	// are not needed.
	for x.s.next() {
		if x.s.kind == xmlStart && string(x.s.name) == "sheetData" && len(x.s.stack) == 2 {
			x.inData = true
			break
		}
	}
	if x.s.err != nil {
		r.Close()
		return nil, damaged(name, x.s.err)
	}
	return x, nil
}

type xlsxRows struct {
	path    string
	rc      io.ReadCloser
	s       *xmlScan
	strings *sharedStrings
	limits  Limits
	inData  bool

	row     Row
	next    Row // a row read ahead, after a gap of rows the sheet leaves out
	hasNext bool
	err     error

	// Scratch space for reading a row, reused.
	text   []byte     // the row's own text, cell after cell
	cells  []cellSpan // where each cell's text is
	value  []byte     // a cell's <v>
	inline []byte     // a cell's <is>
	rich   richScratch
}

// cellSpan is where a cell's text is while its row is read: a shared
// string, or a part of the row's own text.
type cellSpan struct {
	col    int // 1-based
	shared int // index of a shared string, or -1
	lo, hi int // in xlsxRows.text
}

func (x *xlsxRows) fail(row int, format string, args ...any) bool {
	x.err = &Error{Path: x.path, Row: row, Msg: "the sheet cannot be read: " + fmt.Sprintf(format, args...) + "; open it in Excel and save it again as .xlsx"}
	return false
}

func (x *xlsxRows) Next() bool {
	if x.err != nil {
		return false
	}
	n := x.row.Number + 1
	if x.hasNext {
		if x.next.Number == n {
			x.row, x.hasNext = x.next, false
		} else {
			x.row = Row{Number: n} // a row the sheet leaves out is empty
		}
		return x.check()
	}
	if !x.inData {
		return false
	}
	for x.s.next() {
		switch x.s.kind {
		case xmlEnd: // </sheetData>
			x.inData = false
			return false
		case xmlStart:
			if string(x.s.name) != "row" {
				if !x.s.skip() {
					return x.scanFailed(n)
				}
				continue
			}
			r, ok := x.readRow(n)
			if !ok {
				return false
			}
			if r.Number == n {
				x.row = r
			} else {
				x.next, x.hasNext = r, true
				x.row = Row{Number: n}
			}
			return x.check()
		}
	}
	if x.s.err != nil {
		return x.scanFailed(n)
	}
	return false
}

func (x *xlsxRows) scanFailed(row int) bool {
	return x.fail(row, "%v", x.s.err)
}

func (x *xlsxRows) check() bool {
	for i, c := range x.row.Cells {
		x.row.Cells[i] = plainNumber(c)
	}
	if err := x.limits.checkRow(x.path, x.row); err != nil {
		x.err = err
		return false
	}
	return true
}

// readRow reads the <row> just started; n is the number the row has when
// it does not say. Its cells' text is one string (but for shared strings,
// which are the table's own), as encoding/csv does with a record.
func (x *xlsxRows) readRow(n int) (Row, bool) {
	r := Row{Number: n}
	if v, ok := x.s.attr("r"); ok {
		num, err := strconv.Atoi(string(v))
		if err != nil || num < 1 {
			return r, x.fail(n, "a row is numbered %q", v)
		}
		if num < n {
			return r, x.fail(n, "row %d comes after row %d", num, n-1)
		}
		if num > x.limits.Rows {
			return r, x.fail(n, "a row is numbered %d, more than Excel allows", num)
		}
		r.Number = num
	}
	if v, ok := x.s.attr("hidden"); ok {
		r.Hidden, _ = strconv.ParseBool(string(v))
	}
	x.text, x.cells = x.text[:0], x.cells[:0]
	col := 0 // the column of the last cell, 1-based
	for {
		if !x.s.next() {
			return r, x.scanFailed(r.Number)
		}
		switch x.s.kind {
		case xmlEnd:
			x.build(&r)
			return r, true
		case xmlStart:
			if string(x.s.name) != "c" {
				if !x.s.skip() {
					return r, x.scanFailed(r.Number)
				}
				continue
			}
			at := col + 1
			if ref, ok := x.s.attr("r"); ok {
				c, ok := refColumn(ref)
				if !ok {
					return r, x.fail(r.Number, "a cell is named %q", ref)
				}
				if c <= col {
					return r, x.fail(r.Number, "cell %s comes after column %d", ref, col)
				}
				at = c
			}
			if at > x.limits.Columns {
				return r, x.fail(r.Number, "a cell is in column %d, more than Excel allows", at)
			}
			col = at
			typ := cellType(x.s)
			cell, formula, ok := x.readCell(r.Number, typ)
			if !ok {
				return r, false
			}
			if cell.lo == cell.hi && cell.shared < 0 && !formula {
				continue
			}
			cell.col = at
			x.cells = append(x.cells, cell)
		}
	}
}

// build makes the row's cells from the spans read: one string for the
// row's own text, empty cells for the columns the row leaves out.
func (x *xlsxRows) build(r *Row) {
	if len(x.cells) == 0 {
		return
	}
	text := string(x.text)
	r.Cells = make([]string, x.cells[len(x.cells)-1].col)
	for _, c := range x.cells {
		if c.shared >= 0 {
			r.Cells[c.col-1] = x.strings.at(c.shared)
		} else {
			r.Cells[c.col-1] = text[c.lo:c.hi]
		}
	}
}

// cellType is the t attribute of the <c> just started, as a constant
// string (so that reading it allocates nothing).
func cellType(s *xmlScan) string {
	t, _ := s.attr("t")
	switch string(t) {
	case "":
		return ""
	case "s":
		return "s"
	case "n":
		return "n"
	case "str":
		return "str"
	case "inlineStr":
		return "inlineStr"
	case "b":
		return "b"
	case "e":
		return "e"
	case "d":
		return "d"
	}
	return string(t)
}

// readCell reads the <c> just started: where its value, as excelize reads
// it raw, is (appended to the row's text, or a shared string), and whether
// it has a formula.
func (x *xlsxRows) readCell(row int, typ string) (cellSpan, bool, bool) {
	hasValue, hasInline, formula := false, false, false
	for {
		if !x.s.next() {
			return cellSpan{}, false, x.scanFailed(row)
		}
		switch x.s.kind {
		case xmlEnd:
			span := cellSpan{shared: -1, lo: len(x.text)}
			switch {
			case typ == "s":
				if !hasValue || len(x.value) == 0 {
					span.hi = span.lo
					return span, formula, true
				}
				t := bytes.TrimSpace(x.value)
				i, err := strconv.Atoi(string(t))
				if err != nil || i < 0 || i >= x.strings.len() {
					return span, false, x.fail(row, "a cell refers to shared string %q, which the workbook does not have", t)
				}
				span.shared = i
				if x.strings.at(i) == "" {
					span.shared = -1 // an empty string: no value
				}
				span.hi = span.lo
				return span, formula, true
			case typ == "inlineStr" && hasInline:
				x.text = append(x.text, x.inline...)
			case hasValue:
				x.text = append(x.text, x.value...)
			}
			span.hi = len(x.text)
			return span, formula, true
		case xmlStart:
			switch string(x.s.name) {
			case "v":
				var ok bool
				if x.value, ok = readText(x.s, x.value[:0]); !ok {
					return cellSpan{}, false, x.scanFailed(row)
				}
				hasValue = true
			case "f":
				formula = true
				if !x.s.skip() {
					return cellSpan{}, false, x.scanFailed(row)
				}
			case "is":
				var ok bool
				if x.inline, ok = readRichText(x.s, x.inline[:0], &x.rich); !ok {
					return cellSpan{}, false, x.scanFailed(row)
				}
				hasInline = true
			default:
				if !x.s.skip() {
					return cellSpan{}, false, x.scanFailed(row)
				}
			}
		}
	}
}

// refColumn reads the column of a cell reference such as "B7" or "$B$7".
func refColumn(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c == '$':
			continue
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a'+1)
		default:
			goto digits
		}
		if col > 16_384 {
			return 0, false
		}
	}
digits:
	if col == 0 || i == len(ref) {
		return 0, false
	}
	row, err := strconv.Atoi(string(ref[i:]))
	return col, err == nil && row > 0 && row <= 1_048_576 && ref[i] >= '0' && ref[i] <= '9'
}

func (x *xlsxRows) Row() Row   { return x.row }
func (x *xlsxRows) Err() error { return x.err }
func (x *xlsxRows) Close() error {
	if x.rc == nil {
		return nil
	}
	err := x.rc.Close()
	x.rc = nil
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
	// Significant digits: leading zeros do not count.
	digits := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '1' && c <= '9' || c == '0' && digits > 0 {
			digits++
		}
	}
	// Only fractions carry binary noise; long whole numbers may be account
	// numbers typed as text and must keep every digit.
	if strings.ContainsAny(s, "eE") || !strings.Contains(s, ".") || digits <= 15 {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
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
