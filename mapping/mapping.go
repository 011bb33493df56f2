package mapping

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
	"gopkg.in/yaml.v3"

	"payroll/importer"
)

// HeaderSearchRows is how many rows from the top are searched for the header.
const HeaderSearchRows = 20

// Column is one column of the user's sheet.
type Column struct {
	Index  int    // zero-based
	Letter string // "D"
	Header string // the user's own header text
}

// Mapping says where each field comes from.
type Mapping struct {
	Sheet     string
	HeaderRow int
	Headers   []Column         // every non-empty header, left to right
	Columns   map[Field]Column // fields read from a column
	Defaults  map[Field]string // fields filled with a fixed value
	// Problems are header-level faults (a required field with no column, an
	// ambiguous amount). When there are any, rows are not checked.
	Problems []Problem
	// SheetHidden is set when the sheet read is hidden in the workbook.
	SheetHidden bool
}

// payrollLike reports whether the header row names an account and an
// amount column without problems: a sheet that could be paid.
func (m *Mapping) payrollLike() bool {
	_, account := m.Columns[Account]
	_, amount := m.Columns[Amount]
	return account && amount && len(m.Problems) == 0
}

// Problem is a fault of the header row as a whole.
type Problem struct {
	Row    int
	Column Column // zero value when the fault is an absent column
	Field  Field
	Code   string
	Msg    string
}

func (p Problem) Error() string { return fmt.Sprintf("row %d: %s", p.Row, p.Msg) }

// Value is one field's value on a row.
type Value struct {
	Text string
	// Column is where the value was read; nil when it came from a default.
	Column *Column
}

// Record is one data row resolved to fields.
type Record struct {
	Row    int
	Values map[Field]Value
	Cells  []string
	Hidden bool // the row is hidden in the workbook
}

// Get returns the trimmed text of a field ("" when absent).
func (r Record) Get(f Field) string { return strings.TrimSpace(r.Values[f].Text) }

// Skipped is a row that was read but deliberately not treated as data.
type Skipped struct {
	Row    int
	Reason string
}

// File is a mapping file (YAML) that names the columns explicitly and sets
// defaults:
//
//	sheet: Salaries          # optional
//	header_row: 3            # optional; found automatically otherwise
//	columns:                 # field: the header text in the sheet
//	  beneficiary_name: Full name
//	  amount: Net
//	defaults:                # field: value used where the column is missing or empty
//	  beneficiary_country: SA
//	  transfer_code: 100
//	  beneficiary_address1: Riyadh
//
// Fields may be written as their API key or a short name (name, iban, bank,
// amount, mobile, email, country, address1, address2, branch, transfer_code,
// employee_id).
type File struct {
	Sheet     string            `yaml:"sheet"`
	HeaderRow int               `yaml:"header_row"`
	Columns   map[string]string `yaml:"columns"`
	Defaults  map[string]string `yaml:"defaults"`
}

// LoadFile reads and checks a mapping file.
func LoadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mapping file %s: %w", path, err)
	}
	return ParseFile(path, b)
}

// ParseFile parses the bytes of a mapping file; name is used in messages.
func ParseFile(name string, b []byte) (*File, error) {
	var f File
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("mapping file %s: %v (expected keys: sheet, header_row, columns, defaults)", name, err)
	}
	for k := range f.Columns {
		if _, ok := ParseField(k); !ok {
			return nil, fmt.Errorf("mapping file %s: columns: unknown field %q; fields are: %s", name, k, fieldList())
		}
	}
	for k := range f.Defaults {
		if _, ok := ParseField(k); !ok {
			return nil, fmt.Errorf("mapping file %s: defaults: unknown field %q; fields are: %s", name, k, fieldList())
		}
	}
	if f.HeaderRow < 0 {
		return nil, fmt.Errorf("mapping file %s: header_row must be a row number from 1", name)
	}
	return &f, nil
}

