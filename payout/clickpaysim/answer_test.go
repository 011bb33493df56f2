package clickpaysim

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"payroll/payout"
)

var texts = []string{"", "Pending", "Paid", "201.01", "0.63", "SA0380000000608010167519", "<script>&", `"q"\`, "\n\t\x01", "\xff", "\u2028", "محمد", "😀"}

func randomEntry(r *rand.Rand) *entryAnswer {
	if r.IntN(20) == 0 {
		return nil
	}
	e := &entryAnswer{EntryID: r.Int64N(1 << 40), Amount: texts[r.IntN(len(texts))], Fee: texts[r.IntN(len(texts))], Total: texts[r.IntN(len(texts))],
		IBAN: texts[r.IntN(len(texts))], Status: texts[r.IntN(len(texts))], Message: texts[r.IntN(len(texts))]}
	if r.IntN(2) == 0 {
		e.BatchID = json.Number(strconv.Itoa(r.IntN(100000)))
	}
	if r.IntN(2) == 0 {
		ref := texts[r.IntN(len(texts))]
		e.Reference = &ref
	}
	return e
}

// TestAnswersAsStd: a list of entries is written byte for byte as
// encoding/json writes it, and a whole answer reads back as the answer
// encoding/json writes.
func TestAnswersAsStd(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 2000 {
		var list []*entryAnswer
		if r.IntN(10) > 0 {
			list = make([]*entryAnswer, r.IntN(5))
			for i := range list {
				list[i] = randomEntry(r)
			}
		}
		want, err := json.Marshal(list)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendEntries(nil, list); !bytes.Equal(got, want) {
			t.Fatalf("written  %s\nencoding/json %s", got, want)
		}
		answers := []map[string]any{{"requests": list}, {"requests": list, "batch_id": r.IntN(1000), "status": texts[r.IntN(len(texts))], "trace": "SIM1"}}
		for _, a := range answers {
			b, err := marshalAnswer(a)
			if err != nil {
				t.Fatal(err)
			}
			std, _ := json.Marshal(a)
			var got, exp any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			json.Unmarshal(std, &exp)
			if !reflect.DeepEqual(got, exp) {
				t.Fatalf("written  %s\nencoding/json %s", b, std)
			}
		}
	}
}

// TestOpJSON: an op written by hand reads back as the op encoding/json
// writes.
func TestOpJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for range 500 {
		o := op{Op: []string{"new", "add", "close", "settle"}[r.IntN(4)], Batch: strconv.Itoa(r.IntN(100)), Order: texts[r.IntN(len(texts))], Traces: r.Int64N(1000)}
		for range r.IntN(4) {
			o.Entries = append(o.Entries, &entry{ID: r.Int64N(1 << 40), Status: texts[r.IntN(len(texts))], Message: texts[r.IntN(len(texts))],
				Request: payout.Request{Amount: payout.Amount(r.Int64N(1e9)), Name: texts[r.IntN(len(texts))], IBAN: texts[r.IntN(len(texts))], TransferCode: payout.Salary}})
		}
		if r.IntN(3) == 0 {
			o.Unpaid = map[int64][2]string{r.Int64N(100): {"Failed", texts[r.IntN(len(texts))]}}
		}
		b, err := o.appendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		std, _ := json.Marshal(o)
		var got, want op
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		json.Unmarshal(std, &want)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("written  %s\nencoding/json %s", b, std)
		}
	}
}
