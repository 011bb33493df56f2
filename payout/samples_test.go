package payout_test

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"payroll/payout"
)

var update = flag.Bool("update", false, "rewrite the sample sheets and golden files in testdata")

// saIBAN makes a valid Saudi IBAN for a bank code and account digits.
func saIBAN(bank string, account int) string {
	bban := fmt.Sprintf("%s%018d", bank, account)
	return "SA" + payout.IBANCheckDigits("SA", bban) + bban
}

type employee struct {
	id, name, nameAR, bank, amount, mobile, email, address, city string
	account                                                      int
}

func employees() []employee {
	return []employee{
		{"E001", "Mohammed Al-Harbi", "محمد الحربي", "80", "12500.50", "0501234567", "m.alharbi@example.com", "King Fahd Road", "Riyadh", 608010167519},
		{"E002", "Fatimah Al-Qahtani", "فاطمة القحطاني", "10", "9800.00", "0551234568", "f.qahtani@example.com", "Olaya Street", "Riyadh", 1234500001},
		{"E003", "Abdullah Al-Otaibi", "عبدالله العتيبي", "05", "15250.75", "0541234569", "a.otaibi@example.com", "Prince Sultan Road", "Jeddah", 68200012},
		{"E004", "Noura Al-Shehri", "نورة الشهري", "20", "7300.00", "0561234570", "n.shehri@example.com", "Tahlia Street", "Jeddah", 2044411},
		{"E005", "Khalid Al-Dosari", "خالد الدوسري", "45", "11000.25", "0591234571", "k.dosari@example.com", "King Saud Street", "Dammam", 77001234},
		{"E006", "Sara Al-Zahrani", "سارة الزهراني", "55", "8650.00", "0531234572", "s.zahrani@example.com", "Corniche Road", "Khobar", 99887766},
		{"E007", "Omar Al-Ghamdi", "عمر الغامدي", "30", "13400.10", "0581234573", "o.ghamdi@example.com", "Airport Road", "Madinah", 5551212},
		{"E008", "Reem Al-Mutairi", "ريم المطيري", "60", "6900.00", "0501234574", "r.mutairi@example.com", "University Road", "Riyadh", 31415926},
		{"E009", "Faisal Al-Shammari", "فيصل الشمري", "65", "10200.00", "0551234575", "f.shammari@example.com", "Hail Road", "Hail", 27182818},
		{"E010", "Lama Al-Anazi", "لمى العنزي", "15", "9100.90", "0541234576", "l.anazi@example.com", "Makkah Road", "Taif", 16180339},
	}
}

func samplePath(name string) string { return filepath.Join("..", "testdata", name) }

