package payout

import (
	"net/mail"
	"strings"
	"sync/atomic"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// NormalizeMobile turns a mobile number as typed into E.164 ("+966501234567"),
// reading local forms ("0501234567") in the given country. It returns the
// error code when it cannot: mobile.scientific for a number Excel turned into
// 9.66501E+11, mobile.letters for letters (which the phone library would
// quietly read as keypad digits), mobile.invalid otherwise.
func NormalizeMobile(raw, country string) (string, string) {
	s := strings.TrimSpace(toASCIIDigits(raw))
	if s == "" {
		return "", "field.required"
	}
	if isScientific(strings.ReplaceAll(s, ",", ".")) {
		return "", "mobile.scientific"
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			return "", "mobile.letters"
		}
	}
	// A whole number stored as 966501234567.0 by some exports.
	s = strings.TrimSuffix(s, ".0")
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if country == "" {
		country = "SA"
	}
	if country == "SA" {
		if nsn, ok := saMobileForm(s); ok {
			// The common case, without the phone library's regular
			// expressions: the answer for a Saudi mobile depends only on
			// the first digits of its number (TestMobileFastPath).
			code := saMobileRange(nsn[:saRangeDigits])
			if code == "mobile.invalid" {
				return "", code
			}
			return "+966" + nsn, code
		}
	}
	return parseMobile(s, country)
}

// parseMobile reads a number with the phone library.
func parseMobile(s, country string) (string, string) {
	n, err := phonenumbers.Parse(s, country)
	if err != nil {
		return "", "mobile.invalid"
	}
	if !phonenumbers.IsValidNumber(n) {
		// The right length and the prefix of the country's mobiles, in a
		// range the library does not list (newly opened, or a library that
		// lags the numbering plan): the number is used, with a warning. The
		// mobile is for notification; the money goes to the IBAN.
		if possibleMobile(n) {
			return phonenumbers.Format(n, phonenumbers.E164), "mobile.unlisted"
		}
		return "", "mobile.invalid"
	}
	return phonenumbers.Format(n, phonenumbers.E164), ""
}

// saRangeDigits is how many digits of a Saudi mobile's national number
// decide whether the phone library lists it.
const saRangeDigits = 4

// saMobileForm returns the national number of a Saudi mobile written in
// one of its two usual forms, 05XXXXXXXX or +9665XXXXXXXX.
func saMobileForm(s string) (string, bool) {
	switch {
	case len(s) == 10 && s[0] == '0' && s[1] == '5' && allDigits(s[2:]):
		return s[1:], true
	case len(s) == 13 && strings.HasPrefix(s, "+9665") && allDigits(s[5:]):
		return s[4:], true
	}
	return "", false
}

// saRanges caches, per leading digits of a Saudi mobile's national number
// (5XXX: the three after the 5 index it), the phone library's answer: 0
// not asked yet, 1 valid, 2 mobile.unlisted, 3 mobile.invalid. It only
// ever holds what the library answers, so that every check shares it.
var saRanges [1000]atomic.Uint32

func saMobileRange(prefix string) string {
	i := (int(prefix[1]-'0')*10+int(prefix[2]-'0'))*10 + int(prefix[3]-'0')
	switch saRanges[i].Load() {
	case 1:
		return ""
	case 2:
		return "mobile.unlisted"
	case 3:
		return "mobile.invalid"
	}
	nsn := prefix + strings.Repeat("0", 9-len(prefix))
	_, code := parseMobile("+966"+nsn, "SA")
	switch code {
	case "":
		saRanges[i].Store(1)
	case "mobile.unlisted":
		saRanges[i].Store(2)
	case "mobile.invalid":
		saRanges[i].Store(3)
	}
	return code
}

// possibleMobile reports whether a number has a possible length for its
// country and starts like the country's example mobile number.
func possibleMobile(n *phonenumbers.PhoneNumber) bool {
	if phonenumbers.IsPossibleNumberWithReason(n) != phonenumbers.IS_POSSIBLE {
		return false
	}
	region := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode()))
	example := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE)
	if example == nil {
		return false
	}
	national := phonenumbers.GetNationalSignificantNumber(n)
	sample := phonenumbers.GetNationalSignificantNumber(example)
	return national != "" && sample != "" && national[0] == sample[0] && len(national) == len(sample)
}

// CheckEmail reports whether s is one plain address (no name, no list).
func CheckEmail(s string) bool { return plainEmail(s) || checkEmailParsed(s) }

// checkEmailParsed is CheckEmail by the mail parser.
func checkEmailParsed(s string) bool {
	if strings.ContainsAny(s, " ,;<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// countryNames are the names accepted for a country besides its code.
var countryNames = map[string]string{
	"SAUDI ARABIA": "SA", "KSA": "SA", "SAUDI": "SA", "KINGDOM OF SAUDI ARABIA": "SA",
	"السعودية": "SA", "المملكة العربية السعودية": "SA", "المملكه العربيه السعوديه": "SA",
	"UAE": "AE", "UNITED ARAB EMIRATES": "AE", "الإمارات": "AE", "الامارات": "AE",
	"BAHRAIN": "BH", "البحرين": "BH", "KUWAIT": "KW", "الكويت": "KW",
	"QATAR": "QA", "قطر": "QA", "OMAN": "OM", "عمان": "OM", "EGYPT": "EG", "مصر": "EG",
	"JORDAN": "JO", "الأردن": "JO", "الاردن": "JO",
}

// NormalizeCountry returns the ISO 3166-1 alpha-2 code for a code or a
// common name, or "" when it is not one.
func NormalizeCountry(s string) string {
	s = strings.TrimSpace(s)
	u := strings.ToUpper(s)
	if c, ok := countryNames[u]; ok {
		return c
	}
	if len(u) == 2 && isUpper(u) {
		if phonenumbers.GetSupportedRegions()[u] {
			return u
		}
		if _, ok := ibanFormats[u]; ok {
			return u
		}
	}
	return ""
}

// TransferCode is the Clickpay reason for a payout.
type TransferCode int

// The transfer codes.
const (
	Salary                TransferCode = 100
	Pension               TransferCode = 101
	GeneralCashManagement TransferCode = 102
	Donation              TransferCode = 103
)

// ParseTransferCode accepts 100-103 or the words (English or Arabic).
func ParseTransferCode(s string) (TransferCode, bool) {
	s = strings.TrimSpace(strings.ToLower(toASCIIDigits(s)))
	s = strings.TrimSuffix(s, ".0")
	switch s {
	case "100", "salary", "salaries", "راتب", "رواتب", "الراتب":
		return Salary, true
	case "101", "pension", "معاش", "تقاعد":
		return Pension, true
	case "102", "general cash management", "cash management", "general", "ادارة النقد", "إدارة النقد":
		return GeneralCashManagement, true
	case "103", "donation", "تبرع":
		return Donation, true
	}
	return 0, false
}

// plainEmail reports whether s is an address of the usual form, which
// CheckEmail accepts without the mail parser: ASCII letters, digits and
// "._+-" on each side of one "@", dots neither first, last nor doubled on
// either side, and a dot in the domain (TestEmailFastPath). False says
// nothing: the parser decides.
func plainEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	dotted := false
	prev := byte('.') // a dot first is refused
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '+', c == '-':
		case c == '.':
			if prev == '.' {
				return false
			}
			dotted = dotted || i > at
		case c == '@':
			if i != at || prev == '.' {
				return false
			}
			c = '.' // the domain may not start with a dot either
		default:
			return false
		}
		prev = c
	}
	return prev != '.' && dotted
}
