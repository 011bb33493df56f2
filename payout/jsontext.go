package payout

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSONString appends s as encoding/json writes a string: quotes,
// backslashes and control characters escaped, <, > and & escaped for HTML,
// U+2028 and U+2029 escaped, and each byte that is not UTF-8 as U+FFFD.
func AppendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendJSON appends the request as encoding/json writes it, without the
// reflection: a page of a thousand requests is written many times faster
// (clickpay's TestBodiesAsStd holds the two equal).
func (r *Request) AppendJSON(b []byte) []byte {
	b = append(b, `{"amount":`...)
	b = r.Amount.Append(b) // as Amount.MarshalJSON
	for _, f := range [...]struct{ key, value string }{
		{`,"merchant_reference":`, r.MerchantReference},
		{`,"beneficiary_name":`, r.Name},
		{`,"beneficiary_country":`, r.Country},
		{`,"beneficiary_account_number":`, r.IBAN},
		{`,"beneficiary_bank":`, r.Bank},
		{`,"beneficiary_bank_branch":`, r.Branch},
		{`,"beneficiary_email":`, r.Email},
		{`,"beneficiary_mobile_number":`, r.Mobile},
		{`,"beneficiary_address1":`, r.Address1},
		{`,"beneficiary_address2":`, r.Address2},
	} {
		b = append(b, f.key...)
		b = AppendJSONString(b, f.value)
	}
	b = append(b, `,"transfer_code":`...)
	b = strconv.AppendInt(b, int64(r.TransferCode), 10)
	return append(b, '}')
}
