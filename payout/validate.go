package payout

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"payroll/importer"
	"payroll/mapping"
)

// Request is one payout as the Clickpay API takes it. Every key is always
// sent; branch and address2 may be empty.
type Request struct {
	Amount            Amount       `json:"amount"`
	MerchantReference string       `json:"merchant_reference"`
	Name              string       `json:"beneficiary_name"`
	Country           string       `json:"beneficiary_country"`
	IBAN              string       `json:"beneficiary_account_number"`
	Bank              string       `json:"beneficiary_bank"`
	Branch            string       `json:"beneficiary_bank_branch"`
	Email             string       `json:"beneficiary_email"`
	Mobile            string       `json:"beneficiary_mobile_number"`
	Address1          string       `json:"beneficiary_address1"`
	Address2          string       `json:"beneficiary_address2"`
	TransferCode      TransferCode `json:"transfer_code"`
}

// Line is a valid row: its spreadsheet row number and the request made of it.
type Line struct {
	Row        int
	EmployeeID string
	Request    Request
}

// Problem is one fault of one row: where it is, what was found, a stable
// code and a plain message. It is a line of the error report.
type Problem struct {
	Row     int    `csv:"row" json:"row"`
	Column  string `csv:"column" json:"column"`
	Header  string `csv:"header" json:"header"`
	Field   string `csv:"field" json:"field"`
	Value   string `csv:"value" json:"value"`
	Code    string `csv:"code" json:"code"`
	Message string `csv:"message" json:"message"`
	Level   string `csv:"level" json:"level"` // LevelError or LevelWarning
	details []string
}

// Problem levels: an error blocks the row's payment (and the file's,
// without --skip-invalid); a warning is reported and does not.
const (
	LevelError   = "error"
	LevelWarning = "warning"
)

// warningCodes are the codes reported as warnings.
var warningCodes = map[string]bool{"mobile.unlisted": true, "row.hidden": true, "sheet.hidden": true}

// LevelOf returns the level of a problem code.
func LevelOf(code string) string {
	if warningCodes[code] {
		return LevelWarning
	}
	return LevelError
}

// Warning reports whether the problem is a warning.
func (p Problem) Warning() bool { return LevelOf(p.Code) == LevelWarning }

func (p Problem) Error() string {
	where := fmt.Sprintf("row %d", p.Row)
	if p.Column != "" {
		where += fmt.Sprintf(", column %s (%s)", p.Column, p.Header)
	}
	if p.Warning() {
		where += ": warning"
	}
	return fmt.Sprintf("%s: %s [%s]", where, p.Message, p.Code)
}

// Localized returns the problem with its message in lang ("en" or "ar").
func (p Problem) Localized(lang string) Problem {
	label := mapping.Field(p.Field).Label()
	if lang == "ar" {
		label = arabicLabel(mapping.Field(p.Field))
	}
	p.Message = Message(lang, p.Code, label, p.details...)
	p.Level = LevelOf(p.Code)
	return p
}

// CheckOptions change the rules, and what a check keeps.
type CheckOptions struct {
	// AllowDuplicates accepts the same IBAN on several rows.
	AllowDuplicates bool
	// NoLines counts and totals the valid rows without keeping them
	// (Result.Lines stays empty): for a check that is only reported, such
	// as payroll validate, so that its memory does not grow with the file.
	NoLines bool
	// Workers is how many rows are checked at once; 0 means one per core.
	Workers int
}

// Result is the outcome of checking a whole sheet.
type Result struct {
	Input    string // the file's name
	read     string // where its bytes were read from, when not Input
	Format   importer.Format
	Encoding string // of a CSV or TSV file: utf-8, utf-16le, utf-16be, windows-1256
	Mapping  *mapping.Mapping
	Lines    []Line    // valid rows, in file order (none with CheckOptions.NoLines)
	Valid    int       // valid rows: len(Lines) unless CheckOptions.NoLines
	Problems []Problem // every problem of every row, in file order
	Skipped  []mapping.Skipped
	RowsRead int        // data rows read (blank rows not counted)
	Decimals Convention // the amounts' decimal convention
	Invalid  int        // rows with at least one error
	Warned   int        // valid rows with a warning
	// Rejected are the rows with errors, as typed (for the sheet of rows
	// left out).
	Rejected []Rejected
	Total    Amount
}

// Errors counts the problems that are errors.
func (r *Result) Errors() int {
	n := 0
	for _, p := range r.Problems {
		if !p.Warning() {
			n++
		}
	}
	return n
}

