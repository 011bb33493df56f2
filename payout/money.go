// Package payout is the domain of the tool: the Clickpay payout request,
// the exact money type, the normalisation and validation of every field of a
// row, and the error report and results sheet. It does not talk HTTP (see
// payout/clickpay) and does not read files (see importer and mapping).
package payout

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Amount is an exact sum of money in halalas (hundredths of a riyal). No
// float64 ever holds money in this program.
type Amount int64

// MaxAmount is the largest amount one row may carry: 999,999,999.99. It keeps
// sums of many rows far from overflow and catches a pasted account number.
const MaxAmount Amount = 99_999_999_999

// String formats the amount with two decimal places: "1234.50".
func (a Amount) String() string { return string(a.Append(make([]byte, 0, 24))) }

// Append appends the amount as String writes it.
func (a Amount) Append(b []byte) []byte {
	v := uint64(a)
	if a < 0 {
		b = append(b, '-')
		v = -v // in uint64, also right for the smallest int64
	}
	b = strconv.AppendUint(b, v/100, 10)
	return append(b, '.', byte('0'+v%100/10), byte('0'+v%10))
}

// Grouped formats the amount with thousands separators: "12,500.50".
func (a Amount) Grouped() string {
	s := a.String()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String() + "." + frac
}

// MarshalJSON writes the amount as a JSON number with two decimals, straight
// from the integer: 1234.50, never 1234.4999999.
func (a Amount) MarshalJSON() ([]byte, error) { return a.Append(nil), nil }

// UnmarshalJSON reads a number or a string holding a number ("201.01").
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*a = 0
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		var err error
		if s, err = strconv.Unquote(s); err != nil {
			return fmt.Errorf("amount %s: %w", b, err)
		}
	}
	v, err := ParseDecimal(s)
	if err != nil {
		return fmt.Errorf("amount %q: %w", s, err)
	}
	*a = v
	return nil
}

// MarshalCSV writes the amount with two decimals (for gocsv).
func (a Amount) MarshalCSV() (string, error) { return a.String(), nil }

// UnmarshalCSV reads an amount written by MarshalCSV (for gocsv).
func (a *Amount) UnmarshalCSV(s string) error {
	v, err := ParseDecimal(s)
	*a = v
	return err
}

// ErrDecimal is returned by ParseDecimal for text that is not a plain
// decimal number with at most two places.
var ErrDecimal = errors.New("not a decimal number with at most two places")

// ParseDecimal reads a plain machine-written decimal ("-12.5", "1234.50",
// "7"): digits, an optional sign and at most two significant decimals.
// Trailing zeros after the second decimal are accepted ("1.500").
func ParseDecimal(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, ErrDecimal
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, ErrDecimal
	}
	if hasDot && frac == "" {
		return 0, ErrDecimal
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, ErrDecimal
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 15 {
		return 0, errors.New("too large")
	}
	// At most 15 digits and two decimals: the halalas fit in an int64.
	var v int64
	for i := 0; i < len(whole); i++ {
		v = v*10 + int64(whole[i]-'0')
	}
	for i := 0; i < 2; i++ {
		v *= 10
		if i < len(frac) {
			v += int64(frac[i] - '0')
		}
	}
	if neg {
		v = -v
	}
	return Amount(v), nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseAmount reads an amount as people type it in a salary sheet:
// "12,500.50", "12500.5", Arabic-Indic digits and separators ("١٢٬٥٠٠٫٥٠"),
// with a leading or trailing currency ("SAR 100", "ر.س ١٠٠"). The result must
// be above zero with at most two decimals. On failure it returns the stable
// error code that says why (amount.invalid, amount.negative, amount.zero,
// amount.decimals, amount.too_large, amount.scientific).
func ParseAmount(raw string) (Amount, string) {
	s := bareAmount(raw)
	if s == "" {
		return 0, "field.required"
	}
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, s[1:len(s)-1]
	}
	if strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") {
		neg, s = true, strings.Trim(s, "-")
	}
	if strings.ContainsAny(s, "eE") && isScientific(s) {
		return 0, "amount.scientific"
	}
	whole, frac, _ := strings.Cut(s, ".")
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		for i, g := range groups {
			if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, "amount.invalid"
			}
		}
		whole = strings.Join(groups, "")
	}
	if strings.Contains(frac, ",") {
		return 0, "amount.invalid"
	}
	if hasDigitsOnly(frac) && len(strings.TrimRight(frac, "0")) > 2 && hasDigitsOnly(whole) {
		return 0, "amount.decimals"
	}
	v, err := ParseDecimal(whole + dotIf(frac, strings.Contains(s, ".")))
	switch {
	case err != nil && err.Error() == "too large":
		return 0, "amount.too_large"
	case err != nil:
		return 0, "amount.invalid"
	case neg && v != 0:
		return 0, "amount.negative"
	case v == 0:
		return 0, "amount.zero"
	case v > MaxAmount:
		return 0, "amount.too_large"
	}
	return v, ""
}

// bareAmount is an amount as typed without its currency, spaces and
// direction marks, with Arabic digits and separators made ASCII.
func bareAmount(raw string) string {
	if plainASCIINumber(raw) {
		return raw // nothing to take off or turn into ASCII
	}
	s := strings.TrimSpace(toASCIIDigits(raw))
	for _, cur := range []string{"SAR", "SR", "ر.س.", "ر.س", "ريال", "﷼"} {
		if len(s) >= len(cur) && strings.EqualFold(s[:len(cur)], cur) {
			s = strings.TrimSpace(s[len(cur):])
		}
		if len(s) >= len(cur) && strings.EqualFold(s[len(s)-len(cur):], cur) {
			s = strings.TrimSpace(s[:len(s)-len(cur)])
		}
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u200f' || r == '\u200e' {
			return -1
		}
		return r
	}, s)
}

// plainASCIINumber reports whether s holds nothing but ASCII digits, dots
// and commas: an amount bareAmount leaves as it is.
func plainASCIINumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c == '.' || c == ',') {
			return false
		}
	}
	return true
}

func dotIf(frac string, dot bool) string {
	if dot {
		return "." + frac
	}
	return ""
}

func hasDigitsOnly(s string) bool { return s != "" && allDigits(s) }

func isScientific(s string) bool {
	m, e, ok := strings.Cut(strings.ToUpper(s), "E")
	if !ok || m == "" || e == "" {
		return false
	}
	m = strings.Replace(m, ".", "", 1)
	e = strings.TrimLeft(e, "+-")
	return allDigits(m) && hasDigitsOnly(e)
}

// toASCIIDigits turns Arabic-Indic and Eastern Arabic-Indic digits into
// ASCII, the Arabic decimal separator into "." and the Arabic thousands
// separator into ",".
func toASCIIDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		case r == '٫':
			return '.'
		case r == '٬':
			return ','
		}
		return r
	}, s)
}
