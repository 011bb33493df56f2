package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScan is a pull tokenizer for the parts of a workbook that hold cells
// (worksheets and shared strings). encoding/xml builds a token, a name and
// attribute strings for every element through reflection, which is most of
// the time a large sheet takes to read; this one reads the part into a
// buffer it reuses, finds each token with bytes.IndexByte, and hands out
// slices of the buffer, decoding only what needs it.
//
// It accepts a subset of what encoding/xml accepts and never reads a value
// differently: UTF-8 only, no DOCTYPE, ASCII element and attribute names,
// the five predefined entities and character references, comments,
// processing instructions and CDATA sections. Whatever else it meets is an
// error, which the reader reports as a damaged workbook.
type xmlScan struct {
	r    io.Reader
	buf  []byte
	pos  int   // where the next token starts in buf
	end  int   // the end of what was read into buf
	rerr error // the reader's last error (io.EOF at the end of the part)

	// The current token: valid until the next call of next.
	kind  xmlKind
	name  []byte    // start or end: the local name (after any prefix)
	attrs []xmlAttr // start: the attributes, values decoded
	text  []byte    // text: character data, entities decoded, line ends normalised

	stack      []int  // where each open element's name ends in open
	open       []byte // the open elements' names, with prefixes, end to end
	pendingEnd bool   // a self-closing element's end is due
	decoded    []byte // text that needed decoding
	vals       []byte // attribute values that needed decoding
	spans      []attrSpan
	err        error
}

// attrSpan is an attribute of the tag being read, before its value's
// place is final.
type attrSpan struct {
	name   []byte
	value  []byte // the value, when it needed no decoding
	lo, hi int    // otherwise its place in vals
}

type xmlKind uint8

const (
	xmlEOF xmlKind = iota
	xmlStart
	xmlEnd
	xmlText
)

type xmlAttr struct {
	name  []byte // local name
	value []byte
}

var errXML = errors.New("the XML is not well formed")

func newXMLScan(r io.Reader) *xmlScan { return newXMLScanSize(r, 64<<10) }

// newXMLScanSize starts with a buffer of n bytes (it grows for a token
// that does not fit).
func newXMLScanSize(r io.Reader, n int) *xmlScan {
	return &xmlScan{r: r, buf: make([]byte, max(n, 1))}
}

func (s *xmlScan) fail(format string, args ...any) bool {
	if s.err == nil {
		s.err = fmt.Errorf("%w: "+format, append([]any{errXML}, args...)...)
	}
	s.kind = xmlEOF
	return false
}

