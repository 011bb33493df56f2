package clickpay

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"payroll/payout"
)

// pieces are the texts that encoding/json writes in more than one way or
// escapes: HTML characters, control characters, quotes, bytes that are not
// UTF-8, the line and paragraph separators, and text in other scripts.
var pieces = []string{"", "a", "Ahmed", "محمد", "😀", "<b>", "&amp;", ">", `"`, `\`, "\b", "\f", "\n", "\r", "\t", "\x00", "\x1f", "\x7f",
	"\xff", "\xe2\x80", "\u2028", "\u2029", "\ufffd", " ", "SA0380000000608010167519", "+966501234567", "0", "12", "007"}

func randomText(r *rand.Rand) string {
	var s string
	for range r.IntN(5) {
		s += pieces[r.IntN(len(pieces))]
	}
	return s
}

func randomID(r *rand.Rand) ID {
	return ID([]string{"", "0", "7", "100001", "0100", "12a", "-1", "1.5", "<1>"}[r.IntN(9)])
}

func randomRequests(r *rand.Rand) []payout.Request {
	if r.IntN(6) == 0 {
		return nil
	}
	page := make([]payout.Request, r.IntN(4))
	for i := range page {
		page[i] = payout.Request{Amount: payout.Amount(r.Int64N(2*int64(payout.MaxAmount)) - int64(payout.MaxAmount)),
			MerchantReference: randomText(r), Name: randomText(r), Country: randomText(r), IBAN: randomText(r), Bank: randomText(r),
			Branch: randomText(r), Email: randomText(r), Mobile: randomText(r), Address1: randomText(r), Address2: randomText(r),
			TransferCode: payout.TransferCode(100 + r.IntN(4))}
	}
	return page
}

// TestBodiesAsStd: the bodies that write themselves write what
// encoding/json writes for them, byte for byte.
func TestBodiesAsStd(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 3000 {
		bodies := []bodyWriter{
			NewBatch{ProfileID: randomID(r), AccountID: randomID(r), OrderID: randomText(r), Requests: randomRequests(r)},
			AddRequests{BatchID: randomID(r), ProfileID: randomID(r), AccountID: randomID(r), OrderID: randomText(r), Requests: randomRequests(r)},
		}
		for _, body := range bodies {
			want, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			if got := body.appendJSON(nil); !bytes.Equal(got, want) {
				t.Fatalf("%#v\nwritten  %s\nencoding/json %s", body, got, want)
			}
		}
	}
	for _, a := range []payout.Amount{0, 1, -1, 99, -100, payout.MaxAmount, math.MaxInt64, math.MinInt64} {
		page := []payout.Request{{Amount: a}}
		want, _ := json.Marshal(page)
		if got := appendRequests(nil, page); !bytes.Equal(got, want) {
			t.Errorf("amount %d: %s, encoding/json %s", a, got, want)
		}
	}
}

// FuzzBodyString: any text, in any field, is written as encoding/json
// writes it.
func FuzzBodyString(f *testing.F) {
	for _, p := range pieces {
		f.Add(p, "100001", int64(12345))
	}
	f.Fuzz(func(t *testing.T, s, id string, amount int64) {
		body := AddRequests{BatchID: ID(id), ProfileID: ID(s), AccountID: "1", OrderID: s,
			Requests: []payout.Request{{Amount: payout.Amount(amount), Name: s, Address2: s + id, TransferCode: payout.Salary}}}
		want, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		if got := body.appendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("%q\nwritten  %s\nencoding/json %s", s, got, want)
		}
	})
}

// TestBodySize: the buffer of an ordinary page holds it without growing,
// and is not several times too large.
func TestBodySize(t *testing.T) {
	page := make([]payout.Request, 1000)
	for i := range page {
		page[i] = payout.Request{Amount: payout.MaxAmount, MerchantReference: "pr-12345678901234567890", Name: "Mohammed Abdullah Al-Harbi",
			Country: "SA", IBAN: "SA0380000000608010167519", Bank: "RJHISARI", Branch: "Olaya", Email: "m.alharbi@example.com.sa",
			Mobile: "+966501234567", Address1: "King Fahd Road 1234", Address2: "Riyadh 12345", TransferCode: payout.Salary}
	}
	for _, body := range []bodyWriter{AddRequests{BatchID: "123456789", ProfileID: "100001", AccountID: "200001", OrderID: "payroll-20261201-0123456789", Requests: page},
		NewBatch{ProfileID: "100001", AccountID: "200001", OrderID: "payroll-20261201-0123456789", Requests: page}} {
		n, size := len(body.appendJSON(nil)), bodySize(body)
		if n > size || size > 2*n {
			t.Errorf("%T: %d bytes written, %d reserved", body, n, size)
		}
	}
}
