package payout_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"payroll/payout"
)

type defect struct {
	field, code string
	apply       func(r []string, i int) // on [id,name,iban,bank,amount,mobile,email,address,city,country,transfer]
}

func defects() []defect {
	return []defect{
		{"beneficiary_name", "field.required", func(r []string, i int) { r[1] = "" }},
		{"beneficiary_account_number", "iban.checksum", func(r []string, i int) { r[2] = r[2][:4] + flip(r[2][4:]) }},
		{"beneficiary_account_number", "iban.length", func(r []string, i int) { r[2] = r[2][:len(r[2])-1] }},
		{"beneficiary_account_number", "iban.country", func(r []string, i int) { r[2] = "QQ" + r[2][2:] }},
		{"beneficiary_account_number", "iban.format", func(r []string, i int) { r[2] = r[2][:4] + "X" + r[2][5:] }},
		{"beneficiary_account_number", "iban.invalid", func(r []string, i int) { r[2] = r[2][:6] + "#" + r[2][7:] }},
		{"beneficiary_account_number", "iban.country_mismatch", func(r []string, i int) { r[9] = "AE" }},
		{"beneficiary_bank", "bank.mismatch", func(r []string, i int) { r[3] = "BSFRSARI" }},
		{"amount", "amount.invalid", func(r []string, i int) { r[4] = "twelve" }},
		{"amount", "amount.negative", func(r []string, i int) { r[4] = "-" + r[4] }},
		{"amount", "amount.zero", func(r []string, i int) { r[4] = "0.00" }},
		{"amount", "amount.decimals", func(r []string, i int) { r[4] = r[4] + "1" }},
		{"amount", "amount.too_large", func(r []string, i int) { r[4] = "5000000000" }},
		{"amount", "amount.scientific", func(r []string, i int) { r[4] = "1.2E+04" }},
		{"amount", "field.required", func(r []string, i int) { r[4] = "" }},
		{"beneficiary_mobile_number", "mobile.invalid", func(r []string, i int) { r[5] = "0512" }},
		{"beneficiary_mobile_number", "mobile.scientific", func(r []string, i int) { r[5] = "9.66501E+11" }},
		{"beneficiary_mobile_number", "mobile.letters", func(r []string, i int) { r[5] = "05O1234567" }},
		{"beneficiary_email", "email.invalid", func(r []string, i int) { r[6] = "a@b@c" }},
		{"beneficiary_email", "field.required", func(r []string, i int) { r[6] = "" }},
		{"beneficiary_address1", "field.required", func(r []string, i int) { r[7] = "" }},
		{"beneficiary_country", "country.invalid", func(r []string, i int) { r[9] = "Saudia" }},
		{"transfer_code", "transfer_code.invalid", func(r []string, i int) { r[10] = "200" }},
		{"beneficiary_account_number", "row.duplicate", func(r []string, i int) { r[2] = saIBAN("80", 1) }},
		{"beneficiary_name", "text.invalid", func(r []string, i int) { r[1] = "Ali\x01 Ahmad" }},
		{"beneficiary_address1", "text.invalid", func(r []string, i int) { r[7] = "King Fahd \uFFFD Road" }},
		{"beneficiary_address2", "text.invalid", func(r []string, i int) { r[8] = "Riyadh\u0085" }},
	}
}

// flip changes one digit so that the mod-97 check fails.
func flip(s string) string {
	b := []byte(s)
	if b[len(b)-1] == '9' {
		b[len(b)-1] = '8'
	} else {
		b[len(b)-1]++
	}
	return string(b)
}

