package mapping

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"payroll/importer"
)

func headerRow(cells ...string) importer.Row { return importer.Row{Number: 1, Cells: cells} }

func TestAliases(t *testing.T) {
	tests := map[string]Field{
		"Employee Name": Name, "NAME": Name, "اسم الموظف": Name, "الاسم": Name, "beneficiary_name": Name,
		"IBAN": Account, "Account Number": Account, "رقم الآيبان": Account, "الايبان": Account, "الآيبان": Account,
		"Bank": Bank, "البنك": Bank,
		"Mobile": Mobile, "Phone": Mobile, "الجوال": Mobile, "رقم الجوال": Mobile, "Mobile No.": Mobile,
		"Email": Email, "E-mail": Email, "البريد الإلكتروني": Email, "البريد الالكتروني": Email,
		"Amount": Amount, "Net Salary": Amount, "Net Pay": Amount, "صافي الراتب": Amount, "المبلغ": Amount, "Net Salary (SAR)": Amount,
		"Employee ID": EmployeeID, "Emp_ID": EmployeeID, "الرقم الوظيفي": EmployeeID,
		"Country": Country, "الدولة": Country, "Branch": Branch, "Address": Address1, "العنوان": Address1,
		"Address 2": Address2, "Transfer Code": TransferCode,
	}
	for h, want := range tests {
		m := resolve("s", headerRow(h), nil)
		col, ok := m.Columns[want]
		if !ok || col.Header != h {
			t.Errorf("header %q: columns %v, want %s", h, m.Columns, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	pairs := [][2]string{{"رقم الآيبان", "رقم الايبان"}, {"Net_Salary", "net salary"}, {"الإجمالي", "الاجمالي"}, {"صافى", "صافي"}, {"نوره", "نورة"}, {"Mobile (KSA)", "mobile"}}
	for _, p := range pairs {
		if Normalize(p[0]) != Normalize(p[1]) {
			t.Errorf("Normalize(%q)=%q != Normalize(%q)=%q", p[0], Normalize(p[0]), p[1], Normalize(p[1]))
		}
	}
}

func TestAmountColumnChoice(t *testing.T) {
	base := []string{"Name", "IBAN", "Mobile", "Email", "Address"}
	tests := []struct {
		name    string
		extra   []string
		want    string // header chosen, or "" for a refusal
		problem string
	}{
		{"net among components", []string{"Basic Salary", "Housing Allowance", "GOSI Deduction", "Net Salary"}, "Net Salary", ""},
		{"arabic net among components", []string{"الراتب الأساسي", "بدل السكن", "صافي الراتب"}, "صافي الراتب", ""},
		{"one candidate", []string{"Salary"}, "Salary", ""},
		{"components, no net", []string{"Basic Salary", "Housing Allowance", "GOSI Deduction"}, "", "column.ambiguous"},
		{"two nets", []string{"Net Salary", "Amount"}, "", "column.ambiguous"},
		{"none", []string{"Iqama"}, "", "column.missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := resolve("s", headerRow(append(append([]string{}, base...), tt.extra...)...), nil)
			col, ok := m.Columns[Amount]
			if tt.want != "" && (!ok || col.Header != tt.want) {
				t.Fatalf("amount column %+v, want %q (problems %v)", col, tt.want, m.Problems)
			}
			if tt.want == "" {
				if ok {
					t.Fatalf("amount column %q chosen by a guess", col.Header)
				}
				if len(m.Problems) != 1 || m.Problems[0].Code != tt.problem || m.Problems[0].Field != Amount {
					t.Fatalf("problems %+v, want one %s", m.Problems, tt.problem)
				}
			}
		})
	}
}

func TestIDColumnsNeverMobileOrAmount(t *testing.T) {
	m := resolve("s", headerRow("Emp ID", "رقم الهوية", "Iqama", "National ID", "Name", "IBAN", "Email", "Address", "Phone", "Net Pay"), nil)
	if m.Columns[Mobile].Header != "Phone" || m.Columns[Amount].Header != "Net Pay" || m.Columns[EmployeeID].Header != "Emp ID" {
		t.Errorf("columns %+v", m.Columns)
	}
	if len(m.Problems) != 0 {
		t.Errorf("problems %v", m.Problems)
	}
}

func TestAddressAndCity(t *testing.T) {
	m := resolve("s", headerRow("Name", "IBAN", "Amount", "Mobile", "Email", "Address", "City"), nil)
	if m.Columns[Address1].Header != "Address" || m.Columns[Address2].Header != "City" {
		t.Errorf("columns %+v", m.Columns)
	}
}

func TestMissingRequiredColumnListsHeaders(t *testing.T) {
	m := resolve("s", headerRow("Name", "IBAN", "Amount", "Mobile", "Address", "Notes"), nil)
	if len(m.Problems) != 1 {
		t.Fatalf("problems %v", m.Problems)
	}
	p := m.Problems[0]
	if p.Field != Email || p.Code != "column.missing" || !strings.Contains(p.Msg, `"Notes"`) || !strings.Contains(p.Msg, `"IBAN"`) {
		t.Errorf("problem %+v", p)
	}
}

func TestMappingFile(t *testing.T) {
	f, err := ParseFile("m.yaml", []byte("columns:\n  name: Full Name\n  amount: Total Pay\n  iban: Acct\ndefaults:\n  email: payroll@example.com\n  address1: Riyadh\n  mobile: \"0500000000\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := resolve("s", headerRow("Full Name", "Acct", "Basic Salary", "Total Pay"), f)
	if len(m.Problems) != 0 {
		t.Fatalf("problems %v", m.Problems)
	}
	if m.Columns[Amount].Letter != "D" || m.Columns[Account].Letter != "B" || m.Defaults[Email] != "payroll@example.com" {
		t.Errorf("mapping %+v", m)
	}
	rec := m.Record(importer.Row{Number: 2, Cells: []string{"X", "SA..", "1", "2"}})
	if rec.Get(Amount) != "2" || rec.Get(Address1) != "Riyadh" || rec.Values[Address1].Column != nil {
		t.Errorf("record %+v", rec)
	}
	if _, err := ParseFile("m.yaml", []byte("columns:\n  salary_bonus: X\n")); err == nil {
		t.Error("unknown field accepted")
	}
	if _, err := ParseFile("m.yaml", []byte("colums:\n  name: X\n")); err == nil {
		t.Error("unknown key accepted")
	}
	m = resolve("s", headerRow("Name"), &File{Columns: map[string]string{"amount": "Nett"}})
	if !hasProblem(m.Problems, Amount) {
		t.Errorf("a mapping file naming an absent column: problems %v", m.Problems)
	}
}

func TestOpenFindsHeaderAndSkipsTotals(t *testing.T) {
	csv := "Company payroll,,,,,\nMarch,,,,,\n\nName,IBAN,Amount,Mobile,Email,Address\nA,SA1,10,050,a@x.io,R\n\n,,,,,\nTotal,,10,,,\n"
	p := filepath.Join(t.TempDir(), "x.csv")
	os.WriteFile(p, []byte(csv), 0o644)
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Mapping().HeaderRow != 4 {
		t.Errorf("header row %d", r.Mapping().HeaderRow)
	}
	var rows []int
	for r.Next() {
		rows = append(rows, r.Record().Row)
	}
	if len(rows) != 1 || rows[0] != 5 {
		t.Errorf("data rows %v", rows)
	}
	if sk := r.Skipped(); len(sk) != 1 || sk[0].Row != 8 {
		t.Errorf("skipped %v", sk)
	}
}

func TestOpenWithoutHeader(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.csv")
	os.WriteFile(p, []byte("a,b,c\n1,2,3\n"), 0o644)
	_, err := Open(p, Options{})
	if err == nil || !strings.Contains(err.Error(), "no header row found in the first 20 rows") {
		t.Errorf("err %v", err)
	}
}

// TestFirstSheetWithAHeader: a workbook whose first sheet holds notes is
// read from the first sheet that has a header row.
func TestFirstSheetWithAHeader(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Notes")
	f.SetCellStr("Notes", "A1", "Pay on the 25th")
	f.NewSheet("March")
	f.SetSheetRow("March", "A2", &[]any{"Name", "IBAN", "Amount", "Mobile", "Email", "Address"})
	f.SetSheetRow("March", "A3", &[]any{"Ali", "SA0380000000608010167519", 100, "0501234567", "a@example.com", "R"})
	p := filepath.Join(t.TempDir(), "x.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Mapping().Sheet != "March" || r.Mapping().HeaderRow != 2 {
		t.Errorf("sheet %q header %d", r.Mapping().Sheet, r.Mapping().HeaderRow)
	}
	if !r.Next() || r.Record().Get(Amount) != "100" || r.Record().Row != 3 {
		t.Errorf("record %+v", r.Record())
	}
}

// TestBilingualHeaders: a header cell holding two names, either language
// first, matches when either part does; two different names match nothing.
func TestBilingualHeaders(t *testing.T) {
	tests := map[string]Field{
		"Employee Name / اسم الموظف":  Name,
		"اسم الموظف / Employee Name":  Name,
		"Employee Name\nاسم الموظف":   Name,
		"اسم الموظف\r\nEmployee Name": Name,
		"IBAN | رقم الآيبان":          Account,
		"رقم الآيبان - IBAN":          Account,
		"Net Salary (صافي الراتب)":    Amount,
		"(المبلغ) Amount":             Amount,
		"الجوال / Mobile":             Mobile,
		"Home Address":                Address1,
		"Address (Home)":              Address1,
		"Iqama Address":               Address1,
		"عنوان السكن / Home Address":  Address1,
	}
	for h, want := range tests {
		m := resolve("s", headerRow(h), nil)
		if col, ok := m.Columns[want]; !ok || col.Header != h {
			t.Errorf("header %q: columns %v, want %s", h, m.Columns, want)
		}
	}
	if k := classify("Name / IBAN"); k != (kind{}) {
		t.Errorf("a header naming two fields matched %+v", k)
	}
	if k := classify("E-mail"); k.field != Email {
		t.Errorf("E-mail is one name: %+v", k)
	}
}

// TestMappingFileFindsBilingualHeaderRow: a mapping file's names are found
// wherever the header row is, also inside bilingual headers.
func TestMappingFileFindsBilingualHeaderRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.csv")
	os.WriteFile(path, []byte("Payroll March,,,,,\nCompany X,,,,,\n"+
		"Employee Name / اسم الموظف,Bank Account / الحساب,Pay / المبلغ,Tel / الجوال,Mail,Home / السكن\n"+
		"Ali,SA0380000000608010167519,100,0501234567,a@example.com,Riyadh\n"), 0o600)
	file := &File{Columns: map[string]string{"name": "اسم الموظف", "iban": "Bank Account", "amount": "Pay", "mobile": "الجوال", "email": "Mail", "address": "Home"}}
	r, err := Open(path, Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	m := r.Mapping()
	if m.HeaderRow != 3 || len(m.Problems) > 0 || m.Columns[Name].Letter != "A" || m.Columns[Address1].Letter != "F" {
		t.Fatalf("header row %d, problems %v, columns %v", m.HeaderRow, m.Problems, m.Columns)
	}
}

// TestLookupIsRecord: reading a field through a Lookup gives what the
// row's Record holds, text and column, for columns, defaults over blank
// cells, short rows and fields with neither.
func TestLookupIsRecord(t *testing.T) {
	f, err := ParseFile("m.yaml", []byte("columns:\n  name: Full Name\n  amount: Total Pay\n  iban: Acct\ndefaults:\n  email: payroll@example.com\n  address1: Riyadh\n  name: Unknown\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := resolve("s", headerRow("Full Name", "Acct", "Basic Salary", "Total Pay", "Address"), f)
	lk := m.Lookup()
	for _, cells := range [][]string{
		{"X", "SA..", "1", "2", "Jeddah"},
		{" ", "SA..", "1", "2", "  "},
		{"X"},
		{},
		{"", "", "", "", "", "extra"},
	} {
		row := importer.Row{Number: 7, Cells: cells}
		rec := m.Record(row)
		all := lk.Row(row)
		for _, fd := range append(Fields(), "no_such_field") {
			want := rec.Values[fd]
			for _, got := range []Value{lk.Value(row, fd), all.Value(fd)} {
				if got.Text != want.Text || (got.Column == nil) != (want.Column == nil) || got.Column != nil && *got.Column != *want.Column {
					t.Errorf("%q %s: %+v, want %+v", cells, fd, got, want)
				}
			}
			if lk.Get(row, fd) != rec.Get(fd) || all.Get(fd) != rec.Get(fd) {
				t.Errorf("%q %s: Get %q, want %q", cells, fd, lk.Get(row, fd), rec.Get(fd))
			}
		}
	}
}
