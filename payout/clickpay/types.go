// Package clickpay is the HTTP client for the Clickpay Payouts API: one typed
// method per call, the authorization header, retries for failures that did
// not reach the server, and errors that keep the server's code, message and
// trace and say whether the call may have been applied.
//
// What is not public about the API is settled here, in one place:
//   - Paths are configuration; the defaults are the seed's. PayTabs names two
//     of them differently (/payout/batch/request/add, /payout/batch/request/query).
//   - profile_id, account_id, batch_id and entry_id are read as numbers or
//     strings, and sent as numbers when they are all digits.
//   - Amounts in answers are read liberally (Decimal): numbers or strings,
//     any precision, thousands separators. Counts as numbers or strings.
//   - A batch is taken as closed only when its status is a word known to
//     mean closed (BatchClosed); "New" and "Open" mean open; any other word
//     is not taken as closed: the uploader tries to close it, and a second
//     close is refused by the server.
//   - The single-entry query may answer the flat entry object that
//     Clickpay's text shows, or a batch holding the entry.
//   - API calls never follow redirects: a 3xx answer is an error that names
//     its Location, and the server key is never sent anywhere else.
//   - The server key is removed from every answer before it is read, so a
//     server message quoting it is never printed or stored.
//   - The batch query's entries are read from "requests" or "entries".
//   - Nothing here depends on the server echoing merchant_reference in a
//     query, on the shape of the add and close answers beyond the PayTabs
//     error shape, or on order_id being unique.
package clickpay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"payroll/payout"
)

// ID is an identifier the API may send as a number or a string. It is sent
// as a JSON number when it is all digits.
type ID string

// MarshalJSON writes digits as a number and anything else as a string.
func (id ID) MarshalJSON() ([]byte, error) {
	if id.isNumber() {
		return []byte(id), nil
	}
	return json.Marshal(string(id))
}

// UnmarshalJSON reads a number or a string.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if s, ok := plainToken(b); ok {
		*id = ID(s)
		return nil
	}
	if string(b) == "null" {
		*id = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = ID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("id %s: %w", b, err)
	}
	*id = ID(n.String())
	return nil
}

// plainToken returns a JSON value that needs no decoding: ASCII digits
// (a whole number, as written), or a string without escapes or control
// characters.
func plainToken(b []byte) (string, bool) {
	if len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
		for _, c := range b {
			if c < '0' || c > '9' {
				return "", false
			}
		}
		return string(b), len(b) == 1 || b[0] != '0'
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	inner := b[1 : len(b)-1]
	for _, c := range inner {
		if c == '\\' || c == '"' || c < 0x20 {
			return "", false
		}
	}
	return string(inner), utf8.Valid(inner)
}

// Count is a number of entries, read as a number or a string.
type Count int

// UnmarshalJSON reads a number or a string holding one.
func (c *Count) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "null" || s == "" {
		*c = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("count %s: %w", b, err)
	}
	*c = Count(n)
	return nil
}

// The statuses an entry can have, as the API spells them.
const (
	StatusPending   = "Pending"
	StatusPaid      = "Paid"
	StatusProcessed = "Processed"
	StatusFailed    = "Failed"
	StatusRejected  = "Rejected"
)

// NewBatch is the body of the create-batch call.
type NewBatch struct {
	ProfileID ID               `json:"profile_id"`
	AccountID ID               `json:"account_id"`
	OrderID   string           `json:"order_id"`
	Requests  []payout.Request `json:"requests,omitempty"`
}

// AddRequests is the body of the add call.
type AddRequests struct {
	BatchID   ID               `json:"batch_id"`
	ProfileID ID               `json:"profile_id"`
	AccountID ID               `json:"account_id"`
	OrderID   string           `json:"order_id"`
	Requests  []payout.Request `json:"requests"`
}

// CloseBatch is the body of the close call.
type CloseBatch struct {
	BatchID   ID            `json:"batch_id"`
	ProfileID ID            `json:"profile_id"`
	AccountID ID            `json:"account_id"`
	Count     int           `json:"count"`
	Total     payout.Amount `json:"total"`
}

