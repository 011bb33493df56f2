package payout

import (
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

// groupSep returns the separator of a number in groups of three, or "":
// one to three ASCII digits, then one or more groups of a separator and
// three digits, with one kind of separator (1,250; 3.500; 1,250,000).
func groupSep(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 3 || i == len(s) || s[i] != ',' && s[i] != '.' {
		return ""
	}
	sep := s[i]
	for ; i < len(s); i += 4 {
		if len(s)-i < 4 || s[i] != sep || !allDigits(s[i+1:i+4]) {
			return ""
		}
	}
	return string(sep)
}

// Conventions gathers what a file's amounts say about its convention.
type Conventions struct {
	point, comma int
}

// Observe notes what one amount, as typed, says.
func (c *Conventions) Observe(raw string) { c.count(voteOf(raw)) }

// count notes a vote of voteOf.
func (c *Conventions) count(v Convention) {
	switch v {
	case DecimalPoint:
		c.point++
	case DecimalComma:
		c.comma++
	}
}

// voteOf is what one amount, as typed, says of its file's convention:
// DecimalPoint, DecimalComma, or Unknown when it says nothing.
func voteOf(raw string) Convention {
	s := amountText(raw)
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case dot >= 0 && comma >= 0 && dot > comma:
		return DecimalPoint
	case dot >= 0 && comma >= 0:
		return DecimalComma
	case groupSep(s) != "":
		// 1,250 or 3.500: says nothing.
	case comma >= 0:
		return DecimalComma
	case dot >= 0:
		return DecimalPoint
	}
	return Unknown
}

// Outcome returns the convention a file's amounts are read in: the one
// they show (Decide), and for a comma-separated file whose amounts show
// none, or both, the decimal point: decimal-comma settings separate lists
// with ";", so a file of amounts like "12,500" (quoted) comes from a
// decimal-point setting.
func (c *Conventions) Outcome(delimiter rune) Convention {
	conv := c.Decide()
	if conv == Unknown && delimiter == ',' {
		conv = DecimalPoint
	}
	return conv
}

// possible lists the conventions a file separated by delimiter may turn
// out to be read in (Outcome), knowing that one of its amounts votes v:
// an amount that shows a decimal point rules the decimal comma out, and
// the reverse.
func possible(v Convention, delimiter rune) []Convention {
	comma := delimiter == ','
	switch {
	case v == DecimalPoint && comma:
		return []Convention{DecimalPoint}
	case v == DecimalPoint:
		return []Convention{DecimalPoint, Unknown}
	case v == DecimalComma && comma:
		return []Convention{DecimalComma, DecimalPoint}
	case v == DecimalComma:
		return []Convention{DecimalComma, Unknown}
	case comma:
		return []Convention{DecimalPoint, DecimalComma}
	}
	return []Convention{DecimalPoint, DecimalComma, Unknown}
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