// TestThousandRowsOneDefectEach checks a generated 1,000-row sheet in which
// every row but every fifth has exactly one defect: each defective row is
// reported with the right field and code, and no valid row is reported.
func TestThousandRowsOneDefectEach(t *testing.T) {
	header := []string{"Employee ID", "Name", "IBAN", "Bank", "Net Salary", "Mobile", "Email", "Address", "City", "Country", "Transfer Code"}
	ds := defects()
	var rows [][]string
	want := map[int]defect{} // spreadsheet row → defect
	rows = append(rows, header)
	for i := 0; i < 1000; i++ {
		r := []string{fmt.Sprintf("E%04d", i), fmt.Sprintf("Employee %d", i), saIBAN("80", 1000+i), "Al Rajhi Bank",
			fmt.Sprintf("%d.%02d", 3000+i, i%100), fmt.Sprintf("05%08d", 10000000+i), fmt.Sprintf("e%d@example.com", i),
			"Street", "Riyadh", "SA", "100"}
		if i == 0 {
			r[2] = saIBAN("80", 1) // the original of the duplicate defect
		} else if i%5 != 0 {
			d := ds[i%len(ds)]
			d.apply(r, i)
			want[i+2] = d
		}
		rows = append(rows, r)
	}
	p := filepath.Join(t.TempDir(), "big.csv")
	writeCSV(t, p, rows, ',')
	res, err := payout.CheckFile(context.Background(), p, payout.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int][]payout.Problem{}
	for _, pr := range res.Problems {
		got[pr.Row] = append(got[pr.Row], pr)
	}
	for row, d := range want {
		ps := got[row]
		if len(ps) != 1 || ps[0].Field != d.field || ps[0].Code != d.code {
			t.Errorf("row %d: got %+v, want one %s on %s", row, ps, d.code, d.field)
		}
	}
	for row, ps := range got {
		if _, ok := want[row]; !ok {
			t.Errorf("valid row %d reported: %+v", row, ps)
		}
	}
	if res.RowsRead != 1000 || len(res.Lines) != 1000-len(want) || res.Invalid != len(want) {
		t.Errorf("read %d, valid %d, invalid %d", res.RowsRead, len(res.Lines), res.Invalid)
	}
	codes := map[string]bool{}
	for _, d := range ds {
		codes[d.code] = true
	}
	for _, c := range res.CountByCode() {
		delete(codes, c.Code)
	}
	if len(codes) > 0 {
		t.Errorf("codes never produced: %v", codes)
	}
}

