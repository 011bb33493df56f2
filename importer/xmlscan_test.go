package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// transcript is every token a scan reads, and how it ends.
func transcript(s *xmlScan) string {
	var b strings.Builder
	for s.next() {
		switch s.kind {
		case xmlStart:
			fmt.Fprintf(&b, "<%s", s.name)
			for _, a := range s.attrs {
				fmt.Fprintf(&b, " %s=%q", a.name, a.value)
			}
			fmt.Fprintf(&b, "> depth %d\n", len(s.stack))
		case xmlEnd:
			fmt.Fprintf(&b, "</%s>\n", s.name)
		case xmlText:
			fmt.Fprintf(&b, "%q\n", s.text)
		}
		if s.kind == xmlStart && string(s.name) == "v" {
			// The one-step read of an element's text, as the cells use it.
			t, ok := readText(s, nil)
			fmt.Fprintf(&b, "v %q %v\n", t, ok)
		}
	}
	fmt.Fprintf(&b, "end: %v", s.err)
	return b.String()
}

// scanPieces checks that a document reads the same whether the scanner
// gets it whole or a byte or a few at a time into a buffer that starts
// tiny: every place a token can be cut by the end of what was read.
func scanPieces(t *testing.T, doc string) {
	t.Helper()
	want := transcript(newXMLScan(strings.NewReader(doc)))
	for _, tt := range []struct {
		name string
		s    *xmlScan
	}{
		{"one byte", newXMLScanSize(iotest.OneByteReader(strings.NewReader(doc)), 1)},
		{"halves", newXMLScanSize(iotest.HalfReader(strings.NewReader(doc)), 3)},
		{"data with EOF", newXMLScanSize(iotest.DataErrReader(iotest.OneByteReader(strings.NewReader(doc))), 7)},
	} {
		if got := transcript(tt.s); got != want {
			t.Fatalf("%s: read in pieces (%s)\n%s\nwhole\n%s", doc, tt.name, got, want)
		}
	}
}

// TestScanInPieces: the tokenizer reads the same tokens (and fails the
// same way) however the part's bytes arrive.
func TestScanInPieces(t *testing.T) {
	docs := []string{
		`<?xml version="1.0" encoding="UTF-8"?><a><b x="1" y='2'>text &amp; more</b><c/><d a="x>y" b='"'/></a>`,
		`<r><!-- a comment with > and -- --><![CDATA[cdata <b> & ]]]]><![CDATA[>]]><v>12</v><v/><v></v><v>a<b/>c</v></r>`,
		"<x:r xmlns:x=\"u\">\r\n<x:v>one\r\ntwo</x:v><v >x</v ><v>&#x41;&#66;</v></x:r>",
		`<r><v>unclosed</r>`,
		`<r><v>1</v></r>trailing`,
		`<r><!DOCTYPE x></r>`,
		`<r a="1"b="2"></r>`,
		`<r><>0</r>`,
		`<?xml version="1.0" encoding="latin1"?><r/>`,
		`<r>` + strings.Repeat(`<c r="A1" t="s"><v>0</v></c>`, 50) + `</r>`,
		"<r>\xff</r>",
		`<r><!-- never closed`,
	}
	matches, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzXLSXSameAsExcelize", "*"))
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		// The corpus files hold the sheet data and the shared strings as
		// Go-quoted strings; each is tried as a document on its own.
		for _, line := range strings.Split(string(b), "\n")[1:] {
			if v, ok := strings.CutPrefix(line, "string("); ok {
				var s string
				if _, err := fmt.Sscanf(strings.TrimSuffix(v, ")"), "%q", &s); err == nil {
					docs = append(docs, "<r>"+s+"</r>")
				}
			}
		}
	}
	if len(docs) < 20 {
		t.Fatalf("only %d documents: the fuzz corpus was not read", len(docs))
	}
	for _, d := range docs {
		scanPieces(t, d)
	}
}

// FuzzScanInPieces: any document reads the same in pieces as whole.
func FuzzScanInPieces(f *testing.F) {
	f.Add(`<r><c r="A1" t="s"><v>0</v></c><c t="inlineStr"><is><t xml:space="preserve"> x </t></is></c></r>`)
	f.Add(`<r><!-- c --><![CDATA[x]]><?pi x?><v>&lt;&#x41;</v></r>`)
	f.Fuzz(func(t *testing.T, doc string) { scanPieces(t, doc) })
}
