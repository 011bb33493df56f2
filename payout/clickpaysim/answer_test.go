package clickpaysim

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
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
