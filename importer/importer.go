// Package importer opens a spreadsheet file (XLSX, CSV or TSV), works out its
// format and text encoding from its content, and streams its rows as cell
// strings together with the row number the user sees in the spreadsheet.
//
// It knows nothing of payouts: finding the header row and deciding which
// column is which belongs to package mapping.
package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Format is the kind of file that was recognised.
type Format string

// The formats the importer reads.
const (
	FormatXLSX Format = "xlsx"
	FormatCSV  Format = "csv"
	FormatTSV  Format = "tsv"
)

// Options change how a file is read. The zero value detects everything.
type Options struct {
	// Encoding forces the text encoding of a CSV/TSV file: one of
	// "utf-8", "utf-16le", "utf-16be", "windows-1256". Empty means detect.
	Encoding string
	// Delimiter forces the CSV field separator. Zero means detect.
	Delimiter rune
	// Limits bound what a file may make the reader do; zero fields take
	// the defaults (DefaultLimits).
	Limits Limits
	// Name is the file's name for messages and for a CSV file's sheet when
	// the bytes are read from another path (a private copy); "" is the
	// path.
	Name string
}

// Limits bound the work a file can cause, so that a hostile or broken file
// is refused with a clear message instead of taking the machine down.
type Limits struct {
	// Unzip is the most an XLSX file may unpack to, in all.
	Unzip int64
	// Part is the most one part of an XLSX file other than its sheets and
	// shared strings (styles, workbook, drawings) may unpack to: those are
	// read into memory whole.
	Part int64
	// Rows, Columns and Cell are Excel's own limits: rows a sheet, columns
	// a row, characters a cell.
	Rows    int
	Columns int
	Cell    int
	// Line is the most bytes one line of a CSV or TSV file may hold.
	Line int
	// Strings is the most the shared strings of an XLSX file (the one part
	// held in memory while a sheet is streamed) may unpack to.
	Strings int64
}

// DefaultLimits are Excel's limits for rows, columns and cells, 1 GiB
// unpacked for a workbook (a million-row payroll is about half of that),
// 64 MiB for one of its other parts and 4 MiB for a line of text.
func DefaultLimits() Limits {
	return Limits{Unzip: 1 << 30, Part: 64 << 20, Rows: 1_048_576, Columns: 16_384, Cell: 32_767, Line: 4 << 20, Strings: 256 << 20}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.Unzip <= 0 {
		l.Unzip = d.Unzip
	}
	if l.Part <= 0 {
		l.Part = d.Part
	}
	if l.Rows <= 0 {
		l.Rows = d.Rows
	}
	if l.Columns <= 0 {
		l.Columns = d.Columns
	}
	if l.Cell <= 0 {
		l.Cell = d.Cell
	}
	if l.Line <= 0 {
		l.Line = d.Line
	}
	if l.Strings <= 0 {
		l.Strings = d.Strings
	}
	return l
}

// ErrLimit is wrapped by errors for files beyond a limit.
var ErrLimit = errors.New("the file is beyond a size limit")

// checkRow refuses a row beyond the limits.
func (l Limits) checkRow(path string, r Row) error {
	if r.Number > l.Rows {
		return &Error{Path: path, Row: r.Number, Msg: fmt.Sprintf("the sheet has more than %d rows, more than Excel allows; is this the right file?", l.Rows), Err: ErrLimit}
	}
	if len(r.Cells) > l.Columns {
		return &Error{Path: path, Row: r.Number, Msg: fmt.Sprintf("the row has %d columns, more than Excel's %d; is this the right file?", len(r.Cells), l.Columns), Err: ErrLimit}
	}
	for i, c := range r.Cells {
		if len(c) > l.Cell && utf8.RuneCountInString(c) > l.Cell {
			return &Error{Path: path, Row: r.Number, Msg: fmt.Sprintf("the cell in column %d holds more than %d characters, more than Excel allows in a cell; is this the right file?", i+1, l.Cell), Err: ErrLimit}
		}
	}
	return nil
}

// Row is one row of a sheet.
type Row struct {
	// Number is the row number as the user sees it (1 is the first line).
	Number int
	// Cells holds the raw text of each cell, left to right. Trailing empty
	// cells may be missing.
	Cells []string
	// Hidden is set for a row hidden in the workbook (it is read all the
	// same; the caller decides what to say).
	Hidden bool
}

