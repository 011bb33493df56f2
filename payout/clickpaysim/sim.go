// Package clickpaysim is a simulator of the Clickpay Payouts API: an
// http.Handler that holds batches and entries and enforces what the real API
// evidently enforces, so that passing against it means something. It backs
// `payroll upload --sandbox`, `payroll sandbox`, the tests and benchmarks.
//
// What the simulator enforces: the server key (401), profile_id and
// account_id matching the key (400), every request key present and typed,
// amount above zero with at most two decimals, transfer_code 100-103, a valid
// IBAN, merchant_reference at most 50 characters (400); add only to an open
// batch with its order_id; close only with the exact count and total and when
// the deposit balance covers the total; nothing added after close. Errors use
// the PayTabs shape {"code", "message", "trace"}.
//
// Where it has to guess, it guesses here and nowhere else, and the client does
// not depend on the guess:
//   - add and close answer with the batch summary (as new does);
//   - query answers with the batch summary and its entries under "requests",
//     with the fields of Clickpay's text (entry_id, amount, fee, total,
//     beneficiary_account_number, status, protocol_message), each echoing
//     merchant_reference (Config.OmitReference turns the echo off); a
//     search answer's entries carry their batch_id too;
//   - a second new with an order_id already used, and an add of a
//     merchant_reference already in the batch, are 409 "Duplicate Request"
//     (code 4);
//   - entries carry fee (Config.Fee) and total (amount + fee);
//   - a closed batch is approved at once and settles after Config.SettleAfter:
//     entries end Paid, or Failed/Rejected for the IBANs configured so; the
//     batch becomes Completed;
//   - error codes: 1 authentication, 2 profile/account, 3 validation,
//     4 duplicate, 5 state (closed batch, wrong order id), 6 count/total,
//     7 balance, 404 batch not found.
package clickpaysim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"payroll/payout"
)

