// Package templates holds the blank input template users download with
// `payroll template`, and mapping presets. Everything is embedded in the
// binary, so the command works from any directory.
package templates

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"github.com/xuri/excelize/v2"
)

//go:embed instructions.txt presets/*.yaml
var files embed.FS

// Columns are the template's header texts, in order. Each is a built-in
// alias of its field (see package mapping).
func Columns() []string {
	return []string{"Employee ID", "Employee Name", "IBAN", "Bank", "Net Salary", "Mobile", "Email",
		"Country", "Address", "City", "Bank Branch", "Transfer Code"}
}

// Example is the template's example of a filled-in row. It is shown on the
// Instructions sheet as text, never as a row of the Payroll sheet, so that
// an upload of the untouched template has nothing to pay and nobody types
// their rows below a made-up employee who would then be paid.
func Example() []string {
	return []string{"E001", "Mohammed Al-Harbi", "SA03 8000 0000 6080 1016 7519", "Al Rajhi Bank", "12500.50",
		"0501234567", "m.alharbi@example.com", "SA", "King Fahd Road", "Riyadh", "", "100"}
}

// Preset returns a mapping preset by name ("default", "arabic").
func Preset(name string) ([]byte, error) {
	b, err := files.ReadFile("presets/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no mapping preset %q; presets: %s", name, strings.Join(Presets(), ", "))
	}
	return b, nil
}

// Presets lists the preset names.
func Presets() []string {
	entries, _ := files.ReadDir("presets")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// WriteCSV writes the template as CSV (UTF-8 with a byte-order mark): the
// header row only.
func WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(Columns())
	cw.Flush()
	return cw.Error()
}

// Countries are the country codes the template's country dropdown offers:
// every region the phone library knows, sorted.
func Countries() []string {
	var out []string
	for c := range phonenumbers.GetSupportedRegions() {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// WriteXLSX writes the template workbook: the Payroll sheet with the headers
// and no rows, IBAN and mobile columns formatted as text so that
// Excel cannot turn them into numbers, dropdowns for the transfer code and the
// country, and an Instructions sheet in English and Arabic that ends with an
// example of a filled-in row, as text.
func WriteXLSX(w io.Writer, countries []string) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Payroll"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49})
	header, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	cols := Columns()
	for i, c := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		switch c {
		case "IBAN", "Mobile", "Employee ID", "Transfer Code", "Country":
			if err := f.SetColStyle(sheet, name, text); err != nil {
				return err
			}
		}
		f.SetColWidth(sheet, name, name, 18)
	}
	f.SetColWidth(sheet, "C", "C", 32)
	for i, v := range cols {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr(sheet, cell, v)
		f.SetCellStyle(sheet, cell, cell, header)
	}
	f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})

	tc := excelize.NewDataValidation(true)
	tc.Sqref = "L2:L5000"
	if err := tc.SetDropList([]string{"100", "101", "102", "103"}); err != nil {
		return err
	}
	tc.SetError(excelize.DataValidationErrorStyleStop, "Transfer code", "100 Salary, 101 Pension, 102 General Cash Management, 103 Donation")
	if err := f.AddDataValidation(sheet, tc); err != nil {
		return err
	}
	const lists = "Lists"
	if _, err := f.NewSheet(lists); err != nil {
		return err
	}
	for i, c := range countries {
		f.SetCellStr(lists, fmt.Sprintf("A%d", i+1), c)
	}
	cv := excelize.NewDataValidation(true)
	cv.Sqref = "H2:H5000"
	cv.SetSqrefDropList(fmt.Sprintf("%s!$A$1:$A$%d", lists, len(countries)))
	cv.SetError(excelize.DataValidationErrorStyleStop, "Country", "Use a 2-letter ISO country code, e.g. SA")
	if err := f.AddDataValidation(sheet, cv); err != nil {
		return err
	}
	f.SetSheetVisible(lists, false)

	const help = "Instructions"
	if _, err := f.NewSheet(help); err != nil {
		return err
	}
	b, _ := files.ReadFile("instructions.txt")
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i, line := range lines {
		en, ar, _ := strings.Cut(line, "\t")
		f.SetCellStr(help, fmt.Sprintf("A%d", i+1), en)
		f.SetCellStr(help, fmt.Sprintf("B%d", i+1), ar)
	}
	row := len(lines) + 2
	f.SetCellStr(help, fmt.Sprintf("A%d", row), "Example of a filled-in row (type your own rows on the Payroll sheet, below its header):")
	f.SetCellStr(help, fmt.Sprintf("B%d", row), "مثال لصف معبأ (اكتب صفوفك في ورقة Payroll تحت صف العناوين):")
	for i, v := range Example() {
		if v == "" {
			v = "(empty)"
		}
		f.SetCellStr(help, fmt.Sprintf("A%d", row+1+i), cols[i]+": "+v)
	}
	f.SetColWidth(help, "A", "B", 80)
	f.SetActiveSheet(0)
	_, err := f.WriteTo(w)
	return err
}