func fieldList() string {
	var s []string
	for _, f := range Fields() {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}

// headerScore counts how many cells of a row are recognised headers. A row
// with no header naming a field exactly (only salary-like words) scores 0:
// sentences in an instructions sheet are not a header.
func headerScore(r importer.Row) int {
	n, exact := 0, false
	for _, c := range r.Cells {
		k := classify(c)
		if k.field != "" {
			exact = true
		}
		if k.field != "" || k.candidate || k.city || k.id {
			n++
		}
	}
	if !exact {
		return 0
	}
	return n
}

// resolve builds the mapping from a header row.
func resolve(sheet string, header importer.Row, file *File) *Mapping {
	m := &Mapping{Sheet: sheet, HeaderRow: header.Number, Columns: map[Field]Column{}, Defaults: map[Field]string{}}
	for i, h := range header.Cells {
		if strings.TrimSpace(h) == "" {
			continue
		}
		name, _ := excelize.ColumnNumberToName(i + 1)
		m.Headers = append(m.Headers, Column{Index: i, Letter: name, Header: strings.TrimSpace(h)})
	}
	explicit := map[Field]bool{}
	if file != nil {
		for k, h := range file.Columns {
			f, _ := ParseField(k)
			explicit[f] = true
			col, ok := m.find(h)
			if !ok {
				m.Problems = append(m.Problems, Problem{Row: header.Number, Field: f, Code: "column.missing",
					Msg: fmt.Sprintf("the mapping file names column %q for %s, but the header row has no such column; the headers found are: %s", h, f.Label(), m.headerList())})
				continue
			}
			m.Columns[f] = col
		}
		for k, v := range file.Defaults {
			f, _ := ParseField(k)
			m.Defaults[f] = v
		}
	}
	taken := map[int]bool{}
	for _, c := range m.Columns {
		taken[c.Index] = true
	}
	var nets, candidates []Column
	var city *Column
	for _, c := range m.Headers {
		if taken[c.Index] {
			continue
		}
		k := classify(c.Header)
		switch {
		case k.net:
			nets = append(nets, c)
		case k.candidate:
			candidates = append(candidates, c)
		case k.city:
			c := c
			city = &c
		case k.field != "" && !explicit[k.field]:
			if _, dup := m.Columns[k.field]; dup {
				m.Problems = append(m.Problems, Problem{Row: header.Number, Column: c, Field: k.field, Code: "column.ambiguous",
					Msg: fmt.Sprintf("two columns could be the %s: %q (%s) and %q (%s); rename one or name the right one in a mapping file (--mapping)", k.field.Label(), m.Columns[k.field].Header, m.Columns[k.field].Letter, c.Header, c.Letter)})
				continue
			}
			m.Columns[k.field] = c
		}
	}
	if !explicit[Amount] {
		if _, ok := m.Columns[Amount]; ok {
			// An "amount" header that matched the field's own aliases.
			nets = append([]Column{m.Columns[Amount]}, nets...)
			delete(m.Columns, Amount)
		}
		switch {
		case len(nets) == 1:
			m.Columns[Amount] = nets[0]
		case len(nets) > 1:
			m.Problems = append(m.Problems, Problem{Row: header.Number, Column: nets[1], Field: Amount, Code: "column.ambiguous",
				Msg: fmt.Sprintf("several columns could be the amount to pay: %s; name the right one in a mapping file (--mapping)", columnList(nets))})
		case len(candidates) == 1:
			m.Columns[Amount] = candidates[0]
		case len(candidates) > 1:
			m.Problems = append(m.Problems, Problem{Row: header.Number, Column: candidates[0], Field: Amount, Code: "column.ambiguous",
				Msg: fmt.Sprintf("several columns could be the amount to pay (%s) and none is the net pay; add a \"Net Salary\" column or name the amount column in a mapping file (--mapping)", columnList(candidates))})
		}
	}
	if city != nil {
		if _, ok := m.Columns[Address1]; !ok && !explicit[Address1] {
			m.Columns[Address1] = *city
		} else if _, ok := m.Columns[Address2]; !ok && !explicit[Address2] {
			m.Columns[Address2] = *city
		}
	}
	for _, f := range Fields() {
		_, col := m.Columns[f]
		_, def := m.Defaults[f]
		if f.Required() && !col && !def && !hasProblem(m.Problems, f) {
			m.Problems = append(m.Problems, Problem{Row: header.Number, Field: f, Code: "column.missing",
				Msg: fmt.Sprintf("no column holds the %s (%s); the headers found are: %s; add the column, rename a header, or name it in a mapping file (--mapping)", f.Label(), f, m.headerList())})
		}
	}
	return m
}

func hasProblem(ps []Problem, f Field) bool {
	for _, p := range ps {
		if p.Field == f {
			return true
		}
	}
	return false
}

func columnList(cs []Column) string {
	var s []string
	for _, c := range cs {
		s = append(s, fmt.Sprintf("%q (%s)", c.Header, c.Letter))
	}
	return strings.Join(s, ", ")
}

func (m *Mapping) headerList() string {
	if len(m.Headers) == 0 {
		return "(none)"
	}
	var s []string
	for _, c := range m.Headers {
		s = append(s, fmt.Sprintf("%q", c.Header))
	}
	return strings.Join(s, ", ")
}

func (m *Mapping) find(header string) (Column, bool) {
	for _, c := range m.Headers {
		if sameHeader(c.Header, header) {
			return c, true
		}
	}
	return Column{}, false
}

// sameHeader reports whether a header cell is the one a mapping file names:
// equal when folded (Normalize), or one of the cell's names when it holds
// two ("Employee Name / اسم الموظف").
func sameHeader(cell, named string) bool {
	if strings.EqualFold(strings.TrimSpace(cell), strings.TrimSpace(named)) || Normalize(cell) == Normalize(named) {
		return true
	}
	for _, part := range headerParts(cell) {
		if Normalize(part) == Normalize(named) {
			return true
		}
	}
	return false
}

// fileScore counts the cells of a row that a mapping file names.
func fileScore(r importer.Row, file *File) int {
	n := 0
	for _, named := range file.Columns {
		for _, c := range r.Cells {
			if sameHeader(c, named) {
				n++
				break
			}
		}
	}
	return n
}

// Summary lists, in field order, which column became which field and which
// fields take a default.
func (m *Mapping) Summary() []string {
	var out []string
	for _, f := range Fields() {
		if c, ok := m.Columns[f]; ok {
			out = append(out, fmt.Sprintf("%-28s ← column %s %q", f, c.Letter, c.Header))
		} else if d, ok := m.Defaults[f]; ok {
			out = append(out, fmt.Sprintf("%-28s = %q (default)", f, d))
		}
	}
	var unused []string
	used := map[int]bool{}
	for _, c := range m.Columns {
		used[c.Index] = true
	}
	for _, c := range m.Headers {
		if !used[c.Index] {
			unused = append(unused, fmt.Sprintf("%s %q", c.Letter, c.Header))
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		out = append(out, "not used: "+strings.Join(unused, ", "))
	}
	return out
}

// Record resolves a data row.
func (m *Mapping) Record(r importer.Row) Record {
	rec := Record{Row: r.Number, Values: map[Field]Value{}, Cells: r.Cells, Hidden: r.Hidden}
	for f, c := range m.Columns {
		c := c
		rec.Values[f] = Value{Text: r.Cell(c.Index), Column: &c}
	}
	for f, d := range m.Defaults {
		if strings.TrimSpace(rec.Values[f].Text) == "" {
			rec.Values[f] = Value{Text: d}
		}
	}
	return rec
}

// isTotals reports whether a row is a trailing totals line: a cell saying
// "Total" (or الإجمالي, المجموع), an amount, and no IBAN.
func (m *Mapping) isTotals(r importer.Row) bool {
	acc, ok := m.Columns[Account]
	if ok && strings.TrimSpace(r.Cell(acc.Index)) != "" {
		return false
	}
	amt, ok := m.Columns[Amount]
	if !ok || strings.TrimSpace(r.Cell(amt.Index)) == "" {
		return false
	}
	for _, c := range r.Cells {
		if matchesAny(c, words().totals) {
			return true
		}
	}
	return false
}