// Config is the simulator's configuration.
type Config struct {
	ServerKey string
	ProfileID string
	AccountID string
	// Balance of the deposit account; closes beyond it are refused.
	// Zero means 1,000,000,000.00.
	Balance payout.Amount
	// SettleAfter is how long after close entries stay Pending.
	SettleAfter time.Duration
	// Fail and Reject map IBANs to the protocol_message of entries that
	// end Failed or Rejected.
	Fail   map[string]string
	Reject map[string]string
	// Fee charged per entry.
	Fee payout.Amount
	// FeeMills, when set, is the fee per entry in thousandths of a riyal,
	// answered with three decimals ("1.725"); it replaces Fee.
	FeeMills int64
	// OpenStatus is the word the batch status of an open batch is answered
	// with; default "New".
	OpenStatus string
	// OmitReference stops query answers from echoing merchant_reference.
	OmitReference bool
	// MaxRequests per call; zero means 1000.
	MaxRequests int
	// MaxBody is the largest request body read; a larger one is answered
	// 413 unread. Zero means 32 MiB.
	MaxBody int64
	// StateFile keeps the state between processes ("" keeps it in memory).
	StateFile string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Defaults used when the configuration leaves them empty (the sandbox).
const (
	DefaultServerKey = "SANDBOX-SERVER-KEY"
	DefaultProfileID = "100001"
	DefaultAccountID = "200001"
)

// FaultKind is a way a call can go wrong.
type FaultKind int

const (
	// Fail500 answers 500 without applying the call.
	Fail500 FaultKind = iota + 1
	// ApplyThenCut applies the call, then closes the connection unanswered.
	ApplyThenCut
	// ApplySlow applies the call, then waits Delay before answering.
	ApplySlow
	// TooMany answers 429 with Retry-After without applying the call.
	TooMany
	// Refuse answers 400, an invalid request, without applying the call:
	// a rule of Clickpay's that the sheet's checks do not know of.
	Refuse
)

// Fault makes the N-th call of a kind ("new", "add", "close", "query",
// "search") fail; N 0 means every call of that kind.
type Fault struct {
	Call  string
	N     int
	Kind  FaultKind
	Delay time.Duration // for ApplySlow
}

// Server is the simulator.
type Server struct {
	cfg    Config
	mu     sync.Mutex
	st     *state
	seen   time.Time // modification time of the snapshot last read
	logOff int64     // how much of the change log this process has applied
	ops    []op      // changes not yet appended to the log
	faults []Fault
	calls  map[string]int
	// lockFile is held (flock) while a call runs, against other processes
	// on the same state file (lockState).
	lockFile *os.File
}

type state struct {
	NextBatch int64             `json:"next_batch"`
	NextEntry int64             `json:"next_entry"`
	Traces    int64             `json:"traces"`
	Batches   map[string]*batch `json:"batches"`
	Order     []string          `json:"order"`
}

type batch struct {
	ID       string    `json:"id"`
	OrderID  string    `json:"order_id"`
	Status   string    `json:"status"`
	ClosedAt time.Time `json:"closed_at"`
	Entries  []*entry  `json:"entries"`

	// Kept as entries are added, so that a call's cost does not grow
	// with the batch: the references in it, and their total.
	refs  map[string]bool
	total payout.Amount
}

// add appends entries to the batch.
func (b *batch) add(es ...*entry) {
	if b.refs == nil {
		b.refs = map[string]bool{}
	}
	for _, e := range es {
		b.Entries = append(b.Entries, e)
		if e.Request.MerchantReference != "" {
			b.refs[e.Request.MerchantReference] = true
		}
		b.total += e.Request.Amount
	}
}

type entry struct {
	ID      int64          `json:"id"`
	Request payout.Request `json:"request"`
	Status  string         `json:"status"`
	Message string         `json:"message"`
}

// New returns a simulator. With a StateFile it loads the earlier state.
func New(cfg Config) (*Server, error) {
	if cfg.ServerKey == "" {
		cfg.ServerKey = DefaultServerKey
	}
	if cfg.ProfileID == "" {
		cfg.ProfileID = DefaultProfileID
	}
	if cfg.AccountID == "" {
		cfg.AccountID = DefaultAccountID
	}
	if cfg.Balance == 0 {
		cfg.Balance = 100_000_000_000
	}
	if cfg.OpenStatus == "" {
		cfg.OpenStatus = "New"
	}
	if cfg.FeeMills > 0 {
		cfg.Fee = payout.Amount((cfg.FeeMills + 9) / 10)
	}
	if cfg.MaxRequests == 0 {
		cfg.MaxRequests = 1000
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 32 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, calls: map[string]int{}}
	st, err := s.load()
	if err != nil {
		return nil, err
	}
	s.st = st
	return s, nil
}

// Config returns the configuration in force (with defaults filled in).
func (s *Server) Config() Config { return s.cfg }

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// SetBalance changes the deposit account's balance (a top-up).
func (s *Server) SetBalance(a payout.Amount) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.Balance = a
}

// Calls returns how many calls of a kind were received.
func (s *Server) Calls(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[kind]
}

// apiError is an answer in the PayTabs error shape.
type apiError struct {
	status int
	code   int
	msg    string
}

func fail(status, code int, format string, a ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, a...)}
}

func callKind(path string) string {
	switch {
	case path == "/payout/batch/new":
		return "new"
	case path == "/payout/batch/add", path == "/payout/batch/request/add":
		return "add"
	case path == "/payout/batch/close":
		return "close"
	case path == "/payout/batch/query", path == "/payout/batch/request/query", strings.HasPrefix(path, "/payout/batch/query/"):
		return "query"
	case path == "/payout/batch/request/search":
		return "search"
	}
	return ""
}

