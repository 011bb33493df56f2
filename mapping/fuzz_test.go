package mapping

import (
	"strings"
	"testing"

	"payroll/importer"
)

// FuzzHeaderMapping feeds the header mapper any header row (cells split on
// "|"): whatever it decides, every field it maps is a column of that row
// whose header it names, no column feeds two fields, and a mapping with no
// problem has the account and the amount (the two fields a payout cannot
// do without). Seeds: testdata/fuzz/FuzzHeaderMapping.
func FuzzHeaderMapping(f *testing.F) {
	for _, seed := range []string{
		"Employee ID|Employee Name|IBAN|Bank|Net Salary|Mobile|Email|Address",
		"الاسم|رقم الآيبان|صافي الراتب|الجوال",
		"Name|IBAN|Basic|Housing|Net Pay|Net Salary",
		"|||IBAN||Amount|",
		"name|iban|amount|amount|IBAN",
		"Total|SUM|=SUM(A1)|Account Number|Beneficiary",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, row string) {
		cells := strings.Split(row, "|")
		if len(cells) > 64 {
			cells = cells[:64]
		}
		m := resolve("Sheet1", importer.Row{Number: 1, Cells: cells}, nil)
		used := map[int]Field{}
		for field, c := range m.Columns {
			if c.Index < 0 || c.Index >= len(cells) {
				t.Fatalf("%s mapped to column %d of a %d-cell row", field, c.Index, len(cells))
			}
			if strings.TrimSpace(cells[c.Index]) != c.Header || c.Header == "" {
				t.Fatalf("%s mapped to column %d headed %q, which holds %q", field, c.Index, c.Header, cells[c.Index])
			}
			if other, ok := used[c.Index]; ok {
				t.Fatalf("column %d feeds both %s and %s", c.Index, other, field)
			}
			used[c.Index] = field
		}
		if len(m.Problems) == 0 {
			for _, need := range []Field{Account, Amount} {
				if _, ok := m.Columns[need]; !ok {
					t.Fatalf("no problem, and no %s column in %q", need, cells)
				}
			}
		}
	})
}