// Cell returns the cell at zero-based column index i, or "" when the row is
// shorter.
func (r Row) Cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// Blank reports whether every cell of the row is empty or white space.
func (r Row) Blank() bool {
	for _, c := range r.Cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Error is a failure to open or read a file. It says which file and what the
// user can do about it.
type Error struct {
	Path string
	Row  int // 0 when not tied to a row
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	where := e.Path
	if e.Row > 0 {
		where = fmt.Sprintf("%s, row %d", e.Path, e.Row)
	}
	if e.Err != nil && e.Msg == "" {
		return fmt.Sprintf("%s: %v", where, e.Err)
	}
	return fmt.Sprintf("%s: %s", where, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrUnsupported is wrapped by errors for files in formats the tool does not read.
var ErrUnsupported = errors.New("unsupported file format")

// Workbook is an opened file. Call Close when done.
type Workbook struct {
	path     string // read from
	name     string // shown
	format   Format
	encoding string
	// valid is set when the whole file was found to be valid UTF-8.
	valid  bool
	delim  rune
	sheets []string
	xlsx   *xlsxBook
	opts   Options
}

// Path returns the file's name: Options.Name, or the path it was opened
// from.
func (w *Workbook) Path() string { return w.name }

// Format returns the detected format.
func (w *Workbook) Format() Format { return w.format }

// Encoding returns the detected (or forced) text encoding of a CSV/TSV file,
// and "" for XLSX.
func (w *Workbook) Encoding() string { return w.encoding }

// Delimiter returns the field separator of a CSV or TSV file, and 0 for
// XLSX.
func (w *Workbook) Delimiter() rune { return w.delim }

// Sheets lists the sheet names. A CSV or TSV file has one sheet, named after
// the file.
func (w *Workbook) Sheets() []string { return append([]string(nil), w.sheets...) }

// Hidden reports whether a sheet of a workbook is hidden.
func (w *Workbook) Hidden(sheet string) bool {
	if w.xlsx == nil {
		return false
	}
	return w.xlsx.hidden(sheet)
}

// Close releases the file.
func (w *Workbook) Close() error {
	if w.xlsx != nil {
		return w.xlsx.close()
	}
	return nil
}

// Rows is an iterator over the rows of one sheet, in the shape of
// database/sql.Rows: for rows.Next() { r := rows.Row() }; rows.Err().
type Rows interface {
	Next() bool
	Row() Row
	Err() error
	Close() error
}

// Open opens path and detects its format from its first bytes, not only its
// extension.
func Open(path string, opts Options) (_ *Workbook, err error) {
	name := path
	if opts.Name != "" {
		name = opts.Name
		defer func() {
			var e *Error
			if errors.As(err, &e) && e.Path == path {
				e.Path = name
			}
		}()
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, &Error{Path: path, Msg: "this is a folder, not a file; name the spreadsheet inside it", Err: ErrUnsupported}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Path: path, Msg: OpenMessage(err), Err: err}
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, &Error{Path: path, Msg: "cannot read the file: " + err.Error(), Err: err}
	}
	head = head[:n]
	opts.Limits = opts.Limits.withDefaults()
	w := &Workbook{path: path, name: name, opts: opts}
	switch sniff(head) {
	case "zip":
		if bytes.Contains(head, []byte("application/vnd.oasis.opendocument")) {
			return nil, &Error{Path: path, Msg: "this is an OpenDocument spreadsheet (.ods), which is not read; open it and save it as Excel (.xlsx) or CSV", Err: ErrUnsupported}
		}
		w.format = FormatXLSX
		b, err := openXLSX(path, opts)
		if err != nil {
			return nil, err
		}
		w.xlsx = b
		w.sheets = b.names()
	case "ole":
		return nil, &Error{Path: path, Msg: "this is an old Excel file (.xls) or a password-protected workbook, which is not read; open it in Excel and save it as Excel Workbook (.xlsx) or CSV UTF-8, without a password", Err: ErrUnsupported}
	case "pdf":
		return nil, &Error{Path: path, Msg: "this is a PDF, not a spreadsheet; export the sheet as .xlsx or CSV", Err: ErrUnsupported}
	case "empty":
		return nil, &Error{Path: path, Msg: "the file is empty", Err: ErrUnsupported}
	default:
		enc, err := pickEncoding(head, opts.Encoding)
		if err != nil {
			return nil, &Error{Path: path, Msg: err.Error(), Err: err}
		}
		if opts.Encoding == "" && enc == EncodingUTF8 || opts.Encoding == "" && enc == EncodingWindows1256 {
			// The first bytes are not enough: one bad byte deep in a UTF-8
			// file must not turn every name into mojibake, nor become U+FFFD
			// on its way to the bank.
			if enc, err = wholeFileEncoding(path, head); err != nil {
				return nil, err
			}
			w.valid = enc == EncodingUTF8
		}
		w.encoding = enc
		text, err := decodedSample(path, enc)
		if err != nil {
			return nil, &Error{Path: path, Msg: "cannot read the file: " + err.Error(), Err: err}
		}
		if bytes.IndexByte(text, 0) >= 0 {
			return nil, &Error{Path: path, Msg: "this is not a text or Excel file (it contains binary data); export the sheet as .xlsx or CSV", Err: ErrUnsupported}
		}
		w.delim = opts.Delimiter
		if w.delim == 0 {
			w.delim = detectDelimiter(text)
		}
		w.format = FormatCSV
		if w.delim == '\t' {
			w.format = FormatTSV
		}
		w.sheets = []string{strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))}
	}
	return w, nil
}

