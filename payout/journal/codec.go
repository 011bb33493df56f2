package journal

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"payroll/payout"
)

// A page's planned rows are kept as one JSON array, a row an array of its
// values in a fixed order (planFields), and an upload's entries as one
// JSON array of [idx, entry id, status, fee, total, protocol message]:
// readable with any JSON tool, a tenth of the bytes of a JSON object a
// row, and written and read here without reflection.

// planFields names the values of a planned row, in order.
const planFields = "idx, row, employee_id, occurrence, amount (halalas), merchant_reference, beneficiary_name, beneficiary_country, beneficiary_account_number, beneficiary_bank, beneficiary_bank_branch, beneficiary_email, beneficiary_mobile_number, beneficiary_address1, beneficiary_address2, transfer_code"

// appendPlanRow appends a planned row as a JSON array.
func appendPlanRow(b []byte, r *Row) []byte {
	q := &r.Request
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(r.Index), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.Row), 10)
	b = append(b, ',')
	b = appendString(b, r.EmployeeID)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.Occurrence), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(q.Amount), 10)
	for _, s := range [...]string{q.MerchantReference, q.Name, q.Country, q.IBAN, q.Bank, q.Branch, q.Email, q.Mobile, q.Address1, q.Address2} {
		b = append(b, ',')
		b = appendString(b, s)
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(q.TransferCode), 10)
	return append(b, ']')
}

// readPlanRow reads a row written by appendPlanRow.
func readPlanRow(d *arrayReader, r *Row) {
	q := &r.Request
	d.open()
	r.Index = int(d.int())
	r.Row = int(d.int())
	r.EmployeeID = d.str()
	r.Occurrence = int(d.int())
	q.Amount = payout.Amount(d.int())
	for _, s := range [...]*string{&q.MerchantReference, &q.Name, &q.Country, &q.IBAN, &q.Bank, &q.Branch, &q.Email, &q.Mobile, &q.Address1, &q.Address2} {
		*s = d.str()
	}
	q.TransferCode = payout.TransferCode(d.int())
	d.close()
}

// appendEntry appends what the server said of a row's entry.
func appendEntry(b []byte, e *EntryUpdate) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(e.Index), 10)
	for _, s := range [...]string{e.EntryID, e.Status, e.Fee, e.Total, e.ProtocolMessage} {
		b = append(b, ',')
		b = appendString(b, s)
	}
	return append(b, ']')
}

// readEntry reads an entry written by appendEntry into e.
func readEntry(d *arrayReader, e *EntryUpdate) {
	d.open()
	e.Index = int(d.int())
	e.EntryID, e.Status, e.Fee, e.Total, e.ProtocolMessage = d.str(), d.str(), d.str(), d.str(), d.str()
	d.close()
}

// hasEntry reports whether the server said anything of a row.
func hasEntry(e *EntryUpdate) bool {
	return e.EntryID != "" || e.Status != "" || e.Fee != "" || e.Total != "" || e.ProtocolMessage != ""
}

// appendString appends s as a JSON string. Control characters, quotes and
// backslashes are escaped, as is any byte that is not UTF-8 (as U+FFFD,
// the way encoding/json writes it).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		b = append(b, s[start:i]...)
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xF])
		default:
			b = append(b, `\ufffd`...)
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// errCodec is a stored array that is not what the journal writes.
var errCodec = errors.New("not an array the journal writes")

// arrayReader reads the JSON arrays the journal writes: arrays, integers
// and strings, with the white space JSON allows between them. Strings
// without escapes are parts of the text read (nothing is copied). The
// first failure stops it; see err.
type arrayReader struct {
	s     string
	i     int
	err   error
	first bool // the next value is the first of its array
}

func newArrayReader(s string) *arrayReader { return &arrayReader{s: s, first: true} }

func (d *arrayReader) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s at byte %d", errCodec, what, d.i)
	}
	d.i = len(d.s)
}

func (d *arrayReader) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value moves past the comma before a value that is not the first of its
// array.
func (d *arrayReader) value() {
	d.space()
	if !d.first {
		if d.i >= len(d.s) || d.s[d.i] != ',' {
			d.fail("a comma expected")
			return
		}
		d.i++
		d.space()
	}
	d.first = false
}

// open reads the start of an array (itself a value of the array it is
// in, unless it is the outermost).
func (d *arrayReader) open() {
	d.value()
	if d.i >= len(d.s) || d.s[d.i] != '[' {
		d.fail("an array expected")
		return
	}
	d.i++
	d.first = true
}

// more reports whether the array being read has another value.
func (d *arrayReader) more() bool {
	d.space()
	return d.err == nil && d.i < len(d.s) && d.s[d.i] != ']'
}

// close reads the end of an array.
func (d *arrayReader) close() {
	d.space()
	if d.i >= len(d.s) || d.s[d.i] != ']' {
		d.fail("the end of an array expected")
		return
	}
	d.i++
	d.first = false
}

// end checks that nothing but white space follows.
func (d *arrayReader) end() error {
	d.space()
	if d.i != len(d.s) {
		d.fail("text after the array")
	}
	return d.err
}

// int reads an integer.
func (d *arrayReader) int() int64 {
	d.value()
	start := d.i
	if d.i < len(d.s) && d.s[d.i] == '-' {
		d.i++
	}
	digits := d.i
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		d.i++
	}
	if d.i == digits || d.s[digits] == '0' && d.i-digits > 1 {
		d.fail("an integer expected")
		return 0
	}
	n, err := strconv.ParseInt(d.s[start:d.i], 10, 64)
	if err != nil {
		d.fail("an integer out of range")
	}
	return n
}

// str reads a string.
func (d *arrayReader) str() string {
	d.value()
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		d.fail("a string expected")
		return ""
	}
	d.i++
	start := d.i
	for d.i < len(d.s) {
		switch c := d.s[d.i]; {
		case c == '"':
			s := d.s[start:d.i]
			d.i++
			if !utf8.ValidString(s) {
				d.fail("a string that is not UTF-8")
				return ""
			}
			return s
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			d.fail("a control character in a string")
			return ""
		}
		d.i++
	}
	d.fail("a string not closed")
	return ""
}

// escaped reads the rest of a string that has escapes, from start.
func (d *arrayReader) escaped(start int) string {
	b := []byte(d.s[start:d.i])
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			if !utf8.Valid(b) {
				d.fail("a string that is not UTF-8")
				return ""
			}
			return string(b)
		case c < 0x20:
			d.fail("a control character in a string")
			return ""
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.s) {
			break
		}
		d.i += 2
		switch e := d.s[d.i-1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := d.hex4()
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if d.i+1 < len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					r2 = d.hex4()
					if utf16.DecodeRune(r, r2) == utf8.RuneError {
						d.i, r2 = save, -1 // not a pair: read on its own
					}
				}
				if r2 >= 0 {
					r = utf16.DecodeRune(r, r2)
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			d.fail("an unknown escape in a string")
			return ""
		}
	}
	d.fail("a string not closed")
	return ""
}

// hex4 reads the four hex digits of a \u escape.
func (d *arrayReader) hex4() rune {
	if d.i+4 > len(d.s) {
		d.fail("a \\u escape cut short")
		return 0
	}
	n, err := strconv.ParseUint(d.s[d.i:d.i+4], 16, 32)
	if err != nil {
		d.fail("a \\u escape that is not hex")
		return 0
	}
	d.i += 4
	return rune(n)
}