// ServeHTTP answers one call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := callKind(r.URL.Path)
	if kind == "" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody), r.ContentLength, s.cfg.MaxBody)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"code": 413, "message": fmt.Sprintf("Request body larger than %d bytes", s.cfg.MaxBody)})
		return
	}
	if err != nil {
		return
	}
	s.mu.Lock()
	unlock := s.lockState()
	s.reload()
	s.calls[kind]++
	fault := s.faultFor(kind, s.calls[kind])
	if fault != nil && (fault.Kind == Fail500 || fault.Kind == TooMany || fault.Kind == Refuse) {
		s.st.Traces++
		trace := s.trace()
		unlock()
		s.mu.Unlock()
		if fault.Kind == Refuse {
			writeJSON(w, http.StatusBadRequest, map[string]any{"code": 3, "message": "Invalid beneficiary_name", "trace": trace})
			return
		}
		if fault.Kind == TooMany {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, map[string]any{"code": 429, "message": "Too many requests", "trace": trace})
			return
		}
		writeJSON(w, http.StatusInternalServerError, map[string]any{"code": 500, "message": "Internal error", "trace": trace})
		return
	}
	status, answer := s.handle(kind, r, body)
	unlock()
	s.mu.Unlock()
	if fault != nil && fault.Kind == ApplyThenCut {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if fault != nil && fault.Kind == ApplySlow {
		select {
		case <-time.After(fault.Delay):
		case <-r.Context().Done():
			return
		}
	}
	writeJSON(w, status, answer)
}

// readAll reads a body into a buffer of the size it says it has (within
// the limit), so that half a megabyte is not read through a dozen copies.
func readAll(body io.Reader, length, limit int64) ([]byte, error) {
	if length <= 0 || length > limit {
		return io.ReadAll(body)
	}
	b := make([]byte, 0, length+1) // +1: the end is seen without growing
	for {
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			// Longer than it said: the rest as it comes.
			rest, err := io.ReadAll(body)
			return append(b, rest...), err
		}
	}
}

func (s *Server) faultFor(kind string, n int) *Fault {
	for i := range s.faults {
		f := &s.faults[i]
		if f.Call == kind && (f.N == 0 || f.N == n) {
			return f
		}
	}
	return nil
}

func (s *Server) trace() string {
	return fmt.Sprintf("SIM%06d.%d", s.st.Traces, s.cfg.Now().Unix()%100000)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshalAnswer(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":500,"message":"answer not written"}`)
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// handle applies a call to the state (under s.mu) and returns the answer.
func (s *Server) handle(kind string, r *http.Request, body []byte) (int, any) {
	s.st.Traces++
	trace := s.trace()
	answer, err := s.apply(kind, r, body)
	if err != nil {
		return err.status, map[string]any{"code": err.code, "message": err.msg, "trace": trace}
	}
	answer["trace"] = trace
	if kind != "query" && kind != "search" {
		if err := s.save(); err != nil {
			return 500, map[string]any{"code": 500, "message": "state not saved: " + err.Error(), "trace": trace}
		}
	}
	return 200, answer
}

func (s *Server) apply(kind string, r *http.Request, body []byte) (map[string]any, *apiError) {
	if r.Header.Get("Authorization") != s.cfg.ServerKey {
		return nil, fail(401, 1, "Authentication failed. Check authentication header.")
	}
	m, ok := fastBody(body)
	if !ok {
		m = nil
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, fail(400, 3, "Invalid JSON body")
		}
	}
	if aerr := s.checkProfile(m); aerr != nil {
		return nil, aerr
	}
	switch kind {
	case "new":
		return s.newBatch(m)
	case "add":
		return s.add(m)
	case "close":
		return s.close(m)
	case "query":
		status := ""
		if rest, ok := strings.CutPrefix(r.URL.Path, "/payout/batch/query/"); ok {
			status = strings.Trim(rest, "/")
		}
		return s.query(m, status)
	default:
		return s.search(m)
	}
}

func (s *Server) checkProfile(m map[string]json.RawMessage) *apiError {
	for _, k := range []string{"profile_id", "account_id"} {
		raw, ok := m[k]
		if !ok {
			return fail(400, 3, "%s is required", k)
		}
		if id, ok := idValue(raw); !ok || id != map[string]string{"profile_id": s.cfg.ProfileID, "account_id": s.cfg.AccountID}[k] {
			return fail(400, 2, "Invalid %s for this server key", k)
		}
	}
	return nil
}

// idValue reads a number or a string id.
func idValue(raw json.RawMessage) (string, bool) {
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str, true
	}
	return "", false
}

func str(m map[string]json.RawMessage, k string) (string, *apiError) {
	raw, ok := m[k]
	if !ok {
		return "", fail(400, 3, "%s is required", k)
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", fail(400, 3, "%s must be a string", k)
	}
	return v, nil
}

