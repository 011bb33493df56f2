package payout

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"payroll/importer"
)

// WriteReport writes the error report (CSV or XLSX by extension) with the
// messages in lang ("en" or "ar"). Columns, in order:
// row, column, header, field, value, code, message.
func WriteReport(path string, problems []Problem, lang string) error {
	out := make([]Problem, len(problems))
	for i, p := range problems {
		out[i] = p.Localized(lang)
	}
	return WriteTableWith(path, "Errors", out, TableOptions{Lang: lang})
}

// MarkWorkbook writes a copy of the checked sheet of the user's XLSX
// workbook in which every cell with a problem is filled red and carries a
// comment with the messages, so HR can see and fix each one. Problems
// without a cell (a missing column) are commented on the header row's first
// cell.
//
// The copy is built anew from the values the check read (through package
// importer, with its limits), not edited from the user's file: it holds the
// values a formula last showed but no formula, no external link or DDE, no
// macro, and nothing of the workbook that could be unsafe or broken (a
// workbook without a styles part is marked like any other). Text stays
// text and numbers stay numbers; digit strings that a number would change
// (leading zeros, more than 9 digits: mobiles, accounts) stay text.
func MarkWorkbook(input, sheet, output string, problems []Problem, lang string) error {
	if err := CheckOutput(output, input); err != nil {
		return err
	}
	if err := mayReplace(output); err != nil {
		return err
	}
	wb, err := importer.Open(input, importer.Options{})
	if err != nil {
		return err
	}
	defer wb.Close()
	rows, err := wb.Rows(sheet)
	if err != nil {
		return err
	}
	defer rows.Close()
	f := excelize.NewFile()
	defer f.Close()
	name := sheet
	if name == "" {
		name = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	if err := markOurs(f); err != nil {
		return err
	}
	widest := 0
	for rows.Next() {
		r := rows.Row()
		values := make([]any, len(r.Cells))
		for i, c := range r.Cells {
			values[i] = cellValue(c)
		}
		widest = max(widest, len(r.Cells))
		cell, _ := excelize.CoordinatesToCellName(1, r.Number)
		if err := f.SetSheetRow(name, cell, &values); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if widest > 0 {
		last, _ := excelize.ColumnNumberToName(widest)
		f.SetColWidth(name, "A", last, 20)
	}

	notes := map[string][]string{}
	errs := map[string]bool{}
	var cells []string
	for _, p := range problems {
		p = p.Localized(lang)
		col := p.Column
		if col == "" {
			col = "A"
		}
		cell := fmt.Sprintf("%s%d", col, p.Row)
		if _, ok := notes[cell]; !ok {
			cells = append(cells, cell)
		}
		notes[cell] = append(notes[cell], fmt.Sprintf("%s [%s]", p.Message, p.Code))
		if !p.Warning() {
			errs[cell] = true
		}
	}
	sort.Strings(cells)
	// Errors red, warnings yellow.
	red, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}})
	if err != nil {
		return err
	}
	yellow, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}}})
	if err != nil {
		return err
	}
	for _, cell := range cells {
		style := yellow
		if errs[cell] {
			style = red
		}
		if err := f.SetCellStyle(name, cell, cell, style); err != nil {
			return err
		}
		if err := f.AddComment(name, excelize.Comment{Author: "payroll", Cell: cell, Text: strings.Join(notes[cell], "\n"), Width: 300, Height: 100}); err != nil {
			return fmt.Errorf("cannot comment on %s: %w", cell, err)
		}
	}
	return writeAtomic(output, func(w io.Writer) error {
		_, err := f.WriteTo(w)
		return err
	})
}

// cellValue is a cell's text as the value to write: a number when it is
// one and writing it as a number loses nothing, else the text itself (a
// text cell, never a formula).
func cellValue(s string) any {
	if s == "" || len(s) > 15 || (len(s) > 1 && s[0] == '0' && s[1] != '.') {
		return s
	}
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits > 9 && !strings.Contains(s, ".") {
		return s
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && strconv.FormatFloat(v, 'f', -1, 64) == s {
		return v
	}
	return s
}
