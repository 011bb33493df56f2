// Package mapping decides which column of a user's sheet holds which payout
// field. It finds the header row, resolves the user's own header text
// (English or Arabic, or names given in a mapping file) to fields, and applies
// defaults. It does not judge the values: package payout does.
package mapping

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// Field is a payout field a column can hold. The names are the Clickpay
// request keys, plus employee_id, which is kept for the reports only.
type Field string

// The fields.
const (
	Name         Field = "beneficiary_name"
	Account      Field = "beneficiary_account_number"
	Amount       Field = "amount"
	Bank         Field = "beneficiary_bank"
	Branch       Field = "beneficiary_bank_branch"
	Country      Field = "beneficiary_country"
	Email        Field = "beneficiary_email"
	Mobile       Field = "beneficiary_mobile_number"
	Address1     Field = "beneficiary_address1"
	Address2     Field = "beneficiary_address2"
	TransferCode Field = "transfer_code"
	EmployeeID   Field = "employee_id"
)

// Fields lists every field in the order of the template's columns.
func Fields() []Field {
	return []Field{EmployeeID, Name, Account, Bank, Amount, Mobile, Email, Country, Address1, Address2, Branch, TransferCode}
}

// Label returns the field's name as shown to people.
func (f Field) Label() string {
	switch f {
	case Name:
		return "name"
	case Account:
		return "IBAN"
	case Amount:
		return "amount"
	case Bank:
		return "bank"
	case Branch:
		return "bank branch"
	case Country:
		return "country"
	case Email:
		return "email"
	case Mobile:
		return "mobile"
	case Address1:
		return "address"
	case Address2:
		return "address line 2"
	case TransferCode:
		return "transfer code"
	case EmployeeID:
		return "employee ID"
	}
	return string(f)
}

// Required reports whether a row must have a value for the field, from a
// column or a default. Country and bank are derived from a Saudi IBAN when
// there is no column, so they are not required of the sheet.
func (f Field) Required() bool {
	switch f {
	case Name, Account, Amount, Mobile, Email, Address1:
		return true
	}
	return false
}

// ParseField accepts a field's key (beneficiary_name) or a short name (name,
// iban, mobile, ...), as written in a mapping file.
func ParseField(s string) (Field, bool) {
	n := Normalize(s)
	for _, f := range Fields() {
		if Normalize(string(f)) == n {
			return f, true
		}
	}
	short := map[string]Field{
		"name": Name, "iban": Account, "account": Account, "accountnumber": Account,
		"bank": Bank, "branch": Branch, "country": Country, "email": Email,
		"mobile": Mobile, "phone": Mobile, "address": Address1, "address1": Address1,
		"address2": Address2, "transfercode": TransferCode, "employeeid": EmployeeID,
		"amount": Amount,
	}
	f, ok := short[n]
	return f, ok
}

// aliases are the header texts recognised for each field, compared after
// Normalize. The API's own key names are recognised too.
var aliases = map[Field][]string{
	Name: {"name", "employee name", "employee", "beneficiary name", "beneficiary", "full name", "staff name",
		"اسم الموظف", "الاسم", "اسم المستفيد", "الاسم الكامل", "اسم", "الموظف", "المستفيد"},
	Account: {"iban", "iban number", "iban no", "account number", "account no", "account", "bank account",
		"bank account number", "beneficiary iban", "رقم الآيبان", "الآيبان", "آيبان", "ايبان", "رقم الحساب",
		"الحساب", "رقم الحساب البنكي", "الحساب البنكي", "رقم الايبان البنكي"},
	Bank:    {"bank", "bank name", "bic", "swift", "swift code", "bank code", "bank swift", "البنك", "اسم البنك", "المصرف", "رمز البنك"},
	Branch:  {"branch", "bank branch", "branch name", "الفرع", "فرع البنك"},
	Country: {"country", "country code", "beneficiary country", "nationality country", "الدولة", "البلد", "رمز الدولة"},
	Email:   {"email", "e-mail", "email address", "mail", "البريد الإلكتروني", "البريد", "الايميل", "الإيميل", "بريد الكتروني"},
	Mobile: {"mobile", "mobile number", "mobile no", "phone", "phone number", "phone no", "cell", "cell phone",
		"telephone", "الجوال", "رقم الجوال", "جوال", "الهاتف", "رقم الهاتف", "الموبايل", "رقم الموبايل", "هاتف"},
	Address1: {"address", "address1", "address 1", "address line 1", "street", "street address", "home address", "address home",
		"residential address", "residence address", "iqama address", "national address", "employee address", "mailing address",
		"العنوان", "العنوان 1", "عنوان", "عنوان السكن", "العنوان الوطني", "عنوان الموظف", "عنوان الاقامه", "السكن"},
	Address2:     {"address2", "address 2", "address line 2", "العنوان 2", "العنوان الثاني"},
	TransferCode: {"transfer code", "transfer type", "payment type", "code", "رمز التحويل", "نوع التحويل", "نوع الدفع"},
	EmployeeID: {"employee id", "emp id", "employee no", "employee number", "emp no", "staff id", "staff no",
		"employee code", "emp code", "الرقم الوظيفي", "رقم الموظف", "الرقم الوظيفى", "كود الموظف"},
}