func (s *Server) batchFor(m map[string]json.RawMessage) (*batch, *apiError) {
	raw, ok := m["batch_id"]
	if !ok {
		return nil, fail(400, 3, "batch_id is required")
	}
	id, ok := idValue(raw)
	if !ok {
		return nil, fail(400, 3, "batch_id must be a number")
	}
	b, ok := s.st.Batches[id]
	if !ok {
		return nil, fail(404, 404, "Batch not found")
	}
	s.settle(b)
	return b, nil
}

func (s *Server) newBatch(m map[string]json.RawMessage) (map[string]any, *apiError) {
	order, aerr := str(m, "order_id")
	if aerr != nil {
		return nil, aerr
	}
	if strings.TrimSpace(order) == "" {
		return nil, fail(400, 3, "order_id is required")
	}
	for _, b := range s.st.Batches {
		if b.OrderID == order {
			return nil, fail(409, 4, "Duplicate Request")
		}
	}
	var reqs []payout.Request
	if raw, ok := m["requests"]; ok {
		var err *apiError
		if reqs, err = s.checkRequests(raw, nil); err != nil {
			return nil, err
		}
	}
	s.st.NextBatch++
	b := &batch{ID: fmt.Sprint(s.st.NextBatch), OrderID: order, Status: "New"}
	added := s.addEntries(b, reqs)
	s.st.Batches[b.ID] = b
	s.st.Order = append(s.st.Order, b.ID)
	s.record(op{Op: "new", Batch: b.ID, Order: order, Entries: added})
	return s.summary(b), nil
}

func (s *Server) add(m map[string]json.RawMessage) (map[string]any, *apiError) {
	b, aerr := s.batchFor(m)
	if aerr != nil {
		return nil, aerr
	}
	order, aerr := str(m, "order_id")
	if aerr != nil {
		return nil, aerr
	}
	if order != b.OrderID {
		return nil, fail(400, 5, "order_id does not match the batch")
	}
	if b.Status != "New" {
		return nil, fail(400, 5, "Batch is closed; no requests can be added")
	}
	raw, ok := m["requests"]
	if !ok {
		return nil, fail(400, 3, "requests is required")
	}
	reqs, aerr := s.checkRequests(raw, b)
	if aerr != nil {
		return nil, aerr
	}
	if len(reqs) == 0 {
		return nil, fail(400, 3, "requests must not be empty")
	}
	s.record(op{Op: "add", Batch: b.ID, Entries: s.addEntries(b, reqs)})
	return s.summary(b), nil
}

// addEntries adds requests to a batch as new entries and returns them.
func (s *Server) addEntries(b *batch, reqs []payout.Request) []*entry {
	added := make([]*entry, len(reqs))
	for i, r := range reqs {
		s.st.NextEntry++
		added[i] = &entry{ID: s.st.NextEntry, Request: r, Status: "Pending"}
	}
	b.add(added...)
	return added
}

func (s *Server) close(m map[string]json.RawMessage) (map[string]any, *apiError) {
	b, aerr := s.batchFor(m)
	if aerr != nil {
		return nil, aerr
	}
	if b.Status != "New" {
		return nil, fail(400, 5, "Batch is already closed")
	}
	rawCount, ok := m["count"]
	if !ok {
		return nil, fail(400, 3, "count is required")
	}
	var count int
	if err := json.Unmarshal(rawCount, &count); err != nil {
		return nil, fail(400, 3, "count must be a whole number")
	}
	rawTotal, ok := m["total"]
	if !ok {
		return nil, fail(400, 3, "total is required")
	}
	total, aerr := amountValue(rawTotal, "total", true)
	if aerr != nil {
		return nil, aerr
	}
	if len(b.Entries) == 0 {
		return nil, fail(400, 6, "Batch has no requests")
	}
	if count != len(b.Entries) {
		return nil, fail(400, 6, "count %d does not match the batch (%d requests)", count, len(b.Entries))
	}
	if total != batchTotal(b) {
		return nil, fail(400, 6, "total %s does not match the batch (%s)", total, batchTotal(b))
	}
	need := total + payout.Amount(len(b.Entries))*s.cfg.Fee
	if avail := s.cfg.Balance - s.spent(); need > avail {
		return nil, fail(400, 7, "Insufficient deposit balance: the batch needs %s SAR, the balance is %s SAR", need, avail)
	}
	b.Status = "Closed"
	b.ClosedAt = s.cfg.Now()
	s.record(op{Op: "close", Batch: b.ID, ClosedAt: b.ClosedAt})
	s.settle(b)
	return s.summary(b), nil
}

