package importer

import (
	"bufio"
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
// the time a large sheet takes to read; this one reuses its buffers and
// decodes only what the reader asks for.
//
// It accepts a subset of what encoding/xml accepts and never reads a value
// differently: UTF-8 only, no DOCTYPE, ASCII element and attribute names,
// the five predefined entities and character references, comments,
// processing instructions and CDATA sections. Whatever else it meets is an
// error, which the reader reports as a damaged workbook.
type xmlScan struct {
	r *bufio.Reader

	kind  xmlKind
	name  []byte    // start or end: the local name (after any prefix)
	attrs []xmlAttr // start: the attributes, values decoded
	text  []byte    // text: character data, entities decoded, line ends normalised

	stack      []int  // where each open element's name ends in names
	open       []byte // the open elements' names, with prefixes, end to end
	pendingEnd bool   // a self-closing element's end is due
	raw        []byte // scratch: text before decoding, a name, a value
	names      []byte // storage for attribute names
	vals       []byte // storage for attribute values
	spans      []int  // per attribute: name start, value start, value end
	err        error
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

func newXMLScan(r io.Reader) *xmlScan {
	return &xmlScan{r: bufio.NewReaderSize(r, 64<<10)}
}

func (s *xmlScan) fail(format string, args ...any) bool {
	if s.err == nil {
		s.err = fmt.Errorf("%w: "+format, append([]any{errXML}, args...)...)
	}
	s.kind = xmlEOF
	return false
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
	s.raw = s.raw[:0]
	for {
		chunk, err := s.r.ReadSlice('<')
		if err == nil {
			s.raw = append(s.raw, chunk[:len(chunk)-1]...)
			break
		}
		s.raw = append(s.raw, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != io.EOF {
			s.err = err
			return false
		}
		if len(bytes.TrimLeft(s.raw, " \t\r\n")) > 0 && len(s.stack) == 0 {
			return s.fail("text after the last element")
		}
		if len(s.stack) > 0 {
			return s.fail("the part ends inside <%s>", s.top())
		}
		s.kind = xmlEOF
		return false
	}
	if len(s.raw) > 0 {
		// The '<' read stays for the tag; hand out the text first.
		if err := s.r.UnreadByte(); err != nil {
			s.err = err
			return false
		}
		if len(s.stack) == 0 {
			if len(bytes.TrimLeft(s.raw, " \t\r\n")) > 0 {
				return s.fail("text outside the root element")
			}
			return s.next()
		}
		s.text = s.text[:0]
		if !s.decode(&s.text, s.raw, false) {
			return false
		}
		s.kind = xmlText
		return true
	}
	return s.tag()
}

// tag reads what follows a '<'.
func (s *xmlScan) tag() bool {
	b, err := s.r.ReadByte()
	if err != nil {
		return s.fail("the part ends inside a tag")
	}
	switch b {
	case '?':
		if !s.skipUntil("?>") {
			return false
		}
		if decl := s.raw; bytes.HasPrefix(decl, []byte("xml")) {
			if i := bytes.Index(decl, []byte("encoding")); i >= 0 {
				enc := bytes.ToLower(decl[i+len("encoding"):])
				enc = bytes.TrimLeft(enc, " \t\r\n=")
				if !bytes.HasPrefix(enc, []byte(`"utf-8"`)) && !bytes.HasPrefix(enc, []byte(`'utf-8'`)) {
					return s.fail("the part is not in UTF-8")
				}
			}
		}
		return s.next()
	case '!':
		return s.bang()
	case '/':
		name, ok := s.readName()
		if !ok {
			return false
		}
		s.skipSpace()
		if c, err := s.r.ReadByte(); err != nil || c != '>' {
			return s.fail("end tag </%s> is not closed", name)
		}
		if len(s.stack) == 0 || !bytes.Equal(s.top(), name) {
			return s.fail("</%s> closes no open element of that name", name)
		}
		s.kind = xmlEnd
		s.pop()
		return true
	}
	if err := s.r.UnreadByte(); err != nil {
		s.err = err
		return false
	}
	name, ok := s.readName()
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
	s.names = s.names[:0]
	s.spans = s.spans[:0]
	for {
		s.skipSpace()
		c, err := s.r.ReadByte()
		if err != nil {
			return s.fail("the part ends inside <%s>", name)
		}
		if c == '>' {
			break
		}
		if c == '/' {
			if c, err := s.r.ReadByte(); err != nil || c != '>' {
				return s.fail("<%s> is not closed", name)
			}
			s.pendingEnd = true
			break
		}
		if err := s.r.UnreadByte(); err != nil {
			s.err = err
			return false
		}
		an, ok := s.readName()
		if !ok {
			return false
		}
		s.spans = append(s.spans, len(s.names))
		s.names = append(s.names, local(an)...)
		s.skipSpace()
		if c, err := s.r.ReadByte(); err != nil || c != '=' {
			return s.fail("attribute %s of <%s> has no value", an, name)
		}
		s.skipSpace()
		q, err := s.r.ReadByte()
		if err != nil || q != '"' && q != '\'' {
			return s.fail("attribute %s of <%s> is not quoted", an, name)
		}
		s.raw = s.raw[:0]
		for {
			chunk, err := s.r.ReadSlice(q)
			s.raw = append(s.raw, chunk...)
			if err == nil {
				break
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				return s.fail("attribute %s of <%s> is not closed", an, name)
			}
		}
		val := s.raw[:len(s.raw)-1]
		if bytes.IndexByte(val, '<') >= 0 {
			return s.fail("attribute %s of <%s> holds an unescaped <", an, name)
		}
		s.spans = append(s.spans, len(s.vals))
		if !s.decode(&s.vals, val, false) {
			return false
		}
		s.spans = append(s.spans, len(s.vals))
	}
	for i := 0; i < len(s.spans); i += 3 {
		end := len(s.names)
		if i+3 < len(s.spans) {
			end = s.spans[i+3]
		}
		lo, hi := s.spans[i+1], s.spans[i+2]
		s.attrs = append(s.attrs, xmlAttr{name: s.names[s.spans[i]:end:end], value: s.vals[lo:hi:hi]})
	}
	s.kind = xmlStart
	return true
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
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// bang reads a comment, a CDATA section, or refuses a declaration.
func (s *xmlScan) bang() bool {
	peek, _ := s.r.Peek(7)
	switch {
	case bytes.HasPrefix(peek, []byte("--")):
		s.r.Discard(2)
		return s.skipUntil("-->") && s.next()
	case bytes.Equal(peek, []byte("[CDATA[")):
		s.r.Discard(7)
		if len(s.stack) == 0 {
			return s.fail("CDATA outside the root element")
		}
		s.raw = s.raw[:0]
		for {
			chunk, err := s.r.ReadSlice('>')
			s.raw = append(s.raw, chunk...)
			if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				return s.fail("a CDATA section is not closed")
			}
			if bytes.HasSuffix(s.raw, []byte("]]>")) {
				break
			}
		}
		s.text = s.text[:0]
		if !s.decode(&s.text, s.raw[:len(s.raw)-3], true) {
			return false
		}
		s.kind = xmlText
		return true
	}
	return s.fail("declarations (<!DOCTYPE, <!ENTITY) are not read in a workbook")
}

func (s *xmlScan) skipUntil(end string) bool {
	last := end[len(end)-1]
	s.raw = s.raw[:0]
	for {
		chunk, err := s.r.ReadSlice(last)
		s.raw = append(s.raw, chunk...)
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return s.fail("%q is missing", end)
		}
		if bytes.HasSuffix(s.raw, []byte(end)) {
			if !utf8.Valid(s.raw) {
				return s.fail("invalid UTF-8")
			}
			return true
		}
	}
}

func (s *xmlScan) skipSpace() {
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			s.r.UnreadByte()
			return
		}
	}
}

// readName reads an element or attribute name: ASCII letters, digits and
// _ . - with at most one ':' between a prefix and the local name.
func (s *xmlScan) readName() ([]byte, bool) {
	start := len(s.raw)
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			break
		}
		if nameStart(c) || c == ':' || len(s.raw) > start && (c >= '0' && c <= '9' || c == '.' || c == '-') {
			s.raw = append(s.raw, c)
			continue
		}
		s.r.UnreadByte()
		break
	}
	name := s.raw[start:]
	colon := bytes.IndexByte(name, ':')
	bad := len(name) == 0 || colon == 0 || colon == len(name)-1 ||
		colon > 0 && (bytes.IndexByte(name[colon+1:], ':') >= 0 || !nameStart(name[colon+1]))
	if bad {
		return nil, s.fail("a name that is not read (%q)", name)
	}
	// The bytes live in s.raw until the next read; callers copy what they keep.
	s.raw = s.raw[:start]
	return name, true
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
