package clickpay

// validJSON reports whether b is one JSON value with only white space
// around it: what json.Valid reports, by the same grammar and the same
// nesting limit, but in one plain pass instead of a state function a
// byte. Each of a batch answer's entries (100,000 of them, 20 MB) is
// checked before it is read (TestValidJSONAsStd, FuzzValidJSON).
func validJSON(b []byte) bool {
	c := jsonCheck{b: b}
	c.space()
	if !c.value() {
		return false
	}
	c.space()
	return c.i == len(b)
}

// maxJSONDepth is encoding/json's nesting limit: objects and arrays
// nested deeper are not valid JSON to it.
const maxJSONDepth = 10000

type jsonCheck struct {
	b     []byte
	i     int
	depth int
}

func (c *jsonCheck) space() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// next is the byte at i, 0 past the end (0 starts no value and follows
// none).
func (c *jsonCheck) next() byte {
	if c.i < len(c.b) {
		return c.b[c.i]
	}
	return 0
}

func (c *jsonCheck) value() bool {
	switch ch := c.next(); {
	case ch == '"':
		return c.str()
	case ch == '{':
		return c.object()
	case ch == '[':
		return c.array()
	case ch == '-' || '0' <= ch && ch <= '9':
		return c.number()
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	}
	return false
}

func (c *jsonCheck) literal(s string) bool {
	if len(c.b)-c.i < len(s) || string(c.b[c.i:c.i+len(s)]) != s {
		return false
	}
	c.i += len(s)
	return true
}

// str reads a string: no control characters, only JSON's escapes. Other
// bytes are taken as they are, valid UTF-8 or not, as encoding/json does.
func (c *jsonCheck) str() bool {
	c.i++ // the opening quote
	for c.i < len(c.b) {
		switch ch := c.b[c.i]; {
		case ch == '"':
			c.i++
			return true
		case ch == '\\':
			c.i++
			switch c.next() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				c.i++
			case 'u':
				if len(c.b)-c.i < 5 {
					return false
				}
				for _, h := range c.b[c.i+1 : c.i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				c.i += 5
			default:
				return false
			}
		case ch < 0x20:
			return false
		default:
			c.i++
		}
	}
	return false
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (c *jsonCheck) number() bool {
	if c.next() == '-' {
		c.i++
	}
	switch ch := c.next(); {
	case ch == '0':
		c.i++
	case '1' <= ch && ch <= '9':
		c.digits()
	default:
		return false
	}
	if c.next() == '.' {
		c.i++
		if !c.digits() {
			return false
		}
	}
	if ch := c.next(); ch == 'e' || ch == 'E' {
		c.i++
		if ch := c.next(); ch == '+' || ch == '-' {
			c.i++
		}
		if !c.digits() {
			return false
		}
	}
	return true
}

// digits reads one or more digits; false when there is none.
func (c *jsonCheck) digits() bool {
	start := c.i
	for c.i < len(c.b) && '0' <= c.b[c.i] && c.b[c.i] <= '9' {
		c.i++
	}
	return c.i > start
}

func (c *jsonCheck) object() bool { return c.container('}', c.member) }

func (c *jsonCheck) array() bool { return c.container(']', c.value) }

// member reads an object's "key": value.
func (c *jsonCheck) member() bool {
	if c.next() != '"' || !c.str() {
		return false
	}
	c.space()
	if c.next() != ':' {
		return false
	}
	c.i++
	c.space()
	return c.value()
}

// container reads an object or an array from its opening bracket: items
// read by item, between commas, up to the closing bracket end.
func (c *jsonCheck) container(end byte, item func() bool) bool {
	if c.depth++; c.depth > maxJSONDepth {
		return false
	}
	c.i++
	c.space()
	if c.next() == end {
		c.i++
		c.depth--
		return true
	}
	for {
		if !item() {
			return false
		}
		c.space()
		switch c.next() {
		case ',':
			c.i++
			c.space()
		case end:
			c.i++
			c.depth--
			return true
		default:
			return false
		}
	}
}
