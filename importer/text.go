package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The text encodings a CSV or TSV file may be in.
const (
	EncodingUTF8        = "utf-8"
	EncodingUTF16LE     = "utf-16le"
	EncodingUTF16BE     = "utf-16be"
	EncodingWindows1256 = "windows-1256"
)

// Encodings lists the names accepted by Options.Encoding.
func Encodings() []string {
	return []string{EncodingUTF8, EncodingUTF16LE, EncodingUTF16BE, EncodingWindows1256}
}

// pickEncoding returns the forced encoding, or the one the first bytes show:
// a byte-order mark, UTF-8 when the bytes are valid UTF-8, Windows-1256 (what
// Excel on an Arabic Windows writes) otherwise.
func pickEncoding(head []byte, forced string) (string, error) {
	if forced != "" {
		name := strings.ToLower(strings.ReplaceAll(forced, "_", "-"))
		switch name {
		case "utf8":
			name = EncodingUTF8
		case "cp1256", "windows1256", "arabic":
			name = EncodingWindows1256
		}
		for _, e := range Encodings() {
			if e == name {
				return e, nil
			}
		}
		return "", fmt.Errorf("unknown encoding %q; use one of %s", forced, strings.Join(Encodings(), ", "))
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return EncodingUTF8, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return EncodingUTF16LE, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return EncodingUTF16BE, nil
	}
	if looksUTF16LE(head) {
		return EncodingUTF16LE, nil
	}
	sample := head
	// The sample may end in the middle of a character.
	for i := 0; i < utf8.UTFMax && len(sample) > 0 && !utf8.Valid(sample); i++ {
		sample = sample[:len(sample)-1]
	}
	if utf8.Valid(sample) {
		return EncodingUTF8, nil
	}
	return EncodingWindows1256, nil
}

// looksUTF16LE spots UTF-16LE text without a byte-order mark: ASCII text
// with a zero byte after every character.
func looksUTF16LE(head []byte) bool {
	if len(head) < 8 {
		return false
	}
	zeros := 0
	for i := 1; i < len(head); i += 2 {
		if head[i] == 0 {
			zeros++
		}
	}
	return zeros*10 > (len(head)/2)*8
}

// utf8Scan is what a whole file's bytes say about UTF-8.
type utf8Scan struct {
	multi     int   // valid multi-byte characters
	invalid   int   // bytes that are no part of a valid character
	words     int   // runs of two or more bytes above 0x7F (words, in an 8-bit Arabic encoding)
	firstBad  int64 // offset of the first invalid byte, -1 when none
	badByte   byte
	badLine   int // its line, from 1
	lineBreak int // line breaks before it
}