// more reads more of the part, first moving what is unread (from pos) to
// the front of the buffer, which grows when that fills it. It returns false
// at the end of the part or on a read error (then in err).
func (s *xmlScan) more() bool {
	if s.rerr != nil {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err != nil {
		s.rerr = err
		if err != io.EOF && s.err == nil {
			s.err = err
		}
	}
	return n > 0 || err == nil
}

// ensure makes n bytes from pos readable; false at the end of the part.
func (s *xmlScan) ensure(n int) bool {
	for s.end-s.pos < n {
		if !s.more() {
			return false
		}
	}
	return true
}

// find returns where seq next occurs, counting from pos and looking from
// pos+from on, reading more as needed; false at the end of the part.
func (s *xmlScan) find(from int, seq string) (int, bool) {
	for {
		if i := bytes.Index(s.buf[s.pos+from:s.end], []byte(seq)); i >= 0 {
			return from + i, true
		}
		from = max(from, s.end-s.pos-len(seq)+1)
		if !s.more() {
			return 0, false
		}
	}
}

// next moves to the next token. It returns false at the end of the part or
// on an error (see err).
func (s *xmlScan) next() bool {
	if s.err != nil {
		return false
	}
	if s.pendingEnd {
		s.pendingEnd = false
		s.kind = xmlEnd
		s.pop()
		return true
	}
	// Character data up to the next '<'.
	off := 0
	for {
		if i := bytes.IndexByte(s.buf[s.pos+off:s.end], '<'); i >= 0 {
			off += i
			break
		}
		off = s.end - s.pos
		if !s.more() {
			if s.err != nil {
				return false
			}
			raw := s.buf[s.pos:s.end]
			s.pos = s.end
			if len(bytes.TrimLeft(raw, " \t\r\n")) > 0 && len(s.stack) == 0 {
				return s.fail("text after the last element")
			}
			if len(s.stack) > 0 {
				return s.fail("the part ends inside <%s>", s.top())
			}
			s.kind = xmlEOF
			return false
		}
	}
	if off > 0 {
		raw := s.buf[s.pos : s.pos+off]
		s.pos += off
		if len(s.stack) == 0 {
			if len(bytes.TrimLeft(raw, " \t\r\n")) > 0 {
				return s.fail("text outside the root element")
			}
			return s.next()
		}
		if !s.decodeText(raw, false) {
			return false
		}
		s.kind = xmlText
		return true
	}
	return s.tag()
}

// textToEnd reads in one step, when they are all the element just started
// holds, its text and its end tag (the usual <v>12</v>): it returns the
// text, and leaves the scanner as next would after that end. False means
// the element holds more, or is not all in the buffer yet: nothing was
// read then (but for an error, in err).
func (s *xmlScan) textToEnd() ([]byte, bool) {
	if s.pendingEnd || s.err != nil || len(s.stack) == 0 {
		return nil, false
	}
	b := s.buf[s.pos:s.end]
	lt := bytes.IndexByte(b, '<')
	name := s.top()
	gt := lt + 2 + len(name)
	if lt < 0 || gt >= len(b) || b[lt+1] != '/' || b[gt] != '>' || !bytes.Equal(b[lt+2:gt], name) {
		return nil, false
	}
	if !s.decodeText(b[:lt], false) {
		return nil, false
	}
	s.pos += gt + 1
	s.kind = xmlEnd
	s.pop()
	return s.text, true
}

// decodeText makes raw the current text: as it is when it needs no
// decoding, else decoded.
func (s *xmlScan) decodeText(raw []byte, cdata bool) bool {
	if plainXML(raw, cdata) {
		s.text = raw
		return true
	}
	s.decoded = s.decoded[:0]
	if !s.decode(&s.decoded, raw, cdata) {
		return false
	}
	s.text = s.decoded
	return true
}

// plainXML reports whether decode would give b back as it is: no entity
// (unless cdata), no carriage return, and only characters XML allows.
func plainXML(b []byte, cdata bool) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == '&' && !cdata || c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || !xmlChar(r) {
			return false
		}
		i += size
	}
	return true
}

// tag reads the tag at pos, which starts with '<'.
func (s *xmlScan) tag() bool {
	if !s.ensure(2) {
		return s.fail("the part ends inside a tag")
	}
	switch s.buf[s.pos+1] {
	case '?':
		return s.instruction()
	case '!':
		return s.bang()
	}
	n, ok := s.tagEnd()
	if !ok {
		return s.fail("the part ends inside a tag")
	}
	t := s.buf[s.pos+1 : s.pos+n] // between '<' and '>'
	s.pos += n + 1
	if len(t) > 0 && t[0] == '/' {
		name, rest, ok := s.splitName(t[1:])
		if !ok {
			return false
		}
		if len(trimSpace(rest)) > 0 {
			return s.fail("end tag </%s> is not closed", name)
		}
		if len(s.stack) == 0 || !bytes.Equal(s.top(), name) {
			return s.fail("</%s> closes no open element of that name", name)
		}
		s.kind = xmlEnd
		s.pop()
		return true
	}
	name, rest, ok := s.splitName(t)
	if !ok {
		return false
	}
	start := len(s.open)
	s.open = append(s.open, name...)
	s.stack = append(s.stack, len(s.open))
	name = s.open[start:]
	s.name = local(name)
	s.attrs = s.attrs[:0]
	s.vals = s.vals[:0]
	s.spans = s.spans[:0]
	for {
		rest = trimSpace(rest)
		if len(rest) == 0 {
			break
		}
		if rest[0] == '/' {
			if len(rest) != 1 {
				return s.fail("<%s> is not closed", name)
			}
			s.pendingEnd = true
			break
		}
		an, r, ok := s.splitName(rest)
		if !ok {
			return false
		}
		r = trimSpace(r)
		if len(r) == 0 || r[0] != '=' {
			return s.fail("attribute %s of <%s> has no value", an, name)
		}
		r = trimSpace(r[1:])
		if len(r) == 0 || r[0] != '"' && r[0] != '\'' {
			return s.fail("attribute %s of <%s> is not quoted", an, name)
		}
		end := bytes.IndexByte(r[1:], r[0])
		if end < 0 {
			return s.fail("attribute %s of <%s> is not closed", an, name)
		}
		val := r[1 : 1+end]
		rest = r[2+end:]
		if bytes.IndexByte(val, '<') >= 0 {
			return s.fail("attribute %s of <%s> holds an unescaped <", an, name)
		}
		sp := attrSpan{name: local(an)}
		if plainXML(val, false) {
			sp.value = val
		} else {
			sp.lo = len(s.vals)
			if !s.decode(&s.vals, val, false) {
				return false
			}
			sp.hi = len(s.vals)
		}
		s.spans = append(s.spans, sp)
	}
	for _, sp := range s.spans {
		v := sp.value
		if v == nil {
			v = s.vals[sp.lo:sp.hi:sp.hi]
		}
		s.attrs = append(s.attrs, xmlAttr{name: sp.name, value: v})
	}
	s.kind = xmlStart
	return true
}

