package payout_test

import (
	"context"
	"path/filepath"
	"testing"

	"payroll/payout"
)

func TestParseAmountIn(t *testing.T) {
	tests := []struct {
		in   string
		conv payout.Convention
		want payout.Amount
		code string
	}{
		{"12500,50", payout.DecimalComma, 1250050, ""},
		{"1.250,50", payout.DecimalComma, 125050, ""},
		{"1,250", payout.DecimalComma, 125, ""},
		{"3.500", payout.DecimalComma, 350000, ""},
		{"1 250,50", payout.DecimalComma, 125050, ""},
		{"1,250", payout.DecimalPoint, 125000, ""},
		{"3.500", payout.DecimalPoint, 350, ""},
		{"12500,50", payout.DecimalPoint, 0, "amount.invalid"},
		{"1,250", payout.Unknown, 0, "amount.ambiguous"},
		{"3.500", payout.Unknown, 0, "amount.ambiguous"},
		{"1,250,000", payout.Unknown, 125000000, ""},
		{"1.250.000", payout.Unknown, 125000000, ""},
		{"12500,50", payout.Unknown, 1250050, ""},
		{"1,250.50", payout.Unknown, 125050, ""},
		{"1.250,50", payout.Unknown, 125050, ""},
		{"SAR 1,250", payout.Unknown, 0, "amount.ambiguous"},
		{"١٬٢٥٠", payout.Unknown, 0, "amount.ambiguous"},
		{"12500", payout.Unknown, 1250000, ""},
	}
	for _, tt := range tests {
		a, code, details := payout.ParseAmountIn(tt.in, tt.conv)
		if a != tt.want || code != tt.code {
			t.Errorf("%q in %v: %v %q, want %v %q", tt.in, tt.conv, a, code, tt.want, tt.code)
		}
		if code == "amount.ambiguous" && len(details) != 3 {
			t.Errorf("%q: details %q", tt.in, details)
		}
	}
	_, _, d := payout.ParseAmountIn("1,250", payout.Unknown)
	if d[1] != "1,250.00" || d[2] != "1.25" {
		t.Errorf("both readings: %q", d)
	}
}

func TestConventionFromTheFile(t *testing.T) {
	dir := t.TempDir()
	header := []string{"Employee Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"}
	row := func(n int, amount string) []string {
		return []string{"E", saIBAN("80", n), amount, "0501234567", "e@example.com", "R"}
	}
	for _, tt := range []struct {
		name   string
		comma  rune
		rows   [][]string
		totals payout.Amount
		codes  map[int]string
	}{
		// A ;-separated file with decimal commas: 1,250 is 1.25 and 3.500 is 3,500.
		{"semicolon.csv", ';', [][]string{row(1, "12500,50"), row(2, "1,250"), row(3, "3.500")}, 1250050 + 125 + 350000, nil},
		// Decimal points shown by one amount: 1,250 is 1,250.00.
		{"point.csv", '\t', [][]string{row(1, "9800.00"), row(2, "1,250"), row(3, "3.500")}, 980000 + 125000 + 350, nil},
		// Nothing tells: each ambiguous value is a row error with both readings.
		{"unknown.csv", '\t', [][]string{row(1, "12500"), row(2, "1,250"), row(3, "3.500")}, 1250000, map[int]string{3: "amount.ambiguous", 4: "amount.ambiguous"}},
		// A comma-separated file is a decimal-point one.
		{"comma.csv", ',', [][]string{row(1, "12500"), row(2, "1,250")}, 1250000 + 125000, nil},
	} {
		path := filepath.Join(dir, tt.name)
		writeCSV(t, path, append([][]string{header}, tt.rows...), tt.comma)
		res, err := payout.CheckFile(context.Background(), path, payout.FileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]string{}
		for _, p := range res.Problems {
			got[p.Row] = p.Code
		}
		if res.Total != tt.totals || len(got) != len(tt.codes) {
			t.Errorf("%s: total %s, problems %v (convention %v)", tt.name, res.Total, res.Problems, res.Decimals)
		}
		for r, c := range tt.codes {
			if got[r] != c {
				t.Errorf("%s row %d: %q, want %q", tt.name, r, got[r], c)
			}
		}
	}
}
