package payout

import (
	"strings"
	"testing"
)

// FuzzConvention feeds the decimal-convention detector a file's amounts
// (split on "|"). Its decision does not depend on the order of the rows; a
// file in one convention and the same file with '.' and ',' swapped read
// the same amounts in their opposite conventions; and an amount read
// without an error code is above zero (what ParseAmount promises). Seeds:
// testdata/fuzz/FuzzConvention.
func FuzzConvention(f *testing.F) {
	for _, seed := range []string{
		"12,500.50|9,800.00|1,250",
		"12.500,50|9.800,00|3.500",
		"1,250|3.500",
		"(1,234.56)|SAR 1 250,00|١٢٥٠٫٥٠",
		"1e3|0.001|-5|+7|..|,,",
		"0٫0|1٬250",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, column string) {
		amounts := strings.Split(column, "|")
		if len(amounts) > 50 {
			amounts = amounts[:50]
		}
		var forward, backward Conventions
		for i := range amounts {
			forward.Observe(amounts[i])
			backward.Observe(amounts[len(amounts)-1-i])
		}
		conv := forward.Decide()
		if b := backward.Decide(); b != conv {
			t.Fatalf("%q: %v forward, %v backward", amounts, conv, b)
		}
		for _, raw := range amounts {
			a, code, _ := ParseAmountIn(raw, conv)
			if code == "" && a <= 0 {
				t.Fatalf("%q read as %v without an error in %v", raw, a, conv)
			}
		}
		// Swapping '.' and ',' swaps the convention, for amounts written
		// with ASCII digits and separators only (the Arabic separators and
		// the currency ر.س. mean the same in either convention).
		var plain []string
		for _, raw := range amounts {
			if strings.Trim(raw, "0123456789.,-+() ") == "" {
				plain = append(plain, raw)
			}
		}
		var pf, swapped Conventions
		for _, raw := range plain {
			pf.Observe(raw)
			swapped.Observe(swapSeparators(raw))
		}
		conv = pf.Decide()
		opposite := map[Convention]Convention{DecimalPoint: DecimalComma, DecimalComma: DecimalPoint, Unknown: Unknown}
		if s := swapped.Decide(); s != opposite[conv] {
			t.Fatalf("%q is %v, swapped it is %v", plain, conv, s)
		}
		for _, raw := range plain {
			a, code, _ := ParseAmountIn(raw, conv)
			if conv != Unknown {
				b, code2, _ := ParseAmountIn(swapSeparators(raw), opposite[conv])
				if a != b || code != code2 {
					t.Fatalf("%q in %v is %v %q; swapped in the opposite, %v %q", raw, conv, a, code, b, code2)
				}
			}
		}
	})
}
