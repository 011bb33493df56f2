package payout

import (
	"path/filepath"
	"strings"

	"payroll/mapping"
)

// TemplateRow is a row in the input template's columns (see package
// templates) with a Problem column: the sheets of failed rows and of rows
// left out, which HR fixes and uploads again as they are.
type TemplateRow struct {
	EmployeeID   string `csv:"Employee ID"`
	Name         string `csv:"Employee Name"`
	IBAN         string `csv:"IBAN"`
	Bank         string `csv:"Bank"`
	Amount       string `csv:"Net Salary" xlsx:"money"`
	Mobile       string `csv:"Mobile"`
	Email        string `csv:"Email"`
	Country      string `csv:"Country"`
	Address      string `csv:"Address"`
	City         string `csv:"City"`
	Branch       string `csv:"Bank Branch"`
	TransferCode string `csv:"Transfer Code" xlsx:"int"`
	Problem      string `csv:"Problem"`
}

// Rejected is a row with an error, as it was typed.
type Rejected struct {
	Row    int
	Values map[mapping.Field]mapping.Value
}

// LeftOutPath is where the rows left out by --skip-invalid go.
func LeftOutPath(input string) string {
	return strings.TrimSuffix(input, filepath.Ext(input)) + ".left-out.xlsx"
}

// WriteLeftOut writes the rows with errors as typed, in the template's
// columns with their errors beside them, ready to be fixed and uploaded
// again. It returns how many rows it wrote; with none it writes nothing.
func (r *Result) WriteLeftOut(path, lang string) (int, error) {
	msgs := map[int][]string{}
	for _, p := range r.Problems {
		if !p.Warning() {
			msgs[p.Row] = append(msgs[p.Row], p.Localized(lang).Message+" ["+p.Code+"]")
		}
	}
	var out []TemplateRow
	for _, rej := range r.Rejected {
		v := func(f mapping.Field) string { return strings.TrimSpace(rej.Values[f].Text) }
		out = append(out, TemplateRow{EmployeeID: v(mapping.EmployeeID), Name: v(mapping.Name), IBAN: v(mapping.Account), Bank: v(mapping.Bank),
			Amount: v(mapping.Amount), Mobile: v(mapping.Mobile), Email: v(mapping.Email), Country: v(mapping.Country),
			Address: v(mapping.Address1), City: v(mapping.Address2), Branch: v(mapping.Branch), TransferCode: v(mapping.TransferCode),
			Problem: strings.Join(msgs[rej.Row], "; ")})
	}
	if len(out) == 0 {
		return 0, nil
	}
	return len(out), WriteTableWith(path, "Left out", out, TableOptions{Lang: lang})
}