// TestInvalidSampleGolden compares the CSV error report of testdata/invalid.csv
// with the golden file (rewrite it with -update).
func TestInvalidSampleGolden(t *testing.T) {
	for _, lang := range []string{"en", "ar"} {
		res, err := payout.CheckFile(context.Background(), samplePath("invalid.csv"), payout.FileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "report.csv")
		if _, err := res.WriteReports(payout.ReportOptions{Path: out, Lang: lang}); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(out)
		golden := samplePath("golden/invalid.errors." + lang + ".csv")
		if *update {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			os.WriteFile(golden, got, 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s report differs from %s:\n%s", lang, golden, got)
		}
		if !bytes.HasPrefix(got, []byte("\uFEFF\"row\",\"column\",\"header\",\"field\",\"value\",\"code\",\"message\",\"level\"\r\n")) {
			t.Errorf("report does not start with a BOM and the header: %q", got[:60])
		}
		fi, _ := os.Stat(out)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("report mode %v, want 0600", fi.Mode().Perm())
		}
		recs, err := csv.NewReader(bytes.NewReader(got[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			for _, c := range r {
				if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
					t.Errorf("live formula in report: %q", c)
				}
			}
		}
	}
}

func TestLibreOfficeSheet(t *testing.T) {
	res, err := payout.CheckFile(context.Background(), samplePath("arabic-libreoffice.xlsx"), payout.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mapping.HeaderRow != 4 || len(res.Problems) != 0 || len(res.Lines) != 6 {
		t.Fatalf("header %d, problems %v, lines %d", res.Mapping.HeaderRow, res.Problems, len(res.Lines))
	}
	if len(res.Skipped) != 1 || res.Skipped[0].Row != 11 {
		t.Errorf("totals row not skipped: %v", res.Skipped)
	}
	l := res.Lines[0]
	if l.Request.Mobile != "+966501234567" || l.Request.Name != "محمد الحربي" || l.Request.Bank != "RJHISARI" || l.Request.Amount.String() != "12500.50" || l.Row != 5 {
		t.Errorf("first line %+v", l)
	}
	if res.Mapping.Columns["amount"].Header != "صافي الراتب" {
		t.Errorf("amount column %+v", res.Mapping.Columns["amount"])
	}
}

func TestSamplesValid(t *testing.T) {
	for _, name := range []string{"salaries.xlsx", "salaries.csv", "salaries-1256.csv", "salaries-utf16.txt"} {
		res, err := payout.CheckFile(context.Background(), samplePath(name), payout.FileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Problems) != 0 || len(res.Lines) == 0 {
			t.Errorf("%s: %d lines, problems %v", name, len(res.Lines), res.Problems)
		}
		if res.Lines[0].Request.IBAN != "SA0380000000608010167519" || res.Lines[0].Request.Country != "SA" || res.Lines[0].Request.TransferCode != 100 {
			t.Errorf("%s: first line %+v", name, res.Lines[0].Request)
		}
	}
}

func TestMarkedWorkbook(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Name", "IBAN", "Amount", "Mobile", "Email", "Address"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"Ali", "SA0380000000608010167518", "100", "0501234567", "a@example.com", "R"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"Sara", "SA0380000000608010167519", "-1", "0501234567", "bad", "R"})
	in := filepath.Join(dir, "march.xlsx")
	f.SaveAs(in)
	res, err := payout.CheckFile(context.Background(), in, payout.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	written, err := res.WriteReports(payout.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 2 || written[0] != filepath.Join(dir, "march.errors.csv") || written[1] != filepath.Join(dir, "march.errors-marked.xlsx") {
		t.Fatalf("written %v", written)
	}
	m, err := excelize.OpenFile(written[1])
	if err != nil {
		t.Fatal(err)
	}
	comments, _ := m.GetComments("Sheet1")
	cells := map[string]string{}
	for _, c := range comments {
		cells[c.Cell] = c.Text
	}
	for _, cell := range []string{"B2", "C3", "E3"} {
		if !strings.Contains(cells[cell], "[") {
			t.Errorf("no comment on %s: %v", cell, cells)
		}
		id, _ := m.GetCellStyle("Sheet1", cell)
		st, _ := m.GetStyle(id)
		if st == nil || len(st.Fill.Color) == 0 {
			t.Errorf("%s not highlighted", cell)
		}
	}
	if len(cells) != 3 {
		t.Errorf("comments %v", cells)
	}
	// XLSX report too.
	x := filepath.Join(dir, "r.xlsx")
	if _, err := res.WriteReports(payout.ReportOptions{Path: x}); err != nil {
		t.Fatal(err)
	}
	xf, _ := excelize.OpenFile(x)
	rows, _ := xf.GetRows("Errors")
	if len(rows) != 4 || rows[0][0] != "Row" || rows[2][5] != "amount.negative" || rows[2][4] != "-1" {
		t.Errorf("xlsx report %q", rows)
	}
}

// TestControlCharactersDeepInAFile: a NUL or control character far past the
// first 64 KB is a row error, never sent; a line break inside an address
// cell is white space.
func TestControlCharactersDeepInAFile(t *testing.T) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"Employee Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"})
	for i := 0; b.Len() < 200_000; i++ {
		w.Write([]string{fmt.Sprintf("Employee %d", i), saIBAN("80", 10+i), "1000", "0501234567", "e@example.com", "King Fahd Road\nRiyadh"})
	}
	w.Write([]string{"Nul\x00Name", saIBAN("80", 9), "1000", "0501234567", "e@example.com", "Street"})
	w.Flush()
	path := filepath.Join(t.TempDir(), "deep.csv")
	os.WriteFile(path, b.Bytes(), 0o600)
	res, err := payout.CheckFile(context.Background(), path, payout.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || res.Problems[0].Code != "text.invalid" || res.Problems[0].Column != "A" || !strings.Contains(res.Problems[0].Message, "U+0000") {
		t.Fatalf("problems %+v", res.Problems)
	}
	for _, l := range res.Lines {
		if strings.ContainsAny(l.Request.Name+l.Request.Address1, "\x00\n") {
			t.Fatalf("row %d sends %q / %q", l.Row, l.Request.Name, l.Request.Address1)
		}
	}
	if res.Lines[0].Request.Address1 != "King Fahd Road Riyadh" {
		t.Errorf("address %q", res.Lines[0].Request.Address1)
	}
}

// TestCSVFieldsNeverSplitIntoFormulas: a field that a ";" (or any other list
// separator) would split is quoted whole, and any part that would start a
// formula is neutralised.
func TestCSVFieldsNeverSplitIntoFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"a;=cmd|' /C calc'!A0": "a;'=cmd|' /C calc'!A0",
		"=1+1":                 "'=1+1",
		"x, +SUM(A1)":          "x, '+SUM(A1)",
		"Riyadh; -5":           "Riyadh; '-5",
		"x|@A1":                "x|'@A1",
		"plain text":           "plain text",
		"12500.50":             "12500.50",
	} {
		if got := payout.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
	path := filepath.Join(t.TempDir(), "r.csv")
	problems := []payout.Problem{{Row: 2, Column: "B", Header: "Name", Field: "beneficiary_name", Value: "a;=cmd|' /C calc'!A0", Code: "x"}}
	if err := payout.WriteTable(path, "Errors", problems); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	for _, sep := range []rune{',', ';', '\t', '|'} {
		r := csv.NewReader(bytes.NewReader(b[3:]))
		r.Comma = sep
		r.LazyQuotes = true
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			for _, f := range rec {
				if f != "" && strings.ContainsRune("=+-@", rune(strings.TrimLeft(f, " \"")[0])) {
					t.Errorf("separator %q: a field starts a formula: %q", sep, f)
				}
			}
		}
	}
}

