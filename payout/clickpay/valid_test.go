package clickpay

import (
	"encoding/json"
	"strings"
	"testing"
)

// validJSONCases are inputs at every edge of JSON's grammar, each of
// which validJSON must judge as json.Valid does.
var validJSONCases = []string{
	``, ` `, `null`, ` null `, `nul`, `nulll`, `true`, `tru`, `false`, `falsey`, `True`,
	`0`, `-0`, `-`, `01`, `-01`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`, `-1.5e10`, `1.5.5`, `+1`, `0x10`, `1 2`,
	`""`, `"a"`, `"\""`, `"\\"`, `"\/"`, `"\b\f\n\r\t"`, `"\u00e9"`, `"\u00E9"`, `"\u00g9"`, `"\u00"`, `"\x"`, `"\`, `"abc`, "\"a\tb\"", "\"a\x01\"", "\"\x7f\"",
	"\"\xff\xfe\"", "\"\xc3\xa9\"", `"محمد"`,
	`{}`, `{ }`, `{"a":1}`, `{"a" : 1 , "b":[1,2]}`, `{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`, `{"a":1}}`, `{"a":1`,
	`[]`, `[ ]`, `[1]`, `[1,]`, `[,1]`, `[1 2]`, `[[[]]]`, `[[[]]`, `[1,[2,{"a":[3]}]]`, `]`, `}`,
	"\t\n\r [1] \r\n\t", "\v1", "[1]\x00",
	`{"entry_id":"500001","amount":"1500.00","status":"Pending","protocol_message":null}`,
}

func TestValidJSONAsStd(t *testing.T) {
	cases := append([]string{}, validJSONCases...)
	// encoding/json's nesting limit, on both sides of it.
	for _, depth := range []int{maxJSONDepth - 1, maxJSONDepth, maxJSONDepth + 1} {
		cases = append(cases, strings.Repeat("[", depth)+strings.Repeat("]", depth),
			strings.Repeat(`{"a":`, depth)+"1"+strings.Repeat("}", depth))
	}
	valid := 0
	for _, s := range cases {
		got, want := validJSON([]byte(s)), json.Valid([]byte(s))
		if got != want {
			t.Errorf("validJSON(%.60q) = %v, json.Valid says %v", s, got, want)
		}
		if want {
			valid++
		}
	}
	if valid == 0 || valid == len(cases) {
		t.Fatalf("%d of %d cases valid: the cases must hold both kinds", valid, len(cases))
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, s := range validJSONCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}