// netAmount headers name the amount to pay without doubt.
var netAmount = []string{"amount", "net salary", "net pay", "net", "net amount", "amount to pay", "transfer amount",
	"payout amount", "net payable", "payable", "salary to pay", "net salary sar",
	"صافي الراتب", "صافي", "المبلغ", "المبلغ المستحق", "صافي المستحق", "صافي الاجر", "المبلغ المحول", "مبلغ التحويل"}

// cityHeaders become address line 2 (or line 1 when there is no address).
var cityHeaders = []string{"city", "town", "المدينة", "مدينة"}

// idHeaders are identity-document columns: recognised so that they are never
// taken for a mobile or an amount, and otherwise ignored.
var idHeaders = []string{"national id", "id number", "id no", "iqama", "iqama no", "iqama number", "id", "passport",
	"passport no", "رقم الهوية", "الهوية", "رقم الاقامة", "الاقامة", "الإقامة", "رقم الإقامة", "السجل المدني", "رقم السجل المدني", "gosi number", "رقم التامينات"}

// salaryWords mark a header as a possible amount column: a component of pay
// (basic, housing, GOSI) that must not be paid as the salary by a guess.
var salaryWords = []string{"salary", "allowance", "deduction", "gross", "basic", "wage", "pay", "gosi", "bonus",
	"overtime", "total", "راتب", "الراتب", "بدل", "خصم", "استقطاع", "اجمالي", "إجمالي", "الاجمالي", "مكافاه", "اجر", "الاجر", "اضافي", "التامينات"}

var bracketed = regexp.MustCompile(`[(\[{][^)\]}]*[)\]}]`)

// Normalize folds a header for comparison: case, spaces, "_ - . / : #",
// bracketed units such as "(SAR)", Arabic diacritics and tatweel, and the
// Arabic letter variants (أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي) are ignored.
func Normalize(s string) string {
	s = bracketed.ReplaceAllString(s, "")
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsSpace(r), strings.ContainsRune("_-./:#*'\"،,", r):
			continue
		case r >= 0x064B && r <= 0x0652, r == 0x0640, r == 0x0670: // harakat, tatweel, superscript alef
			continue
		case r == 'أ' || r == 'إ' || r == 'آ' || r == 'ٱ':
			r = 'ا'
		case r == 'ى' || r == 'ئ':
			r = 'ي'
		case r == 'ة':
			r = 'ه'
		case r == 'ؤ':
			r = 'و'
		case r == 'ی': // Persian yeh
			r = 'ي'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// headerWords are the lists of header texts, normalised once.
type headerWords struct {
	fields                map[string]Field // an alias or a key: the first field of Fields that has it
	net, city, id, totals map[string]bool
	salary                []string
}

// words returns the header texts, normalised on first use.
var words = sync.OnceValue(func() *headerWords {
	set := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, a := range list {
			m[Normalize(a)] = true
		}
		return m
	}
	w := &headerWords{fields: map[string]Field{}, net: set(netAmount), city: set(cityHeaders), id: set(idHeaders), totals: set(totalsWords)}
	for _, f := range Fields() {
		for _, a := range append([]string{string(f)}, aliases[f]...) {
			if _, taken := w.fields[Normalize(a)]; !taken {
				w.fields[Normalize(a)] = f
			}
		}
	}
	for _, s := range salaryWords {
		w.salary = append(w.salary, Normalize(s))
	}
	return w
})

// matchesAny reports whether a header, normalised, is one of set's.
func matchesAny(header string, set map[string]bool) bool {
	n := Normalize(header)
	return n != "" && set[n]
}

// kind classifies one header text.
type kind struct {
	field     Field // set when the header names a field
	net       bool  // an unambiguous net amount header
	candidate bool  // could be an amount, but is not clearly the net pay
	city      bool
	id        bool
}

func classify(header string) kind {
	if strings.TrimSpace(header) == "" {
		return kind{}
	}
	if k := classifyOne(header); k != (kind{}) {
		return k
	}
	// A header holding two names ("Employee Name / اسم الموظف", either
	// language first, split by / | - a line break or parentheses) matches
	// when its parts agree.
	var found kind
	for _, part := range headerParts(header) {
		k := classifyOne(part)
		switch {
		case k == kind{}:
		case found == kind{}:
			found = k
		case k != found:
			return kind{} // two different names: not a guess
		}
	}
	return found
}

// headerSplit separates the names of a bilingual header.
var headerSplit = regexp.MustCompile(`\s*(?:[/|\\\n\r()\[\]{}]|\s[-–—]\s)\s*`)

// headerParts splits a header into the names it holds; a header of one name
// gives none.
func headerParts(header string) []string {
	parts := headerSplit.Split(header, -1)
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// classifyOne classifies a header that holds one name.
func classifyOne(header string) kind {
	w, n := words(), Normalize(header)
	if f, ok := w.fields[n]; ok && n != "" {
		return kind{field: f}
	}
	switch {
	case n == "":
	case w.net[n]:
		return kind{field: Amount, net: true}
	case w.city[n]:
		return kind{city: true}
	case w.id[n]:
		return kind{id: true}
	}
	if len([]rune(n)) > 30 {
		return kind{} // a sentence, not a header
	}
	for _, s := range w.salary {
		if strings.Contains(n, s) {
			return kind{candidate: true}
		}
	}
	return kind{}
}

// totalsWords are what a totals row says in its name cell.
var totalsWords = []string{"total", "totals", "grand total", "sum", "الاجمالي", "الإجمالي", "المجموع", "اجمالي", "المجموع الكلي"}
