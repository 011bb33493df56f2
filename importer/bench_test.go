package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Import benchmarks: reading every row of a realistic sheet (eight columns:
// ID, Arabic or English name, IBAN, bank, amount, mobile, email, address)
// with the importer, against excelize's own Rows loop over the same file.
// Run: go test ./importer -run '^$' -bench Import -benchmem
func BenchmarkImportXLSX10k(b *testing.B)  { benchImport(b, 10_000, "xlsx", readAllOurs) }
func BenchmarkImportXLSX100k(b *testing.B) { benchImport(b, 100_000, "xlsx", readAllOurs) }
func BenchmarkImportCSV10k(b *testing.B)   { benchImport(b, 10_000, "csv", readAllOurs) }
func BenchmarkImportCSV100k(b *testing.B)  { benchImport(b, 100_000, "csv", readAllOurs) }

// The baseline the XLSX reader is measured against.
func BenchmarkExcelizeRows10k(b *testing.B)  { benchImport(b, 10_000, "xlsx", readAllExcelize) }
func BenchmarkExcelizeRows100k(b *testing.B) { benchImport(b, 100_000, "xlsx", readAllExcelize) }

var sheetCache = map[string]string{}

func benchImport(b *testing.B, rows int, ext string, read func(testing.TB, string) int) {
	key := fmt.Sprint(rows, ext)
	p, ok := sheetCache[key]
	if !ok {
		dir, err := os.MkdirTemp("", "payroll-bench")
		if err != nil {
			b.Fatal(err)
		}
		p = filepath.Join(dir, "sheet."+ext)
		writeSheet(b, p, rows)
		sheetCache[key] = p
	}
	b.ResetTimer()
	for b.Loop() {
		if n := read(b, p); n != rows+1 {
			b.Fatalf("%d rows read", n)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func benchRow(i int) []any {
	name := fmt.Sprintf("Employee %d", i)
	if i%2 == 0 {
		name = fmt.Sprintf("محمد عبدالله %d", i)
	}
	return []any{fmt.Sprintf("E%06d", i), name, "SA0380000000608010167519", "Al Rajhi Bank",
		float64(i%50000) + 0.5, fmt.Sprintf("05%08d", i%100000000), fmt.Sprintf("e%d@example.com", i), "Riyadh"}
}

func writeSheet(b testing.TB, p string, rows int) {
	header := []any{"Employee ID", "Name", "IBAN", "Bank", "Net Salary", "Mobile", "Email", "Address"}
	if filepath.Ext(p) == ".csv" {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		for i := 0; i <= rows; i++ {
			r := header
			if i > 0 {
				r = benchRow(i)
			}
			rec := make([]string, len(r))
			for j, v := range r {
				rec[j] = fmt.Sprint(v)
			}
			w.Write(rec)
		}
		w.Flush()
		if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
			b.Fatal(err)
		}
		return
	}
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	sw.SetRow("A1", header)
	for i := 1; i <= rows; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		sw.SetRow(cell, benchRow(i))
	}
	sw.Flush()
	if err := f.SaveAs(p); err != nil {
		b.Fatal(err)
	}
}

func readAllOurs(t testing.TB, p string) int {
	wb, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.Rows("")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

func readAllExcelize(t testing.TB, p string) int {
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}
