package journal

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"payroll/payout"
)

// oddStrings are texts a sheet may hold that a JSON writer must escape, or
// must not touch.
var oddStrings = []string{"", "plain", `quote " and \ backslash`, "tab\tline\nreturn\r", "\x00\x01\x1f\x7f", "محمد الحربي", "😀 emoji",
	"\u2028\u2029", "bad \xff byte", "\xed\xa0\x80 surrogate", "<&>", "/slash/"}

func randomRow(r *rand.Rand, i int) Row {
	s := func() string {
		if r.IntN(3) == 0 {
			return oddStrings[r.IntN(len(oddStrings))]
		}
		b := make([]rune, r.IntN(12))
		for k := range b {
			b[k] = rune(r.IntN(0x700))
		}
		return string(b)
	}
	return Row{Index: i, Row: r.IntN(1 << 20), EmployeeID: s(), Occurrence: 1 + r.IntN(3),
		Request: payout.Request{Amount: payout.Amount(r.Int64N(1 << 40)), MerchantReference: s(), Name: s(), Country: s(), IBAN: s(), Bank: s(),
			Branch: s(), Email: s(), Mobile: s(), Address1: s(), Address2: s(), TransferCode: payout.TransferCode(100 + r.IntN(4))},
		EntryID: s(), Status: s(), Fee: s(), Total: s(), ProtocolMessage: s()}
}

// valid is what a text becomes once written: each byte that is not UTF-8
// turns into U+FFFD, as encoding/json writes them.
func valid(s string) string {
	var b strings.Builder
	for _, r := range s { // a bad byte ranges as one U+FFFD
		b.WriteRune(r)
	}
	return b.String()
}

// TestCodecRoundTrip: a row written and read back is the row, its texts
// made valid UTF-8; and what is written is JSON that encoding/json reads
// the same way.
func TestCodecRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		row := randomRow(r, i)
		b := appendPlanRow(nil, &row)
		b = append(b, ',')
		b = appendEntry(b, entryOf(&row))
		text := "[" + string(b) + "]"
		var got Row
		var e EntryUpdate
		d := newArrayReader(text)
		d.open()
		readPlanRow(d, &got)
		readEntry(d, &e)
		d.close()
		if e.Index != got.Index {
			t.Fatalf("%s: entry of row %d read as %d", text, got.Index, e.Index)
		}
		got.EntryID, got.Status, got.Fee, got.Total, got.ProtocolMessage = e.EntryID, e.Status, e.Fee, e.Total, e.ProtocolMessage
		if err := d.end(); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		want := row
		for _, p := range []*string{&want.EmployeeID, &want.Request.MerchantReference, &want.Request.Name, &want.Request.Country, &want.Request.IBAN,
			&want.Request.Bank, &want.Request.Branch, &want.Request.Email, &want.Request.Mobile, &want.Request.Address1, &want.Request.Address2,
			&want.EntryID, &want.Status, &want.Fee, &want.Total, &want.ProtocolMessage} {
			*p = valid(*p)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s\nread %+v\nwant %+v", text, got, want)
		}
		var std []any
		if err := json.Unmarshal([]byte(text), &std); err != nil {
			t.Fatalf("encoding/json refuses %s: %v", text, err)
		}
		plan := std[0].([]any)
		if plan[2] != want.EmployeeID || plan[6] != want.Request.Name || plan[15].(float64) != float64(want.Request.TransferCode) {
			t.Fatalf("encoding/json reads %s otherwise: %v", text, plan)
		}
	}
}

// entryOf is what the server said of a row.
func entryOf(r *Row) *EntryUpdate {
	return &EntryUpdate{Index: r.Index, EntryID: r.EntryID, Status: r.Status, Fee: r.Fee, Total: r.Total, ProtocolMessage: r.ProtocolMessage}
}

// readAll reads a JSON array of arrays of integers and strings with the
// journal's reader, as encoding/json would into [][]any.
func readAll(text string) ([][]any, error) {
	d := newArrayReader(text)
	var out [][]any
	d.open()
	for d.more() {
		var row []any
		d.open()
		for d.more() {
			if try := *d; try.str() != "" || try.err == nil {
				s := d.str()
				row = append(row, s)
			} else {
				row = append(row, float64(d.int()))
			}
		}
		d.close()
		out = append(out, row)
	}
	d.close()
	return out, d.end()
}

// FuzzArrayReader: whatever text the journal's reader accepts, encoding/json
// accepts too and reads the same values.
func FuzzArrayReader(f *testing.F) {
	f.Add(`[[1,"a\u00e9\n",-3],["\ud83d\ude00",2]]`)
	f.Add(`[ [ 0 , "x\\y\"z" ] ]`)
	f.Add(`[["\ud800"],["bad\u12"]]`)
	row := randomRow(rand.New(rand.NewPCG(3, 4)), 7)
	f.Add("[" + string(appendPlanRow(nil, &row)) + "," + string(appendEntry(nil, entryOf(&row))) + "]")
	f.Fuzz(func(t *testing.T, text string) {
		ours, err := readAll(text)
		if err != nil {
			return
		}
		var std [][]any
		if err := json.Unmarshal([]byte(text), &std); err != nil {
			t.Fatalf("%q: read by the journal, refused by encoding/json: %v", text, err)
		}
		if len(std) == 0 && len(ours) == 0 {
			return
		}
		for i := range std {
			if len(std[i]) == 0 && len(ours[i]) == 0 {
				continue
			}
			if !reflect.DeepEqual(std[i], ours[i]) {
				t.Fatalf("%q: the journal reads %#v, encoding/json %#v", text, ours[i], std[i])
			}
		}
	})
}