// validUTF8 reports whether a whole file is valid UTF-8, reading it in
// large blocks: the common case, told apart without scanUTF8's count.
func validUTF8(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, 256<<10)
	carry := 0 // bytes of a character cut by the end of the last block
	for {
		n, err := f.Read(buf[carry:])
		n += carry
		complete := completeRunes(buf[:n])
		if !utf8.Valid(buf[:complete]) {
			return false, nil
		}
		carry = copy(buf, buf[complete:n])
		if err == io.EOF {
			return carry == 0, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// completeRunes is how many bytes of b end on a whole character: all of
// them, but for the start of a character cut off at the end.
func completeRunes(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}

// scanUTF8 reads a whole file and counts its valid multi-byte characters
// and its invalid bytes, noting where the first invalid one is.
func scanUTF8(path string) (utf8Scan, error) {
	sc := utf8Scan{firstBad: -1}
	f, err := os.Open(path)
	if err != nil {
		return sc, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	var off int64
	lines := 1
	buf := make([]byte, 0, utf8.UTFMax)
	high := 0 // bytes above 0x7F in a row
	for {
		b, err := r.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sc, err
		}
		if b >= utf8.RuneSelf {
			high++
			if high == 2 {
				sc.words++
			}
		}
		if b < utf8.RuneSelf {
			high = 0
			if b == '\n' {
				lines++
			}
			off++
			continue
		}
		// A multi-byte character: read as many bytes as its first says.
		buf = append(buf[:0], b)
		for len(buf) < utf8.UTFMax && !utf8.FullRune(buf) {
			next, err := r.Peek(1)
			if err != nil || next[0] < 0x80 || next[0] >= 0xC0 {
				break
			}
			c, _ := r.ReadByte()
			buf = append(buf, c)
			if high++; high == 2 {
				sc.words++
			}
		}
		if rr, size := utf8.DecodeRune(buf); rr != utf8.RuneError || size > 1 {
			sc.multi++
			// Bytes past the character (a bad continuation) are invalid.
			for range buf[size:] {
				sc.invalid++
			}
		} else {
			if sc.firstBad < 0 {
				sc.firstBad, sc.badByte, sc.badLine = off, b, lines
			}
			sc.invalid += len(buf)
		}
		off += int64(len(buf))
	}
	return sc, nil
}

func decoderFor(name string) encoding.Encoding {
	switch name {
	case EncodingUTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	case EncodingUTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	case EncodingWindows1256:
		return charmap.Windows1256
	}
	return unicode.UTF8BOM
}

func decodingReader(r io.Reader, enc string) io.Reader {
	return transform.NewReader(r, decoderFor(enc).NewDecoder())
}

// errChanged is the failure of a file that is no longer what was checked
// when it was opened.
var errChanged = errors.New("the file changed while it was read")

// utf8Reader passes through text already found to be valid UTF-8 (without
// a byte-order mark), checking each block again instead of decoding it: a
// block that is not valid means the file changed since (errChanged).
type utf8Reader struct {
	r     io.Reader
	buf   []byte
	out   []byte // checked, not yet read
	carry []byte // a character cut by the end of the last block
	err   error  // to return once out is read
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		if u.buf == nil {
			u.buf = make([]byte, 64<<10)
		}
		k := copy(u.buf, u.carry)
		n, err := u.r.Read(u.buf[k:])
		n += k
		complete := completeRunes(u.buf[:n])
		if !utf8.Valid(u.buf[:complete]) {
			u.err = errChanged
			return 0, u.err
		}
		u.out, u.carry = u.buf[:complete], u.buf[complete:n]
		if err == io.EOF && len(u.carry) > 0 {
			err = errChanged
		}
		u.err = err
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

func decodedSample(path, enc string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(decodingReader(bufio.NewReader(f), enc), 64*1024))
	return b, err
}

// textRows reads CSV or TSV records. Its row numbers count records the way a
// spreadsheet shows them: a quoted cell spanning lines is one row, and a blank
// line is a row of its own.
type textRows struct {
	path    string
	f       *os.File
	r       *csv.Reader
	row     Row
	prevEnd int // line on which the previous record ended
	err     error
	limits  Limits
	guard   *lineGuard
}

// lineGuard fails a read once a line grows beyond its limit, so that a
// file with no line breaks cannot make the CSV reader hold it all.
type lineGuard struct {
	r     io.Reader
	limit int
	run   int // bytes since the last line break
	line  int // line breaks seen
}

// errLongLine is the guard's failure; Next turns it into a message.
var errLongLine = errors.New("line too long")

func (g *lineGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for b := p[:n]; ; {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if g.run += len(b); g.run > g.limit {
				return 0, errLongLine
			}
			break
		}
		if g.run += i; g.run > g.limit {
			return 0, errLongLine
		}
		g.run = 0
		g.line++
		b = b[i+1:]
	}
	return n, err
}

// openText starts reading a CSV or TSV file in its encoding; valid says
// that the whole file was found to be valid UTF-8 when it was opened, so
// that it needs no decoding.
func openText(path, name, enc string, valid bool, delim rune, l Limits) (Rows, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Path: name, Msg: OpenMessage(err), Err: err}
	}
	br := bufio.NewReaderSize(f, 64<<10)
	guard := &lineGuard{r: br, limit: l.Line}
	text := decodingReader(guard, enc)
	if valid && enc == EncodingUTF8 {
		if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
			br.Discard(3)
		}
		text = &utf8Reader{r: guard}
	}
	r := csv.NewReader(text)
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	return &textRows{path: name, f: f, r: r, limits: l, guard: guard}, nil
}

func (t *textRows) Next() bool {
	if t.err != nil || t.r == nil {
		return false
	}
	rec, err := t.r.Read()
	if errors.Is(err, io.EOF) {
		return false
	}
	if errors.Is(err, errChanged) {
		t.err = &Error{Path: t.path, Row: t.guard.line + 1, Msg: "the file changed while it was read (its text is no longer UTF-8); wait until whoever is saving it is done, and try again", Err: err}
		return false
	}
	if errors.Is(err, errLongLine) {
		t.err = &Error{Path: t.path, Row: t.guard.line + 1, Msg: fmt.Sprintf("line %d is longer than %d MB; this is not a salary sheet saved as CSV (or it is damaged): open it in Excel and save it again", t.guard.line+1, t.limits.Line>>20), Err: ErrLimit}
		return false
	}
	if err != nil {
		var pe *csv.ParseError
		line := 0
		if errors.As(err, &pe) {
			line = pe.StartLine
		}
		t.err = &Error{Path: t.path, Row: line, Msg: "the file cannot be read as CSV: " + err.Error() + "; open it in Excel and save it again as CSV UTF-8", Err: err}
		return false
	}
	start, _ := t.r.FieldPos(0)
	last := len(rec) - 1
	lastLine, _ := t.r.FieldPos(last)
	number := t.row.Number + 1 + (start - t.prevEnd - 1)
	t.prevEnd = lastLine + strings.Count(rec[last], "\n")
	t.row = Row{Number: number, Cells: rec}
	if err := t.limits.checkRow(t.path, t.row); err != nil {
		t.err = err
		return false
	}
	return true
}

func (t *textRows) Row() Row   { return t.row }
func (t *textRows) Err() error { return t.err }
func (t *textRows) Close() error {
	if t.f == nil {
		return nil
	}
	err := t.f.Close()
	t.f = nil
	return err
}
