package payout

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"strings"
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

// CheckOptions change the rules.
type CheckOptions struct {
	// AllowDuplicates accepts the same IBAN on several rows.
	AllowDuplicates bool
}

// Result is the outcome of checking a whole sheet.
type Result struct {
	Input    string // the file's name
	read     string // where its bytes were read from, when not Input
	Format   importer.Format
	Encoding string // of a CSV or TSV file: utf-8, utf-16le, utf-16be, windows-1256
	Mapping  *mapping.Mapping
	Lines    []Line    // valid rows, in file order
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
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

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

// Check reads every record of a sheet and validates it, collecting every
// problem of every row. When the header row itself has problems (a required
// column missing, an ambiguous amount), those are returned and no row is
// checked. The error is for read failures only.
func Check(ctx context.Context, r *mapping.Reader, opts CheckOptions) (*Result, error) {
	m := r.Mapping()
	res := &Result{Mapping: m}
	if len(m.Problems) > 0 {
		for _, p := range m.Problems {
			res.Problems = append(res.Problems, Problem{Row: p.Row, Column: p.Column.Letter, Header: p.Column.Header,
				Field: string(p.Field), Code: p.Code, Message: p.Msg, Level: LevelError, details: []string{p.Msg}})
		}
		return res, nil
	}
	if m.SheetHidden {
		res.Problems = append(res.Problems, NewProblem(m.HeaderRow, "", m.Sheet, "sheet.hidden", m.Sheet).Localized("en"))
	}
	// Amounts are read once the whole file has shown its decimal
	// convention: every row is checked, then its amount read in it.
	v := newValidator(opts)
	// Rows wait in blocks, so that growing the list never copies them.
	var rows [][]pending
	const block = 4096
	for r.Next() {
		if res.RowsRead%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		res.RowsRead++
		if len(rows) == 0 || len(rows[len(rows)-1]) == block {
			rows = append(rows, make([]pending, 0, block))
		}
		last := &rows[len(rows)-1]
		*last = append(*last, v.check(r.Record()))
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	conv := v.conv.Decide()
	if conv == Unknown && r.Workbook().Delimiter() == ',' {
		// A comma-separated file whose amounts show nothing (all like
		// "12,500", quoted) comes from a decimal-point setting: decimal
		// comma settings separate lists with ";".
		conv = DecimalPoint
	}
	res.Decimals = conv
	res.Lines = make([]Line, 0, res.RowsRead)
	for p := range all(rows) {
		if p.amount.Text != "" {
			a, code, details := ParseAmountIn(p.amount.Text, conv)
			if code != "" {
				pr := Problem{Row: p.line.Row, Field: string(mapping.Amount), Value: p.amount.Text, Code: code, details: details}
				if p.amount.Column != nil {
					pr.Column, pr.Header = p.amount.Column.Letter, p.amount.Column.Header
				}
				p.problems = append(p.problems[:p.amountAt], append([]Problem{pr.Localized("en")}, p.problems[p.amountAt:]...)...)
			}
			p.line.Request.Amount = a
		}
		res.Problems = append(res.Problems, p.problems...)
		if blocking(p.problems) {
			res.Invalid++
			res.Rejected = append(res.Rejected, Rejected{Row: p.line.Row, Values: p.values})
			continue
		}
		if len(p.problems) > 0 {
			res.Warned++
		}
		res.Lines = append(res.Lines, p.line)
		res.Total += p.line.Request.Amount
	}
	res.Skipped = r.Skipped()
	return res, nil
}

// all yields the rows of the blocks in order, letting go of each block
// once it is read.
func all(blocks [][]pending) iter.Seq[pending] {
	return func(yield func(pending) bool) {
		for b := range blocks {
			for _, p := range blocks[b] {
				if !yield(p) {
					return
				}
			}
			blocks[b] = nil
		}
	}
}

// pending is a checked row whose amount is still to be read.
type pending struct {
	line     Line
	problems []Problem
	amount   mapping.Value // as typed; "" when missing (already a problem)
	amountAt int           // where in problems the amount's problem goes
	values   map[mapping.Field]mapping.Value
}

type validator struct {
	opts  CheckOptions
	banks *Banks
	seen  map[string]int // IBAN → first row
	conv  Conventions
}

func newValidator(opts CheckOptions) *validator {
	return &validator{opts: opts, banks: SaudiBanks(), seen: map[string]int{}}
}

// check validates one record: the line and its problems, and its amount as
// typed, to be read once the file's decimal convention is known.
func (v *validator) check(rec mapping.Record) pending {
	var problems []Problem
	add := func(f mapping.Field, code string, details ...string) {
		val := rec.Values[f]
		p := Problem{Row: rec.Row, Field: string(f), Value: val.Text, Code: code, details: details}
		if val.Column != nil {
			p.Column, p.Header = val.Column.Letter, val.Column.Header
		}
		problems = append(problems, p.Localized("en"))
	}
	required := func(f mapping.Field) (string, bool) {
		s := rec.Get(f)
		if s == "" {
			add(f, "field.required")
			return "", false
		}
		return s, true
	}
	req := Request{}
	line := Line{Row: rec.Row, EmployeeID: rec.Get(mapping.EmployeeID)}
	if rec.Hidden {
		add("", "row.hidden")
	}
	for _, f := range mapping.Fields() {
		if r, bad := BadChar(rec.Values[f].Text); bad {
			add(f, "text.invalid", fmt.Sprintf("U+%04X", r))
		}
	}

	if s, ok := required(mapping.Name); ok {
		req.Name = strings.Join(strings.Fields(s), " ")
		if len([]rune(req.Name)) > 100 {
			add(mapping.Name, "text.too_long", "100")
		}
	}

	ibanOK := false
	if s, ok := required(mapping.Account); ok {
		req.IBAN = NormalizeIBAN(s)
		if code := CheckIBAN(req.IBAN); code == "iban.length" && IBANLength(req.IBAN[:min(2, len(req.IBAN))]) > 0 {
			add(mapping.Account, code, fmt.Sprint(len(req.IBAN)), req.IBAN[:2], fmt.Sprint(IBANLength(req.IBAN[:2])))
		} else if code == "iban.length" {
			add(mapping.Account, "iban.short")
		} else if code != "" {
			add(mapping.Account, code)
		} else {
			ibanOK = true
		}
	}

	countryOK := true
	if s := rec.Get(mapping.Country); s != "" {
		req.Country = NormalizeCountry(s)
		if req.Country == "" {
			add(mapping.Country, "country.invalid")
			countryOK = false
		}
	} else if ibanOK {
		req.Country = req.IBAN[:2]
	}
	if ibanOK && countryOK && req.Country != "" && req.Country != req.IBAN[:2] {
		add(mapping.Account, "iban.country_mismatch", req.IBAN[:2])
	}

	typedBank := rec.Get(mapping.Bank)
	if ibanOK {
		if bank, known := v.banks.ForIBAN(req.IBAN); known {
			req.Bank = bank.BIC
			if other, ok := v.banks.Recognize(typedBank); ok && other.BIC != bank.BIC {
				add(mapping.Bank, "bank.mismatch", fmt.Sprintf("%s (%s)", other.Name, other.BIC), fmt.Sprintf("%s (%s)", bank.Name, bank.BIC))
			}
		} else if typedBank == "" {
			add(mapping.Bank, "bank.required", req.IBAN[:2])
		} else if other, ok := v.banks.Recognize(typedBank); ok {
			req.Bank = other.BIC
		} else {
			req.Bank = typedBank
		}
	}

	amount, amountAt := mapping.Value{}, 0
	if s := rec.Get(mapping.Amount); s == "" {
		add(mapping.Amount, "field.required")
	} else {
		amount, amountAt = rec.Values[mapping.Amount], len(problems)
		amount.Text = s
		v.conv.Observe(s)
	}

	if s, ok := required(mapping.Mobile); ok {
		// Local numbers are read in the IBAN's country: the country column
		// must equal it anyway, and a typo there is reported once, above.
		country := req.Country
		if ibanOK {
			country = req.IBAN[:2]
		}
		if country == "" {
			country = "SA"
		}
		e164, code := NormalizeMobile(s, country)
		if code != "" {
			add(mapping.Mobile, code, country)
		}
		req.Mobile = e164
	}

	if s, ok := required(mapping.Email); ok {
		if !CheckEmail(s) {
			add(mapping.Email, "email.invalid")
		}
		req.Email = s
	}

	if s, ok := required(mapping.Address1); ok {
		req.Address1 = oneLine(s)
	}
	req.Address2 = oneLine(rec.Get(mapping.Address2))
	req.Branch = oneLine(rec.Get(mapping.Branch))

	req.TransferCode = Salary
	if s := rec.Get(mapping.TransferCode); s != "" {
		if tc, ok := ParseTransferCode(s); ok {
			req.TransferCode = tc
		} else {
			add(mapping.TransferCode, "transfer_code.invalid")
		}
	}

	if ibanOK && !v.opts.AllowDuplicates {
		if first, dup := v.seen[req.IBAN]; dup {
			add(mapping.Account, "row.duplicate", fmt.Sprint(first))
		} else {
			v.seen[req.IBAN] = rec.Row
		}
	}
	line.Request = req
	return pending{line: line, problems: problems, amount: amount, amountAt: amountAt, values: rec.Values}
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
