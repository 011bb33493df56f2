package clickpay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
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
