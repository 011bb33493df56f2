package payout

import (
	"encoding/json"
	"math"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
		code string
	}{
		{"12,500.50", 1250050, ""},
		{"12500.5", 1250050, ""},
		{"١٢٬٥٠٠٫٥٠", 1250050, ""},
		{"۱۲۵۰۰", 1250000, ""},
		{"SAR 100", 10000, ""},
		{"ر.س ١٠٠", 10000, ""},
		{"100 SAR", 10000, ""},
		{"0.01", 1, ""},
		{"1.500", 150, ""},
		{" 7 ", 700, ""},
		{"999999999.99", 99999999999, ""},
		{"-5", 0, "amount.negative"},
		{"(5.00)", 0, "amount.negative"},
		{"0", 0, "amount.zero"},
		{"0.00", 0, "amount.zero"},
		{"1.234", 0, "amount.decimals"},
		{"abc", 0, "amount.invalid"},
		{"12,50", 0, "amount.invalid"},
		{"1,2345.00", 0, "amount.invalid"},
		{"1.2.3", 0, "amount.invalid"},
		{"1.25E+04", 0, "amount.scientific"},
		{"1000000000", 0, "amount.too_large"},
		{"", 0, "field.required"},
	}
	for _, tt := range tests {
		got, code := ParseAmount(tt.in)
		if got != tt.want || code != tt.code {
			t.Errorf("ParseAmount(%q) = %v, %q; want %v, %q", tt.in, got, code, tt.want, tt.code)
		}
	}
}

func TestAmountFormatAndJSON(t *testing.T) {
	for _, tt := range []struct {
		a       Amount
		s, json string
	}{{1, "0.01", "0.01"}, {123450, "1234.50", "1234.50"}, {99999999999, "999999999.99", "999999999.99"}, {-5, "-0.05", "-0.05"}, {0, "0.00", "0.00"}, {-123456, "-1234.56", "-1234.56"}} {
		if tt.a.String() != tt.s {
			t.Errorf("%d.String() = %s", tt.a, tt.a.String())
		}
		b, _ := json.Marshal(tt.a)
		if string(b) != tt.json {
			t.Errorf("%d JSON = %s", tt.a, b)
		}
		var back Amount
		if err := json.Unmarshal(b, &back); err != nil || back != tt.a {
			t.Errorf("round trip of %s: %v %v", b, back, err)
		}
		if err := json.Unmarshal([]byte(`"`+tt.s+`"`), &back); err != nil || back != tt.a {
			t.Errorf("string %q: %v %v", tt.s, back, err)
		}
	}
	if got := Amount(math.MinInt64).String(); got != "-92233720368547758.08" {
		t.Errorf("the smallest amount: %s", got)
	}
	if got := Amount(math.MaxInt64).String(); got != "92233720368547758.07" {
		t.Errorf("the largest amount: %s", got)
	}
	if Amount(1250050).Grouped() != "12,500.50" {
		t.Error(Amount(1250050).Grouped())
	}
	var a Amount
	if err := json.Unmarshal([]byte(`1.234`), &a); err == nil {
		t.Error("three decimals read silently")
	}
}

func TestCheckIBAN(t *testing.T) {
	tests := map[string]string{
		"SA0380000000608010167519":  "",
		"GB82WEST12345698765432":    "",
		"DE89370400440532013000":    "",
		"AE070331234567890123456":   "",
		"SA0380000000608010167518":  "iban.checksum",
		"SA038000000060801016751":   "iban.length",
		"SA03800000006080101675199": "iban.length",
		"XX0380000000608010167519":  "iban.country",
		"SA03X0000000608010167519":  "iban.format",
		"SAXX80000000608010167519":  "iban.format",
		"SA03-8000000608010167519":  "iban.invalid",
		"sa0380000000608010167519":  "iban.invalid",
		"SA":                        "iban.length",
	}
	for in, want := range tests {
		if got := CheckIBAN(in); got != want {
			t.Errorf("CheckIBAN(%q) = %q, want %q", in, got, want)
		}
	}
	if n := NormalizeIBAN(" sa03 8000-0000 6080 1016 7519 "); n != "SA0380000000608010167519" {
		t.Errorf("NormalizeIBAN = %q", n)
	}
	if d := IBANCheckDigits("SA", "80000000608010167519"); d != "03" {
		t.Errorf("check digits %s", d)
	}
}

