package clickpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"time"

	"payroll/payout"
)

// DefaultBaseURL is the Clickpay host.
const DefaultBaseURL = "https://secure.clickpay.com.sa"

// Paths are the call paths. The defaults are the seed's; PayTabs names two of
// them differently (see DESIGN.md).
type Paths struct {
	New         string // /payout/batch/new
	Add         string // /payout/batch/add (PayTabs: /payout/batch/request/add)
	Close       string // /payout/batch/close
	Query       string // /payout/batch/query
	QueryEntry  string // /payout/batch/query (PayTabs: /payout/batch/request/query)
	QueryStatus string // /payout/batch/query/ followed by the status
	Search      string // /payout/batch/request/search
}

// DefaultPaths returns the seed's paths.
func DefaultPaths() Paths {
	return Paths{
		New:         "/payout/batch/new",
		Add:         "/payout/batch/add",
		Close:       "/payout/batch/close",
		Query:       "/payout/batch/query",
		QueryEntry:  "/payout/batch/query",
		QueryStatus: "/payout/batch/query/",
		Search:      "/payout/batch/request/search",
	}
}

// Retry bounds the retries of calls that were not applied and may succeed
// later (could not connect, 429).
type Retry struct {
	Attempts int           // total tries, at least 1
	Base     time.Duration // first wait; doubled each time, with jitter
	Max      time.Duration // longest single wait
	Budget   time.Duration // longest total waiting for one call
}

// DefaultRetry is 4 tries, waiting 0.5s, 1s, 2s (± jitter), 30s at most in all.
func DefaultRetry() Retry {
	return Retry{Attempts: 4, Base: 500 * time.Millisecond, Max: 10 * time.Second, Budget: 30 * time.Second}
}

// Config is what a client needs.
type Config struct {
	BaseURL   string // default DefaultBaseURL; must be https unless loopback
	ServerKey string // the profile's server key; never printed
	ProfileID string
	AccountID string
	Timeout   time.Duration // per HTTP call; default 60s
	Paths     Paths         // zero fields take the defaults
	Retry     Retry         // zero value takes DefaultRetry
	// HTTPClient, when set, is used instead of a new one (tests).
	HTTPClient *http.Client
}

// Client calls the Clickpay Payouts API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	key       string
	profileID ID
	accountID ID
	paths     Paths
	retry     Retry
	http      *http.Client
}

// New checks the configuration and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the base URL %q is not a URL like https://secure.clickpay.com.sa", cfg.BaseURL)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, fmt.Errorf("the base URL %q must use https (plain http only for a local sandbox on 127.0.0.1 or localhost)", cfg.BaseURL)
	}
	if cfg.ServerKey == "" {
		return nil, errors.New("no server key: set CLICKPAY_SERVER_KEY, or name a file holding it with --server-key-file, or use --sandbox")
	}
	if cfg.ProfileID == "" || cfg.AccountID == "" {
		return nil, errors.New("no profile or account id: set CLICKPAY_PROFILE_ID and CLICKPAY_ACCOUNT_ID (or profile_id and account_id in the config file)")
	}
	def := DefaultPaths()
	p := cfg.Paths
	for _, f := range []struct {
		v *string
		d string
	}{{&p.New, def.New}, {&p.Add, def.Add}, {&p.Close, def.Close},
		{&p.Query, def.Query}, {&p.QueryEntry, def.QueryEntry}, {&p.QueryStatus, def.QueryStatus}, {&p.Search, def.Search}} {
		if *f.v == "" {
			*f.v = f.d
		}
	}
	if cfg.Retry.Attempts < 1 {
		cfg.Retry = DefaultRetry()
	}
	hc := cfg.HTTPClient
	if hc == nil {
		timeout := cfg.Timeout
		if timeout <= 0 {
			timeout = 60 * time.Second
		}
		hc = &http.Client{Timeout: timeout}
	} else {
		copied := *hc
		hc = &copied
	}
	// Never follow a redirect: it would send the server key and the
	// payroll to another address, perhaps in clear. The 3xx answer itself
	// becomes an error naming its Location.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{base: u, key: cfg.ServerKey, profileID: ID(cfg.ProfileID), accountID: ID(cfg.AccountID),
		paths: p, retry: cfg.Retry, http: hc}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ProfileID returns the profile id the client sends.
func (c *Client) ProfileID() ID { return c.profileID }

// AccountID returns the account id the client sends.
func (c *Client) AccountID() ID { return c.accountID }