// allFormulas lists every cell of a workbook that holds a formula.
func allFormulas(t *testing.T, path string) []string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for r, row := range rows {
			for c := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fm, _ := f.GetCellFormula(sh, cell); fm != "" {
					out = append(out, sh+"!"+cell+"="+fm)
				}
			}
		}
	}
	return out
}

// TestMarkedCopyHasNoFormulas: the highlighted copy keeps the values the
// user saw and drops every formula, DDE ones included.
func TestMarkedCopyHasNoFormulas(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Name", "IBAN", "Amount", "Mobile", "Email", "Address"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"Ali", "SA0380000000608010167518", 100, "0501234567", "a@example.com", "R"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"Sara", saIBAN("80", 3), 200, "0501234567", "s@example.com", "R"})
	f.SetCellFormula("Sheet1", "C3", "=100*2")
	f.SetCellFormula("Sheet1", "F3", "=cmd|' /C calc'!A0")
	in := filepath.Join(dir, "march.xlsx")
	if err := f.SaveAs(in); err != nil {
		t.Fatal(err)
	}
	if len(allFormulas(t, in)) != 2 {
		t.Fatal("the input has no formulas to drop")
	}
	res, err := payout.CheckFile(context.Background(), in, payout.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	written, err := res.WriteReports(payout.ReportOptions{Path: filepath.Join(dir, "r.xlsx")})
	if err != nil || len(written) != 2 {
		t.Fatalf("%v %v", written, err)
	}
	for _, w := range written {
		if fs := allFormulas(t, w); len(fs) > 0 {
			t.Errorf("%s holds formulas: %v", filepath.Base(w), fs)
		}
	}
	m, _ := excelize.OpenFile(written[1])
	defer m.Close()
	if v, _ := m.GetCellValue("Sheet1", "B2"); v != "SA0380000000608010167518" {
		t.Errorf("B2 %q", v)
	}
	if typ, _ := m.GetCellType("Sheet1", "C2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("the amount is no number: %v", typ)
	}
	if v, _ := m.GetCellValue("Sheet1", "D2"); v != "0501234567" {
		t.Errorf("the mobile lost its zero: %q", v)
	}
}

// TestWorkbookWithoutStyles: a valid workbook without xl/styles.xml is
// read and marked, no panic.
func TestWorkbookWithoutStyles(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Name", "IBAN", "Amount", "Mobile", "Email", "Address"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"Ali", "SA0380000000608010167518", "100", "0501234567", "a@example.com", "R"})
	var b bytes.Buffer
	f.Write(&b)
	zr, _ := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		if zf.Name == "xl/styles.xml" {
			continue
		}
		r, _ := zf.Open()
		var part bytes.Buffer
		part.ReadFrom(r)
		r.Close()
		data := part.Bytes()
		if zf.Name == "xl/_rels/workbook.xml.rels" || zf.Name == "[Content_Types].xml" {
			data = regexp.MustCompile(`<[^<>]*styles[^<>]*/>`).ReplaceAll(data, nil)
		}
		w, _ := zw.Create(zf.Name)
		w.Write(data)
	}
	zw.Close()
	in := filepath.Join(dir, "nostyles.xlsx")
	os.WriteFile(in, out.Bytes(), 0o600)
	res, err := payout.CheckFile(context.Background(), in, payout.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || res.Problems[0].Code != "iban.checksum" {
		t.Fatalf("problems %+v", res.Problems)
	}
	written, err := res.WriteReports(payout.ReportOptions{})
	if err != nil || len(written) != 2 {
		t.Fatalf("marking a workbook without styles: %v %v", written, err)
	}
}

// sheetCSV writes a salary sheet with the usual headers.
func sheetCSV(t *testing.T, rows [][]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "levels.csv")
	writeCSV(t, path, append([][]string{{"Employee Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"}}, rows...), ',')
	return path
}

