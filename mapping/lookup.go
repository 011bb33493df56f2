package mapping

import (
	"strings"

	"payroll/importer"
)

// fieldCount is how many fields there are (see Fields).
const fieldCount = 12

// index is the field's place in Fields, or -1 for a name that is no field.
func (f Field) index() int {
	switch f {
	case EmployeeID:
		return 0
	case Name:
		return 1
	case Account:
		return 2
	case Bank:
		return 3
	case Amount:
		return 4
	case Mobile:
		return 5
	case Email:
		return 6
	case Country:
		return 7
	case Address1:
		return 8
	case Address2:
		return 9
	case Branch:
		return 10
	case TransferCode:
		return 11
	}
	return -1
}

// Lookup reads fields straight from a row's cells: what Record gives, for
// readers of many rows that need no map a row. Make one with
// Mapping.Lookup; it is read-only and safe for use by many goroutines.
type Lookup struct {
	cell    [fieldCount]int     // the field's cell index, -1 when no column
	column  [fieldCount]*Column // where it is read, nil when no column
	def     [fieldCount]string
	hasDef  [fieldCount]bool
	mapping *Mapping
}

// Lookup compiles the mapping for reading rows.
func (m *Mapping) Lookup() *Lookup {
	l := &Lookup{mapping: m}
	for i := range l.cell {
		l.cell[i] = -1
	}
	for f, c := range m.Columns {
		if i := f.index(); i >= 0 {
			c := c
			l.cell[i], l.column[i] = c.Index, &c
		}
	}
	for f, d := range m.Defaults {
		if i := f.index(); i >= 0 {
			l.def[i], l.hasDef[i] = d, true
		}
	}
	return l
}

// Value returns a field's value on a row, as Mapping.Record's Values hold
// it: the cell of its column, or its default when the cell is blank (then
// with no Column), or the zero Value.
func (l *Lookup) Value(r importer.Row, f Field) Value {
	i := f.index()
	if i < 0 {
		return Value{}
	}
	var v Value
	if l.column[i] != nil {
		v = Value{Text: r.Cell(l.cell[i]), Column: l.column[i]}
	}
	if l.hasDef[i] && strings.TrimSpace(v.Text) == "" {
		v = Value{Text: l.def[i]}
	}
	return v
}

// Get returns the trimmed text of a field on a row, as Record.Get does.
func (l *Lookup) Get(r importer.Row, f Field) string { return strings.TrimSpace(l.Value(r, f).Text) }

// Values are a row's fields, read once (see Lookup.Row).
type Values [fieldCount]Value

// Value returns a field's value, as Lookup.Value does.
func (v *Values) Value(f Field) Value {
	if i := f.index(); i >= 0 {
		return v[i]
	}
	return Value{}
}

// Get returns the trimmed text of a field, as Lookup.Get does.
func (v *Values) Get(f Field) string { return strings.TrimSpace(v.Value(f).Text) }

// Row reads every field of a row at once, for a reader that asks for
// fields many times.
func (l *Lookup) Row(r importer.Row) Values {
	var v Values
	for i := range v {
		if l.column[i] != nil {
			v[i] = Value{Text: r.Cell(l.cell[i]), Column: l.column[i]}
		}
		if l.hasDef[i] && strings.TrimSpace(v[i].Text) == "" {
			v[i] = Value{Text: l.def[i]}
		}
	}
	return v
}

// Record resolves a row into a Record, with its map of values.
func (l *Lookup) Record(r importer.Row) Record { return l.mapping.Record(r) }
