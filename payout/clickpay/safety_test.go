package clickpay_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
)

// TestRedirectsAreNeverFollowed: an API answering 307 or 301 to another
// address gets neither the key nor the payroll again; the error names the
// Location and says the call was not applied.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusMovedPermanently, http.StatusFound, http.StatusPermanentRedirect} {
		var elsewhere atomic.Int32
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			elsewhere.Add(1)
			w.Write([]byte(`{"batch_id": 1}`))
		}))
		defer other.Close()
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/stolen", code)
		}))
		defer api.Close()
		c, err := clickpay.New(clickpay.Config{BaseURL: api.URL, ServerKey: key, ProfileID: "1", AccountID: "2",
			Retry: clickpay.Retry{Attempts: 3}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.NewBatch(context.Background(), "order", []payout.Request{req(1, 100)})
		var ce *clickpay.Error
		if !errors.As(err, &ce) || ce.Outcome != clickpay.NotApplied || ce.HTTPStatus != code {
			t.Fatalf("%d: %v", code, err)
		}
		if !strings.Contains(err.Error(), other.URL+"/stolen") || !strings.Contains(err.Error(), "never followed") {
			t.Errorf("%d: the error does not name the Location: %v", code, err)
		}
		if elsewhere.Load() != 0 {
			t.Errorf("%d: the redirect was followed %d times", code, elsewhere.Load())
		}
	}
}

// TestServerAmountsReadLiberally: a fee of "1.725", totals as numbers or
// strings, with thousands separators, are read; our own amounts are
// compared exactly.
func TestServerAmountsReadLiberally(t *testing.T) {
	tests := []struct {
		in     string
		text   string
		amount payout.Amount
		exact  bool
	}{
		{`"201.01"`, "201.01", 20101, true},
		{`201.01`, "201.01", 20101, true},
		{`"1.725"`, "1.725", 0, false},
		{`1.725`, "1.725", 0, false},
		{`"1,000.00"`, "1000.00", 100000, true},
		{`"201.010"`, "201.01", 20101, true},
		{`0`, "0.00", 0, true},
		{`"12"`, "12.00", 1200, true},
		{`" 3.5 "`, "3.50", 350, true},
		{`"-0.63"`, "-0.63", -63, true},
		{`null`, "", 0, false},
		{`"n/a"`, "n/a", 0, false},
	}
	for _, tt := range tests {
		var d payout.Decimal
		if err := json.Unmarshal([]byte(tt.in), &d); err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		a, ok := d.Amount()
		if d.String() != tt.text || ok != tt.exact || (ok && a != tt.amount) {
			t.Errorf("%s: %q %v %v, want %q %v %v", tt.in, d.String(), a, ok, tt.text, tt.amount, tt.exact)
		}
	}

	// Through the client and the simulator: a fee with three decimals
	// does not make the query unreadable.
	e := setup(t, clickpaysim.Config{FeeMills: 1725}, nil)
	ctx := context.Background()
	b, err := e.client.NewBatch(ctx, "order", []payout.Request{req(1, 100000)})
	if err != nil {
		t.Fatal(err)
	}
	q, err := e.client.Query(ctx, b.BatchID)
	if err != nil {
		t.Fatalf("a 3-decimal fee made the query fail: %v", err)
	}
	if q.Entries[0].Fee.String() != "1.725" || q.Entries[0].Total.String() != "1001.725" {
		t.Errorf("fee %s total %s", q.Entries[0].Fee, q.Entries[0].Total)
	}
	if a, ok := q.Entries[0].Amount.Amount(); !ok || a != 100000 {
		t.Errorf("amount %s", q.Entries[0].Amount)
	}
	one, err := e.client.QueryEntry(ctx, b.BatchID, q.Entries[0].EntryID)
	if err != nil || one.Fee.String() != "1.725" {
		t.Fatalf("single entry: %+v %v", one, err)
	}
}