// TestWarningsDoNotBlock: a mobile in a range the phone library does not
// list is a warning (the row is paid, the number used); an impossible one
// stays an error.
func TestWarningsDoNotBlock(t *testing.T) {
	path := sheetCSV(t, [][]string{
		{"New Range", saIBAN("80", 1), "100", "0521234567", "a@example.com", "R"},
		{"Impossible", saIBAN("80", 2), "100", "0212345678", "b@example.com", "R"},
		{"Fine", saIBAN("80", 3), "100", "0501234567", "c@example.com", "R"},
	})
	res, err := payout.CheckFile(context.Background(), path, payout.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lines) != 2 || res.Lines[0].Request.Mobile != "+966521234567" || res.Invalid != 1 || res.Warned != 1 {
		t.Fatalf("lines %d, invalid %d, warned %d", len(res.Lines), res.Invalid, res.Warned)
	}
	levels := map[string]string{}
	for _, p := range res.Problems {
		levels[p.Code] = p.Level
	}
	if levels["mobile.unlisted"] != payout.LevelWarning || levels["mobile.invalid"] != payout.LevelError {
		t.Errorf("levels %v", levels)
	}
	if err := res.Err(); err == nil || !strings.Contains(err.Error(), "1 error") {
		t.Errorf("Err: %v", err)
	}
	if !strings.Contains(strings.Join(res.Summary("en").Describe(), "\n")+"\n", "warnings:  1 valid row (paid all the same; see the report)\n") {
		t.Errorf("summary %q", res.Summary("en").Describe())
	}
	if got := res.InvalidRows(); len(got) != 1 || got[0] != 3 {
		t.Errorf("invalid rows %v", got)
	}
}

