// Command gensheet writes a realistic salary sheet of any size, for
// benchmarks and the performance script: CSV or XLSX (by the output's
// extension), valid Saudi IBANs of real bank codes, mobiles, Arabic and
// English names, amounts with halalas, and the same rows for the same seed.
// An XLSX sheet keeps its text in the shared-strings table, as Excel and
// LibreOffice write it, or with -inline in the cells themselves, as
// excelize's stream writer and some exports do.
//
//	go run ./cmd/gensheet -rows 100000 -o /tmp/100k.xlsx
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"payroll/payout"
)

func main() {
	rows := flag.Int("rows", 10000, "data rows to write")
	out := flag.String("o", "sheet.csv", "output file: .csv or .xlsx")
	seed := flag.Uint64("seed", 1, "seed: the same seed writes the same sheet")
	inline := flag.Bool("inline", false, "XLSX: text in the cells (inline strings), not in the shared-strings table")
	flag.Parse()
	if err := write(*out, *rows, *seed, *inline); err != nil {
		fmt.Fprintln(os.Stderr, "gensheet:", err)
		os.Exit(1)
	}
}

var header = []string{"Employee ID", "Employee Name", "IBAN", "Bank", "Net Salary", "Mobile", "Email", "Address"}

var (
	first   = []string{"Mohammed", "Abdullah", "Fatimah", "Nora", "Khalid", "Sara", "Omar", "Aisha", "محمد", "عبدالله", "فاطمة", "نورة", "خالد", "سارة"}
	last    = []string{"Al-Harbi", "Al-Qahtani", "Al-Otaibi", "Al-Ghamdi", "Al-Zahrani", "الحربي", "القحطاني", "العتيبي", "الغامدي"}
	cities  = []string{"Riyadh", "Jeddah", "Dammam", "Makkah", "Madinah", "الرياض", "جدة", "الدمام"}
	mobiles = []string{"50", "53", "54", "55", "56", "58", "59"}
)

// row is the i-th row of a sheet: valid in every field.
func row(i int, r *rand.Rand, banks []payout.Bank) []string {
	bank := banks[r.IntN(len(banks))]
	bban := bank.Code + fmt.Sprintf("%018d", 100000000+i)
	iban := "SA" + payout.IBANCheckDigits("SA", bban) + bban
	amount := payout.Amount(300000 + r.IntN(1200000)) // SAR 3,000 to 15,000
	name := first[r.IntN(len(first))] + " " + last[r.IntN(len(last))]
	mobile := "0" + mobiles[r.IntN(len(mobiles))] + fmt.Sprintf("%07d", r.IntN(10000000))
	return []string{fmt.Sprintf("E%06d", i+1), name, iban, bank.Name, amount.String(), mobile,
		fmt.Sprintf("employee%d@example.com", i+1), cities[r.IntN(len(cities))]}
}

func write(path string, n int, seed uint64, inline bool) error {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	banks := payout.SaudiBanks().List()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		w := csv.NewWriter(f)
		w.Write(header)
		for i := 0; i < n; i++ {
			w.Write(row(i, r, banks))
		}
		w.Flush()
		if err := w.Error(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	case ".xlsx":
		f := excelize.NewFile()
		defer f.Close()
		cells := func(vals []string, amountCol int) []any {
			out := make([]any, len(vals))
			for i, v := range vals {
				out[i] = v
				if i == amountCol {
					a, _ := payout.ParseDecimal(v)
					out[i] = float64(a) / 100
				}
			}
			return out
		}
		if !inline {
			// Cell by cell, excelize keeps text in the shared strings.
			if err := f.SetSheetRow("Sheet1", "A1", &[]any{header[0], header[1], header[2], header[3], header[4], header[5], header[6], header[7]}); err != nil {
				return err
			}
			for i := 0; i < n; i++ {
				cell, _ := excelize.CoordinatesToCellName(1, i+2)
				row := cells(row(i, r, banks), 4)
				if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
					return err
				}
			}
			return f.SaveAs(path)
		}
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", cells(header, -1)); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, cells(row(i, r, banks), 4)); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return f.SaveAs(path)
	}
	return fmt.Errorf("%s: the output must end in .csv or .xlsx", path)
}
