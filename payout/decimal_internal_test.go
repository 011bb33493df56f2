package payout

import (
	"math/rand/v2"
	"testing"
)

// TestCanonicalDecimal: a server amount the fast path keeps as it is, the
// general reading would have written the same way; and the usual amounts
// take it.
func TestCanonicalDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	taken := 0
	for range 300_000 {
		b := make([]byte, 1+r.IntN(8))
		for i := range b {
			b[i] = "0123456789.,- +e"[r.IntN(16)]
		}
		s := string(b)
		if canonicalDecimal(s) {
			taken++
			if got := parseServerDecimal(s); got != (Decimal{text: s}) {
				t.Fatalf("%q: fast path keeps it, the general reading gives %+v", s, got)
			}
		}
	}
	for _, s := range []string{"3368.97", "0.63", "1.725", "12", "0"} {
		if !canonicalDecimal(s) {
			t.Errorf("%q does not take the fast path", s)
		}
	}
	if taken < 10_000 {
		t.Errorf("only %d random amounts took the fast path", taken)
	}
}