// QueryBatch is the body of the query calls.
type QueryBatch struct {
	BatchID   ID  `json:"batch_id"`
	ProfileID ID  `json:"profile_id"`
	AccountID ID  `json:"account_id"`
	EntryID   *ID `json:"entry_id,omitempty"`
}

// SearchEntries is the body of the search call.
type SearchEntries struct {
	ProfileID         ID     `json:"profile_id"`
	AccountID         ID     `json:"account_id"`
	MerchantReference string `json:"merchant_reference"`
}

// Batch is a batch as the API returns it.
type Batch struct {
	BatchID   ID             `json:"batch_id"`
	ProfileID ID             `json:"profile_id"`
	AccountID ID             `json:"account_id"`
	Currency  string         `json:"currency"`
	Total     payout.Decimal `json:"total"`
	Count     Count          `json:"count"`
	OrderID   string         `json:"order_id"`
	Status    string         `json:"status"`
	Trace     string         `json:"trace"`
	Entries   []Entry        `json:"-"`
}

// UnmarshalJSON reads the batch and its entries under "requests" or "entries".
func (b *Batch) UnmarshalJSON(data []byte) error {
	if fastBatch(data, b) {
		return nil
	}
	return b.unmarshalStd(data)
}

// unmarshalStd is UnmarshalJSON by encoding/json alone.
func (b *Batch) unmarshalStd(data []byte) error {
	type plain Batch
	var aux struct {
		plain
		Requests []Entry `json:"requests"`
		Entries  []Entry `json:"entries"`
	}
	// Room for every entry at once: a list of 100,000 entries grown as it
	// is read would be copied over and over. Entries carry entry_id; the
	// count is only an estimate.
	aux.Requests = make([]Entry, 0, bytes.Count(data, []byte(`"entry_id"`)))
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	*b = Batch(aux.plain)
	switch {
	case len(aux.Entries) == 0:
		b.Entries = aux.Requests
	case len(aux.Requests) == 0:
		b.Entries = aux.Entries
	default:
		b.Entries = append(aux.Requests, aux.Entries...)
	}
	if len(b.Entries) == 0 {
		b.Entries = nil
	}
	return nil
}

// Entry is one payout inside a batch.
type Entry struct {
	EntryID           ID             `json:"entry_id"`
	BatchID           ID             `json:"batch_id"`
	MerchantReference string         `json:"merchant_reference"`
	Amount            payout.Decimal `json:"amount"`
	Fee               payout.Decimal `json:"fee"`
	Total             payout.Decimal `json:"total"`
	Name              string         `json:"beneficiary_name"`
	IBAN              string         `json:"beneficiary_account_number"`
	Status            string         `json:"status"`
	ProtocolMessage   string         `json:"protocol_message"`
}

// entryAnswer is the answer of the single-entry query: the flat entry
// object of Clickpay's text, or a batch holding the entry.
type entryAnswer struct {
	Entry   Entry
	Entries []Entry
}

// UnmarshalJSON reads either shape.
func (a *entryAnswer) UnmarshalJSON(data []byte) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return err
	}
	_, hasRequests := keys["requests"]
	_, hasEntries := keys["entries"]
	if hasRequests || hasEntries {
		var b Batch
		if err := json.Unmarshal(data, &b); err != nil {
			return err
		}
		a.Entries = b.Entries
		return nil
	}
	if err := json.Unmarshal(data, &a.Entry); err != nil {
		return err
	}
	a.Entries = []Entry{a.Entry}
	return nil
}

// SearchResult is the answer of the search call.
type SearchResult struct {
	Entries []Entry `json:"-"`
	Trace   string  `json:"trace"`
}

// UnmarshalJSON reads the entries found under "requests", "entries" or
// "data", or a bare array.
func (r *SearchResult) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		return json.Unmarshal(data, &r.Entries)
	}
	var aux struct {
		Requests []Entry `json:"requests"`
		Entries  []Entry `json:"entries"`
		Data     []Entry `json:"data"`
		Trace    string  `json:"trace"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	r.Entries = append(append(aux.Requests, aux.Entries...), aux.Data...)
	r.Trace = aux.Trace
	return nil
}
