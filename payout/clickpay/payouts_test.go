package clickpay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
)

// TestPayoutsSpeaksThePipelinesTerms: the client as a payout.Provider
// reports batches and entries in our types, and tells the pipeline what a
// failure means: may it have been applied, a duplicate, the balance, no
// search call.
func TestPayoutsSpeaksThePipelinesTerms(t *testing.T) {
	ctx := context.Background()
	e := setup(t, clickpaysim.Config{Balance: 500}, func(c *clickpay.Config) { c.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} })
	p := e.client.Payouts()
	b, err := p.NewBatch(ctx, "o-1", []payout.Request{req(1, 300), req(2, 400)})
	if err != nil {
		t.Fatal(err)
	}
	q, err := p.Query(ctx, b.ID)
	if err != nil || q.ID != b.ID || q.Count != 2 || len(q.Entries) != 2 || !payout.BatchOpen(q.Status) {
		t.Fatalf("query %+v, %v", q, err)
	}
	if a, ok := q.Total.Amount(); !ok || a != 700 {
		t.Errorf("total %v", q.Total)
	}
	if q.Entries[0].ID == "" || q.Entries[0].BatchID != b.ID || q.Entries[0].IBAN != req(1, 300).IBAN {
		t.Errorf("entry %+v", q.Entries[0])
	}
	found, err := p.Search(ctx, "order-r2")
	if err != nil || len(found) != 1 || found[0].BatchID != b.ID {
		t.Fatalf("search %+v, %v", found, err)
	}

	_, err = p.Close(ctx, b.ID, 2, 700)
	if !payout.IsCall(err, payout.CallInsufficientFunds) || !payout.NotAppliedCall(err) {
		t.Errorf("close beyond the balance: %v, want insufficient funds, not applied", err)
	}
	_, err = p.NewBatch(ctx, "o-1", []payout.Request{req(5, 300)})
	if !payout.IsCall(err, payout.CallDuplicate) || !payout.NotAppliedCall(err) {
		t.Errorf("a reused order id: %v, want a duplicate, not applied", err)
	}
	e.sim.Inject(clickpaysim.Fault{Call: "add", N: 1, Kind: clickpaysim.Fail500})
	_, err = p.Add(ctx, b.ID, "o-1", []payout.Request{req(3, 50)})
	if !payout.UnknownCall(err) || payout.NotAppliedCall(err) {
		t.Errorf("a 500: %v, want outcome unknown", err)
	}

	noSearch := httptest.NewServer(http.NotFoundHandler())
	defer noSearch.Close()
	c, err := clickpay.New(clickpay.Config{BaseURL: noSearch.URL, ServerKey: key, ProfileID: "1", AccountID: "2"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Payouts().Search(ctx, "x")
	if !payout.IsCall(err, payout.CallNoSearch) {
		t.Errorf("search on a server without it: %v, want CallNoSearch", err)
	}
}

// TestQueryEachAsQuery: the entries handed one at a time are the entries
// Query returns, for the usual answer (read as it comes, in one call) and
// for one the fast readers give up on part way (a key said twice in the
// second entry): the batch is asked for again and read whole, and the
// entries are handed again from the start, after start is called again.
func TestQueryEachAsQuery(t *testing.T) {
	ctx := context.Background()
	usual := `{"batch_id":77,"status":"Open","currency":"SAR","count":3,"total":"6.00","entries":[` +
		`{"entry_id":1,"merchant_reference":"r1","amount":"1.00","beneficiary_account_number":"SA1","status":"Pending"},` +
		`{"entry_id":2,"merchant_reference":"r2","amount":"2.00","beneficiary_account_number":"SA2","status":"Pending"},` +
		`{"entry_id":3,"merchant_reference":"r3","amount":"3.00","beneficiary_account_number":"SA3","status":"Paid","fee":"0.63"}]}`
	twice := strings.Replace(usual, `"status":"Pending"}`, `"status":"Pending","status":"Paid"}`, 2)
	twice = strings.Replace(twice, `"status":"Pending","status":"Paid"}`, `"status":"Pending"}`, 1) // only the second entry
	for name, answer := range map[string]string{"usual": usual, "a key twice": twice} {
		var asked atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(answer))
		}))
		c, err := clickpay.New(clickpay.Config{BaseURL: srv.URL, ServerKey: key, ProfileID: "1", AccountID: "2"})
		if err != nil {
			t.Fatal(err)
		}
		p := c.Payouts()
		whole, err := p.Query(ctx, "77")
		if err != nil || len(whole.Entries) != 3 {
			t.Fatalf("%s: query %+v, %v", name, whole, err)
		}
		asked.Store(0)
		handed := 0
		var got []payout.Entry
		b, err := p.QueryEach(ctx, "77", func() { got = nil }, func(e *payout.Entry) { handed++; got = append(got, *e) })
		srv.Close()
		if err != nil || b.ID != "77" || b.Count != 3 || b.Entries != nil || b.Status != whole.Status {
			t.Fatalf("%s: query each %+v, %v", name, b, err)
		}
		for i := range got {
			got[i].BatchID = b.ID // set per entry only when the answer has it
		}
		if !reflect.DeepEqual(got, whole.Entries) {
			t.Errorf("%s: entries handed\n%+v\nQuery's\n%+v", name, got, whole.Entries)
		}
		wantAsked, again := map[string]int32{"usual": 1, "a key twice": 2}[name], name != "usual"
		if asked.Load() != wantAsked || (handed > len(got)) != again {
			t.Errorf("%s: asked %d times (want %d), %d entries handed for %d", name, asked.Load(), wantAsked, handed, len(got))
		}
	}
}
