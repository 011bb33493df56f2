package upload_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"payroll/payout/upload"
)

// TestResultsTotalsExact: the totals row of a results sheet is the exact
// sum of its amounts, fees and totals (fees with three decimals too), and
// a column holding a number that cannot be summed exactly gets no total
// rather than a rounded one.
func TestResultsTotalsExact(t *testing.T) {
	var rows []upload.ResultRow
	for i := range 1000 {
		rows = append(rows, upload.ResultRow{Row: i + 2, Name: "N", IBAN: "SA", Amount: 10, BatchID: "1", EntryID: strconv.Itoa(i),
			Status: "Paid", Fee: "1.725", Total: "1.825"})
	}
	rows[7].Total = "1.8250001" // seven decimals: not summed exactly
	path := filepath.Join(t.TempDir(), "r.xlsx")
	if err := upload.WriteResults(path, rows, "en"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := f.GetRows("Results", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	head, last := all[0], all[len(all)-1]
	got := map[string]string{}
	for i, h := range head {
		if i < len(last) {
			got[h] = last[i]
		}
	}
	if got["Amount (SAR)"] != "100" || got["Fee (SAR)"] != "1725" || got["Total (SAR)"] != "" {
		t.Errorf("totals %v", got)
	}
}

// TestResultsColumns: the results sheet has the design's columns in its
// order, in both forms, with employee_id only when a row has one.
func TestResultsColumns(t *testing.T) {
	plain := []string{"row", "beneficiary_name", "beneficiary_account_number", "amount", "batch_id", "entry_id", "status", "fee", "total", "protocol_message"}
	withID := append([]string{"row", "employee_id"}, plain[1:]...)
	readable := map[string]string{"row": "Row", "employee_id": "Employee ID", "beneficiary_name": "Name", "beneficiary_account_number": "IBAN",
		"amount": "Amount (SAR)", "batch_id": "Batch", "entry_id": "Entry", "status": "Status", "fee": "Fee (SAR)", "total": "Total (SAR)", "protocol_message": "Bank message"}
	for _, id := range []string{"", "E-7"} {
		rows := []upload.ResultRow{
			{Row: 2, Name: "Ali", IBAN: "SA0380000000608010167519", Amount: 150000, BatchID: "1001", EntryID: "5", Status: "Paid", Fee: "0.63", Total: "1500.63"},
			{Row: 3, EmployeeID: id, Name: "Mona", IBAN: "SA4420000001234567891234", Amount: 100, BatchID: "1001", EntryID: "6", Status: "Failed", ProtocolMessage: "closed account"},
		}
		want := plain
		if id != "" {
			want = withID
		}
		dir := t.TempDir()
		csvPath := filepath.Join(dir, "r.csv")
		if err := upload.WriteResults(csvPath, rows, "en"); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(csvPath)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(lines[0], want) {
			t.Errorf("employee id %q: CSV header %q, want %q", id, lines[0], want)
		}
		last := lines[2]
		if len(last) != len(want) || last[0] != "3" || last[len(last)-1] != "closed account" || slices.Contains(last, "E-7") != (id != "") {
			t.Errorf("employee id %q: CSV row %q", id, last)
		}

		xlsxPath := filepath.Join(dir, "r.xlsx")
		if err := upload.WriteResults(xlsxPath, rows, "en"); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenFile(xlsxPath)
		if err != nil {
			t.Fatal(err)
		}
		all, err := f.GetRows("Results")
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		var head []string
		for _, k := range want {
			head = append(head, readable[k])
		}
		if !slices.Equal(all[0], head) {
			t.Errorf("employee id %q: XLSX header %q, want %q", id, all[0], head)
		}
		if got := all[2]; got[0] != "3" || got[len(head)-1] != "closed account" || slices.Contains(got, "E-7") != (id != "") {
			t.Errorf("employee id %q: XLSX row %q", id, got)
		}
	}
}