// tagEnd returns where the tag at pos ends: its first '>' outside quoted
// attribute values, counted from pos.
func (s *xmlScan) tagEnd() (int, bool) {
	i, quote := 1, byte(0)
	for {
		for ; s.pos+i < s.end; i++ {
			switch c := s.buf[s.pos+i]; {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '>':
				return i, true
			}
		}
		if !s.more() {
			return 0, false
		}
	}
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}

// top is the name of the innermost open element.
func (s *xmlScan) top() []byte {
	start := 0
	if n := len(s.stack); n > 1 {
		start = s.stack[n-2]
	}
	return s.open[start:s.stack[len(s.stack)-1]]
}

// pop closes the innermost element; its name stays readable until the
// next start.
func (s *xmlScan) pop() {
	s.name = local(s.top())
	s.stack = s.stack[:len(s.stack)-1]
	end := 0
	if n := len(s.stack); n > 0 {
		end = s.stack[n-1]
	}
	s.open = s.open[:end]
}

func local(name []byte) []byte {
	for i, c := range name { // names are short: no call to IndexByte
		if c == ':' {
			return name[i+1:]
		}
	}
	return name
}

// instruction reads a processing instruction, <?...?>, and refuses an XML
// declaration that names an encoding other than UTF-8.
func (s *xmlScan) instruction() bool {
	n, ok := s.find(2, "?>")
	if !ok {
		return s.fail("%q is missing", "?>")
	}
	decl := s.buf[s.pos+2 : s.pos+n]
	s.pos += n + 2
	if !utf8.Valid(decl) {
		return s.fail("invalid UTF-8")
	}
	if bytes.HasPrefix(decl, []byte("xml")) {
		if i := bytes.Index(decl, []byte("encoding")); i >= 0 {
			enc := bytes.ToLower(decl[i+len("encoding"):])
			enc = bytes.TrimLeft(enc, " \t\r\n=")
			if !bytes.HasPrefix(enc, []byte(`"utf-8"`)) && !bytes.HasPrefix(enc, []byte(`'utf-8'`)) {
				return s.fail("the part is not in UTF-8")
			}
		}
	}
	return s.next()
}

