package clickpay

import (
	"bytes"
	"errors"
	"io"
	"unsafe"

	"payroll/payout"
)

// A batch's answer for 100,000 entries is some 20 MB. Read whole, it is a
// buffer of that size, touched for the first time, then a pass to check
// it is JSON, then another to read it. The usual answer is instead read
// from the connection as it comes, a value at a time, through a window a
// few entries wide: each value is checked to be JSON (validJSON) and read
// by the value readers of fastjson.go, and the answer's shape between
// them is checked here (readBatch, which also reads an answer read whole,
// over a window that holds all of it: fastBatchEach). Anything else
// (another shape, an answer quoting the server key, one that does not end
// where it should) is not read this way: the call is made again and its
// answer read whole, as before. Only read-only calls are read this way (a
// batch's query), so asking again changes nothing (TestStreamSameAsWhole,
// FuzzStreamSameAsWhole).

// errWhole says that an answer must be read whole: the call is made again.
var errWhole = errors.New("clickpay: the answer is to be read whole")

// streamer is an answer that can be read from the connection as it comes.
// It returns errWhole for an answer it does not read that way, or the
// connection's error. It may have handed part of the answer on before
// either: it says so again, from the start, when read whole.
type streamer interface {
	readStream(w *window) error
}

// window is the part of an answer read from the connection and not yet
// used: b[i:].
type window struct {
	r      io.Reader
	b      []byte
	i      int
	done   bool   // r has nothing more
	err    error  // r failed
	secret []byte // the server key
	tail   []byte // the last bytes read, to find the server key across reads
	keyed  bool   // the server key is in the answer
}

// maxValue is the most one value of a streamed answer may take (an entry
// is a few hundred bytes); a larger one is read whole.
const maxValue = 1 << 20

func newWindow(r io.Reader, key string) *window {
	return &window{r: r, b: make([]byte, 0, 64<<10), secret: []byte(key)}
}

// more reads what comes next, keeping b[i:]; false when nothing more can
// come (the end, a failure, or a value beyond maxValue).
func (w *window) more() bool {
	for !w.done && w.err == nil {
		if w.i > 0 {
			w.b = w.b[:copy(w.b, w.b[w.i:])]
			w.i = 0
		}
		if len(w.b) == cap(w.b) {
			if cap(w.b) >= maxValue {
				return false
			}
			w.b = append(make([]byte, 0, 2*cap(w.b)), w.b...)
		}
		n, err := w.r.Read(w.b[len(w.b):cap(w.b)])
		got := w.b[len(w.b) : len(w.b)+n]
		w.b = w.b[:len(w.b)+n]
		w.see(got)
		if err == io.EOF {
			w.done = true
		} else if err != nil {
			w.err = err
		}
		if n > 0 {
			return true
		}
	}
	return false
}

// see looks for the key in what was just read: within it, and across it
// and the bytes before it (tail holds the last len(key)-1 bytes read).
func (w *window) see(got []byte) {
	k := len(w.secret)
	if k == 0 || len(got) == 0 {
		return
	}
	if bytes.Contains(got, w.secret) {
		w.keyed = true
	}
	w.tail = append(w.tail, got[:min(len(got), k-1)]...)
	if bytes.Contains(w.tail, w.secret) {
		w.keyed = true
	}
	if len(got) >= k-1 {
		w.tail = append(w.tail[:0], got[len(got)-(k-1):]...)
	} else {
		w.tail = append(w.tail[:0], w.tail[len(w.tail)-min(len(w.tail), k-1):]...)
	}
}

// peek returns the next byte after white space, 0 at the end.
func (w *window) peek() byte {
	for {
		for w.i < len(w.b) {
			switch w.b[w.i] {
			case ' ', '\t', '\n', '\r':
				w.i++
				continue
			}
			return w.b[w.i]
		}
		if !w.more() {
			return 0
		}
	}
}

// value returns the next value's bytes, whole, and moves past it; false
// when it does not end before the answer does, is too large, or is not
// a value. The bytes are the window's: valid until it reads more.
func (w *window) value() ([]byte, bool) {
	if w.peek() == 0 {
		return nil, false
	}
	var sc valueScan
	for {
		n := sc.length(w.b[w.i:])
		switch {
		case n < 0:
			return nil, false
		case n > 0 && n < len(w.b)-w.i:
			v := w.b[w.i : w.i+n]
			w.i += n
			return v, true
		}
		if !w.more() {
			return nil, false
		}
	}
}

