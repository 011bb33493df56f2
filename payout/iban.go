package payout

import (
	"strings"
)

// ibanFormats is the IBAN registry: for each country the BBAN's structure,
// in the registry's notation (n digits, a upper-case letters, c letters or
// digits; a count before each). The IBAN's length is 4 plus the BBAN's.
var ibanFormats = map[string]string{
	"AD": "4n4n12c", "AE": "3n16n", "AL": "8n16c", "AT": "5n11n", "AZ": "4a20c", "BA": "3n3n8n2n",
	"BE": "3n7n2n", "BG": "4a4n2n8c", "BH": "4a14c", "BI": "5n5n11n2n", "BR": "8n5n10n1a1c", "BY": "4c4n16c",
	"CH": "5n12c", "CR": "4n14n", "CY": "3n5n16c", "CZ": "4n6n10n", "DE": "8n10n", "DJ": "5n5n11n2n",
	"DK": "4n9n1n", "DO": "4c20n", "EE": "2n2n11n1n", "EG": "4n4n17n", "ES": "4n4n1n1n10n", "FI": "3n11n",
	"FK": "2a12n", "FO": "4n9n1n", "FR": "5n5n11c2n", "GB": "4a6n8n", "GE": "2a16n", "GI": "4a15c",
	"GL": "4n9n1n", "GR": "3n4n16c", "GT": "4c20c", "HR": "7n10n", "HU": "3n4n1n15n1n", "IE": "4a6n8n",
	"IL": "3n3n13n", "IQ": "4a3n12n", "IS": "4n2n6n10n", "IT": "1a5n5n12c", "JO": "4a4n18c", "KW": "4a22c",
	"KZ": "3n13c", "LB": "4n20c", "LC": "4a24c", "LI": "5n12c", "LT": "5n11n", "LU": "3n13c", "LV": "4a13c",
	"LY": "3n3n15n", "MC": "5n5n11c2n", "MD": "2c18c", "ME": "3n13n2n", "MK": "3n10c2n", "MN": "4n12n",
	"MR": "5n5n11n2n", "MT": "4a5n18c", "MU": "4a2n2n12n3n3a", "NI": "4a20n", "NL": "4a10n", "NO": "4n6n1n",
	"OM": "3n16c", "PK": "4a16c", "PL": "8n16n", "PS": "4a21c", "PT": "4n4n11n2n", "QA": "4a21c",
	"RO": "4a16c", "RS": "3n13n2n", "RU": "9n5n15c", "SA": "2n18c", "SC": "4a2n2n16n3a", "SD": "2n12n",
	"SE": "3n16n1n", "SI": "5n8n2n", "SK": "4n6n10n", "SM": "1a5n5n12c", "SO": "4n3n12n", "ST": "4n4n11n2n",
	"SV": "4a20n", "TL": "3n14n2n", "TN": "2n3n13n2n", "TR": "5n1n16c", "UA": "6n19c", "VA": "3n15n",
	"VG": "4a16n", "XK": "4n10n2n", "YE": "4a4n18c",
}

// NormalizeIBAN removes spaces, dashes, dots and invisible marks and upper-cases the
// letters, and turns Arabic-Indic digits into ASCII.
func NormalizeIBAN(s string) string {
	s = toASCIIDigits(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '\u00a0' || r == '\u200f' || r == '\u200e' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// CheckIBAN validates a normalised IBAN: letters and digits only, a country
// in the IBAN registry, that country's exact length and BBAN structure, and
// the ISO 13616 mod-97 check digits. It returns "" or the error code
// (iban.invalid, iban.country, iban.length, iban.format, iban.checksum).
func CheckIBAN(iban string) string {
	if len(iban) < 4 {
		return "iban.length"
	}
	for _, r := range iban {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "iban.invalid"
		}
	}
	format, ok := ibanFormats[iban[:2]]
	if !ok {
		if !isUpper(iban[:2]) {
			return "iban.invalid"
		}
		return "iban.country"
	}
	if !isDigits(iban[2:4]) {
		return "iban.format"
	}
	if len(iban) != 4+bbanLength(format) {
		return "iban.length"
	}
	if !matchBBAN(iban[4:], format) {
		return "iban.format"
	}
	if mod97(iban[4:]+iban[:4]) != 1 {
		return "iban.checksum"
	}
	return ""
}

// IBANLength returns the length an IBAN of the country must have, or 0.
func IBANLength(country string) int {
	f, ok := ibanFormats[country]
	if !ok {
		return 0
	}
	return 4 + bbanLength(f)
}

func isUpper(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func isDigits(s string) bool { return s != "" && allDigits(s) }

// eachPart calls fn for each (count, class) of a BBAN structure.
func eachPart(format string, fn func(n int, class byte)) {
	n := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c >= '0' && c <= '9' {
			n = n*10 + int(c-'0')
			continue
		}
		fn(n, c)
		n = 0
	}
}

func bbanLength(format string) int {
	total := 0
	eachPart(format, func(n int, _ byte) { total += n })
	return total
}

func matchBBAN(bban, format string) bool {
	ok, pos := true, 0
	eachPart(format, func(n int, class byte) {
		for i := 0; i < n && ok; i++ {
			c := bban[pos+i]
			switch class {
			case 'n':
				ok = c >= '0' && c <= '9'
			case 'a':
				ok = c >= 'A' && c <= 'Z'
			default:
				ok = c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
			}
		}
		pos += n
	})
	return ok
}

// mod97 computes the ISO 7064 MOD 97-10 remainder, letters counting as 10-35.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
}

// IBANCheckDigits computes the two check digits for a country and BBAN; it
// is how test data and the simulator make valid IBANs.
func IBANCheckDigits(country, bban string) string {
	r := 98 - mod97(bban+country+"00")
	return string([]byte{byte('0' + r/10), byte('0' + r%10)})
}
