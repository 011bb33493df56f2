package payout

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteReport writes the error report (CSV or XLSX by extension) with the
// messages in lang ("en" or "ar"). Columns, in order:
// row, column, header, field, value, code, message.
func WriteReport(path string, problems []Problem, lang string) error {
	out := make([]Problem, len(problems))
	for i, p := range problems {
		out[i] = p.Localized(lang)
	}
	return WriteTable(path, "Errors", out)
}

// MarkWorkbook writes a copy of the user's XLSX workbook in which every cell
// with a problem is filled red and carries a comment with the messages, so
// HR can fix the sheet in place. Problems without a cell (a missing column)
// are commented on the header row's first cell.
func MarkWorkbook(input, sheet, output string, problems []Problem, lang string) error {
	if err := CheckOutput(output, input); err != nil {
		return err
	}
	if err := mayReplace(output); err != nil {
		return err
	}
	f, err := excelize.OpenFile(input)
	if err != nil {
		return fmt.Errorf("cannot open %s to mark its errors: %w", input, err)
	}
	defer f.Close()
	if err := markOurs(f); err != nil {
		return err
	}
	notes := map[string][]string{}
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
	}
	sort.Strings(cells)
	styles := map[int]int{}
	for _, cell := range cells {
		old, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			return fmt.Errorf("cannot mark %s: %w", cell, err)
		}
		id, ok := styles[old]
		if !ok {
			st, err := f.GetStyle(old)
			if err != nil || st == nil {
				st = &excelize.Style{}
			}
			st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}
			if id, err = f.NewStyle(st); err != nil {
				return err
			}
			styles[old] = id
		}
		if err := f.SetCellStyle(sheet, cell, cell, id); err != nil {
			return err
		}
		if err := f.AddComment(sheet, excelize.Comment{Author: "payroll", Cell: cell, Text: strings.Join(notes[cell], "\n"), Width: 300, Height: 100}); err != nil {
			return fmt.Errorf("cannot comment on %s: %w", cell, err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(output), "."+filepath.Base(output)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := f.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write %s: %w", output, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), output)
}
