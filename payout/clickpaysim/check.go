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

// checkRequests validates a requests array strictly and returns it decoded.
// With a batch, a merchant_reference already in it is a duplicate.
func (s *Server) checkRequests(raw json.RawMessage, b *batch) ([]payout.Request, *apiError) {
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fail(400, 3, "requests must be an array of objects")
	}
	if len(items) > s.cfg.MaxRequests {
		return nil, fail(400, 3, "at most %d requests per call", s.cfg.MaxRequests)
	}
	seen := map[string]bool{}
	if b != nil {
		for _, e := range b.Entries {
			seen[e.Request.MerchantReference] = true
		}
	}
	var out []payout.Request
	for i, it := range items {
		r, aerr := checkRequest(it)
		if aerr != nil {
			aerr.msg = fmt.Sprintf("requests[%d]: %s", i, aerr.msg)
			return nil, aerr
		}
		if r.MerchantReference != "" {
			if seen[r.MerchantReference] {
				return nil, fail(409, 4, "Duplicate Request")
			}
			seen[r.MerchantReference] = true
		}
		out = append(out, r)
	}
	return out, nil
}

func checkRequest(it map[string]json.RawMessage) (payout.Request, *apiError) {
	for _, k := range requestKeys {
		raw, ok := it[k.key]
		if !ok && k.absent {
			continue
		}
		if !ok {
			return payout.Request{}, fail(400, 3, "%s is required", k.key)
		}
		raw = bytes.TrimSpace(raw)
		isString := len(raw) > 0 && raw[0] == '"'
		if k.number == isString || string(raw) == "null" {
			want := "a string"
			if k.number {
				want = "a number"
			}
			return payout.Request{}, fail(400, 3, "%s must be %s", k.key, want)
		}
		if !k.number && !k.optional && string(raw) == `""` {
			return payout.Request{}, fail(400, 3, "%s must not be empty", k.key)
		}
	}
	amt, aerr := amountValue(it["amount"], "amount", false)
	if aerr != nil {
		return payout.Request{}, aerr
	}
	if amt <= 0 {
		return payout.Request{}, fail(400, 3, "amount must be greater than zero")
	}
	r := payout.Request{Amount: amt}
	for key, field := range map[string]*string{
		"merchant_reference": &r.MerchantReference, "beneficiary_name": &r.Name, "beneficiary_country": &r.Country,
		"beneficiary_account_number": &r.IBAN, "beneficiary_bank": &r.Bank, "beneficiary_bank_branch": &r.Branch,
		"beneficiary_email": &r.Email, "beneficiary_mobile_number": &r.Mobile, "beneficiary_address1": &r.Address1,
		"beneficiary_address2": &r.Address2,
	} {
		if raw, ok := it[key]; ok {
			v, err := jsonString(raw)
			if err != nil {
				return payout.Request{}, fail(400, 3, "invalid request: %s: %v", key, err)
			}
			*field = v
		}
	}
	if err := json.Unmarshal(it["transfer_code"], &r.TransferCode); err != nil {
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
