package payout

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Decimal is an amount as the server sends it, read liberally: a JSON
// number or a string, any number of decimal places, thousands separators
// ("1,000.00") and surrounding spaces. It is kept exactly, as text; Amount
// says whether it is a whole number of halalas. Our own amounts are
// compared with it exactly, never rounded.
type Decimal struct {
	text string // canonical: optional '-', digits, optional '.' and digits; "" when absent
	raw  string // what the server sent, when it is not a number
}

// ParseServerDecimal reads an amount the way the server may write it.
func ParseServerDecimal(s string) Decimal {
	if canonicalDecimal(s) {
		return Decimal{text: s}
	}
	return parseServerDecimal(s)
}

// parseServerDecimal is ParseServerDecimal without its fast path.
func parseServerDecimal(s string) Decimal {
	t := strings.TrimSpace(s)
	t = strings.ReplaceAll(t, ",", "")
	t = strings.ReplaceAll(t, " ", "")
	neg := false
	switch {
	case strings.HasPrefix(t, "-"):
		neg, t = true, t[1:]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	whole, frac, dot := strings.Cut(t, ".")
	if t == "" || (whole == "" && frac == "") || !digits(whole) || !digits(frac) || (dot && frac == "" && whole == "") {
		if strings.TrimSpace(s) == "" {
			return Decimal{}
		}
		return Decimal{raw: strings.TrimSpace(s)}
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	frac = strings.TrimRight(frac, "0")
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return Decimal{text: out}
}

// canonicalDecimal reports whether s is already what ParseServerDecimal
// makes of a number: digits without leading zeros ("0" alone), then
// optionally a dot and digits without trailing zeros (TestCanonicalDecimal).
func canonicalDecimal(s string) bool {
	whole, frac, dot := strings.Cut(s, ".")
	switch {
	case whole == "" || !digits(whole) || len(whole) > 1 && whole[0] == '0':
		return false
	case !dot:
		return true
	}
	return frac != "" && digits(frac) && frac[len(frac)-1] != '0'
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// DecimalOf is an amount of ours as a Decimal.
func DecimalOf(a Amount) Decimal { return ParseServerDecimal(a.String()) }

// UnmarshalJSON reads a number, a string, or null.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*d = Decimal{}
		return nil
	}
	if len(b) > 2 && b[0] == '"' && b[len(b)-1] == '"' && canonicalDecimal(string(b[1:len(b)-1])) {
		*d = Decimal{text: string(b[1 : len(b)-1])}
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		var err error
		if s, err = strconv.Unquote(s); err != nil {
			var v string
			if json.Unmarshal(b, &v) != nil {
				*d = Decimal{raw: string(b)}
				return nil
			}
			s = v
		}
	}
	*d = ParseServerDecimal(s)
	return nil
}

// MarshalJSON writes the amount as a JSON string, as the server does.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Amount returns the amount in halalas when it is exactly a whole number of
// halalas ("201.01", "201.010"), and false otherwise ("1.725", "n/a", absent).
func (d Decimal) Amount() (Amount, bool) {
	if d.text == "" {
		return 0, false
	}
	_, frac, _ := strings.Cut(strings.TrimPrefix(d.text, "-"), ".")
	if len(frac) > 2 {
		return 0, false
	}
	a, err := ParseDecimal(d.text)
	return a, err == nil
}

// micros is money in millionths of a riyal: the totals row of a sheet
// sums amounts, fees and totals (which the server may write with three
// decimals) exactly.
type micros int64

// inexact marks a value that cannot be summed exactly: the totals row
// then leaves its column empty rather than show a rounded sum.
const inexact = micros(-1 << 63)

// Float is the sum as the number an XLSX cell holds.
func (m micros) Float() float64 { return float64(m) / 1e6 }

// micros returns the amount in millionths of a riyal, and false when it
// has more decimals than that, or is no number.
func (d Decimal) micros() (micros, bool) {
	if d.text == "" {
		return 0, false
	}
	neg := strings.HasPrefix(d.text, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(d.text, "-"), ".")
	if len(frac) > 6 || len(whole) > 12 {
		return 0, false
	}
	n, err := strconv.ParseInt(whole+(frac + "000000")[:6], 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return micros(n), true
}

// String formats the amount with at least two decimal places ("0.63",
// "1.725", "12.00"), or returns what the server sent when it was no number.
func (d Decimal) String() string {
	if d.text == "" {
		return d.raw
	}
	whole, frac, _ := strings.Cut(d.text, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	return whole + "." + frac
}

// Grouped formats the amount with thousands separators ("12,500.50").
func (d Decimal) Grouped() string {
	if a, ok := d.Amount(); ok {
		return a.Grouped()
	}
	return d.String()
}
