package upload

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"payroll/payout"
	"payroll/payout/journal"
)

// verifyPlainly is the check before close written over the whole list of
// entries, as it was before the entries came one at a time.
func verifyPlainly(rows []journal.Row, count int, total payout.Amount, b *payout.Batch) string {
	if int(b.Count) != count || len(b.Entries) != count {
		return fmt.Sprintf("the server's batch has %d entries (count %d), the plan %d", len(b.Entries), b.Count, count)
	}
	if t, ok := b.Total.Amount(); !ok || t != total {
		return fmt.Sprintf("the server's batch totals SAR %s, the plan SAR %s", b.Total.Grouped(), total.Grouped())
	}
	var sum payout.Amount
	want := map[key]int{}
	for _, row := range rows {
		want[key{row.Request.IBAN, row.Request.Amount}]++
	}
	for _, e := range b.Entries {
		a, ok := e.Amount.Amount()
		k := key{e.IBAN, a}
		if !ok || want[k] == 0 {
			return fmt.Sprintf("the server's batch has an entry the plan does not: %s for SAR %s", e.IBAN, e.Amount.Grouped())
		}
		sum += a
		want[k]--
	}
	if sum != total {
		return fmt.Sprintf("the server's entries add up to SAR %s, the plan SAR %s", sum.Grouped(), total.Grouped())
	}
	all := len(b.Entries) > 0
	refs := map[string]int{}
	for _, e := range b.Entries {
		all = all && e.Reference != ""
		refs[e.Reference]++
	}
	if all {
		for _, row := range rows {
			if refs[row.Request.MerchantReference] != 1 {
				return fmt.Sprintf("row %d (%s) is on the server %d times", row.Row, row.Request.MerchantReference, refs[row.Request.MerchantReference])
			}
		}
	}
	return ""
}

// TestVerifierAsPlainly: the check before close, fed one entry at a time
// (and started over part way, as a provider does when it reads an answer
// afresh), finds exactly what the whole-list check finds, for batches that
// are the plan and batches that are not in every way it knows: an entry
// missing, added or repeated, an amount or IBAN changed, two amounts
// swapped, references repeated, swapped or not echoed, a count or total
// that lies.
func TestVerifierAsPlainly(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	kinds, paths := map[string]int{}, map[string]int{}
	for round := range 3000 {
		var rows []journal.Row
		var total payout.Amount
		for i := range 1 + r.IntN(12) {
			a := payout.Amount(100 * (1 + r.IntN(3)))
			rows = append(rows, journal.Row{Index: i, Row: i + 2, Request: payout.Request{IBAN: fmt.Sprint("SA", r.IntN(4)), Amount: a,
				MerchantReference: fmt.Sprint("ref", i)}})
			total += a
		}
		b := &payout.Batch{Count: len(rows), Total: payout.ParseServerDecimal(total.String())}
		for i, row := range rows {
			b.Entries = append(b.Entries, payout.Entry{ID: fmt.Sprint(i), IBAN: row.Request.IBAN,
				Amount: payout.ParseServerDecimal(row.Request.Amount.String()), Reference: row.Request.MerchantReference})
		}
		r.Shuffle(len(b.Entries), func(i, j int) { b.Entries[i], b.Entries[j] = b.Entries[j], b.Entries[i] })
		for range r.IntN(3) {
			es := b.Entries
			if len(es) == 0 {
				break
			}
			i, j := r.IntN(len(es)), r.IntN(len(es))
			switch r.IntN(10) {
			case 0:
				b.Entries = append(es[:i:i], es[i+1:]...)
			case 1:
				b.Entries = append(es, es[i])
			case 2:
				es[i].Amount = payout.ParseServerDecimal([]string{"1.00", "2.00", "3.00", "1.005", "x"}[r.IntN(5)])
			case 3:
				es[i].IBAN = fmt.Sprint("SA", r.IntN(5))
			case 4:
				es[i].Amount, es[j].Amount = es[j].Amount, es[i].Amount
			case 5:
				es[i].Reference = es[j].Reference
			case 6:
				es[i].Reference = ""
			case 7:
				b.Count += r.IntN(3) - 1
			case 8:
				es[i].Reference, es[j].Reference = es[j].Reference, es[i].Reference
			default:
				b.Total = payout.ParseServerDecimal((total + payout.Amount(r.IntN(3)-1)).String())
			}
		}
		if r.IntN(4) == 0 {
			for i := range b.Entries {
				b.Entries[i].Reference = ""
			}
		}
		want := verifyPlainly(rows, len(rows), total, b)
		kinds[verdict(want)]++

		v := newVerifier(rows, nil)
		if n := r.IntN(len(b.Entries) + 1); r.IntN(2) == 0 {
			// A first reading given up part way.
			v.start()
			for i := range n {
				v.add(&b.Entries[i])
			}
		}
		v.start()
		var e payout.Entry // one entry, refilled: as the provider hands them
		for i := range b.Entries {
			e = b.Entries[i]
			v.add(&e)
		}
		if got := v.result(b, len(rows), total); got != want {
			t.Fatalf("round %d: %d rows, entries %+v:\n got %q\nwant %q", round, len(rows), b.Entries, got, want)
		}
		if v.fast {
			paths["fast"]++
		} else if v.n > 1 && v.seen[v.byRef[b.Entries[0].Reference]] {
			paths["fast, then by the tables"]++
		}
	}
	// Both ways of checking were taken, and the change from one to the
	// other part way through an answer.
	for _, p := range []string{"fast", "fast, then by the tables"} {
		if paths[p] == 0 {
			t.Errorf("no round was checked %s: %v", p, paths)
		}
	}
	// Every verdict was reached, the good one included (the sum cannot
	// differ once every entry is one of the plan's and the count is right).
	for _, w := range []string{"good", "count", "total", "extra", "twice"} {
		if kinds[w] == 0 {
			t.Errorf("no round ended with the verdict %q: %v", w, kinds)
		}
	}
}

func verdict(why string) string {
	for w, in := range map[string]string{"count": "entries (count", "total": "totals SAR", "extra": "plan does not", "sum": "add up to", "twice": "is on the server"} {
		if strings.Contains(why, in) {
			return w
		}
	}
	if why == "" {
		return "good"
	}
	return why
}
