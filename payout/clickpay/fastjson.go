package clickpay

import (
	"encoding/json"
	"strings"
	"unsafe"
)

// A batch answer may hold a hundred thousand entries; encoding/json reads
// them at a few microseconds each, mostly in reflection. fastBatch reads
// the usual answer (known keys, spelled as documented) straight from the
// bytes, giving each value to the same UnmarshalJSON that encoding/json
// would call, so that the two read alike; on anything else it gives up
// and encoding/json reads the answer (TestFastBatchSameAsStd,
// FuzzFastBatch).

// batchKeys are the top-level keys fastBatch reads; any other key that
// encoding/json would take for one of them (another case) makes it give
// up, and the rest are skipped.
var batchKeys = []string{"batch_id", "profile_id", "account_id", "currency", "total", "count", "order_id", "status", "trace", "requests", "entries"}

// entryKeys are the keys of an entry fastBatch reads.
var entryKeys = []string{"entry_id", "batch_id", "merchant_reference", "amount", "fee", "total", "beneficiary_name", "beneficiary_account_number", "status", "protocol_message"}

// scanner walks JSON that encoding/json found well formed.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (s *scanner) peek() byte {
	s.space()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// value returns the next value's bytes and moves past it.
func (s *scanner) value() []byte {
	s.space()
	start := s.i
	if s.i >= len(s.b) {
		return nil
	}
	switch s.b[s.i] {
	case '"':
		s.str()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				break
			}
		}
	default:
	number:
		for ; s.i < len(s.b); s.i++ {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				break number
			}
		}
	}
	return s.b[start:s.i]
}

// str moves past the string at i.
func (s *scanner) str() {
	for s.i++; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			s.i++
		case '"':
			s.i++
			return
		}
	}
}

// key reads an object's key and its colon: false when the key has
// escapes (its text would need decoding).
func (s *scanner) key() (string, bool) {
	raw := s.value()
	if len(raw) < 2 || raw[0] != '"' || strings.IndexByte(string(raw), '\\') >= 0 {
		return "", false
	}
	if s.peek() != ':' {
		return "", false
	}
	s.i++
	// The key is only compared (field), never kept: it is read in place.
	k := raw[1 : len(raw)-1]
	return unsafe.String(unsafe.SliceData(k), len(k)), true
}

// field finds which of keys a key is: its index, -1 for a key to skip,
// or false when encoding/json might read it otherwise (another case).
func field(key string, keys []string) (int, bool) {
	for i, k := range keys {
		if k == key {
			return i, true
		}
	}
	for _, k := range keys {
		if strings.EqualFold(k, key) {
			return 0, false
		}
	}
	return -1, true
}

// object calls f for each key of the object at i (its value not read
// yet); false when f or the object's shape says to give up.
func (s *scanner) object(f func(key string) bool) bool {
	if s.peek() != '{' {
		return false
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return true
	}
	for {
		k, ok := s.key()
		if !ok || !f(k) {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// text reads a JSON string value as encoding/json does into a string
// field: null leaves it as it is.
func text(raw []byte, dst *string) bool {
	if string(raw) == "null" {
		return true
	}
	if v, ok := plainToken(raw); ok && raw[0] == '"' {
		*dst = v
		return true
	}
	if len(raw) == 0 || raw[0] != '"' {
		return false // a number where a string belongs: encoding/json fails
	}
	return json.Unmarshal(raw, dst) == nil
}

// fastBatch reads a batch answer, or returns false to leave it to
// encoding/json. data is well formed (encoding/json checked it).
func fastBatch(data []byte, b *Batch) bool {
	var list []Entry
	out, ok := fastBatchEach(data, func(n int) { list = make([]Entry, 0, n) }, func(e *Entry) { list = append(list, *e) })
	if !ok {
		return false
	}
	if len(list) > 0 {
		out.Entries = list
	}
	*b = out
	return true
}

// fastBatchEach reads a batch answer, handing its entries to each as they
// are read (after room), and returns the batch without them; false leaves
// the answer to encoding/json, whatever each was given. It is the reader
// of an answer as it comes (readBatch), over the bytes at hand: a window
// that holds them all, read in place.
func fastBatchEach(data []byte, room func(n int), each func(*Entry)) (Batch, bool) {
	return readBatch(&window{b: data, done: true}, room, each)
}

// set reads the value of batchKeys[i] (-1: a key skipped) into b.
func (b *Batch) set(i int, raw []byte) bool {
	switch i {
	case -1:
		return true
	case 0:
		return b.BatchID.UnmarshalJSON(raw) == nil
	case 1:
		return b.ProfileID.UnmarshalJSON(raw) == nil
	case 2:
		return b.AccountID.UnmarshalJSON(raw) == nil
	case 3:
		return text(raw, &b.Currency)
	case 4:
		return b.Total.UnmarshalJSON(raw) == nil
	case 5:
		return b.Count.UnmarshalJSON(raw) == nil
	case 6:
		return text(raw, &b.OrderID)
	case 7:
		return text(raw, &b.Status)
	default:
		return text(raw, &b.Trace)
	}
}

// entry reads the entry object at i into e (all of e is set).
func (s *scanner) entry(e *Entry) bool {
	*e = Entry{}
	seen := 0
	return s.object(func(key string) bool {
		i, ok := field(key, entryKeys)
		if !ok {
			return false
		}
		raw := s.value()
		if i < 0 {
			return true
		}
		if seen&(1<<i) != 0 {
			return false
		}
		seen |= 1 << i
		switch i {
		case 0:
			return e.EntryID.UnmarshalJSON(raw) == nil
		case 1:
			return e.BatchID.UnmarshalJSON(raw) == nil
		case 2:
			return text(raw, &e.MerchantReference)
		case 3:
			return e.Amount.UnmarshalJSON(raw) == nil
		case 4:
			return e.Fee.UnmarshalJSON(raw) == nil
		case 5:
			return e.Total.UnmarshalJSON(raw) == nil
		case 6:
			return text(raw, &e.Name)
		case 7:
			return text(raw, &e.IBAN)
		case 8:
			return text(raw, &e.Status)
		default:
			return text(raw, &e.ProtocolMessage)
		}
	})
}
