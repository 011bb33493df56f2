package clickpaysim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"payroll/payout"
)

// requestKeys are the keys every request must carry, with their JSON type.
var requestKeys = []struct {
	key      string
	number   bool
	optional bool // may be an empty string
	absent   bool // may be left out (Clickpay's text marks it Optional)
}{
	{"amount", true, false, false},
	{"merchant_reference", false, true, true},
	{"beneficiary_name", false, false, false},
	{"beneficiary_country", false, false, false},
	{"beneficiary_account_number", false, false, false},
	{"beneficiary_bank", false, false, false},
	{"beneficiary_bank_branch", false, true, false},
	{"beneficiary_email", false, false, false},
	{"beneficiary_mobile_number", false, false, false},
	{"beneficiary_address1", false, false, false},
	{"beneficiary_address2", false, true, false},
	{"transfer_code", true, false, false},
}

// sent is a request's key as sent: whether it was there, whether it was a
// string, and its text (a string's decoded; any other value's as written).
type sent struct {
	present, text bool
	v             string
}

// UnmarshalJSON keeps what was sent.
func (f *sent) UnmarshalJSON(b []byte) error {
	f.present = true
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		f.text = true
		v, err := jsonString(b)
		f.v = v
		return err
	}
	f.text, f.v = false, string(b)
	return nil
}

// rawRequest is a request as sent. Keys are matched as encoding/json
// matches them (in any case: Clickpay's text does not say), and keys that
// are not a request's are ignored.
type rawRequest struct {
	Amount       sent `json:"amount"`
	Reference    sent `json:"merchant_reference"`
	Name         sent `json:"beneficiary_name"`
	Country      sent `json:"beneficiary_country"`
	IBAN         sent `json:"beneficiary_account_number"`
	Bank         sent `json:"beneficiary_bank"`
	Branch       sent `json:"beneficiary_bank_branch"`
	Email        sent `json:"beneficiary_email"`
	Mobile       sent `json:"beneficiary_mobile_number"`
	Address1     sent `json:"beneficiary_address1"`
	Address2     sent `json:"beneficiary_address2"`
	TransferCode sent `json:"transfer_code"`
}

// fields are the request's keys, in the order of requestKeys.
func (r *rawRequest) fields() [12]*sent {
	return [12]*sent{&r.Amount, &r.Reference, &r.Name, &r.Country, &r.IBAN, &r.Bank, &r.Branch, &r.Email, &r.Mobile, &r.Address1, &r.Address2, &r.TransferCode}
}

// checkRequests validates a requests array strictly and returns it decoded.
// With a batch, a merchant_reference already in it is a duplicate.
func (s *Server) checkRequests(raw json.RawMessage, b *batch) ([]payout.Request, *apiError) {
	items, ok := fastRequests(raw)
	if !ok {
		items = nil
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fail(400, 3, "requests must be an array of objects")
		}
	}
	if len(items) > s.cfg.MaxRequests {
		return nil, fail(400, 3, "at most %d requests per call", s.cfg.MaxRequests)
	}
	seen := map[string]bool{} // in this call; the batch's are b.refs
	out := make([]payout.Request, 0, len(items))
	for i := range items {
		r, aerr := checkRequest(&items[i])
		if aerr != nil {
			aerr.msg = fmt.Sprintf("requests[%d]: %s", i, aerr.msg)
			return nil, aerr
		}
		if r.MerchantReference != "" {
			if seen[r.MerchantReference] || b != nil && b.refs[r.MerchantReference] {
				return nil, fail(409, 4, "Duplicate Request")
			}
			seen[r.MerchantReference] = true
		}
		out = append(out, r)
	}
	return out, nil
}

func checkRequest(it *rawRequest) (payout.Request, *apiError) {
	fields := it.fields()
	for i, k := range requestKeys {
		f := fields[i]
		if !f.present && k.absent {
			continue
		}
		if !f.present {
			return payout.Request{}, fail(400, 3, "%s is required", k.key)
		}
		if k.number == f.text || !f.text && f.v == "null" {
			want := "a string"
			if k.number {
				want = "a number"
			}
			return payout.Request{}, fail(400, 3, "%s must be %s", k.key, want)
		}
		if !k.number && !k.optional && f.v == "" {
			return payout.Request{}, fail(400, 3, "%s must not be empty", k.key)
		}
	}
	amt, aerr := amountValue(json.RawMessage(it.Amount.v), "amount", false)
	if aerr != nil {
		return payout.Request{}, aerr
	}
	if amt <= 0 {
		return payout.Request{}, fail(400, 3, "amount must be greater than zero")
	}
	r := payout.Request{Amount: amt, MerchantReference: it.Reference.v, Name: it.Name.v, Country: it.Country.v, IBAN: it.IBAN.v,
		Bank: it.Bank.v, Branch: it.Branch.v, Email: it.Email.v, Mobile: it.Mobile.v, Address1: it.Address1.v, Address2: it.Address2.v}
	if err := json.Unmarshal([]byte(it.TransferCode.v), &r.TransferCode); err != nil {
		return payout.Request{}, fail(400, 3, "invalid request: %v", err)
	}
	switch {
	case r.TransferCode < 100 || r.TransferCode > 103:
		return r, fail(400, 3, "transfer_code must be 100, 101, 102 or 103")
	case len(r.MerchantReference) > 50:
		return r, fail(400, 3, "merchant_reference must be at most 50 characters")
	case payout.CheckIBAN(r.IBAN) != "":
		return r, fail(400, 3, "beneficiary_account_number is not a valid IBAN")
	case len(r.Country) != 2 || r.Country != r.IBAN[:2]:
		return r, fail(400, 3, "beneficiary_country must be the IBAN's country code")
	case r.Mobile[0] != '+':
		return r, fail(400, 3, "beneficiary_mobile_number must be in E.164 format")
	case !payout.CheckEmail(r.Email):
		return r, fail(400, 3, "beneficiary_email is not valid")
	}
	return r, nil
}

// amountValue reads a JSON number with at most two decimals; with
// orString, a string holding one too (PayTabs documents close's total as a
// string, Clickpay's example sends a number).
func amountValue(raw json.RawMessage, key string, orString bool) (payout.Amount, *apiError) {
	var n json.Number
	isString := bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`))
	if isString && orString {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, fail(400, 3, "%s must be a number", key)
		}
		n = json.Number(s)
	} else if err := json.Unmarshal(raw, &n); err != nil || isString {
		return 0, fail(400, 3, "%s must be a number", key)
	}
	a, err := payout.ParseDecimal(n.String())
	if err != nil {
		return 0, fail(400, 3, "%s must have at most 2 decimal places", key)
	}
	return a, nil
}

// jsonString reads a JSON string: as it is, when it has no escapes.
func jsonString(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		inner := raw[1 : len(raw)-1]
		plain := utf8.Valid(inner)
		for _, c := range inner {
			if c == '\\' || c == '"' || c < 0x20 {
				plain = false
				break
			}
		}
		if plain {
			return string(inner), nil
		}
	}
	var v string
	err := json.Unmarshal(raw, &v)
	return v, err
}
