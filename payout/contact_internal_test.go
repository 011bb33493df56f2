package payout

import (
	"fmt"
	"math/rand/v2"
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
