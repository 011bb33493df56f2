package payout

import (
	"regexp"
	"strings"
)

// Convention is how a file writes decimals: 1,250.50 (decimal point) or
// 1.250,50 (decimal comma, usual in files separated by ";").
type Convention int

// The conventions. Unknown is a file whose amounts do not tell.
const (
	Unknown Convention = iota
	DecimalPoint
	DecimalComma
)

func (c Convention) String() string {
	switch c {
	case DecimalPoint:
		return "decimal point (1,250.50)"
	case DecimalComma:
		return "decimal comma (1.250,50)"
	}
	return "not told by the amounts"
}

// groupedComma and groupedDot are numbers with one kind of separator
// between groups of three digits (1,250; 3.500; 1,250,000).
var (
	groupedComma = regexp.MustCompile(`^\d{1,3}(?:,\d{3})+$`)
	groupedDot   = regexp.MustCompile(`^\d{1,3}(?:\.\d{3})+$`)
)

// groupSep returns the separator of a number in groups of three, or "".
func groupSep(s string) string {
	switch {
	case groupedComma.MatchString(s):
		return ","
	case groupedDot.MatchString(s):
		return "."
	}
	return ""
}

// Conventions gathers what a file's amounts say about its convention.
type Conventions struct {
	point, comma int
}

// Observe notes what one amount, as typed, says.
func (c *Conventions) Observe(raw string) {
	s := amountText(raw)
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case dot >= 0 && comma >= 0 && dot > comma:
		c.point++
	case dot >= 0 && comma >= 0:
		c.comma++
	case groupSep(s) != "":
		// 1,250 or 3.500: says nothing.
	case comma >= 0:
		c.comma++
	case dot >= 0:
		c.point++
	}
}

// Decide returns the file's convention: the one its amounts show, Unknown
// when they show none or both.
func (c *Conventions) Decide() Convention {
	switch {
	case c.point > 0 && c.comma == 0:
		return DecimalPoint
	case c.comma > 0 && c.point == 0:
		return DecimalComma
	}
	return Unknown
}

// amountText is an amount as typed, bare (see bareAmount) and without a
// sign, for reading its separators.
func amountText(raw string) string { return strings.Trim(bareAmount(raw), "()-+") }

// ParseAmountIn reads an amount in a file's convention. In DecimalComma,
// "1.250,50" is 1250.50 and "1,250" is 1.25; in DecimalPoint the reverse.
// With Unknown, a value that reads two ways (1,250; 3.500) is refused with
// the code amount.ambiguous and both readings in details; any other value is
// read by its own form. Other codes are ParseAmount's.
func ParseAmountIn(raw string, c Convention) (a Amount, code string, details []string) {
	s := amountText(raw)
	if sep := groupSep(s); c == Unknown && sep != "" {
		whole := strings.ReplaceAll(s, sep, "")
		if strings.Count(s, sep) > 1 {
			// 1,250,000: only thousands separators come more than once.
			a, code = ParseAmount(whole)
			return a, code, nil
		}
		asGroups, _ := ParseDecimal(whole)
		asDecimal, _ := ParseDecimal(strings.Replace(s, sep, ".", 1))
		return 0, "amount.ambiguous", []string{raw, asGroups.Grouped(), asDecimal.Grouped()}
	}
	if c == DecimalComma || (c == Unknown && strings.LastIndexByte(s, ',') > strings.LastIndexByte(s, '.')) {
		raw = swapSeparators(raw)
	}
	a, code = ParseAmount(raw)
	return a, code, nil
}

// swapSeparators turns 1.250,50 into 1,250.50 (and a space or a dot used
// for thousands into a comma), so that ParseAmount reads it.
func swapSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '.':
			return ','
		case ',':
			return '.'
		}
		return r
	}, s)
}
