package importer

import (
	"errors"
	"io"
)

// readAhead inflates a part of a workbook on a goroutine of its own, a few
// blocks ahead of the tokenizer that reads it, so that unzipping and
// tokenizing a large sheet run on two cores instead of one after the other.
type readAhead struct {
	rc     io.ReadCloser
	full   chan []byte   // blocks inflated, in order; closed at the end
	free   chan []byte   // blocks read, for the goroutine to fill again
	stop   chan struct{} // closed by Close
	exited chan struct{} // closed when the goroutine is done with rc
	err    error         // why the goroutine stopped; read once full is closed
	block  []byte        // the block being read
	rest   []byte        // what is left of it
}

const (
	aheadBlocks    = 4
	aheadBlockSize = 256 << 10
)

func newReadAhead(rc io.ReadCloser) *readAhead {
	a := &readAhead{rc: rc, full: make(chan []byte, aheadBlocks), free: make(chan []byte, aheadBlocks),
		stop: make(chan struct{}), exited: make(chan struct{})}
	for range aheadBlocks {
		a.free <- make([]byte, aheadBlockSize)
	}
	go a.fill()
	return a
}

func (a *readAhead) fill() {
	defer close(a.exited)
	defer close(a.full)
	for {
		var b []byte
		select {
		case b = <-a.free:
		case <-a.stop:
			return
		}
		n, err := io.ReadFull(a.rc, b[:cap(b)])
		if n > 0 {
			select {
			case a.full <- b[:n]:
			case <-a.stop:
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.EOF
			}
			a.err = err
			return
		}
	}
}

func (a *readAhead) Read(p []byte) (int, error) {
	if len(a.rest) == 0 {
		if a.block != nil {
			a.free <- a.block // never blocks: there are as many places as blocks
			a.block = nil
		}
		b, ok := <-a.full
		if !ok {
			return 0, a.err
		}
		a.block, a.rest = b, b
	}
	n := copy(p, a.rest)
	a.rest = a.rest[n:]
	return n, nil
}

// Close stops the goroutine and closes the part.
func (a *readAhead) Close() error {
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
	<-a.exited
	return a.rc.Close()
}