// Err returns nil when the sheet has no error (warnings do not count).
func (r *Result) Err() error {
	n := r.Errors()
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d of %s %s errors (%s)", r.Invalid, Plural(r.RowsRead, "row"), map[bool]string{true: "has", false: "have"}[r.Invalid == 1], Plural(n, "error"))
}

// Plural writes a count with its noun: "1 row", "2 rows".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Reject turns valid lines into invalid rows with a problem found after
// the check (row.paid_different, from the pay period's history): each is
// taken out of Lines and Total, and its problem added in row order with
// the field's column.
func (r *Result) Reject(problems []Problem) {
	if len(problems) == 0 {
		return
	}
	bad := map[int]bool{}
	for _, p := range problems {
		if c, ok := r.Mapping.Columns[mapping.Field(p.Field)]; ok {
			p.Column, p.Header = c.Letter, c.Header
		}
		r.Problems = append(r.Problems, p.Localized("en"))
		bad[p.Row] = true
	}
	kept := r.Lines[:0]
	for _, l := range r.Lines {
		if bad[l.Row] {
			r.Invalid++
			r.Valid--
			r.Total -= l.Request.Amount
			continue
		}
		kept = append(kept, l)
	}
	r.Lines = kept
	sort.SliceStable(r.Problems, func(i, j int) bool { return r.Problems[i].Row < r.Problems[j].Row })
}

// blocking reports whether any of a row's problems is an error.
func blocking(ps []Problem) bool {
	for _, p := range ps {
		if !p.Warning() {
			return true
		}
	}
	return false
}

// BadChar returns the first character of s that must not reach the bank: a
// control character (other than tab and line breaks, which are white
// space), NUL, DEL, a C1 control, U+FFFD (what a damaged byte becomes) or a
// byte-order mark inside the text.
func BadChar(s string) (rune, bool) {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20, r == 0x7F, r >= 0x80 && r <= 0x9F, r == utf8.RuneError, r == 0xFEFF:
			return r, true
		}
	}
	return 0, false
}

// oneLine folds the white space of a cell (line breaks of a multi-line
// cell, tabs, runs of spaces) into single spaces.
func oneLine(s string) string {
	if singleSpaced(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// singleSpaced reports whether s is already what oneLine makes of it:
// words separated by single ASCII spaces, no other white space, none at
// either end.
func singleSpaced(s string) bool {
	prevSpace := true // at the start, a space would be leading
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		case c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			return false
		case c < utf8.RuneSelf:
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				return false
			}
			i += size - 1
		}
		prevSpace = false
	}
	return !prevSpace || s == ""
}

// NewProblem is a problem of a row's field with a stable code and the
// details its message takes.
func NewProblem(row int, field, value, code string, details ...string) Problem {
	return Problem{Row: row, Field: field, Value: value, Code: code, details: details}
}

// InvalidRows lists the row numbers that have problems.
func (r *Result) InvalidRows() []int {
	var rows []int
	seen := map[int]bool{}
	for _, p := range r.Problems {
		if !seen[p.Row] && !p.Warning() && p.Code != "column.missing" && p.Code != "column.ambiguous" {
			seen[p.Row] = true
			rows = append(rows, p.Row)
		}
	}
	return rows
}

// CountByCode counts problems per code, codes sorted.
func (r *Result) CountByCode() []CodeCount {
	m := map[string]int{}
	for _, p := range r.Problems {
		m[p.Code]++
	}
	var out []CodeCount
	for c, n := range m {
		out = append(out, CodeCount{Code: c, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// CodeCount is how often one error code occurred.
type CodeCount struct {
	Code  string `json:"code"`
	Count int    `json:"count"`
}

func arabicLabel(f mapping.Field) string {
	switch f {
	case mapping.Name:
		return "الاسم"
	case mapping.Account:
		return "الآيبان"
	case mapping.Amount:
		return "المبلغ"
	case mapping.Bank:
		return "البنك"
	case mapping.Branch:
		return "الفرع"
	case mapping.Country:
		return "الدولة"
	case mapping.Email:
		return "البريد الإلكتروني"
	case mapping.Mobile:
		return "الجوال"
	case mapping.Address1:
		return "العنوان"
	case mapping.Address2:
		return "العنوان 2"
	case mapping.TransferCode:
		return "رمز التحويل"
	case mapping.EmployeeID:
		return "الرقم الوظيفي"
	}
	return string(f)
}
