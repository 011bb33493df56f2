package clickpaysim

import (
	"encoding/json"
	"unicode/utf8"
)

// A page of a thousand requests is half a megabyte of JSON, which
// encoding/json reads three times over (validating, into a map, into the
// requests) and mostly in reflection. The usual body is read here in one
// pass instead: an object whose values are numbers, strings without
// escapes, or arrays of objects whose values are such numbers and strings,
// with the keys spelled exactly. On anything else (escapes, null, true,
// nesting, a key twice, a request key in another case, bad JSON) these
// readers give up and encoding/json reads the body as before, so that the
// simulator answers as strictly either way (TestFastBodySameAsStd,
// FuzzFastBody).

type bodyReader struct {
	b []byte
	i int
}

func (r *bodyReader) space() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\t' || r.b[r.i] == '\n' || r.b[r.i] == '\r') {
		r.i++
	}
}

// byte_ reads c after white space.
func (r *bodyReader) byte_(c byte) bool {
	r.space()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// plainString reads a string without escapes or control characters, in
// UTF-8, and returns what is inside its quotes.
func (r *bodyReader) plainString() ([]byte, bool) {
	r.space()
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return nil, false
	}
	start := r.i + 1
	ascii := true
	for j := start; j < len(r.b); j++ {
		switch c := r.b[j]; {
		case c == '"':
			s := r.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			r.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// number reads a JSON number and returns its text.
func (r *bodyReader) number() ([]byte, bool) {
	r.space()
	start, b, i := r.i, r.b, r.i
	digits := func() bool {
		n := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	r.i = i
	return b[start:i], true
}

// flat reads a number or a plain string: its text as sent (numbers) or
// inside the quotes (strings), whether it is a string, and its whole span.
func (r *bodyReader) flat() (v []byte, text bool, raw []byte, ok bool) {
	r.space()
	start := r.i
	if r.i < len(r.b) && r.b[r.i] == '"' {
		v, ok = r.plainString()
		return v, true, r.b[start:r.i], ok
	}
	v, ok = r.number()
	return v, false, v, ok
}

// object reads an object, calling f for each key with the reader at its
// value; keys are plain strings, each once.
func (r *bodyReader) object(f func(key []byte) bool) bool {
	if !r.byte_('{') {
		return false
	}
	if r.byte_('}') {
		return true
	}
	var seen [16][]byte
	n := 0
	for {
		k, ok := r.plainString()
		if !ok || !r.byte_(':') {
			return false
		}
		for _, s := range seen[:n] {
			if string(s) == string(k) {
				return false
			}
		}
		if n == len(seen) {
			return false
		}
		seen[n] = k
		n++
		if !f(k) {
			return false
		}
		if r.byte_(',') {
			continue
		}
		return r.byte_('}')
	}
}

// requests reads an array of requests; with keep false it only checks
// that they can be read.
func (r *bodyReader) requests(keep bool) ([]rawRequest, bool) {
	if !r.byte_('[') {
		return nil, false
	}
	var items []rawRequest
	if keep {
		items = make([]rawRequest, 0, 1+len(r.b)/(2*entrySize))
	}
	if r.byte_(']') {
		return items, true
	}
	var scratch rawRequest
	for {
		it := &scratch
		if keep {
			items = append(items, rawRequest{})
			it = &items[len(items)-1]
		}
		fields := it.fields()
		ok := r.object(func(key []byte) bool {
			i := requestKey(key)
			if i < 0 {
				return false
			}
			v, text, _, ok := r.flat()
			if keep {
				*fields[i] = sent{present: true, text: text, v: string(v)}
			}
			return ok
		})
		if !ok {
			return nil, false
		}
		if r.byte_(',') {
			continue
		}
		return items, r.byte_(']')
	}
}

// requestKey is the index in requestKeys of a key spelled exactly, or -1.
func requestKey(key []byte) int {
	for i, k := range requestKeys {
		if k.key == string(key) {
			return i
		}
	}
	return -1
}

// fastBody reads a call's body as encoding/json reads it into a map of
// raw values.
func fastBody(body []byte) (map[string]json.RawMessage, bool) {
	r := &bodyReader{b: body}
	m := make(map[string]json.RawMessage, 8)
	ok := r.object(func(key []byte) bool {
		r.space()
		start := r.i
		if r.i < len(r.b) && r.b[r.i] == '[' {
			// Only an array of requests is read here; it is read again,
			// into requests, by fastRequests.
			if _, ok := r.requests(false); !ok || string(key) != "requests" {
				return false
			}
			m[string(key)] = r.b[start:r.i]
			return true
		}
		_, _, raw, ok := r.flat()
		m[string(key)] = raw
		return ok
	})
	r.space()
	return m, ok && r.i == len(r.b)
}

// fastRequests reads an array of requests as encoding/json reads it into
// rawRequests.
func fastRequests(raw []byte) ([]rawRequest, bool) {
	r := &bodyReader{b: raw}
	items, ok := r.requests(true)
	r.space()
	return items, ok && r.i == len(r.b)
}
