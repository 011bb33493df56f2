package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestUTF8CutByBlocks: a character cut in two by the end of a block of the
// whole-file check or of the reader is read whole, wherever the cut falls,
// with or without a byte-order mark.
func TestUTF8CutByBlocks(t *testing.T) {
	for _, bom := range []string{"", "\xEF\xBB\xBF"} {
		for pad := 256<<10 - 8; pad <= 256<<10+2; pad++ {
			var b bytes.Buffer
			b.WriteString(bom + "Name,Note\n")
			for b.Len() < pad-2000 {
				b.WriteString("a," + strings.Repeat("x", 997) + "\n")
			}
			b.WriteString("a," + strings.Repeat("x", pad-b.Len()-3) + "\n")
			b.WriteString("محمد,€𝄞 ع\n")
			path := writeFile(t, "cut.csv", b.Bytes())
			_, rows := readAll(t, path, Options{})
			want, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), bom))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, r := range rows {
				got = append(got, r.Cells)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("bom %q, pad %d: last row %q", bom, pad, got[len(got)-1])
			}
		}
	}
}

// TestFileChangedWhileRead: a file found to be UTF-8 when it was opened
// and no longer UTF-8 when its rows are read is refused with a message
// that says so, not read with damaged names.
func TestFileChangedWhileRead(t *testing.T) {
	path := writeFile(t, "changing.csv", []byte("Name,IBAN\nمحمد,SA03\n"))
	wb, err := Open(path, Options{})
	if err != nil || wb.Encoding() != EncodingUTF8 {
		t.Fatalf("%v %v", wb, err)
	}
	defer wb.Close()
	if err := os.WriteFile(path, []byte("Name,IBAN\n\xe3\xcd\xe3\xcf,SA03\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err := wb.Rows("")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
	}
	var ie *Error
	if err := rows.Err(); !errors.As(err, &ie) || !errors.Is(err, errChanged) || !strings.Contains(err.Error(), "changed while it was read") {
		t.Fatalf("a changed file: %v", err)
	}
}