// NewBatch creates a batch, optionally with its first page of requests.
func (c *Client) NewBatch(ctx context.Context, orderID string, page []payout.Request) (*Batch, error) {
	body := NewBatch{ProfileID: c.profileID, AccountID: c.accountID, OrderID: orderID, Requests: page}
	var b Batch
	return &b, c.call(ctx, "new", c.paths.New, body, &b)
}

// Add adds a page of requests to an open batch.
func (c *Client) Add(ctx context.Context, batchID ID, orderID string, page []payout.Request) (*Batch, error) {
	body := AddRequests{BatchID: batchID, ProfileID: c.profileID, AccountID: c.accountID, OrderID: orderID, Requests: page}
	var b Batch
	return &b, c.call(ctx, "add", c.paths.Add, body, &b)
}

// Close submits the batch for approval and processing with its exact count
// and total. Money moves only after this call.
func (c *Client) Close(ctx context.Context, batchID ID, count int, total payout.Amount) (*Batch, error) {
	body := CloseBatch{BatchID: batchID, ProfileID: c.profileID, AccountID: c.accountID, Count: count, Total: total}
	var b Batch
	return &b, c.call(ctx, "close", c.paths.Close, body, &b)
}

// Query returns the batch with all its entries.
func (c *Client) Query(ctx context.Context, batchID ID) (*Batch, error) {
	var b Batch
	return &b, c.call(ctx, "query", c.paths.Query, QueryBatch{BatchID: batchID, ProfileID: c.profileID, AccountID: c.accountID}, &b)
}

// QueryEntry returns one entry of a batch.
func (c *Client) QueryEntry(ctx context.Context, batchID, entryID ID) (*Entry, error) {
	var a entryAnswer
	body := QueryBatch{BatchID: batchID, ProfileID: c.profileID, AccountID: c.accountID, EntryID: &entryID}
	if err := c.call(ctx, "query", c.paths.QueryEntry, body, &a); err != nil {
		return nil, err
	}
	for _, e := range a.Entries {
		if e.EntryID == entryID || (e.EntryID == "" && len(a.Entries) == 1) {
			if e.BatchID == "" {
				e.BatchID = batchID
			}
			return &e, nil
		}
	}
	return nil, &Error{Call: "query", Outcome: NotApplied, Message: fmt.Sprintf("entry %s not in the answer", entryID)}
}

// QueryStatus returns the batch with only its entries of one status:
// pending, paid, processed, failed or rejected.
func (c *Client) QueryStatus(ctx context.Context, batchID ID, status string) (*Batch, error) {
	status = strings.ToLower(status)
	switch status {
	case "pending", "paid", "processed", "failed", "rejected":
	default:
		return nil, fmt.Errorf("unknown status %q: use pending, paid, processed, failed or rejected", status)
	}
	var b Batch
	body := QueryBatch{BatchID: batchID, ProfileID: c.profileID, AccountID: c.accountID}
	return &b, c.call(ctx, "query", c.paths.QueryStatus+status, body, &b)
}

// Search finds entries by the merchant_reference we sent with them.
func (c *Client) Search(ctx context.Context, merchantReference string) ([]Entry, error) {
	var r SearchResult
	body := SearchEntries{ProfileID: c.profileID, AccountID: c.accountID, MerchantReference: merchantReference}
	if err := c.call(ctx, "search", c.paths.Search, body, &r); err != nil {
		return nil, err
	}
	return r.Entries, nil
}

// serverError is the PayTabs error shape.
type serverError struct {
	Code    json.Number `json:"code"`
	Message string      `json:"message"`
	Trace   string      `json:"trace"`
}

// decodeAnswer reads an answer into out as json.Unmarshal does. An answer
// type that reads itself (every one here does) is handed the answer
// directly once it is known to be JSON, as json.Unmarshal would hand it,
// without json.Unmarshal's second pass over a batch of 100,000 entries to
// find where the answer ends.
func decodeAnswer(data []byte, out any) error {
	u, ok := out.(json.Unmarshaler)
	if !ok || !validJSON(data) {
		return json.Unmarshal(data, out)
	}
	return u.UnmarshalJSON(bytes.TrimSpace(data))
}