// TestHiddenRowsAndSheets: a hidden row is read with a warning; a hidden
// sheet that is read is named; several payroll-like sheets are refused
// unless --sheet picks one.
func TestHiddenRowsAndSheets(t *testing.T) {
	dir := t.TempDir()
	header := &[]any{"Name", "IBAN", "Amount", "Mobile", "Email", "Address"}
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Notes")
	f.SetCellStr("Notes", "A1", "Salaries for March, checked by Finance")
	f.NewSheet("Pay")
	f.SetSheetRow("Pay", "A1", header)
	f.SetSheetRow("Pay", "A2", &[]any{"Ali", saIBAN("80", 1), "100", "0501234567", "a@example.com", "R"})
	f.SetSheetRow("Pay", "A3", &[]any{"Hidden Hind", saIBAN("80", 2), "900", "0501234567", "h@example.com", "R"})
	f.SetRowVisible("Pay", 3, false)
	f.SetSheetVisible("Pay", false)
	in := filepath.Join(dir, "hidden.xlsx")
	if err := f.SaveAs(in); err != nil {
		t.Fatal(err)
	}
	res, err := payout.CheckFile(context.Background(), in, payout.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]int{}
	for _, p := range res.Problems {
		if !p.Warning() {
			t.Errorf("an error: %v", p)
		}
		codes[p.Code] = p.Row
	}
	if codes["row.hidden"] != 3 || codes["sheet.hidden"] != 1 || len(res.Lines) != 2 {
		t.Fatalf("warnings %v, lines %d", codes, len(res.Lines))
	}

	g := excelize.NewFile()
	g.SetSheetName("Sheet1", "March")
	g.NewSheet("April")
	for _, sh := range []string{"March", "April"} {
		g.SetSheetRow(sh, "A1", header)
		g.SetSheetRow(sh, "A2", &[]any{"Ali", saIBAN("80", 1), "100", "0501234567", "a@example.com", "R"})
	}
	two := filepath.Join(dir, "two.xlsx")
	g.SaveAs(two)
	_, err = payout.CheckFile(context.Background(), two, payout.FileOptions{})
	if err == nil || !strings.Contains(err.Error(), `several sheets look like a payroll: "March", "April"`) || !strings.Contains(err.Error(), "--sheet") {
		t.Fatalf("two payroll sheets: %v", err)
	}
	res, err = payout.CheckFile(context.Background(), two, payout.FileOptions{Sheet: "April"})
	if err != nil || res.Mapping.Sheet != "April" || len(res.Lines) != 1 {
		t.Fatalf("--sheet April: %v", err)
	}
}

// TestLibreOfficeSamples: sheets saved by LibreOffice with bilingual
// headers, a ";" file with decimal commas, and two payroll-like sheets.
func TestLibreOfficeSamples(t *testing.T) {
	ctx := context.Background()
	res, err := payout.CheckFile(ctx, samplePath("bilingual-libreoffice.xlsx"), payout.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]string{}
	for f, c := range res.Mapping.Columns {
		cols[string(f)] = c.Letter
	}
	want := map[string]string{"employee_id": "A", "beneficiary_name": "B", "beneficiary_account_number": "C", "amount": "D",
		"beneficiary_mobile_number": "E", "beneficiary_email": "F", "beneficiary_address1": "G", "beneficiary_address2": "H"}
	for f, c := range want {
		if cols[f] != c {
			t.Errorf("bilingual: %s in column %q, want %q (columns %v)", f, cols[f], c, cols)
		}
	}
	if len(res.Problems) != 0 || len(res.Lines) != 5 || res.Lines[0].Request.Amount != 1250050 {
		t.Errorf("bilingual: problems %v, lines %d", res.Problems, len(res.Lines))
	}

	res, err = payout.CheckFile(ctx, samplePath("decimal-comma-libreoffice.csv"), payout.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decimals != payout.DecimalComma || len(res.Problems) != 0 || res.Total != 1250050+980000+1525075+730000+1100025 {
		t.Errorf("decimal comma: convention %v, problems %v, total %s", res.Decimals, res.Problems, res.Total)
	}

	_, err = payout.CheckFile(ctx, samplePath("two-months-libreoffice.xlsx"), payout.FileOptions{})
	if err == nil || !strings.Contains(err.Error(), `several sheets look like a payroll: "March 2026", "April 2026"`) {
		t.Errorf("two months: %v", err)
	}
	res, err = payout.CheckFile(ctx, samplePath("two-months-libreoffice.xlsx"), payout.FileOptions{Sheet: "April 2026"})
	if err != nil || len(res.Lines) != 3 || len(res.Problems) != 0 {
		t.Errorf("--sheet April 2026: %v", err)
	}
}

// TestCheckStopsWhenCancelled: Ctrl-C (a cancelled context) stops the read
// of a long sheet instead of reading it to the end.
func TestCheckStopsWhenCancelled(t *testing.T) {
	rows := [][]string{{"Employee Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"}}
	for i := 0; i < 20_000; i++ {
		rows = append(rows, []string{"E", saIBAN("80", i), "100", "0501234567", "e@example.com", "R"})
	}
	path := filepath.Join(t.TempDir(), "long.csv")
	writeCSV(t, path, rows, ',')
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := payout.CheckFile(ctx, path, payout.FileOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled check read on: %v", err)
	}
}
