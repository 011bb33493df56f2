package clickpaysim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"payroll/payout"
)

// The simulator's state lives in two files: StateFile, a snapshot written
// by earlier versions (read, never rewritten), and StateFile.log, an
// append-only log of changes, one JSON line per call that changed
// anything. A call appends only its own change, so its cost does not grow
// with the batches already held; another process sharing the state (a
// standalone sandbox, a second command) reads the lines appended since it
// last looked. A line cut short by a crash was never answered, and is
// dropped.

// op is one change of the state.
type op struct {
	Op       string              `json:"op"` // new, add, close, settle
	Batch    string              `json:"batch"`
	Order    string              `json:"order,omitempty"`
	Entries  []*entry            `json:"entries,omitempty"`
	ClosedAt time.Time           `json:"closed_at,omitzero"`
	Unpaid   map[int64][2]string `json:"unpaid,omitempty"` // settle: status and message of entries not Paid
	Traces   int64               `json:"traces"`
}

// appendJSON appends the op as one JSON line: its entries, a page of a
// thousand requests, written by hand after the rest (TestOpJSON).
func (o *op) appendJSON(b []byte) ([]byte, error) {
	rest := *o
	rest.Entries = nil
	head, err := json.Marshal(rest)
	if err != nil || len(o.Entries) == 0 {
		return append(b, head...), err
	}
	b = append(b, head[:len(head)-1]...)
	b = append(b, `,"entries":[`...)
	for i, e := range o.Entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, e.ID, 10)
		b = append(b, `,"request":`...)
		b = e.Request.AppendJSON(b)
		b = append(b, `,"status":`...)
		b = payout.AppendJSONString(b, e.Status)
		b = append(b, `,"message":`...)
		b = payout.AppendJSONString(b, e.Message)
		b = append(b, '}')
	}
	return append(b, "]}"...), nil
}

// record notes a change, appended to the log by save.
func (s *Server) record(o op) {
	o.Traces = s.st.Traces
	s.ops = append(s.ops, o)
}

func (s *Server) logPath() string { return s.cfg.StateFile + ".log" }

// apply replays one change.
func (st *state) apply(o op) {
	st.Traces = max(st.Traces, o.Traces)
	switch o.Op {
	case "new":
		b := &batch{ID: o.Batch, OrderID: o.Order, Status: "New"}
		st.Batches[b.ID] = b
		st.Order = append(st.Order, b.ID)
		if n, err := strconv.ParseInt(o.Batch, 10, 64); err == nil {
			st.NextBatch = max(st.NextBatch, n)
		}
		st.addEntries(b, o.Entries)
	case "add":
		if b := st.Batches[o.Batch]; b != nil {
			st.addEntries(b, o.Entries)
		}
	case "close":
		if b := st.Batches[o.Batch]; b != nil {
			b.Status, b.ClosedAt = "Closed", o.ClosedAt
		}
	case "settle":
		if b := st.Batches[o.Batch]; b != nil {
			for _, e := range b.Entries {
				e.Status, e.Message = "Paid", ""
				if u, ok := o.Unpaid[e.ID]; ok {
					e.Status, e.Message = u[0], u[1]
				}
			}
			b.Status = "Completed"
		}
	}
}

func (st *state) addEntries(b *batch, es []*entry) {
	b.add(es...)
	for _, e := range es {
		st.NextEntry = max(st.NextEntry, e.ID)
	}
}

// load reads the snapshot, then replays the log.
func (s *Server) load() (*state, error) {
	st := &state{NextBatch: 1000, NextEntry: 50000, Batches: map[string]*batch{}}
	s.logOff = 0
	if s.cfg.StateFile == "" {
		return st, nil
	}
	if fi, err := os.Stat(s.cfg.StateFile); err == nil {
		s.seen = fi.ModTime()
	}
	b, err := os.ReadFile(s.cfg.StateFile)
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return nil, fmt.Errorf("sandbox state %s: %w", s.cfg.StateFile, err)
	default:
		if err := json.Unmarshal(b, st); err != nil {
			return nil, fmt.Errorf("sandbox state %s is damaged (%v); delete it and %s to start afresh", s.cfg.StateFile, err, filepath.Base(s.logPath()))
		}
		if st.Batches == nil {
			st.Batches = map[string]*batch{}
		}
		for _, bt := range st.Batches {
			es := bt.Entries
			bt.Entries = nil
			bt.add(es...)
		}
	}
	if err := s.readLog(st); err != nil {
		return nil, err
	}
	return st, nil
}

// readLog applies the log's complete lines after logOff.
func (s *Server) readLog(st *state) error {
	f, err := os.Open(s.logPath())
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox state %s: %w", s.logPath(), err)
	}
	defer f.Close()
	if _, err := f.Seek(s.logOff, io.SeekStart); err != nil {
		return err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("sandbox state %s: %w", s.logPath(), err)
	}
	for {
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			return nil // nothing more, or a line still being written or cut short
		}
		// A line that does not read was cut short by a crash before its
		// call was answered: it never happened.
		var o op
		if json.Unmarshal(b[:nl], &o) == nil {
			st.apply(o)
		}
		s.logOff += int64(nl + 1)
		b = b[nl+1:]
	}
}

// reload applies what another process appended since this one last
// looked, or reads everything again when the files were replaced.
func (s *Server) reload() {
	if s.cfg.StateFile == "" {
		return
	}
	fi, err := os.Stat(s.cfg.StateFile)
	snapChanged := err == nil && !fi.ModTime().Equal(s.seen)
	li, err := os.Stat(s.logPath())
	size := int64(0)
	if err == nil {
		size = li.Size()
	}
	switch {
	case snapChanged || size < s.logOff:
		if st, err := s.load(); err == nil {
			s.st = st
		}
	case size > s.logOff:
		s.readLog(s.st)
	}
}

// save appends the changes recorded since the last save to the log.
func (s *Server) save() error {
	ops := s.ops
	s.ops = nil
	if s.cfg.StateFile == "" || len(ops) == 0 {
		return nil
	}
	size := 0
	for i := range ops {
		size += 256 + 512*len(ops[i].Entries)
	}
	buf := make([]byte, 0, size)
	for i := range ops {
		var err error
		if buf, err = ops[i].appendJSON(buf); err != nil {
			return err
		}
		buf = append(buf, '\n')
	}
	if err := os.MkdirAll(filepath.Dir(s.cfg.StateFile), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	out := buf
	if fi.Size() > s.logOff {
		// Another process's lines are read first; what is left after
		// them is a line cut short by a crash: ours starts on its own.
		s.readLog(s.st)
		if fi.Size() > s.logOff {
			out = append([]byte("\n"), out...)
		}
	}
	n, err := f.Write(out)
	s.logOff = fi.Size() + int64(n)
	return err
}

// State returns the whole state of a state file and its log as JSON: what
// a test or a person inspecting the sandbox reads.
func State(stateFile string) ([]byte, error) {
	s := &Server{cfg: Config{StateFile: stateFile}}
	st, err := s.load()
	if err != nil {
		return nil, err
	}
	return json.Marshal(st)
}