func TestNormalizeMobile(t *testing.T) {
	tests := []struct{ in, country, want, code string }{
		{"0501234567", "SA", "+966501234567", ""},
		{"966501234567", "SA", "+966501234567", ""},
		{"+966 50 123 4567", "SA", "+966501234567", ""},
		{"00966501234567", "SA", "+966501234567", ""},
		{"٠٥٠١٢٣٤٥٦٧", "SA", "+966501234567", ""},
		{"501234567", "SA", "+966501234567", ""},
		{"+971501234567", "SA", "+971501234567", ""},
		{"9.66501E+11", "SA", "", "mobile.scientific"},
		{"9,66501E+11", "SA", "", "mobile.scientific"},
		{"05ABC12345", "SA", "", "mobile.letters"},
		{"ABC", "SA", "", "mobile.letters"},
		{"05012", "SA", "", "mobile.invalid"},
		{"12345678901234567", "SA", "", "mobile.invalid"},
		{"", "SA", "", "field.required"},
	}
	for _, tt := range tests {
		got, code := NormalizeMobile(tt.in, tt.country)
		if got != tt.want || code != tt.code {
			t.Errorf("NormalizeMobile(%q) = %q, %q; want %q, %q", tt.in, got, code, tt.want, tt.code)
		}
	}
}

func TestEmailCountryTransferCode(t *testing.T) {
	for s, ok := range map[string]bool{"a@b.co": true, "first.last@example.com.sa": true, "a@b": false, "A <a@b.co>": false,
		"a@b.co,c@d.co": false, "a@b.co; c@d.co": false, "not-an-email": false, "@b.co": false} {
		if CheckEmail(s) != ok {
			t.Errorf("CheckEmail(%q) = %v", s, !ok)
		}
	}
	for s, want := range map[string]string{"SA": "SA", "sa": "SA", "Saudi Arabia": "SA", "السعودية": "SA", "KSA": "SA", "AE": "AE", "ZZ": "", "Saudi Arabiaa": "", "S": ""} {
		if got := NormalizeCountry(s); got != want {
			t.Errorf("NormalizeCountry(%q) = %q, want %q", s, got, want)
		}
	}
	for s, want := range map[string]TransferCode{"100": 100, "Salary": 100, "راتب": 100, "101": 101, "Pension": 101, "102": 102, "General Cash Management": 102, "103": 103, "Donation": 103, "100.0": 100} {
		if got, ok := ParseTransferCode(s); !ok || got != want {
			t.Errorf("ParseTransferCode(%q) = %v %v", s, got, ok)
		}
	}
	for _, s := range []string{"104", "99", "bonus", ""} {
		if _, ok := ParseTransferCode(s); ok {
			t.Errorf("ParseTransferCode(%q) accepted", s)
		}
	}
}

func TestSaudiBanks(t *testing.T) {
	b := SaudiBanks()
	if bank, ok := b.ForIBAN("SA0380000000608010167519"); !ok || bank.BIC != "RJHISARI" {
		t.Errorf("ForIBAN: %+v %v", bank, ok)
	}
	for _, typed := range []string{"RJHISARI", "rjhisarixxx", "Al Rajhi Bank", "الراجحي", "مصرف الراجحي", "Rajhi"} {
		if bank, ok := b.Recognize(typed); !ok || bank.BIC != "RJHISARI" {
			t.Errorf("Recognize(%q) = %+v %v", typed, bank, ok)
		}
	}
	if _, ok := b.Recognize("Bank of Nowhere"); ok {
		t.Error("unknown bank recognised")
	}
	if len(b.List()) < 20 {
		t.Errorf("only %d banks", len(b.List()))
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+966": "'+966", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)", "\t=x": "'\t'=x", "ok": "ok", "": ""} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q", in, got)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12,500.50", "١٢٬٥٠٠٫٥٠", "SAR 1", "-1", "1e5", "(2)", "..", ","} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, code := ParseAmount(s)
		if code == "" {
			if a <= 0 || a > MaxAmount {
				t.Fatalf("ParseAmount(%q) accepted %v", s, a)
			}
			if back, err := ParseDecimal(a.String()); err != nil || back != a {
				t.Fatalf("%v does not round-trip: %v %v", a, back, err)
			}
		}
	})
}

func FuzzCheckIBAN(f *testing.F) {
	for _, s := range []string{"SA0380000000608010167519", "GB82WEST12345698765432", "SA", "", "ZZ00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeIBAN(s)
		if CheckIBAN(n) == "" && (len(n) != IBANLength(n[:2]) || mod97(n[4:]+n[:4]) != 1) {
			t.Fatalf("accepted %q", n)
		}
	})
}

func FuzzNormalizeMobile(f *testing.F) {
	for _, s := range []string{"0501234567", "+966501234567", "9.66501E+11", "ABC", "٠٥٠١٢٣٤٥٦٧", "+", "00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e164, code := NormalizeMobile(s, "SA")
		if code == "" && (len(e164) < 8 || e164[0] != '+') {
			t.Fatalf("NormalizeMobile(%q) = %q", s, e164)
		}
	})
}