// Rows starts reading the named sheet ("" means the first). For CSV and TSV
// the name is ignored.
func (w *Workbook) Rows(sheet string) (Rows, error) {
	if w.format == FormatXLSX {
		return w.xlsx.rows(w.name, sheet, w.opts.Limits)
	}
	return openText(w.path, w.name, w.encoding, w.valid, w.delim, w.opts.Limits)
}

// wholeFileEncoding decides between UTF-8 and Windows-1256 from every byte
// of a file: valid UTF-8 throughout is UTF-8; a file whose valid UTF-8
// characters outnumber its invalid bytes is UTF-8 that was damaged, and is
// refused with the place of the first bad byte; a file with words of bytes
// above 0x7F is Windows-1256 (Excel's "CSV" on an Arabic Windows); stray
// bytes in otherwise plain text cannot be told, and are refused.
func wholeFileEncoding(path string, head []byte) (string, error) {
	if valid, err := validUTF8(path); err != nil {
		return "", &Error{Path: path, Msg: "cannot read the file: " + err.Error(), Err: err}
	} else if valid {
		return EncodingUTF8, nil
	}
	sc, err := scanUTF8(path)
	if err != nil {
		return "", &Error{Path: path, Msg: "cannot read the file: " + err.Error(), Err: err}
	}
	bom := bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	switch {
	case sc.invalid == 0:
		return EncodingUTF8, nil
	case bom || sc.multi > sc.invalid:
		return "", &Error{Path: path, Msg: fmt.Sprintf("the file is UTF-8 text with bytes that are not UTF-8: the first is byte 0x%02X on line %d (byte %d of the file), %d in all. Nothing is guessed, so that no name reaches the bank garbled: open the file in Excel and save it again as \"CSV UTF-8 (Comma delimited)\", or name its encoding with --encoding",
			sc.badByte, sc.badLine, sc.firstBad+1, sc.invalid), Err: ErrEncoding}
	case sc.words == 0:
		return "", &Error{Path: path, Msg: fmt.Sprintf("the file holds bytes that are not UTF-8 (%d in all; the first is byte 0x%02X on line %d) and no Arabic words in Windows-1256 either, so its text encoding cannot be told; nothing is guessed: open it in Excel and save it again as \"CSV UTF-8 (Comma delimited)\", or name its encoding with --encoding",
			sc.invalid, sc.badByte, sc.badLine), Err: ErrEncoding}
	}
	return EncodingWindows1256, nil
}

// ErrEncoding is wrapped by errors for text whose encoding cannot be told.
var ErrEncoding = errors.New("the text encoding cannot be told")

func sniff(head []byte) string {
	switch {
	case len(head) == 0:
		return "empty"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "zip"
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "ole"
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "pdf"
	}
	return "text"
}

// OpenMessage says for people why a file could not be opened.
func OpenMessage(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file; check the name and the folder"
	case errors.Is(err, os.ErrPermission):
		return "permission denied; check that you may read this file"
	}
	return "cannot open the file: " + err.Error()
}

// detectDelimiter picks the separator that splits the most lines into the
// same number of fields. Quoted text is not counted.
func detectDelimiter(text []byte) rune {
	candidates := []rune{',', ';', '\t', '|'}
	best, bestScore := ',', 0
	for _, d := range candidates {
		counts := map[int]int{}
		sc := bufio.NewScanner(bytes.NewReader(text))
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		lines := 0
		for sc.Scan() && lines < 50 {
			n := countOutsideQuotes(sc.Text(), d)
			if n > 0 {
				counts[n]++
			}
			lines++
		}
		score := 0
		for n, lines := range counts {
			if s := lines*1000 + n; s > score {
				score = s
			}
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

func countOutsideQuotes(line string, d rune) int {
	n, quoted := 0, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case r == d && !quoted:
			n++
		}
	}
	return n
}