func (s *Server) spent() payout.Amount {
	var sum payout.Amount
	for _, b := range s.st.Batches {
		if b.Status != "New" {
			sum += batchTotal(b) + payout.Amount(len(b.Entries))*s.cfg.Fee
		}
	}
	return sum
}

// settle moves a closed batch's entries to their final statuses once
// SettleAfter has passed.
func (s *Server) settle(b *batch) {
	if b.Status != "Closed" || s.cfg.Now().Sub(b.ClosedAt) < s.cfg.SettleAfter {
		return
	}
	o := op{Op: "settle", Batch: b.ID, Unpaid: map[int64][2]string{}}
	for _, e := range b.Entries {
		if msg, ok := s.cfg.Fail[e.Request.IBAN]; ok {
			e.Status, e.Message = "Failed", msg
		} else if msg, ok := s.cfg.Reject[e.Request.IBAN]; ok {
			e.Status, e.Message = "Rejected", msg
		} else {
			e.Status, e.Message = "Paid", ""
		}
		if e.Status != "Paid" {
			o.Unpaid[e.ID] = [2]string{e.Status, e.Message}
		}
	}
	b.Status = "Completed"
	s.record(o)
	s.save()
}

func batchTotal(b *batch) payout.Amount { return b.total }

func (s *Server) summary(b *batch) map[string]any {
	return map[string]any{
		"batch_id": json.Number(b.ID), "profile_id": json.Number(s.cfg.ProfileID), "account_id": json.Number(s.cfg.AccountID),
		"currency": "SAR", "total": batchTotal(b).String(), "count": len(b.Entries), "order_id": b.OrderID, "status": s.statusWord(b),
	}
}

// statusWord is the batch status as answered: an open batch is called
// Config.OpenStatus.
func (s *Server) statusWord(b *batch) string {
	if b.Status == "New" {
		return s.cfg.OpenStatus
	}
	return b.Status
}

// fee returns an entry's fee and total as answered.
func (s *Server) fee(r payout.Request) (fee, total string) {
	if s.cfg.FeeMills > 0 {
		m := int64(r.Amount)*10 + s.cfg.FeeMills
		return fmt.Sprintf("%d.%03d", s.cfg.FeeMills/1000, s.cfg.FeeMills%1000), fmt.Sprintf("%d.%03d", m/1000, m%1000)
	}
	return s.cfg.Fee.String(), (r.Amount + s.cfg.Fee).String()
}

// entryAnswer is an entry as query and search answer it: the fields of
// the entries in Clickpay's text, merchant_reference echoed (a guess;
// Config.OmitReference turns it off) and, in a search answer, the batch.
type entryAnswer struct {
	EntryID   int64       `json:"entry_id"`
	BatchID   json.Number `json:"batch_id,omitempty"`
	Amount    string      `json:"amount"`
	Fee       string      `json:"fee"`
	Total     string      `json:"total"`
	IBAN      string      `json:"beneficiary_account_number"`
	Status    string      `json:"status"`
	Message   string      `json:"protocol_message"`
	Reference *string     `json:"merchant_reference,omitempty"`
}

// marshalAnswer writes an answer as JSON. A batch's list of entries, a
// hundred thousand of them in a large batch, is written last, by
// appendEntries, into a buffer sized for it; the rest by encoding/json
// (TestAnswersAsStd).
func marshalAnswer(v any) ([]byte, error) {
	m, ok := v.(map[string]any)
	list, isList := m["requests"].([]*entryAnswer)
	if !ok || !isList {
		return json.Marshal(v)
	}
	rest := make(map[string]any, len(m))
	for k, x := range m {
		if k != "requests" {
			rest[k] = x
		}
	}
	head, err := json.Marshal(rest)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(head)+32+entrySize*len(list))
	b = append(b, head[:len(head)-1]...)
	if len(head) > 2 {
		b = append(b, ',')
	}
	b = append(b, `"requests":`...)
	return append(appendEntries(b, list), '}'), nil
}

