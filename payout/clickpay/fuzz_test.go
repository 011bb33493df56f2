package clickpay_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"payroll/payout"
	"payroll/payout/clickpay"
)

// FuzzAnswers feeds the client every shape of answer (a batch, a flat
// entry, a search result, an error, or none of these) with any status, as
// a loopback server would send it. Whatever comes back: no panic, an error
// is a *clickpay.Error whose outcome is known (applied or not, or unknown),
// the server key never shows in it even when the server quotes it, and a
// batch read has every entry of its "requests" and "entries". Seeds:
// testdata/fuzz/FuzzAnswers.
func FuzzAnswers(f *testing.F) {
	for _, seed := range []struct {
		status int
		body   string
	}{
		{200, `{"batch_id":1001,"count":2,"total":"2500.50","status":"New","order_id":"o1","requests":[{"entry_id":1,"amount":"1000.00","merchant_reference":"r1","status":"Pending"},{"entry_id":"2","amount":1500.5}]}`},
		{200, `{"entry_id":7,"batch_id":"1001","amount":"12.5","fee":"1.725","total":"14.225","status":"Paid","protocol_message":""}`},
		{200, `[{"entry_id":9,"merchant_reference":"2026-11-SA03","amount":"1.00","status":"Failed"}]`},
		{200, `{"data":[{"entry_id":9}],"trace":"PMNT0401"}`},
		{400, `{"code":3,"message":"Invalid beneficiary KEY","trace":"T1"}`},
		{409, `{"code":"4","message":"Duplicate Request"}`},
		{500, `<html>oops KEY</html>`},
		{302, ``},
		{429, `{"message":"slow down"}`},
		{200, `{"batch_id":1e400}`},
	} {
		f.Add(seed.status, seed.body)
	}
	var mu sync.Mutex
	var status int
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		st, b := status, body
		mu.Unlock()
		if st >= 300 && st < 400 {
			w.Header().Set("Location", "https://elsewhere.example/?k="+key)
		}
		w.WriteHeader(st)
		w.Write([]byte(b))
	}))
	defer srv.Close()
	c, err := clickpay.New(clickpay.Config{BaseURL: srv.URL, ServerKey: key, ProfileID: "1", AccountID: "2", Timeout: 2 * time.Second,
		Retry: clickpay.Retry{Attempts: 1}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, st int, b string) {
		if st < 200 || st > 599 {
			st = 200 + (st%400+400)%400
		}
		mu.Lock()
		status, body = st, strings.ReplaceAll(b, "KEY", key)
		mu.Unlock()
		ctx := context.Background()
		check := func(call string, err error) {
			if err == nil {
				return
			}
			var ce *clickpay.Error
			if !errors.As(err, &ce) {
				t.Fatalf("%s: %T %v", call, err, err)
			}
			if ce.Outcome != payout.OutcomeNotApplied && ce.Outcome != payout.OutcomeUnknown {
				t.Fatalf("%s: outcome %v", call, ce.Outcome)
			}
			if strings.Contains(err.Error(), key) || strings.Contains(ce.Location, key) || strings.Contains(ce.Message, key) {
				t.Fatalf("%s: the key shows in %q", call, err.Error())
			}
		}
		batch, err := c.Query(ctx, "1001")
		check("query", err)
		if err == nil && batch == nil {
			t.Fatal("query: no batch and no error")
		}
		if err == nil {
			var generic map[string]any
			if json.Unmarshal([]byte(body), &generic) == nil {
				n := 0
				for _, k := range []string{"requests", "entries"} {
					if list, ok := generic[k].([]any); ok {
						n += len(list)
					}
				}
				if len(batch.Entries) != n {
					t.Fatalf("query: %d entries read of %d in %s", len(batch.Entries), n, body)
				}
			}
		}
		_, err = c.QueryEntry(ctx, "1001", "7")
		check("query entry", err)
		_, err = c.Search(ctx, "2026-11-SA03")
		check("search", err)
	})
}
