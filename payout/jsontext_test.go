package payout

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// TestRequestJSONAsStd: a request and a string are written as
// encoding/json writes them, byte for byte.
func TestRequestJSONAsStd(t *testing.T) {
	texts := []string{"", "Ahmed", "محمد", "<&>", `"\`, "\b\f\n\r\t\x00\x1f\x7f", "\xff", "a\xe2\x80", "\u2028\u2029", "😀", "\ufffd"}
	r := rand.New(rand.NewPCG(13, 14))
	pick := func() string { return texts[r.IntN(len(texts))] + texts[r.IntN(len(texts))] }
	for range 3000 {
		q := Request{Amount: Amount(r.Int64N(2*int64(MaxAmount)) - int64(MaxAmount)), MerchantReference: pick(), Name: pick(), Country: pick(),
			IBAN: pick(), Bank: pick(), Branch: pick(), Email: pick(), Mobile: pick(), Address1: pick(), Address2: pick(), TransferCode: TransferCode(r.IntN(200))}
		want, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("written  %s\nencoding/json %s", got, want)
		}
		s := pick()
		want, _ = json.Marshal(s)
		if got := AppendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: written %s, encoding/json %s", s, got, want)
		}
	}
}

// TestRequestTextStaysInItsField: a cell's text, whatever it holds, is sent
// as that one field's value: a name made to look like the end of the name
// and another IBAN does not change the IBAN sent.
func TestRequestTextStaysInItsField(t *testing.T) {
	for _, name := range []string{
		`Ali","beneficiary_account_number":"SA4420000001234567891234`,
		`Ali\","beneficiary_account_number":"SA4420000001234567891234`,
		"Ali\",\n\"amount\":999999999.99,\"x\":\"",
		`Ali"}, {"amount":1,"beneficiary_name":"Eve`,
		"Ali\x00\u2028</script>",
	} {
		q := Request{Amount: 150000, Name: name, Country: "SA", IBAN: "SA0380000000608010167519", TransferCode: Salary}
		var back Request
		if err := json.Unmarshal(q.AppendJSON(nil), &back); err != nil || back != q {
			t.Errorf("%q sent as %s: read back %+v, %v", name, q.AppendJSON(nil), back, err)
		}
	}
}
