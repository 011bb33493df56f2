package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// countRows opens a file and reads every row of its first sheet.
func countRows(path string, opts Options) (int, error) {
	wb, err := Open(path, opts)
	if err != nil {
		return 0, err
	}
	defer wb.Close()
	rows, err := wb.Rows("")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// TestWholeFileEncoding: one bad byte deep in a UTF-8 file is refused with
// its place, never read as Windows-1256; a Windows-1256 file is still read.
func TestWholeFileEncoding(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("Employee Name,IBAN,Net Salary\n")
	for i := 0; b.Len() < 100_000; i++ {
		fmt.Fprintf(&b, "محمد الحربي %d,SA0380000000608010167519,1000\n", i)
	}
	good := b.Bytes()
	wb, err := Open(writeFile(t, "good.csv", good), Options{})
	if err != nil || wb.Encoding() != EncodingUTF8 {
		t.Fatalf("valid UTF-8: %v %v", wb, err)
	}
	wb.Close()

	bad := append(append([]byte{}, good...), []byte("Sara \xff,SA0380000000608010167519,1000\n")...)
	lines := bytes.Count(good, []byte("\n")) + 1
	_, err = Open(writeFile(t, "bad.csv", bad), Options{})
	var ie *Error
	if !errors.As(err, &ie) || !errors.Is(err, ErrEncoding) {
		t.Fatalf("damaged UTF-8 was not refused: %v", err)
	}
	for _, want := range []string{"byte 0xFF", fmt.Sprintf("line %d", lines), "CSV UTF-8"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	// With a byte-order mark, a single bad byte is refused too.
	bom := append([]byte("\xEF\xBB\xBFName,IBAN\nA\x80,SA03\n"), []byte{}...)
	if _, err := Open(writeFile(t, "bom.csv", bom), Options{}); !errors.Is(err, ErrEncoding) {
		t.Errorf("UTF-8 with a BOM and a bad byte: %v", err)
	}

	arabic, _ := charmap.Windows1256.NewEncoder().String("الاسم,الآيبان\nمحمد الحربي,SA0380000000608010167519\n")
	wb, err = Open(writeFile(t, "cp1256.csv", []byte(arabic)), Options{})
	if err != nil || wb.Encoding() != EncodingWindows1256 {
		t.Fatalf("Windows-1256: %v %v", wb, err)
	}
	wb.Close()
}

// TestTextLimits: a header with a million columns, a file with no line
// breaks and an overlong cell are refused quickly with a clear message.
func TestTextLimits(t *testing.T) {
	wide := "Name" + strings.Repeat(",x", 1_000_000) + "\n"
	if _, err := countRows(writeFile(t, "wide.csv", []byte(wide)), Options{}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "columns") {
		t.Errorf("a million columns: %v", err)
	}
	long := strings.Repeat("a", 5<<20)
	if _, err := countRows(writeFile(t, "long.csv", []byte("Name\n"+long)), Options{}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "line 2 is longer than 4 MB") {
		t.Errorf("no line breaks: %v", err)
	}
	cell := "Name\n" + strings.Repeat("b", 40_000) + "\n"
	if _, err := countRows(writeFile(t, "cell.csv", []byte(cell)), Options{}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "more than 32767 characters") {
		t.Errorf("a 40,000-character cell: %v", err)
	}
	rows := "Name\n" + strings.Repeat("x\n", 20)
	if _, err := countRows(writeFile(t, "rows.csv", []byte(rows)), Options{Limits: Limits{Rows: 10}}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "more than 10 rows") {
		t.Errorf("rows beyond the limit: %v", err)
	}
}

// zipWith writes a valid workbook with one extra part of n zero bytes
// (which compresses to almost nothing: a small zip bomb).
func zipWith(t *testing.T, part string, n int) string {
	t.Helper()
	f := excelize.NewFile()
	f.SetCellStr("Sheet1", "A1", "Name")
	var wb bytes.Buffer
	if err := f.Write(&wb); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(wb.Bytes()), int64(wb.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		w, _ := zw.Create(zf.Name)
		r, _ := zf.Open()
		var b bytes.Buffer
		b.ReadFrom(r)
		r.Close()
		if zf.Name == part {
			b.Write(bytes.Repeat([]byte(" "), n)) // XML allows trailing white space
		}
		w.Write(b.Bytes())
	}
	if part == "xl/media/bomb.bin" {
		w, _ := zw.Create(part)
		w.Write(make([]byte, n))
	}
	zw.Close()
	return writeFile(t, "bomb.xlsx", out.Bytes())
}

// TestZipBombs: a workbook that would unpack beyond the limits is refused
// before it is unpacked, with bounded memory (the limits are lowered so
// that the bombs stay small).
func TestZipBombs(t *testing.T) {
	for _, tt := range []struct {
		part   string
		limits Limits
		want   string
	}{
		{"xl/styles.xml", Limits{Part: 1 << 20}, "its part xl/styles.xml would unpack to"},
		{"xl/media/bomb.bin", Limits{Unzip: 4 << 20}, "would unpack to more than 4 MB"},
		{"xl/worksheets/sheet1.xml", Limits{Unzip: 4 << 20}, "zip bomb"},
	} {
		path := zipWith(t, tt.part, 8<<20)
		if fi, _ := os.Stat(path); fi.Size() > 200<<10 {
			t.Fatalf("the test bomb is %d bytes", fi.Size())
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := Open(path, Options{Limits: tt.limits})
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v", tt.part, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 2<<20 {
			t.Errorf("%s: refusing it allocated %d bytes", tt.part, grew)
		}
	}
	// Within the limits the same workbook is read.
	if _, err := countRows(zipWith(t, "xl/styles.xml", 1<<10), Options{}); err != nil {
		t.Errorf("a sound workbook: %v", err)
	}
}

// TestStaleTempFilesRemoved: the unpacked sheets a killed run left behind
// are removed by the next run.
func TestStaleTempFilesRemoved(t *testing.T) {
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(os.TempDir(), fmt.Sprintf("payroll-%d", os.Getuid()))
	stale := filepath.Join(base, strconv.Itoa(dead.Process.Pid))
	os.MkdirAll(stale, 0o700)
	os.WriteFile(filepath.Join(stale, "excelize-sheet1.xml"), []byte("salaries"), 0o600)
	dir, err := TempDir()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed run's files are still there: %v", err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("own folder: %v", err)
	}
}

// TestNoTempFileLeft: a large sheet is streamed out of the zip, so reading
// it writes nothing to disk: no unpacked copy of a salary sheet to leave
// behind. (The excelize reader this replaced unpacked large sheets into a
// temporary folder and removed them after.)
func TestNoTempFileLeft(t *testing.T) {
	f := excelize.NewFile()
	for i := 1; i <= 2000; i++ {
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i), &[]any{"Employee", "SA0380000000608010167519", i})
	}
	var b bytes.Buffer
	f.Write(&b)
	path := writeFile(t, "big.xlsx", b.Bytes())
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	wb, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := wb.Rows("")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		if n == 1000 {
			if left := filesUnder(t, tmp); len(left) != 0 {
				t.Errorf("written while reading: %v", left)
			}
		}
		n++
	}
	rows.Close()
	wb.Close()
	if n != 2000 {
		t.Fatalf("%d rows", n)
	}
	if left := filesUnder(t, tmp); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	return files
}
