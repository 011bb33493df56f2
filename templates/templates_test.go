package templates

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"payroll/importer"
	"payroll/mapping"
)

// TestColumnsAreRecognised: every template header maps to its field with
// the built-in aliases, and the presets parse.
func TestColumnsAreRecognised(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.csv")
	var buf bytes.Buffer
	if err := WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")) {
		t.Error("CSV template has no byte-order mark")
	}
	os.WriteFile(p, buf.Bytes(), 0o644)
	r, err := mapping.Open(p, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	m := r.Mapping()
	if len(m.Problems) != 0 {
		t.Fatalf("problems %v", m.Problems)
	}
	for _, f := range mapping.Fields() {
		if _, ok := m.Columns[f]; !ok {
			t.Errorf("no template column for %s", f)
		}
	}
	for _, name := range Presets() {
		b, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mapping.ParseFile(name, b); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
	if _, err := Preset("nope"); err == nil || !strings.Contains(err.Error(), "default") {
		t.Errorf("unknown preset: %v", err)
	}
}

func TestXLSXTemplate(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, []string{"AE", "SA"}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	dvs, _ := f.GetDataValidations("Payroll")
	var lists []string
	for _, dv := range dvs {
		lists = append(lists, dv.Sqref+"="+dv.Formula1)
	}
	joined := strings.Join(lists, " ")
	if !strings.Contains(joined, "L2:L5000") || !strings.Contains(joined, "100,101,102,103") || !strings.Contains(joined, "H2:H5000") || !strings.Contains(joined, "Lists!$A$1:$A$2") {
		t.Errorf("dropdowns %v", lists)
	}
	for _, cell := range []string{"C2", "F2"} { // IBAN and mobile are text
		id, _ := f.GetCellStyle("Payroll", cell)
		st, _ := f.GetStyle(id)
		if st == nil || st.NumFmt != 49 {
			t.Errorf("%s is not formatted as text: %+v", cell, st)
		}
	}
	if v, _ := f.GetCellValue("Instructions", "B1"); !strings.Contains(v, "كيفية") {
		t.Errorf("instructions B1 %q", v)
	}
	// The Payroll sheet holds the header row only: the example is text on
	// the Instructions sheet, so nothing made up can be paid.
	p := filepath.Join(t.TempDir(), "t.xlsx")
	f.SaveAs(p)
	wb, err := importer.Open(p, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, _ := wb.Rows("Payroll")
	if !rows.Next() || rows.Row().Cell(0) != "Employee ID" {
		t.Fatal("no header row")
	}
	for rows.Next() {
		for _, c := range rows.Row().Cells {
			if c != "" {
				t.Fatalf("the Payroll sheet has a row below its header: %q", rows.Row().Cells)
			}
		}
	}
	var example []string
	help, _ := f.GetRows("Instructions")
	for _, r := range help {
		if len(r) > 0 && strings.Contains(r[0], ": ") {
			example = append(example, r[0])
		}
	}
	if !strings.Contains(strings.Join(example, "\n"), "Net Salary: 12500.50") {
		t.Errorf("the example is not on the Instructions sheet: %q", example)
	}
}
