package payout

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// TestGroupSepIsThePattern: the hand-written grouping check answers as the
// patterns it replaced, ^\d{1,3}(?:,\d{3})+$ and the same with dots, over
// every short string of digits and separators and many longer ones.
func TestGroupSepIsThePattern(t *testing.T) {
	comma := regexp.MustCompile(`^\d{1,3}(?:,\d{3})+$`)
	dot := regexp.MustCompile(`^\d{1,3}(?:\.\d{3})+$`)
	want := func(s string) string {
		switch {
		case comma.MatchString(s):
			return ","
		case dot.MatchString(s):
			return "."
		}
		return ""
	}
	alphabet := []byte("0,.5a-")
	var walk func(prefix []byte)
	walk = func(prefix []byte) {
		if got := groupSep(string(prefix)); got != want(string(prefix)) {
			t.Fatalf("groupSep(%q) = %q, want %q", prefix, got, want(string(prefix)))
		}
		if len(prefix) == 8 {
			return
		}
		for _, c := range alphabet {
			walk(append(prefix, c))
		}
	}
	walk(nil)
	r := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = "0123456789,.,.١ "[r.IntN(16)]
		}
		if got := groupSep(string(b)); got != want(string(b)) {
			t.Fatalf("groupSep(%q) = %q, want %q", b, got, want(string(b)))
		}
	}
}
