package importer

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// TestReadAhead: a part read through the read-ahead gives its bytes in
// order, then the part's own error; Close stops the goroutine even when
// it waits with blocks nobody reads, and closes the part once.
func TestReadAhead(t *testing.T) {
	data := make([]byte, 3*aheadBlockSize+12345)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	if err := iotest.TestReader(newReadAhead(&closeCounter{Reader: bytes.NewReader(data)}), data); err != nil {
		t.Fatal(err)
	}

	broken := errors.New("checksum error")
	src := &closeCounter{Reader: io.MultiReader(bytes.NewReader(data[:aheadBlockSize+7]), iotest.ErrReader(broken))}
	got, err := io.ReadAll(newReadAhead(src))
	if !errors.Is(err, broken) || !bytes.Equal(got, data[:aheadBlockSize+7]) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}

	endless := &closeCounter{Reader: iotest.OneByteReader(bytes.NewReader(bytes.Repeat(data, 8)))}
	a := newReadAhead(endless)
	if _, err := a.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	a.Close() // returns although the goroutine has blocks to hand over
	if endless.closed != 1 {
		t.Errorf("the part was closed %d times", endless.closed)
	}
}
