package importer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readAll(t *testing.T, path string, opts Options) (*Workbook, []Row) {
	t.Helper()
	wb, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { wb.Close() })
	rows, err := wb.Rows("")
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		out = append(out, rows.Row())
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
	return wb, out
}

func TestTextFormats(t *testing.T) {
	utf16le := func(s string) []byte {
		b, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		return b
	}
	utf16be := func(s string) []byte {
		b, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		return b
	}
	cp1256 := func(s string) []byte {
		b, err := charmap.Windows1256.NewEncoder().Bytes([]byte(s))
		if err != nil {
			panic(err)
		}
		return b
	}
	want := [][]string{{"الاسم", "المبلغ"}, {"محمد", "1,000.50"}}
	tests := []struct {
		name   string
		data   []byte
		format Format
		enc    string
	}{
		{"utf8 comma", []byte("الاسم,المبلغ\nمحمد,\"1,000.50\"\n"), FormatCSV, EncodingUTF8},
		{"utf8 bom semicolon", []byte("\xEF\xBB\xBFالاسم;المبلغ\r\nمحمد;1,000.50\r\n"), FormatCSV, EncodingUTF8},
		{"tab", []byte("الاسم\tالمبلغ\nمحمد\t1,000.50\n"), FormatTSV, EncodingUTF8},
		{"utf16le tab", utf16le("الاسم\tالمبلغ\r\nمحمد\t1,000.50\r\n"), FormatTSV, EncodingUTF16LE},
		{"utf16be tab", utf16be("الاسم\tالمبلغ\r\nمحمد\t1,000.50\r\n"), FormatTSV, EncodingUTF16BE},
		{"windows-1256", cp1256("الاسم,المبلغ\r\nمحمد,\"1,000.50\"\r\n"), FormatCSV, EncodingWindows1256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb, rows := readAll(t, writeFile(t, "x.csv", tt.data), Options{})
			if wb.Format() != tt.format || wb.Encoding() != tt.enc {
				t.Errorf("format %s encoding %s, want %s %s", wb.Format(), wb.Encoding(), tt.format, tt.enc)
			}
			var got [][]string
			for _, r := range rows {
				got = append(got, r.Cells)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("rows %q, want %q", got, want)
			}
		})
	}
}

func TestForcedEncoding(t *testing.T) {
	b, _ := charmap.Windows1256.NewEncoder().Bytes([]byte("الاسم,المبلغ\n"))
	p := writeFile(t, "x.csv", b)
	_, rows := readAll(t, p, Options{Encoding: "cp1256"})
	if rows[0].Cells[0] != "الاسم" {
		t.Errorf("got %q", rows[0].Cells)
	}
	if _, err := Open(p, Options{Encoding: "latin9"}); err == nil {
		t.Error("unknown encoding accepted")
	}
}

func TestCSVRowNumbersCountBlankLinesAndMultilineCells(t *testing.T) {
	data := "title\n\nname,amount\n\"two\nlines\",1\n\nlast,2\n"
	_, rows := readAll(t, writeFile(t, "x.csv", []byte(data)), Options{})
	var nums []int
	for _, r := range rows {
		nums = append(nums, r.Number)
	}
	// Spreadsheet rows: 1 title, 2 blank, 3 header, 4 the two-line cell, 5 blank, 6 last.
	if want := []int{1, 3, 4, 6}; !reflect.DeepEqual(nums, want) {
		t.Errorf("row numbers %v, want %v", nums, want)
	}
}