// TestSingleEntryFlatAnswer: the single-entry query of Clickpay's text
// answers a flat object; the client reads it (and a batch shape too).
func TestSingleEntryFlatAnswer(t *testing.T) {
	for name, answer := range map[string]string{
		"flat":  `{"entry_id": 10029, "amount": "201.01", "fee": "0.63", "total": "201.64", "beneficiary_account_number": "SA3305000068200027493000", "status": "Failed", "protocol_message": "Unrecoverable integration error"}`,
		"batch": `{"batch_id": 30173, "status": "Completed", "requests": [{"entry_id": 10029, "amount": "201.01", "fee": "0.63", "total": "201.64", "beneficiary_account_number": "SA3305000068200027493000", "status": "Failed", "protocol_message": "Unrecoverable integration error"}]}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(answer)) }))
		c, err := clickpay.New(clickpay.Config{BaseURL: srv.URL, ServerKey: key, ProfileID: "1", AccountID: "2"})
		if err != nil {
			t.Fatal(err)
		}
		e, err := c.QueryEntry(context.Background(), "30173", "10029")
		srv.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if e.EntryID != "10029" || e.Status != "Failed" || e.Fee.String() != "0.63" || e.IBAN != "SA3305000068200027493000" || e.BatchID != "30173" {
			t.Errorf("%s: %+v", name, e)
		}
	}
}

// TestServerMessageQuotingTheKey: a server message that quotes the key is
// never printed (nor, through the error, stored).
func TestServerMessageQuotingTheKey(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		w.Write([]byte(`{"code": 3, "message": "key ` + r.Header.Get("authorization") + ` is not allowed here", "trace": "T-` + r.Header.Get("authorization") + `"}`))
	}))
	defer srv.Close()
	c, err := clickpay.New(clickpay.Config{BaseURL: srv.URL, ServerKey: key, ProfileID: "1", AccountID: "2"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Query(context.Background(), "1")
	var ce *clickpay.Error
	if !errors.As(err, &ce) {
		t.Fatal(err)
	}
	if strings.Contains(err.Error(), key) || strings.Contains(ce.Message, key) || strings.Contains(ce.Trace, key) {
		t.Fatalf("the key is echoed: %v", err)
	}
	if !strings.Contains(ce.Message, "[server key]") {
		t.Errorf("message %q", ce.Message)
	}
}

func TestBatchStatusWords(t *testing.T) {
	for _, s := range []string{"New", "Open", "new", " Open "} {
		if !payout.BatchOpen(s) || payout.BatchClosed(s) {
			t.Errorf("%q should be open", s)
		}
	}
	for _, s := range []string{"Closed", "Completed", "Processing", "Approved"} {
		if payout.BatchOpen(s) || !payout.BatchClosed(s) {
			t.Errorf("%q should be closed", s)
		}
	}
	for _, s := range []string{"", "Draft", "Pending", "Whatever"} {
		if payout.BatchClosed(s) {
			t.Errorf("the unknown word %q was taken as closed", s)
		}
	}
}

// TestSimulatorFollowsClickpaysText: merchant_reference may be left out;
// PayTabs' path names are accepted next to Clickpay's; close takes total
// as a number (Clickpay) or a string (PayTabs).
func TestSimulatorFollowsClickpaysText(t *testing.T) {
	sim, err := clickpaysim.New(clickpaysim.Config{ServerKey: key})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	post := func(path, body string) (int, map[string]any) {
		r, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		r.Header.Set("authorization", key)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	iban := saIBAN("80", 7)
	request := `{"amount": 2, "beneficiary_name": "Riyas Razak", "beneficiary_country": "SA", "beneficiary_account_number": "` + iban + `", "beneficiary_bank": "RJHISARI", "beneficiary_bank_branch": "", "beneficiary_email": "clickpay@example.com", "beneficiary_mobile_number": "+966501111111", "beneficiary_address1": "Riyadh", "beneficiary_address2": "", "transfer_code": 100}`
	code, b := post("/payout/batch/new", `{"profile_id": 100001, "account_id": 200001, "order_id": "Payout-API-1", "requests": [`+request+`]}`)
	if code != 200 {
		t.Fatalf("a request without merchant_reference: %d %v", code, b)
	}
	id := b["batch_id"].(float64)
	body := `{"batch_id": ` + jsonNumber(id) + `, "profile_id": 100001, "account_id": 200001, "order_id": "Payout-API-1", "requests": [` + request + `]}`
	if code, b := post("/payout/batch/request/add", body); code != 200 {
		t.Fatalf("PayTabs' add path: %d %v", code, b)
	}
	if code, b := post("/payout/batch/add", body); code != 200 {
		t.Fatalf("Clickpay's add path: %d %v", code, b)
	}
	q := `{"batch_id": ` + jsonNumber(id) + `, "profile_id": 100001, "account_id": 200001}`
	_, qb := post("/payout/batch/query", q)
	entry := qb["requests"].([]any)[0].(map[string]any)["entry_id"].(float64)
	code, one := post("/payout/batch/request/query", `{"batch_id": `+jsonNumber(id)+`, "profile_id": 100001, "account_id": 200001, "entry_id": `+jsonNumber(entry)+`}`)
	if code != 200 || one["entry_id"] != entry || one["requests"] != nil || one["fee"] == nil {
		t.Fatalf("single entry on PayTabs' path: %d %v", code, one)
	}
	if code, b := post("/payout/batch/close", `{"batch_id": `+jsonNumber(id)+`, "profile_id": 100001, "account_id": 200001, "count": 3, "total": "6.00"}`); code != 200 {
		t.Fatalf("close with total as a string: %d %v", code, b)
	}
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}
