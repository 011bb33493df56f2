package clickpay

import (
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
	b = payout.AppendJSONString(b, n.OrderID)
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
	b = payout.AppendJSONString(b, a.OrderID)
	b = append(b, `,"requests":`...)
	return append(appendRequests(b, a.Requests), '}')
}

// appendJSON writes the id as MarshalJSON does.
func (id ID) appendJSON(b []byte) []byte {
	if id.isNumber() {
		return append(b, id...)
	}
	return payout.AppendJSONString(b, string(id))
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
		b = page[i].AppendJSON(b)
	}
	return append(b, ']')
}
