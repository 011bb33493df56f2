package payout

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMobileFastPath: for Saudi mobiles in their usual forms the fast
// path gives exactly the phone library's answers, for every 4-digit range
// of 5XXXXXXXX and many numbers in each.
func TestMobileFastPath(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for prefix := 5000; prefix <= 5999; prefix++ {
		for k := 0; k < 12; k++ {
			tail := r.IntN(100000)
			switch k {
			case 0:
				tail = 0
			case 1:
				tail = 99999
			}
			nsn := fmt.Sprintf("%d%05d", prefix, tail)
			for _, typed := range []string{"0" + nsn, "+966" + nsn} {
				if _, ok := saMobileForm(typed); !ok {
					t.Fatalf("%s is not taken by the fast path", typed)
				}
				gotE164, gotCode := NormalizeMobile(typed, "SA")
				wantE164, wantCode := parseMobile(typed, "SA")
				if gotE164 != wantE164 || gotCode != wantCode {
					t.Fatalf("%s: fast path %q %q, phone library %q %q", typed, gotE164, gotCode, wantE164, wantCode)
				}
				checked++
			}
		}
	}
	// Forms the fast path leaves to the library.
	for _, typed := range []string{"501234567", "966501234567", "+966 50 123 4567", "0501234567x", "05012345678", "+9665012345", "0401234567"} {
		if _, ok := saMobileForm(typed); ok {
			t.Errorf("%s taken by the fast path", typed)
		}
	}
	t.Logf("%d numbers agree", checked)
}

// TestEmailFastPath: whenever the fast path accepts an address, the mail
// parser's check accepts it too; and it takes the usual addresses.
func TestEmailFastPath(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	good := []string{"a", "Z", "0", ".", "_", "+", "-", "example", "com"}
	odd := []string{"..", "@", "é", " ", "\"", "(", ")", "<", ">", ",", "[", "]", "!", "#", "=", "\t", "\\", "\x00"}
	taken := 0
	for range 300_000 {
		var b strings.Builder
		word := func(n int) {
			for range 1 + r.IntN(n) {
				if r.IntN(8) == 0 {
					b.WriteString(odd[r.IntN(len(odd))])
				} else {
					b.WriteString(good[r.IntN(len(good))])
				}
			}
		}
		word(8)
		if r.IntN(2) == 0 {
			// The shape of an address, with anything in its parts.
			b.WriteString("@")
			word(3)
			b.WriteString(".")
			word(2)
		}
		s := b.String()
		if plainEmail(s) {
			taken++
			if !checkEmailParsed(s) {
				t.Fatalf("%q: the fast path accepts what the parser refuses", s)
			}
		}
	}
	for _, s := range []string{"a@example.com", "first.last+tag@sub.example.co", "A_B-c@ex-ample.org", "employee12@example.com"} {
		if !plainEmail(s) || !checkEmailParsed(s) {
			t.Errorf("%q is not taken by the fast path", s)
		}
	}
	for _, s := range []string{"a@b", ".a@b.com", "a.@b.com", "a@.b.com", "a@b.com.", "a..b@c.com", "a@b..com", "a@b@c.com", "@b.com", "a@"} {
		if plainEmail(s) {
			t.Errorf("%q is taken by the fast path", s)
		}
	}
	if taken < 5000 {
		t.Errorf("only %d random addresses took the fast path", taken)
	}
}

// TestOneLineFastPath: text the fast path leaves as it is is what folding
// its white space would give, and the usual names take it.
func TestOneLineFastPath(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pieces := []string{"a", "Ali", "محمد", " ", " ", "  ", "\t", "\n", "\u00a0", "\u0085", "\u2003", "\u3000", "x\xff", "-"}
	taken := 0
	for range 200_000 {
		var b strings.Builder
		for range r.IntN(7) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		want := strings.Join(strings.Fields(s), " ")
		if singleSpaced(s) {
			taken++
			if s != want {
				t.Fatalf("%q is left as it is; folded it is %q", s, want)
			}
		}
		if oneLine(s) != want {
			t.Fatalf("oneLine(%q) = %q, want %q", s, oneLine(s), want)
		}
	}
	if taken < 10_000 || !singleSpaced("Mohammed Al-Harbi") || !singleSpaced("محمد العتيبي") {
		t.Errorf("the fast path is taken %d times", taken)
	}
}
