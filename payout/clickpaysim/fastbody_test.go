package clickpaysim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// sameBody: whatever the fast readers accept, encoding/json accepts too
// and reads the same map and the same requests.
func sameBody(t *testing.T, body string) {
	t.Helper()
	if m, ok := fastBody([]byte(body)); ok {
		var std map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &std); err != nil {
			t.Fatalf("%s: read fast, refused by encoding/json: %v", body, err)
		}
		if len(m) != len(std) {
			t.Fatalf("%s: keys %d, encoding/json %d", body, len(m), len(std))
		}
		for k, v := range std {
			if !bytes.Equal(m[k], v) {
				t.Fatalf("%s: %q is %s, encoding/json %s", body, k, m[k], v)
			}
		}
	}
	if items, ok := fastRequests([]byte(body)); ok {
		var std []rawRequest
		if err := json.Unmarshal([]byte(body), &std); err != nil {
			t.Fatalf("%s: requests read fast, refused by encoding/json: %v", body, err)
		}
		if len(items) != len(std) || len(items) > 0 && !reflect.DeepEqual(items, std) {
			t.Fatalf("%s:\nfast %+v\nstd  %+v", body, items, std)
		}
	}
}

var bodyPieces = []string{`"amount"`, `"merchant_reference"`, `"beneficiary_name"`, `"Amount"`, `"transfer_code"`, `"requests"`, `"batch_id"`, `"x"`,
	`12`, `-0.5`, `1e3`, `01`, `1.`, `"a"`, `""`, `"\u0041"`, `"\n"`, `"é"`, "\"\xff\"", `null`, `true`, `[`, `]`, `{`, `}`, `:`, `,`, ` `, "\t", `[]`, `{}`}

// TestFastBodySameAsStd: the usual bodies are read fast, and bodies made
// of the pieces that could trip a reader are read as encoding/json reads
// them or left to it.
func TestFastBodySameAsStd(t *testing.T) {
	req := `{"amount":1500.25,"merchant_reference":"pr-1","beneficiary_name":"محمد","beneficiary_country":"SA",` +
		`"beneficiary_account_number":"SA0380000000608010167519","beneficiary_bank":"RJHISARI","beneficiary_bank_branch":"",` +
		`"beneficiary_email":"m@example.com","beneficiary_mobile_number":"+966501234567","beneficiary_address1":"Riyadh",` +
		`"beneficiary_address2":"","transfer_code":100}`
	usual := []string{
		`{"batch_id":7,"profile_id":100001,"account_id":"200001","order_id":"o-1","requests":[` + req + `,` + req + `]}`,
		`{ "profile_id" : 1 , "account_id" : 2 , "order_id" : "x" , "requests" : [ ] }`,
		`{"batch_id":7,"profile_id":100001,"account_id":200001}`,
	}
	for _, body := range usual {
		if _, ok := fastBody([]byte(body)); !ok {
			t.Errorf("not read fast: %s", body)
		}
		sameBody(t, body)
	}
	if items, ok := fastRequests([]byte(`[` + req + `]`)); !ok || len(items) != 1 || items[0].Name.v != "محمد" || items[0].Amount.v != "1500.25" || items[0].Amount.text {
		t.Errorf("requests read fast: %+v %v", items, ok)
	}
	r := rand.New(rand.NewPCG(11, 12))
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			b.WriteString(bodyPieces[r.IntN(len(bodyPieces))])
		}
		sameBody(t, b.String())
		sameBody(t, "{"+b.String()+"}")
		sameBody(t, fmt.Sprintf(`[{"amount":%s}]`, b.String()))
	}
}

func FuzzFastBody(f *testing.F) {
	f.Add(`{"batch_id":7,"profile_id":1,"account_id":2,"order_id":"o","requests":[{"amount":1,"beneficiary_name":"a"}]}`)
	f.Add(`[{"amount":"1","transfer_code":100,"merchant_reference":"r"}]`)
	f.Add(`{"a":1,"a":2}`)
	f.Add(`[{"amount":1,"Amount":2}]`)
	f.Fuzz(func(t *testing.T, body string) { sameBody(t, body) })
}
