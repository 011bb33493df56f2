package upload_test

import (
	"path/filepath"
	"strconv"
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
