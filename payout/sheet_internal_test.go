package payout

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"payroll/importer"
)

// shownWidth reads a field by its kind; it must give the width of the
// text the cell shows: the number as written, an amount as #,##0.00 shows
// it, text in characters.
func TestShownWidth(t *testing.T) {
	type status string
	for _, n := range []int{0, 7, -7, 9, 10, -10, 99, 100, 12345, -12345, math.MaxInt, math.MinInt + 1} {
		if got, want := shownWidth(reflect.ValueOf(n)), len(strconv.Itoa(n)); got != want {
			t.Errorf("int %d: width %d, want %d", n, got, want)
		}
	}
	for _, a := range []Amount{0, 5, 99, 100, 123456, 100000000, 123456789012} {
		whole := fmt.Sprint(int64(a) / 100)
		commas := (len(whole) - 1) / 3
		if got, want := shownWidth(reflect.ValueOf(a)), len(whole)+commas+3; got != want {
			t.Errorf("amount %d: width %d, want %d", a, got, want)
		}
	}
	for _, s := range []string{"", "Pending", "محمد العتيبي", "SA0380000000608010167519"} {
		if got, want := shownWidth(reflect.ValueOf(s)), utf8.RuneCountInString(s); got != want {
			t.Errorf("%q: width %d, want %d", s, got, want)
		}
		if got, want := shownWidth(reflect.ValueOf(status(s))), utf8.RuneCountInString(s); got != want {
			t.Errorf("status %q: width %d, want %d", s, got, want)
		}
	}
}

// TestOutputFolderMissing: an output in a folder that does not exist is
// said of the folder, not of the temporary file it is written through.
func TestOutputFolderMissing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "no-such-folder")
	for name, err := range map[string]error{
		"probe": ProbeWritable(filepath.Join(dir, "results.xlsx")),
		"write": WriteFile(filepath.Join(dir, "results.xlsx"), []byte("x")),
	} {
		if err == nil || !strings.Contains(err.Error(), "the folder "+dir+" does not exist") || strings.Contains(err.Error(), ".tmp") || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestEmptyTextIsABlankCell: a field with no text is no cell at all in
// the sheet, not a cell holding empty text (which a spreadsheet counts as
// filled); the cells beside it are written as ever.
func TestEmptyTextIsABlankCell(t *testing.T) {
	type line struct {
		Row     int    `csv:"row"`
		Name    string `csv:"beneficiary_name"`
		Message string `csv:"protocol_message"`
	}
	path := filepath.Join(t.TempDir(), "t.xlsx")
	if err := WriteTable(path, "T", []line{{2, "Aisha", ""}, {3, "", "Rejected"}}); err != nil {
		t.Fatal(err)
	}
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var sheet string
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			sheet = string(b)
		}
	}
	for ref, want := range map[string]bool{"A2": true, "B2": true, "C2": false, "A3": true, "B3": false, "C3": true} {
		if got := strings.Contains(sheet, `<c r="`+ref+`"`); got != want {
			t.Errorf("cell %s written: %v, want %v", ref, got, want)
		}
	}
	if strings.Contains(sheet, "<t></t>") {
		t.Error("the sheet holds a cell of empty text")
	}
}

// TestWorkbookReadBack: a table large enough for its sheet to be deflated
// in many blocks (by klauspost/compress, not the standard library) is read
// back whole by the standard library's zip reader, which checks every
// part's CRC, and cell for cell by excelize and by our own importer.
func TestWorkbookReadBack(t *testing.T) {
	type line struct {
		Row    int    `csv:"row"`
		Name   string `csv:"beneficiary_name"`
		IBAN   string `csv:"beneficiary_account_number"`
		Amount Amount `csv:"amount"`
	}
	r := rand.New(rand.NewPCG(3, 4))
	names := []string{"Aisha Al-Harbi", "محمد العتيبي", "Noura", "Fahad bin Saad", "سارة"}
	var lines []line
	for i := range 20000 {
		lines = append(lines, line{Row: i + 2, Name: names[r.IntN(len(names))] + " " + strconv.Itoa(r.IntN(1000)),
			IBAN: fmt.Sprintf("SA%022d", r.Int64N(1e18)), Amount: Amount(r.Int64N(10_000_000))})
	}
	path := filepath.Join(t.TempDir(), "t.xlsx")
	if err := WriteTable(path, "T", lines); err != nil {
		t.Fatal(err)
	}
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		rc.Close()
	}
	z.Close()

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("T", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	wb, err := importer.Open(path, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	src, err := wb.Rows("T")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if !src.Next() { // the header
		t.Fatal(src.Err())
	}
	if len(rows) != len(lines)+1 {
		t.Fatalf("%d rows read back, %d written", len(rows)-1, len(lines))
	}
	for i, l := range lines {
		want := []string{strconv.Itoa(l.Row), l.Name, l.IBAN, strconv.FormatFloat(float64(l.Amount)/100, 'f', -1, 64)}
		if got := rows[i+1]; !slices.Equal(got, want) {
			t.Fatalf("row %d: excelize reads %q, want %q", i+2, got, want)
		}
		if !src.Next() {
			t.Fatalf("row %d: the importer stops: %v", i+2, src.Err())
		}
		if got := src.Row(); got.Number != i+2 || !slices.Equal(got.Cells[:3], want[:3]) {
			t.Fatalf("row %d: the importer reads row %d %q, want %q", i+2, got.Number, got.Cells, want)
		}
	}
	if src.Next() || src.Err() != nil {
		t.Fatalf("the importer reads past the last row, or fails: %v", src.Err())
	}
}
