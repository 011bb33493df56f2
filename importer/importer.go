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
}

// Row is one row of a sheet.
type Row struct {
	// Number is the row number as the user sees it (1 is the first line).
	Number int
	// Cells holds the raw text of each cell, left to right. Trailing empty
	// cells may be missing.
	Cells []string
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
	path     string
	format   Format
	encoding string
	delim    rune
	sheets   []string
	xlsx     *xlsxBook
	opts     Options
}

// Path returns the file name the workbook was opened from.
func (w *Workbook) Path() string { return w.path }

// Format returns the detected format.
func (w *Workbook) Format() Format { return w.format }

// Encoding returns the detected (or forced) text encoding of a CSV/TSV file,
// and "" for XLSX.
func (w *Workbook) Encoding() string { return w.encoding }

// Sheets lists the sheet names. A CSV or TSV file has one sheet, named after
// the file.
func (w *Workbook) Sheets() []string { return append([]string(nil), w.sheets...) }

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
func Open(path string, opts Options) (*Workbook, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, &Error{Path: path, Msg: "this is a folder, not a file; name the spreadsheet inside it", Err: ErrUnsupported}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Path: path, Msg: openMessage(err), Err: err}
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, &Error{Path: path, Msg: "cannot read the file: " + err.Error(), Err: err}
	}
	head = head[:n]
	w := &Workbook{path: path, opts: opts}
	switch sniff(head) {
	case "zip":
		if bytes.Contains(head, []byte("application/vnd.oasis.opendocument")) {
			return nil, &Error{Path: path, Msg: "this is an OpenDocument spreadsheet (.ods), which is not read; open it and save it as Excel (.xlsx) or CSV", Err: ErrUnsupported}
		}
		w.format = FormatXLSX
		b, err := openXLSX(path)
		if err != nil {
			return nil, err
		}
		w.xlsx = b
		w.sheets = b.sheets
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
		w.sheets = []string{strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))}
	}
	return w, nil
}

// Rows starts reading the named sheet ("" means the first). For CSV and TSV
// the name is ignored.
func (w *Workbook) Rows(sheet string) (Rows, error) {
	if w.format == FormatXLSX {
		return w.xlsx.rows(w.path, sheet)
	}
	return openText(w.path, w.encoding, w.delim)
}

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

func openMessage(err error) string {
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