// call sends one request, retrying only failures that were certainly not
// applied and may pass later.
func (c *Client) call(ctx context.Context, name, path string, body, out any) error {
	var payload []byte
	if w, ok := body.(bodyWriter); ok {
		payload = w.appendJSON(make([]byte, 0, bodySize(body)))
	} else {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("clickpay %s: encoding the request: %w", name, err)
		}
	}
	var waited time.Duration
	for attempt := 1; ; attempt++ {
		err := c.once(ctx, name, path, payload, out, true)
		if errors.Is(err, errWhole) {
			// Only a read-only call's answer is streamed: asking again
			// for the answer whole changes nothing on the server.
			err = c.once(ctx, name, path, payload, out, false)
		}
		var e *Error
		if err == nil || !errors.As(err, &e) || e.Outcome != NotApplied || attempt >= c.retry.Attempts {
			return err
		}
		if !(e.HTTPStatus == 0 || e.HTTPStatus == 429) {
			return err
		}
		d := c.backoff(attempt, e.RetryAfter)
		if waited+d > c.retry.Budget {
			return err
		}
		waited += d
		select {
		case <-ctx.Done():
			return err
		case <-time.After(d):
		}
	}
}

func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, c.retry.Max)
	}
	d := c.retry.Base << (attempt - 1)
	if d > c.retry.Max || d <= 0 {
		d = c.retry.Max
	}
	// ±25% jitter so that many clients do not retry in step.
	j := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + j
}

// maxAnswer is the most of an answer that is read.
const maxAnswer = 64 << 20

// readBody reads an answer (at most maxAnswer), into a buffer of its
// declared length when it declares one.
func readBody(resp *http.Response) ([]byte, error) {
	body := io.LimitReader(resp.Body, maxAnswer)
	if n := resp.ContentLength; n > 0 && n <= maxAnswer {
		buf := bytes.NewBuffer(make([]byte, 0, n+1))
		_, err := buf.ReadFrom(body)
		return buf.Bytes(), err
	}
	return io.ReadAll(body)
}

// once sends one request and reads its answer into out; with stream, an
// answer that can be read as it comes (a streamer) is read so, or
// errWhole says to ask again and read it whole.
func (c *Client) once(ctx context.Context, name, path string, payload []byte, out any, stream bool) error {
	sent := false
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { sent = true }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, c.base.String()+path, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("clickpay %s: %w", name, err)
	}
	req.Header.Set("authorization", c.key)
	req.Header.Set("content-type", "application/json")
	req.Header.Set("accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		outcome := NotApplied
		if sent {
			outcome = Unknown
		}
		return &Error{Call: name, Outcome: outcome, Err: scrub(err)}
	}
	defer resp.Body.Close()
	if sr, ok := out.(streamer); ok && stream && resp.StatusCode >= 200 && resp.StatusCode < 300 {
		err := sr.readStream(newWindow(io.LimitReader(resp.Body, maxAnswer), c.key))
		if err == nil || errors.Is(err, errWhole) {
			return err
		}
		return &Error{Call: name, HTTPStatus: resp.StatusCode, Outcome: Unknown, Err: scrub(err)}
	}
	data, err := readBody(resp)
	if err != nil {
		return &Error{Call: name, HTTPStatus: resp.StatusCode, Outcome: Unknown, Err: scrub(err)}
	}
	// A server message quoting the key must never be printed or stored.
	if bytes.Contains(data, []byte(c.key)) {
		data = bytes.ReplaceAll(data, []byte(c.key), []byte(redacted))
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		// The request was answered with a redirect, not applied: it is
		// not followed, and not sent again.
		return &Error{Call: name, HTTPStatus: resp.StatusCode, Outcome: NotApplied,
			Location: strings.ReplaceAll(resp.Header.Get("Location"), c.key, redacted)}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if err := decodeAnswer(data, out); err != nil {
			return &Error{Call: name, HTTPStatus: resp.StatusCode, Outcome: Unknown,
				Err: fmt.Errorf("unreadable answer: %v", err)}
		}
		return nil
	}
	e := &Error{Call: name, HTTPStatus: resp.StatusCode, Outcome: NotApplied}
	var se serverError
	if json.Unmarshal(data, &se) == nil {
		e.Message, e.Trace = truncate(se.Message, 300), se.Trace
		if n, err := se.Code.Int64(); err == nil {
			e.Code = int(n)
		}
	}
	if resp.StatusCode >= 500 {
		e.Outcome = Unknown
	}
	if resp.StatusCode == 429 {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
	}
	return e
}

// redacted stands for the server key wherever a server quoted it.
const redacted = "[server key]"

// scrub keeps a transport error's meaning without the request it came from.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.URL, ue.Err)
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