// TestSamples checks that the committed sample sheets are what the generator
// makes; with -update it writes them.
func TestSamples(t *testing.T) {
	if !*update {
		for _, name := range []string{"salaries.xlsx", "salaries.csv", "invalid.csv", "salaries-1256.csv", "salaries-utf16.txt", "arabic-libreoffice.xlsx",
			"bilingual-libreoffice.xlsx", "decimal-comma-libreoffice.csv", "two-months-libreoffice.xlsx"} {
			if _, err := os.Stat(samplePath(name)); err != nil {
				t.Errorf("sample %s missing (run go test ./payout -run TestSamples -update): %v", name, err)
			}
		}
		return
	}
	header := []string{"Employee ID", "Employee Name", "IBAN", "Bank", "Net Salary", "Mobile", "Email", "Address", "City"}
	var rows [][]string
	for _, e := range employees() {
		rows = append(rows, []string{e.id, e.name, saIBAN(e.bank, e.account), "", e.amount, e.mobile, e.email, e.address, e.city})
	}
	// salaries.xlsx: a title row, then the table; amounts as numbers.
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "March 2026")
	f.SetCellStr("March 2026", "A1", "Salaries — March 2026")
	f.MergeCell("March 2026", "A1", "D1")
	f.SetSheetRow("March 2026", "A3", &header)
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, c := range r {
			vals[j] = c
		}
		var amt float64
		fmt.Sscan(r[4], &amt)
		vals[4] = amt
		f.SetSheetRow("March 2026", fmt.Sprintf("A%d", i+4), &vals)
	}
	if err := f.SaveAs(samplePath("salaries.xlsx")); err != nil {
		t.Fatal(err)
	}
	writeCSV(t, samplePath("salaries.csv"), append([][]string{header}, rows...), ',')

	// Windows-1256 CSV with Arabic headers and names, as Excel on an Arabic Windows saves it.
	arHeader := []string{"الرقم الوظيفي", "اسم الموظف", "رقم الآيبان", "البنك", "صافي الراتب", "رقم الجوال", "البريد الإلكتروني", "العنوان", "المدينة"}
	var ar [][]string
	for i, e := range employees()[:4] {
		r := rows[i]
		ar = append(ar, []string{r[0], e.nameAR, r[2], "", r[4], r[5], r[6], r[7], r[8]})
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(append([][]string{arHeader}, ar...))
	enc, err := charmap.Windows1256.NewEncoder().Bytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(samplePath("salaries-1256.csv"), enc, 0o644)

	// UTF-16LE tab-separated, as Excel's "Unicode Text" writes it.
	buf.Reset()
	w = csv.NewWriter(&buf)
	w.Comma = '\t'
	w.WriteAll(append([][]string{header}, rows[:3]...))
	u16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(buf.Bytes())
	os.WriteFile(samplePath("salaries-utf16.txt"), u16, 0o644)

	// invalid.csv: one row per error code, plus valid rows between them.
	iban := func(i int) string { return saIBAN("80", 500000+i) }
	bad := [][]string{
		header,
		{"V001", "Valid One", iban(1), "", "1000.00", "0501111111", "v1@example.com", "Street 1", "Riyadh"},
		{"B001", "", iban(2), "", "1000.00", "0501111112", "b1@example.com", "Street", "Riyadh"},                                   // field.required (name)
		{"B002", "Bad Checksum", "SA0380000000608010167518", "", "1000.00", "0501111113", "b2@example.com", "Street", "Riyadh"},    // iban.checksum
		{"B003", "Short IBAN", "SA038000000060801016751", "", "1000.00", "0501111114", "b3@example.com", "Street", "Riyadh"},       // iban.length
		{"B004", "Unknown Country", "ZZ038000000060801016751", "", "1000.00", "0501111115", "b4@example.com", "Street", "Riyadh"},  // iban.country
		{"B005", "Letters In BBAN", "SA03X0000000608010167519", "", "1000.00", "0501111116", "b5@example.com", "Street", "Riyadh"}, // iban.format
		{"B006", "Bad Chars", "SA03#8000000608010167519", "", "1000.00", "0501111117", "b6@example.com", "Street", "Riyadh"},       // iban.invalid
		{"B007", "Three Decimals", iban(7), "", "1000.123", "0501111118", "b7@example.com", "Street", "Riyadh"},                    // amount.decimals
		{"B008", "Negative", iban(8), "", "-500", "0501111119", "b8@example.com", "Street", "Riyadh"},                              // amount.negative
		{"B009", "Zero", iban(9), "", "0", "0501111120", "b9@example.com", "Street", "Riyadh"},                                     // amount.zero
		{"B010", "Text Amount", iban(10), "", "ten thousand", "0501111121", "b10@example.com", "Street", "Riyadh"},                 // amount.invalid
		{"B011", "Scientific Mobile", iban(11), "", "1000", "9.66501E+11", "b11@example.com", "Street", "Riyadh"},                  // mobile.scientific
		{"B012", "Letters Mobile", iban(12), "", "1000", "05ABC12345", "b12@example.com", "Street", "Riyadh"},                      // mobile.letters
		{"B013", "Short Mobile", iban(13), "", "1000", "05012", "b13@example.com", "Street", "Riyadh"},                             // mobile.invalid
		{"B014", "Bad Email", iban(14), "", "1000", "0501111125", "not-an-email", "Street", "Riyadh"},                              // email.invalid
		{"B015", "Wrong Bank", iban(15), "Riyad Bank", "1000", "0501111126", "b15@example.com", "Street", "Riyadh"},                // bank.mismatch
		{"V002", "Valid Two", iban(16), "Al Rajhi Bank", "2500.50", "+966501111127", "v2@example.com", "Street 2", "Jeddah"},
		{"B016", "Duplicate", iban(1), "", "1000", "0501111128", "b16@example.com", "Street", "Riyadh"},                  // row.duplicate
		{"B017", "Formula", "=HYPERLINK(\"http://x\")", "", "1000", "0501111129", "b17@example.com", "Street", "Riyadh"}, // iban.invalid, neutralised
		{"B018", "Huge", iban(18), "", "12345678901", "0501111130", "b18@example.com", "Street", "Riyadh"},               // amount.too_large
		{"B019", "No Address", iban(19), "", "1000", "0501111131", "b19@example.com", "", ""},                            // field.required (address)
		{"B020", "Sci Amount", iban(20), "", "1.5E+04", "0501111132", "b20@example.com", "Street", "Riyadh"},             // amount.scientific
	}
	writeCSV(t, samplePath("invalid.csv"), bad, ',')

	// arabic-libreoffice.xlsx: made by LibreOffice, not excelize: title rows,
	// Arabic headers, mobiles as numbers, a totals row.
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("soffice is needed to make arabic-libreoffice.xlsx: apt-get install libreoffice-calc-nogui")
	}
	dir := t.TempDir()
	var lo [][]string
	lo = append(lo, []string{"شركة المثال للتجارة"}, []string{"مسير رواتب شهر مارس 2026"}, []string{})
	lo = append(lo, []string{"الرقم الوظيفي", "اسم الموظف", "رقم الهوية", "الآيبان", "الراتب الأساسي", "بدل السكن", "صافي الراتب", "الجوال", "البريد الإلكتروني", "العنوان", "المدينة"})
	for i, e := range employees()[:6] {
		r := rows[i]
		lo = append(lo, []string{r[0], e.nameAR, fmt.Sprintf("10%08d", i+1), r[2], "5000", "1250", r[4], "966" + r[5][1:], r[6], r[7], r[8]})
	}
	lo = append(lo, []string{"", "الإجمالي", "", "", "", "", "66601.50", "", "", "", ""})
	src := filepath.Join(dir, "arabic-libreoffice.csv")
	writeCSV(t, src, lo, ',')
	cmd := exec.Command(soffice, "--headless", "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", dir, src)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "arabic-libreoffice.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(samplePath("arabic-libreoffice.xlsx"), b, 0o644)

	// bilingual-libreoffice.xlsx: headers holding an English and an Arabic
	// name (split by / | - a line break, parentheses), saved by LibreOffice.
	bi := excelize.NewFile()
	bi.SetSheetRow("Sheet1", "A1", &[]any{"Employee ID / الرقم الوظيفي", "اسم الموظف / Employee Name", "IBAN\nالآيبان",
		"صافي الراتب (Net Salary)", "Mobile | الجوال", "Email / البريد الإلكتروني", "Home Address / عنوان السكن", "المدينة - City"})
	for i, e := range employees()[:5] {
		amount, _ := strconv.ParseFloat(e.amount, 64)
		bi.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &[]any{e.id, e.name, saIBAN(e.bank, e.account), amount, e.mobile, e.email, e.address, e.city})
	}
	resave(t, soffice, bi, "bilingual-libreoffice.xlsx", "xlsx")

	// two-months-libreoffice.xlsx: a March and an April sheet, both payroll.
	two := excelize.NewFile()
	two.SetSheetName("Sheet1", "March 2026")
	two.NewSheet("April 2026")
	for _, sh := range []string{"March 2026", "April 2026"} {
		two.SetSheetRow(sh, "A1", &[]any{"Employee Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"})
		for i, e := range employees()[:3] {
			two.SetSheetRow(sh, fmt.Sprintf("A%d", i+2), &[]any{e.name, saIBAN(e.bank, e.account), e.amount, e.mobile, e.email, e.address})
		}
	}
	resave(t, soffice, two, "two-months-libreoffice.xlsx", "xlsx")

	// decimal-comma-libreoffice.csv: what LibreOffice writes as CSV in a
	// decimal-comma setting: ";" between fields, "12500,50", "9.800,00".
	var dc [][]string
	dc = append(dc, []string{"Employee Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"})
	for i, e := range employees()[:5] {
		amount := strings.Replace(e.amount, ".", ",", 1)
		if i == 1 {
			amount = "9.800,00"
		}
		if i == 3 {
			amount = "7.300"
		}
		dc = append(dc, []string{e.name, saIBAN(e.bank, e.account), amount, e.mobile, e.email, e.address})
	}
	src = filepath.Join(dir, "dc.csv")
	writeCSV(t, src, dc, ';')
	run(t, soffice, dir, "--headless", "--infilter=CSV:59,34,76,1,1/2/2/2/3/2/4/2/5/2/6/2,1031", "--convert-to", "ods", "--outdir", dir, src)
	out := filepath.Join(dir, "csv")
	run(t, soffice, dir, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):59,34,76,1,,1031,false,true,true", "--outdir", out, filepath.Join(dir, "dc.ods"))
	b, err = os.ReadFile(filepath.Join(out, "dc.csv"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(samplePath("decimal-comma-libreoffice.csv"), b, 0o644)
}

// run runs LibreOffice with a home folder of its own.
func run(t *testing.T, soffice, home string, args ...string) {
	t.Helper()
	cmd := exec.Command(soffice, args...)
	cmd.Env = append(os.Environ(), "HOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
}

// resave has LibreOffice open a workbook and save it as the named sample.
func resave(t *testing.T, soffice string, f *excelize.File, name, format string) {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in", name)
	os.MkdirAll(filepath.Dir(in), 0o700)
	if err := f.SaveAs(in); err != nil {
		t.Fatal(err)
	}
	run(t, soffice, dir, "--headless", "--convert-to", format, "--outdir", dir, in)
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(samplePath(name), b, 0o644)
}

func writeCSV(t testing.TB, path string, rows [][]string, comma rune) {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = comma
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
