package upload

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"payroll/payout"
	"payroll/payout/journal"
)

// matchPlainly is Match written the plain way: every entry with a
// reference takes its row when free; every other takes the first free row
// of its IBAN and amount.
func matchPlainly(rows []journal.Row, entries []payout.Entry) []journal.EntryUpdate {
	taken := map[int]bool{}
	var out []journal.EntryUpdate
	add := func(i int, e payout.Entry) {
		taken[i] = true
		out = append(out, journal.EntryUpdate{Index: rows[i].Index, EntryID: e.ID, Status: e.Status, Fee: e.Fee.String(), Total: e.Total.String(), ProtocolMessage: e.Message})
	}
	var rest []payout.Entry
	for _, e := range entries {
		found := -1
		for i := len(rows) - 1; i >= 0; i-- { // the last row with the reference
			if e.Reference != "" && rows[i].Request.MerchantReference == e.Reference {
				found = i
				break
			}
		}
		if found >= 0 && !taken[found] {
			add(found, e)
			continue
		}
		rest = append(rest, e)
	}
	for _, e := range rest {
		a, ok := e.Amount.Amount()
		if !ok {
			continue
		}
		for i, r := range rows {
			if !taken[i] && r.Request.IBAN == e.IBAN && r.Request.Amount == a {
				add(i, e)
				break
			}
		}
	}
	return out
}

// TestMatchPairsInOrder: entries are paired with rows by reference, else by
// IBAN and amount in order, whatever the mix of repeated people, echoed and
// missing references, strange amounts and entries of no row; also when
// the matching starts over part way.
func TestMatchPairsInOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	for round := range 500 {
		var rows []journal.Row
		for i := range 1 + r.IntN(40) {
			rows = append(rows, journal.Row{Index: i, Request: payout.Request{IBAN: fmt.Sprint("SA", r.IntN(6)), Amount: payout.Amount(100 * (1 + r.IntN(3))),
				MerchantReference: fmt.Sprint("ref", r.IntN(50))}})
		}
		var entries []payout.Entry
		for i := range r.IntN(50) {
			e := payout.Entry{ID: fmt.Sprint(i), IBAN: fmt.Sprint("SA", r.IntN(7)), Amount: payout.ParseServerDecimal([]string{"1.00", "2.00", "3.00", "1.005", "x"}[r.IntN(5)]),
				Status: "Paid", Fee: payout.ParseServerDecimal("0.63")}
			if r.IntN(2) == 0 {
				e.Reference = fmt.Sprint("ref", r.IntN(60))
			}
			entries = append(entries, e)
		}
		want := matchPlainly(rows, entries)
		// Match, and a matcher handed entries one at a time (in one
		// variable, refilled) that starts over part way, as it does when
		// the answer is read afresh.
		m := newMatcher(rows)
		for i := range r.IntN(len(entries) + 1) {
			m.add(&entries[i])
		}
		m.start()
		var e payout.Entry
		for i := range entries {
			e = entries[i]
			m.add(&e)
		}
		for name, got := range map[string][]journal.EntryUpdate{"Match": Match(rows, entries), "started over": m.finish()} {
			if (len(got) > 0 || len(want) > 0) && !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, %s:\n got %+v\nwant %+v", round, name, got, want)
			}
		}
	}
}