// bang reads a comment, a CDATA section, or refuses a declaration.
func (s *xmlScan) bang() bool {
	s.ensure(9)
	rest := s.buf[s.pos+2 : s.end]
	switch {
	case bytes.HasPrefix(rest, []byte("--")):
		n, ok := s.find(4, "-->")
		if !ok {
			return s.fail("%q is missing", "-->")
		}
		comment := s.buf[s.pos+4 : s.pos+n]
		s.pos += n + 3
		if !utf8.Valid(comment) {
			return s.fail("invalid UTF-8")
		}
		return s.next()
	case bytes.HasPrefix(rest, []byte("[CDATA[")):
		if len(s.stack) == 0 {
			return s.fail("CDATA outside the root element")
		}
		n, ok := s.find(9, "]]>")
		if !ok {
			return s.fail("a CDATA section is not closed")
		}
		raw := s.buf[s.pos+9 : s.pos+n]
		s.pos += n + 3
		if !s.decodeText(raw, true) {
			return false
		}
		s.kind = xmlText
		return true
	}
	return s.fail("declarations (<!DOCTYPE, <!ENTITY) are not read in a workbook")
}

// splitName reads an element or attribute name at the start of b: ASCII
// letters, digits and _ . - with at most one ':' between a prefix and the
// local name. It returns the name and what follows it.
func (s *xmlScan) splitName(b []byte) (name, rest []byte, ok bool) {
	i := 0
	for ; i < len(b); i++ {
		c := b[i]
		if !(nameStart(c) || c == ':' || i > 0 && (c >= '0' && c <= '9' || c == '.' || c == '-')) {
			break
		}
	}
	name = b[:i]
	colon := bytes.IndexByte(name, ':')
	bad := len(name) == 0 || colon == 0 || colon == len(name)-1 ||
		colon > 0 && (bytes.IndexByte(name[colon+1:], ':') >= 0 || !nameStart(name[colon+1]))
	if bad {
		return nil, nil, s.fail("a name that is not read (%q)", name)
	}
	return name, b[i:], true
}

func nameStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// decode appends raw character data to dst: entities and character
// references replaced, "\r\n" and "\r" read as "\n" (as XML requires), and
// every character checked to be one XML allows. cdata turns entity decoding
// off.
func (s *xmlScan) decode(dst *[]byte, raw []byte, cdata bool) bool {
	plain := cdata
	out := *dst
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '&' && !plain:
			end := bytes.IndexByte(raw[i:], ';')
			if end < 0 {
				return s.fail("an & that starts no entity")
			}
			ent := raw[i+1 : i+end]
			i += end + 1
			switch string(ent) {
			case "lt":
				out = append(out, '<')
			case "gt":
				out = append(out, '>')
			case "amp":
				out = append(out, '&')
			case "apos":
				out = append(out, '\'')
			case "quot":
				out = append(out, '"')
			default:
				r, ok := charRef(ent)
				if !ok {
					return s.fail("unknown entity &%s;", ent)
				}
				out = utf8.AppendRune(out, r)
			}
		case c == '\r':
			out = append(out, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		case c < utf8.RuneSelf:
			if c < 0x20 && c != '\t' && c != '\n' {
				return s.fail("a control character (0x%02X) XML does not allow", c)
			}
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				return s.fail("invalid UTF-8")
			}
			if !xmlChar(r) {
				return s.fail("a character XML does not allow (U+%04X)", r)
			}
			out = append(out, raw[i:i+size]...)
			i += size
		}
	}
	*dst = out
	return true
}

// charRef reads the inside of a character reference, "#123" or "#x7B".
func charRef(ent []byte) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	digits, base := ent[1:], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 || len(digits) > 8 {
		return 0, false
	}
	for _, d := range digits {
		if !(d >= '0' && d <= '9' || base == 16 && (d >= 'a' && d <= 'f' || d >= 'A' && d <= 'F')) {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil || !xmlChar(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

// xmlChar reports whether r is a character XML 1.0 allows.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// skip reads past the end of the element whose start was just read.
func (s *xmlScan) skip() bool {
	for depth := 1; depth > 0; {
		if !s.next() {
			return false
		}
		switch s.kind {
		case xmlStart:
			depth++
		case xmlEnd:
			depth--
		}
	}
	return true
}

// attr returns the value of the current start element's attribute with the
// given local name.
func (s *xmlScan) attr(name string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(a.name) == name {
			return a.value, true
		}
	}
	return nil, false
}
