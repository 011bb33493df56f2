package clickpay

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"payroll/payout"
)

const streamKey = "SKEY-1234567890"

// read reads an answer into a payoutAnswer, in one of the client's two
// ways, handing the entries one at a time (each) or keeping them (Query).
// It returns the batch and the entries handed after the last start.
func read(data []byte, each bool, streamed func(io.Reader) io.Reader) (*payout.Batch, []payout.Entry, error) {
	var handed []payout.Entry
	a := &payoutAnswer{}
	if each {
		a.start = func() { handed = handed[:0] }
		a.each = func(e *payout.Entry) { handed = append(handed, *e) }
	}
	var err error
	if streamed != nil {
		err = a.readStream(newWindow(streamed(bytes.NewReader(data)), streamKey))
	} else {
		if bytes.Contains(data, []byte(streamKey)) {
			data = bytes.ReplaceAll(data, []byte(streamKey), []byte(redacted))
		}
		err = decodeAnswer(data, a)
	}
	return a.batch, handed, err
}

// chunkings are the ways the connection may hand an answer over.
var chunkings = map[string]func(io.Reader) io.Reader{
	"at once":  func(r io.Reader) io.Reader { return r },
	"a byte":   iotest.OneByteReader,
	"halves":   iotest.HalfReader,
	"with EOF": iotest.DataErrReader,
	"random": func(r io.Reader) io.Reader {
		return &randomReader{r: r, rnd: rand.New(rand.NewPCG(1, 2))}
	},
}

type randomReader struct {
	r   io.Reader
	rnd *rand.Rand
}

func (r *randomReader) Read(p []byte) (int, error) {
	return r.r.Read(p[:min(len(p), 1+r.rnd.IntN(700))])
}

// sameStream: read as it comes, an answer is read as it is whole, or is
// left to be read whole (errWhole); never anything else.
func sameStream(t *testing.T, data string) (streamed int) {
	t.Helper()
	for name, chunk := range chunkings {
		for _, each := range []bool{false, true} {
			bs, hs, es := read([]byte(data), each, chunk)
			if errors.Is(es, errWhole) {
				continue
			}
			if es != nil {
				t.Fatalf("%s, each %v: %q: %v", name, each, data, es)
			}
			bw, hw, ew := read([]byte(data), each, nil)
			if ew != nil {
				t.Fatalf("%s, each %v: %q: read as it comes, refused whole: %v", name, each, data, ew)
			}
			if !reflect.DeepEqual(bs, bw) || !reflect.DeepEqual(hs, hw) {
				t.Fatalf("%s, each %v: %q:\nas it comes %+v %+v\nwhole       %+v %+v", name, each, data, bs, hs, bw, hw)
			}
			streamed++
		}
	}
	return streamed
}

// usualAnswer is a batch answer as Clickpay writes it, n entries, with
// text that needs escapes and numbers written both ways.
func usualAnswer(n int) string {
	var b strings.Builder
	b.WriteString(`{"batch_id":1001,"profile_id":"100001","account_id":200001,"currency":"SAR","status":"Open","order_id":"payroll-x","count":`)
	fmt.Fprintf(&b, "%d", n)
	b.WriteString(`,"total":"123.45","entries":[`)
	names := []string{"Ahmed Al-Qahtani", "محمد العتيبي", `Zoë \"Z\" O'Neil\\`, "Tab\\there", "\\u0041li"}
	for i := range n {
		if i > 0 {
			b.WriteString(",\n  ")
		}
		fmt.Fprintf(&b, `{"entry_id":%d,"merchant_reference":"ref-%d","amount":"%d.%02d","fee":%s,"total":"1.00","beneficiary_name":"%s","beneficiary_account_number":"SA%022d","status":"Pending","protocol_message":null,"extra":{"a":[1,"]"]}}`,
			500000+i, i, 100+i, i%100, []string{`"0.63"`, `null`, `"1.725"`}[i%3], names[i%len(names)], i)
	}
	b.WriteString(`],"trace":"PMNT0401.6789"} `)
	return b.String()
}

// TestStreamSameAsWhole: Clickpay's usual answer is read as it comes, in
// any pieces the connection hands it in, and reads as it does whole; an
// answer quoting the server key (even split across pieces), or of another
// shape, is left to be read whole.
func TestStreamSameAsWhole(t *testing.T) {
	if n := sameStream(t, usualAnswer(3000)); n != 2*len(chunkings) {
		t.Errorf("the usual answer was read as it comes %d times of %d", n, 2*len(chunkings))
	}
	for _, a := range []string{
		strings.Replace(usualAnswer(3), `"protocol_message":null`, `"protocol_message":"bad key `+streamKey+`"`, 1),
		strings.Replace(usualAnswer(3), `"trace":"PMNT0401.6789"`, `"trace":"`+streamKey+`"`, 1),
		`{"batch_id":1,"requests":[{"entry_id":1}],"entries":[]}`,
		`{"batch_id":1,"batch_id":2}`,
		`{"Batch_ID":1}`,
		`{"batch_id":1} x`,
		`{"batch_id":1`,
		`{"entries":[{"entry_id":1},]}`,
		`{"entries":[{"entry_id":1,"status":"A","status":"B"}]}`,
		`["not", "a batch"]`,
		`{"entries":[{"entry_id":1}]` + strings.Repeat(" ", 10) + `,"trace":"` + strings.Repeat("x", 2*maxValue) + `"}`,
	} {
		if n := sameStream(t, a); n != 0 {
			t.Errorf("%.80q: read as it comes %d times, want it read whole", a, n)
		}
	}
	// A batch without entries, and with none, are read as they come.
	for _, a := range []string{`{"batch_id":7,"count":0,"total":"0.00","entries":[]}`, `{"batch_id":7,"entries":null}`, ` {} `} {
		if n := sameStream(t, a); n != 2*len(chunkings) {
			t.Errorf("%q: read as it comes %d times of %d", a, n, 2*len(chunkings))
		}
	}
}

// FuzzStreamSameAsWhole: any answer is read as it comes as it is read
// whole, or left to be read whole.
func FuzzStreamSameAsWhole(f *testing.F) {
	f.Add(usualAnswer(4))
	f.Add(`{"batch_id":1,"requests":[{"entry_id":1,"amount":"1.00"}]}`)
	f.Add(`{"entries":[{"Entry_Id":"x","fee":"1.725"}],"count":"3","sub":{"a":["]"]}}`)
	f.Add(`{"requests":null,"total":"1,000.5"}`)
	f.Add(`{"entries":[{"beneficiary_name":"a\"` + streamKey[:5] + `","entry_id":2}]}`)
	f.Fuzz(func(t *testing.T, data string) { sameStream(t, data) })
}
