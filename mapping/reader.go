package mapping

import (
	"fmt"
	"strings"

	"payroll/importer"
)

// Options change how a sheet is opened.
type Options struct {
	Sheet    string // "" picks the first sheet with a recognisable header row
	Encoding string // forces a CSV encoding (see importer.Options)
	File     *File  // a mapping file, or nil for the built-in aliases
	// Name is the file's name for messages when the bytes are read from
	// another path (a private copy); "" is the path.
	Name string
}

// Reader streams the records of a sheet, after its header row.
type Reader struct {
	wb      *importer.Workbook
	rows    importer.Rows
	queue   []importer.Row
	mapping *Mapping
	row     importer.Row
	skipped []Skipped
	read    int
	err     error
}

// Open opens a file, picks the sheet, finds the header row and resolves the
// columns. The error is an *importer.Error for files that cannot be read, or
// a plain error saying why no header row was found.
func Open(path string, opts Options) (*Reader, error) {
	wb, err := importer.Open(path, importer.Options{Encoding: opts.Encoding, Name: opts.Name})
	if err != nil {
		return nil, err
	}
	shown := path // the file as the person knows it
	if opts.Name != "" {
		shown = opts.Name
	}
	sheet := opts.Sheet
	if sheet == "" && opts.File != nil {
		sheet = opts.File.Sheet
	}
	candidates := wb.Sheets()
	if sheet != "" {
		candidates = []string{sheet}
	}
	var tried []string
	for i, s := range candidates {
		r, err := startSheet(wb, s, opts.File)
		if err != nil {
			wb.Close()
			return nil, err
		}
		if r == nil {
			tried = append(tried, fmt.Sprintf("%q", s))
			continue
		}
		if sheet == "" && r.mapping.payrollLike() {
			// Never guess between a March and an April sheet.
			var alike []string
			for _, other := range candidates[i+1:] {
				o, err := startSheet(wb, other, opts.File)
				if err != nil {
					continue
				}
				if o != nil {
					if o.mapping.payrollLike() {
						alike = append(alike, fmt.Sprintf("%q", other))
					}
					o.rows.Close()
				}
			}
			if len(alike) > 0 {
				r.rows.Close()
				wb.Close()
				return nil, &importer.Error{Path: shown, Msg: fmt.Sprintf("several sheets look like a payroll: %q, %s; nothing is guessed: name the one to pay with --sheet, e.g. --sheet %q", s, strings.Join(alike, ", "), s)}
			}
		}
		r.mapping.SheetHidden = wb.Hidden(r.mapping.Sheet)
		return r, nil
	}
	wb.Close()
	what := "the sheet " + strings.Join(tried, ", ")
	if len(tried) > 1 {
		what = "none of the sheets " + strings.Join(tried, ", ")
	}
	return nil, &importer.Error{Path: shown, Msg: fmt.Sprintf("no header row found in the first %d rows of %s; the header row should name the columns, e.g. Name, IBAN, Amount, Mobile, Email (English or Arabic), or give a mapping file with --mapping", HeaderSearchRows, what)}
}

// startSheet reads the top of a sheet and returns a Reader, or nil when the
// sheet has no header row.
func startSheet(wb *importer.Workbook, sheet string, file *File) (*Reader, error) {
	rows, err := wb.Rows(sheet)
	if err != nil {
		return nil, err
	}
	name := sheet
	if name == "" || wb.Format() != importer.FormatXLSX {
		name = wb.Sheets()[0]
	}
	var top []importer.Row
	for len(top) < HeaderSearchRows && rows.Next() {
		top = append(top, rows.Row())
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	best, bestScore := -1, 1
	for i, r := range top {
		if file != nil && file.HeaderRow > 0 {
			if r.Number == file.HeaderRow {
				best = i
				break
			}
			continue
		}
		s := headerScore(r)
		if file != nil && len(file.Columns) > 0 {
			// The row that holds the columns the mapping file names,
			// wherever it is.
			s = fileScore(r, file) * 100
		}
		if s > bestScore {
			best, bestScore = i, s
		}
	}
	if best < 0 {
		rows.Close()
		return nil, nil
	}
	m := resolve(name, top[best], file)
	return &Reader{wb: wb, rows: rows, queue: top[best+1:], mapping: m}, nil
}

// Mapping returns the resolved mapping.
func (r *Reader) Mapping() *Mapping { return r.mapping }

// Workbook returns the underlying file.
func (r *Reader) Workbook() *importer.Workbook { return r.wb }

// Next advances to the next data row, skipping blank rows and totals rows.
func (r *Reader) Next() bool {
	for {
		var row importer.Row
		switch {
		case len(r.queue) > 0:
			row, r.queue = r.queue[0], r.queue[1:]
		case r.rows.Next():
			row = r.rows.Row()
		default:
			r.err = r.rows.Err()
			return false
		}
		if row.Blank() {
			continue
		}
		r.read++
		if r.mapping.isTotals(row) {
			r.skipped = append(r.skipped, Skipped{Row: row.Number, Reason: "totals row"})
			continue
		}
		r.row = row
		return true
	}
}

// Record returns the current record.
func (r *Reader) Record() Record { return r.mapping.Record(r.row) }

// Row returns the current row as read, for Mapping.Lookup: what Record
// resolves, without building its map.
func (r *Reader) Row() importer.Row { return r.row }

// Skipped lists the rows that were read but not treated as data.
func (r *Reader) Skipped() []Skipped { return r.skipped }

// Read counts the non-blank rows after the header, skipped ones included.
func (r *Reader) Read() int { return r.read }

// Err returns the first read error.
func (r *Reader) Err() error { return r.err }

// Close releases the file.
func (r *Reader) Close() error {
	r.rows.Close()
	return r.wb.Close()
}