func TestXLSXRawValues(t *testing.T) {
	f := excelize.NewFile()
	f.SetCellStr("Sheet1", "A1", "Title")
	f.SetCellStr("Sheet1", "A3", "Amount")
	f.SetCellFloat("Sheet1", "A4", 12500.5, -1, 64)
	st, _ := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	f.SetCellStyle("Sheet1", "A4", "A4", st)
	f.SetCellInt("Sheet1", "B4", 966501234567)
	f.SetCellFormula("Sheet1", "C4", "A4*2")
	f.SetCellValue("Sheet1", "C4", 25001) // the cached value
	f.SetCellFormula("Sheet1", "C4", "A4*2")
	f.SetCellStr("Sheet1", "D4", "0501234567")
	f.SetCellFloat("Sheet1", "E4", 1234.5599999999999, -1, 64)
	f.SetCellStr("Sheet1", "A6", "after a gap")
	var buf bytes.Buffer
	f.WriteTo(&buf)
	_, rows := readAll(t, writeFile(t, "x.xlsx", buf.Bytes()), Options{})
	if rows[3].Number != 4 || rows[5].Number != 6 || !rows[4].Blank() {
		t.Fatalf("row numbers wrong: %+v", rows)
	}
	got := rows[3].Cells
	if got[2] != "25001" {
		t.Errorf("formula cell %q, want its cached value 25001", got[2])
	}
	if got[0] != "12500.5" || got[1] != "966501234567" || got[3] != "0501234567" || got[4] != "1234.56" {
		t.Errorf("raw values %q", got)
	}
}

func TestUnsupportedFormats(t *testing.T) {
	tests := map[string][]byte{
		"old.xls":   {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0},
		"x.ods":     append([]byte("PK\x03\x04"), []byte("....mimetypeapplication/vnd.oasis.opendocument.spreadsheet")...),
		"x.pdf":     []byte("%PDF-1.4"),
		"empty.csv": {},
	}
	for name, b := range tests {
		_, err := Open(writeFile(t, name, b), Options{})
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err %v, want ErrUnsupported", name, err)
		}
	}
	_, err := Open(filepath.Join(t.TempDir(), "missing.csv"), Options{})
	var ie *Error
	if !errors.As(err, &ie) || ie.Msg != "no such file; check the name and the folder" {
		t.Errorf("missing file: %v", err)
	}
}

func TestPlainNumber(t *testing.T) {
	for in, want := range map[string]string{
		"1234.5599999999999":       "1234.56",
		"12500.5":                  "12500.5",
		"966501234567":             "966501234567",
		"9.66501E+11":              "9.66501E+11",
		"SA0380000000608010167519": "SA0380000000608010167519",
		"12345678901234567890":     "12345678901234567890",
		"0.30000000000000004":      "0.3",
	} {
		if got := plainNumber(in); got != want {
			t.Errorf("plainNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func drain(path string) {
	wb, err := Open(path, Options{})
	if err != nil {
		return
	}
	defer wb.Close()
	for _, s := range wb.Sheets() {
		rows, err := wb.Rows(s)
		if err != nil {
			continue
		}
		for i := 0; rows.Next() && i < 10000; i++ {
			_ = rows.Row().Cells
		}
		rows.Close()
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("name,amount\nx,1\n"))
	f.Add([]byte("\xEF\xBB\xBFa;b\r\n\"q\"\"\";2"))
	f.Add([]byte{0xFF, 0xFE, 'a', 0, '\t', 0, 'b', 0})
	f.Add([]byte("a\t\"unterminated\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 0 && b[0] == 'P' {
			return // zip bytes are FuzzXLSX's
		}
		drain(writeFile(t, "f.csv", b))
	})
}

func FuzzXLSX(f *testing.F) {
	x := excelize.NewFile()
	x.SetCellStr("Sheet1", "A1", "Name")
	x.SetCellInt("Sheet1", "B2", 5)
	var buf bytes.Buffer
	x.WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		drain(writeFile(t, "f.xlsx", b))
	})
}

// TestFormatByContent: the extension does not decide the format.
func TestFormatByContent(t *testing.T) {
	x := excelize.NewFile()
	x.SetCellStr("Sheet1", "A1", "Name")
	var buf bytes.Buffer
	x.WriteTo(&buf)
	wb, rows := readAll(t, writeFile(t, "looks-like.csv", buf.Bytes()), Options{})
	if wb.Format() != FormatXLSX || rows[0].Cells[0] != "Name" {
		t.Errorf("XLSX named .csv: %s %v", wb.Format(), rows)
	}
	wb, rows = readAll(t, writeFile(t, "looks-like.xlsx", []byte("Name;Amount\nA;1\n")), Options{})
	if wb.Format() != FormatCSV || len(rows[0].Cells) != 2 {
		t.Errorf("CSV named .xlsx: %s %v", wb.Format(), rows)
	}
}