// valueScan finds where the value at the start of a window ends, going on
// from where it stopped each time the window has read more (the window
// keeps the value at its start), so that a value handed over a byte at a
// time is scanned once.
type valueScan struct {
	at    int // bytes scanned
	depth int
	str   bool // in a string
	esc   bool // after a backslash in a string
	end   int  // the value's length, once found
}

// length returns the value's length once it has ended (a number only
// when a byte that may follow it is in b), 0 when b does not hold its end
// yet, -1 when it is not a value.
func (s *valueScan) length(b []byte) int {
	if s.end != 0 {
		return s.end
	}
	switch b[0] {
	case '"', '{', '[':
		for ; s.at < len(b); s.at++ {
			c := b[s.at]
			if s.str {
				switch {
				case s.esc:
					s.esc = false
				case c == '\\':
					s.esc = true
				case c == '"':
					s.str = false
					if s.depth == 0 {
						s.end = s.at + 1
						return s.end
					}
				}
				continue
			}
			switch c {
			case '"':
				s.str = true
			case '{', '[':
				s.depth++
			case '}', ']':
				s.depth--
				if s.depth == 0 {
					s.end = s.at + 1
					return s.end
				}
			}
		}
		return 0
	}
	for ; s.at < len(b); s.at++ {
		switch b[s.at] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if s.at == 0 {
				return -1
			}
			s.end = s.at
			return s.end
		}
	}
	return 0
}

// key reads an object's key, as scanner.key does (not its colon). It is
// read in place: the string is valid only until the window reads more,
// and is only compared.
func (w *window) key() (string, bool) {
	raw, ok := w.value()
	if !ok || len(raw) < 2 || raw[0] != '"' || bytes.IndexByte(raw, '\\') >= 0 || !validJSON(raw) {
		return "", false
	}
	k := raw[1 : len(raw)-1]
	return unsafe.String(unsafe.SliceData(k), len(k)), true
}

// readStream reads a batch answer from the connection.
func (a *payoutAnswer) readStream(w *window) error {
	var entries []payout.Entry
	room, each := a.sink(&entries)
	b, ok := readBatch(w, room, each)
	switch {
	case w.err != nil:
		return w.err
	case !ok || w.keyed:
		return errWhole
	}
	a.done(&b, entries)
	return nil
}

// readBatch reads the usual batch answer from w, handing its entries to
// each as they come (after room); false when the answer is not the usual
// one or not well formed.
func readBatch(w *window, room func(n int), each func(*Entry)) (Batch, bool) {
	var out Batch
	if w.peek() != '{' {
		return out, false
	}
	w.i++
	if w.peek() == '}' {
		w.i++
		return out, w.peek() == 0 && w.done
	}
	seen := 0
	for {
		k, ok := w.key()
		if !ok {
			return out, false
		}
		i, ok := field(k, batchKeys) // before the window reads more
		if !ok || w.peek() != ':' {
			return out, false
		}
		w.i++
		if i >= 0 {
			if seen&(1<<i) != 0 {
				return out, false // said twice
			}
			seen |= 1 << i
		}
		if i == 9 || i == 10 {
			if seen&(1<<9) != 0 && seen&(1<<10) != 0 {
				return out, false
			}
			if !readEntries(w, room, each) {
				return out, false
			}
		} else {
			raw, ok := w.value()
			if !ok || !validJSON(raw) || !out.set(i, raw) {
				return out, false
			}
		}
		switch w.peek() {
		case ',':
			w.i++
		case '}':
			w.i++
			return out, w.peek() == 0 && w.done
		default:
			return out, false
		}
	}
}

// readEntries reads a list of entries (or null), handing each to each.
func readEntries(w *window, room func(n int), each func(*Entry)) bool {
	if w.peek() == 'n' {
		raw, ok := w.value()
		return ok && string(raw) == "null"
	}
	if w.peek() != '[' {
		return false
	}
	w.i++
	room(0) // how many is not known yet
	if w.peek() == ']' {
		w.i++
		return true
	}
	var e Entry
	for {
		raw, ok := w.value()
		if !ok || !validJSON(raw) {
			return false
		}
		s := &scanner{b: raw}
		if !s.entry(&e) || s.peek() != 0 {
			return false
		}
		each(&e)
		switch w.peek() {
		case ',':
			w.i++
		case ']':
			w.i++
			return true
		default:
			return false
		}
	}
}
