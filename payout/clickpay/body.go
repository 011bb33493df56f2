package clickpay

import (
	"strconv"
	"unicode/utf8"

	"payroll/payout"
)

// A page of a thousand requests is half a megabyte of JSON; encoding/json
// spends most of its time on it in reflection. The bodies that carry
// requests write themselves instead, byte for byte as encoding/json would
// write them (TestBodiesAsStd, FuzzBodyString), so that what is sent does
// not depend on which of the two wrote it.

// bodyWriter is a request body that writes its own JSON.
type bodyWriter interface {
	appendJSON(b []byte) []byte
}

// bodySize is about what a body takes in JSON: what its requests' keys
// and texts take, and room for a few escapes. It sizes the buffer of a
// page so that it is not grown while written.
func bodySize(body any) int {
	var page []payout.Request
	switch b := body.(type) {
	case NewBatch:
		page = b.Requests
	case AddRequests:
		page = b.Requests
	}
	n := 256
	for i := range page {
		r := &page[i]
		n += 360 + len(r.MerchantReference) + len(r.Name) + len(r.Country) + len(r.IBAN) + len(r.Bank) + len(r.Branch) +
			len(r.Email) + len(r.Mobile) + len(r.Address1) + len(r.Address2)
	}
	return n
}

func (n NewBatch) appendJSON(b []byte) []byte {
	b = append(b, `{"profile_id":`...)
	b = n.ProfileID.appendJSON(b)
	b = append(b, `,"account_id":`...)
	b = n.AccountID.appendJSON(b)
	b = append(b, `,"order_id":`...)
	b = appendJSONString(b, n.OrderID)
	if len(n.Requests) > 0 {
		b = append(b, `,"requests":`...)
		b = appendRequests(b, n.Requests)
	}
	return append(b, '}')
}

func (a AddRequests) appendJSON(b []byte) []byte {
	b = append(b, `{"batch_id":`...)
	b = a.BatchID.appendJSON(b)
	b = append(b, `,"profile_id":`...)
	b = a.ProfileID.appendJSON(b)
	b = append(b, `,"account_id":`...)
	b = a.AccountID.appendJSON(b)
	b = append(b, `,"order_id":`...)
	b = appendJSONString(b, a.OrderID)
	b = append(b, `,"requests":`...)
	return append(appendRequests(b, a.Requests), '}')
}

// appendJSON writes the id as MarshalJSON does.
func (id ID) appendJSON(b []byte) []byte {
	if id.isNumber() {
		return append(b, id...)
	}
	return appendJSONString(b, string(id))
}

// isNumber reports whether the id is sent as a JSON number: digits, with
// no leading zero.
func (id ID) isNumber() bool {
	if id == "" || (len(id) > 1 && id[0] == '0') {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// appendRequests writes a page of requests as a JSON array; nil is null,
// as encoding/json writes a nil slice.
func appendRequests(b []byte, page []payout.Request) []byte {
	if page == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range page {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRequest(b, &page[i])
	}
	return append(b, ']')
}

// appendRequest writes one request with the keys of payout.Request, in
// its order.
func appendRequest(b []byte, r *payout.Request) []byte {
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
		b = appendJSONString(b, f.value)
	}
	b = append(b, `,"transfer_code":`...)
	b = strconv.AppendInt(b, int64(r.TransferCode), 10)
	return append(b, '}')
}

// appendJSONString writes s as encoding/json writes a string: quotes,
// backslashes and control characters escaped, <, > and & escaped for HTML,
// U+2028 and U+2029 escaped, and each byte that is not UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
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