// entrySize is about what an entry takes in JSON.
const entrySize = 256

// appendEntries writes a list of entries as encoding/json writes it.
func appendEntries(b []byte, list []*entryAnswer) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, e := range list {
		if i > 0 {
			b = append(b, ',')
		}
		if e == nil {
			b = append(b, "null"...)
			continue
		}
		b = append(b, `{"entry_id":`...)
		b = strconv.AppendInt(b, e.EntryID, 10)
		if e.BatchID != "" {
			b = append(b, `,"batch_id":`...)
			b = append(b, e.BatchID...)
		}
		for _, f := range [...]struct{ key, value string }{
			{`,"amount":`, e.Amount}, {`,"fee":`, e.Fee}, {`,"total":`, e.Total},
			{`,"beneficiary_account_number":`, e.IBAN}, {`,"status":`, e.Status}, {`,"protocol_message":`, e.Message},
		} {
			b = append(b, f.key...)
			b = payout.AppendJSONString(b, f.value)
		}
		if e.Reference != nil {
			b = append(b, `,"merchant_reference":`...)
			b = payout.AppendJSONString(b, *e.Reference)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

func (s *Server) entryJSON(e *entry) *entryAnswer {
	r := e.Request
	fee, total := s.fee(r)
	out := &entryAnswer{EntryID: e.ID, Amount: r.Amount.String(), Fee: fee, Total: total, IBAN: r.IBAN, Status: e.Status, Message: e.Message}
	if !s.cfg.OmitReference {
		out.Reference = &e.Request.MerchantReference
	}
	return out
}

func (s *Server) query(m map[string]json.RawMessage, status string) (map[string]any, *apiError) {
	b, aerr := s.batchFor(m)
	if aerr != nil {
		return nil, aerr
	}
	switch status {
	case "", "pending", "paid", "processed", "failed", "rejected":
	default:
		return nil, fail(404, 404, "Unknown status %q", status)
	}
	var entryID string
	if raw, ok := m["entry_id"]; ok {
		if entryID, ok = idValue(raw); !ok {
			return nil, fail(400, 3, "entry_id must be a number")
		}
	}
	out := s.summary(b)
	list := []*entryAnswer{}
	for _, e := range b.Entries {
		if entryID != "" && fmt.Sprint(e.ID) != entryID {
			continue
		}
		if !statusMatches(e.Status, status) {
			continue
		}
		list = append(list, s.entryJSON(e))
	}
	if entryID != "" {
		// One entry: the flat object of Clickpay's text.
		for _, e := range b.Entries {
			if fmt.Sprint(e.ID) == entryID && statusMatches(e.Status, status) {
				fee, total := s.fee(e.Request)
				return map[string]any{"entry_id": e.ID, "amount": e.Request.Amount.String(), "fee": fee, "total": total,
					"beneficiary_account_number": e.Request.IBAN, "status": e.Status, "protocol_message": e.Message}, nil
			}
		}
		return nil, fail(404, 404, "Entry not found")
	}
	out["requests"] = list
	return out, nil
}

func statusMatches(entry, filter string) bool {
	switch filter {
	case "":
		return true
	case "processed":
		return entry != "Pending"
	}
	return strings.EqualFold(entry, filter)
}

func (s *Server) search(m map[string]json.RawMessage) (map[string]any, *apiError) {
	ref, aerr := str(m, "merchant_reference")
	if aerr != nil {
		return nil, aerr
	}
	if ref == "" {
		return nil, fail(400, 3, "merchant_reference is required")
	}
	list := []*entryAnswer{}
	ids := append([]string(nil), s.st.Order...)
	sort.Strings(ids)
	for _, id := range ids {
		b := s.st.Batches[id]
		s.settle(b)
		for _, e := range b.Entries {
			if e.Request.MerchantReference == ref {
				row := s.entryJSON(e)
				row.BatchID = json.Number(b.ID)
				row.Reference = &e.Request.MerchantReference
				list = append(list, row)
			}
		}
	}
	return map[string]any{"requests": list}, nil
}
