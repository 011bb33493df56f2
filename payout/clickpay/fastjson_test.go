package clickpay

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// sameBatch reads data with the fast reader (through json.Unmarshal, as
// the client does) and with encoding/json alone: both must succeed or
// fail together and read the same batch.
func sameBatch(t *testing.T, data string) {
	t.Helper()
	var fast, std Batch
	errFast := json.Unmarshal([]byte(data), &fast)
	errStd := func() error {
		if !json.Valid([]byte(data)) {
			return json.Unmarshal([]byte(data), &std)
		}
		return std.unmarshalStd([]byte(data))
	}()
	if (errFast == nil) != (errStd == nil) {
		t.Fatalf("%s: fast %v, encoding/json %v", data, errFast, errStd)
	}
	if errFast == nil && !reflect.DeepEqual(fast, std) {
		t.Fatalf("%s:\nfast %+v\nstd  %+v", data, fast, std)
	}
	// Read straight into the pipeline's entries, as the pipeline reads it.
	var direct payoutAnswer
	errDirect := json.Unmarshal([]byte(data), &direct)
	if (errDirect == nil) != (errStd == nil) {
		t.Fatalf("%s: into the pipeline's entries %v, encoding/json %v", data, errDirect, errStd)
	}
	if errDirect == nil && !reflect.DeepEqual(direct.batch, batchOf(&std)) {
		t.Fatalf("%s:\ndirect %+v\nstd    %+v", data, direct.batch, batchOf(&std))
	}
}

var batchPieces = []string{
	`"batch_id":1001`, `"batch_id":"1001"`, `"batch_id":null`, `"batch_id":01`, `"batch_id":1.5`, `"batch_id":true`, `"batch_id":{"x":1}`,
	`"profile_id":100001`, `"account_id":"200001"`, `"currency":"SAR"`, `"currency":5`, `"total":"2,500.50"`, `"total":2500.5`, `"total":"n/a"`,
	`"total":"0.00"`, `"count":"2"`, `"count":2`, `"count":"x"`, `"order_id":"o\u00e9"`, `"status":"New"`, `"status":null`, `"trace":"T1"`,
	`"Status":"Closed"`, `"BATCH_ID":7`, `"batch\u005fid":8`, `"sub_total":{"a":[1,2,{"b":"]"}]}`, `"message":"x,y}"`,
	`"requests":null`, `"requests":[]`, `"entries":[]`, `"requests":[null]`, `"requests":[1]`,
}

var entryPieces = []string{
	`"entry_id":1`, `"entry_id":"2"`, `"entry_id":null`, `"batch_id":1001`, `"merchant_reference":"r1"`, `"merchant_reference":"r\"q"`,
	`"amount":"1000.00"`, `"amount":1500.5`, `"amount":"1,000"`, `"amount":"-0"`, `"fee":"1.725"`, `"total":"1001.725"`,
	`"beneficiary_name":"محمد"`, `"beneficiary_name":"bad \u00ff"`, `"beneficiary_account_number":"SA03"`, `"status":"Pending"`,
	`"protocol_message":""`, `"protocol_message":"x"`, `"currency":"SAR"`, `"transfer_code":100`, `"Entry_ID":5`, `"amount":{"v":1}`,
	`"status":3`, `"extra":[1,{"2":3}]`, `"amount":"1.50e2"`, `"fee":null`,
}

func randomObject(r *rand.Rand, pieces []string, inner func() string) string {
	var parts []string
	for range r.IntN(7) {
		parts = append(parts, pieces[r.IntN(len(pieces))])
	}
	if inner != nil && r.IntN(4) > 0 {
		parts = append(parts, inner())
	}
	r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return "{" + strings.Join(parts, ",") + "}"
}

// TestFastBatchSameAsStd: over many answers, usual and odd (other cases of
// a key, escaped keys, keys said twice, nulls, wrong types, nested values
// to skip), the fast reader reads what encoding/json reads.
func TestFastBatchSameAsStd(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	taken := 0
	for range 20000 {
		list := func() string {
			key := []string{"requests", "entries"}[r.IntN(2)]
			var es []string
			for range r.IntN(4) {
				es = append(es, randomObject(r, entryPieces, nil))
			}
			return fmt.Sprintf("%q: [%s]", key, strings.Join(es, " , "))
		}
		data := randomObject(r, batchPieces, list)
		sameBatch(t, data)
		var b Batch
		if json.Valid([]byte(data)) && fastBatch([]byte(data), &b) {
			taken++
		}
	}
	// The odd pieces make it give up often; it must still read many.
	if taken < 2000 {
		t.Errorf("the fast reader read only %d of 20000 answers", taken)
	}
	usual := `{"batch_id":1001,"profile_id":100001,"account_id":200001,"currency":"SAR","total":"2500.50","count":2,"order_id":"o","status":"New",` +
		`"requests":[{"entry_id":1,"amount":"1000.00","merchant_reference":"r1","status":"Pending"},{"entry_id":2,"amount":"1500.50"}],"trace":"T"}`
	var b Batch
	if !fastBatch([]byte(usual), &b) || len(b.Entries) != 2 || b.Entries[1].EntryID != "2" {
		t.Errorf("the usual answer is not read by the fast reader: %+v", b)
	}
}

// FuzzFastBatch: for any answer, the fast reader reads what encoding/json
// reads, or leaves it to encoding/json.
func FuzzFastBatch(f *testing.F) {
	f.Add(`{"batch_id":1,"requests":[{"entry_id":1,"amount":"1.00"}]}`)
	f.Add(`{"entries":[{"Entry_Id":"x","fee":"1.725"}],"count":"3","sub":{"a":["]"]}}`)
	f.Add(`{"requests":null,"total":"1,000.5"}`)
	f.Fuzz(func(t *testing.T, data string) { sameBatch(t, data) })
}

// TestDecodeAnswerAsUnmarshal: every answer type reads an answer through
// decodeAnswer as through json.Unmarshal.
func TestDecodeAnswerAsUnmarshal(t *testing.T) {
	answers := []string{
		`{"batch_id":12,"count":"2","total":"3.00","status":"New","requests":[{"entry_id":1,"amount":"1.00","fee":"0.63"},{"entry_id":"2","amount":2}]}`,
		" \n\t{\"batch_id\":1,\"entries\":[]} \r\n", `null`, ` null `, `[]`, `[{"entry_id":5}]`, `{"entry_id":10029,"amount":"201.01","status":"Failed"}`,
		`{"data":[{"entry_id":3}],"trace":"T"}`, `{"batch_id":1,}`, `{"batch_id":1} x`, ``, `"text"`, `{"requests":[{"entry_id":1}],"requests":null}`,
		`{"Requests":[{"ENTRY_ID":7,"Amount":"1"}]}`, `{"total":"1,000.50","count":3}`, `{"batch_id":{"a":1}}`,
	}
	types := []func() any{func() any { return new(Batch) }, func() any { return new(payoutAnswer) }, func() any { return new(entryAnswer) }, func() any { return new(SearchResult) }}
	for _, a := range answers {
		for _, mk := range types {
			got, want := mk(), mk()
			errGot, errWant := decodeAnswer([]byte(a), got), json.Unmarshal([]byte(a), want)
			if (errGot == nil) != (errWant == nil) || !reflect.DeepEqual(got, want) {
				t.Errorf("%T %q:\ndecodeAnswer   %+v, %v\njson.Unmarshal %+v, %v", got, a, got, errGot, want, errWant)
			}
		}
	}
}
