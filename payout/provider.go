package payout

import (
	"context"
	"errors"
	"strings"
)

// Provider is a payouts API in the pipeline's own terms: batches of
// requests, created, filled in pages, closed with their count and total,
// queried and searched. The Clickpay client implements it
// (clickpay.Payouts); the uploader knows nothing else of the API.
type Provider interface {
	// NewBatch creates a batch holding the first page.
	NewBatch(ctx context.Context, orderID string, page []Request) (*Batch, error)
	// Add adds a page to an open batch.
	Add(ctx context.Context, batchID, orderID string, page []Request) (*Batch, error)
	// Close submits a batch with its exact count and total.
	Close(ctx context.Context, batchID string, count int, total Amount) (*Batch, error)
	// Query returns a batch with every entry.
	Query(ctx context.Context, batchID string) (*Batch, error)
	// QueryEach is Query for a batch that may hold 100,000 entries: they
	// are handed to each as they are read, in the provider's order, and
	// not kept in the batch returned. The entry is valid only during the
	// call; its BatchID is set only when the provider gives it per entry.
	// start is called before the first entry, and again whenever the
	// answer is read afresh: whoever counts the entries starts over then.
	// A failed query may have handed some.
	QueryEach(ctx context.Context, batchID string, start func(), each func(*Entry)) (*Batch, error)
	// Search returns the entries holding a merchant reference, in any
	// batch. A provider without search fails with CallNoSearch.
	Search(ctx context.Context, reference string) ([]Entry, error)
}

// Batch is a batch as the provider reports it.
type Batch struct {
	ID       string
	OrderID  string
	Status   string // the provider's word, shown to people
	Currency string
	Count    int
	Total    Decimal
	Entries  []Entry
}

// Entry is one payout of a batch as the provider reports it.
type Entry struct {
	ID        string
	BatchID   string
	Reference string // our merchant reference, when the provider echoes it
	Name      string
	IBAN      string
	Amount    Decimal
	Fee       Decimal
	Total     Decimal
	Status    string // the provider's word, shown to people
	Message   string // why it failed, in the provider's words
}

// Outcome says whether a failed call may have changed the provider's state.
type Outcome int

const (
	// OutcomeNotApplied: the call certainly was not applied; it is safe to send
	// again.
	OutcomeNotApplied Outcome = iota
	// OutcomeUnknown: the call may have been applied (time-out after sending, a
	// cut connection, a server error); never send it again blindly, ask
	// the provider first.
	OutcomeUnknown
)

func (o Outcome) String() string {
	if o == OutcomeUnknown {
		return "unknown"
	}
	return "not_applied"
}

// CallKind is what a refusal was about, where the pipeline acts on it.
type CallKind int

const (
	CallFailed            CallKind = iota
	CallDuplicate                  // the request was refused as a duplicate
	CallInsufficientFunds          // the balance does not cover the batch
	CallNoSearch                   // the provider has no search call
	// CallRefusedConfig: the server refused the configuration (the server
	// key, or the profile or account id): a person must correct it.
	CallRefusedConfig
)

// CallError is a failed provider call in the pipeline's terms. Err is the
// provider's own error, whose message is shown.
type CallError struct {
	Call       string // new, add, close, query, search
	Outcome    Outcome
	Kind       CallKind
	HTTPStatus int
	Trace      string
	Err        error
}

func (e *CallError) Error() string { return e.Err.Error() }
func (e *CallError) Unwrap() error { return e.Err }

// RefusedAsInvalid reports whether err is a provider call the server
// refused as an invalid request (HTTP 400, for no reason of a known kind):
// not applied, and refused again if sent again as it is.
func RefusedAsInvalid(err error) bool {
	e := callError(err)
	return e != nil && e.Outcome == OutcomeNotApplied && e.Kind == CallFailed && e.HTTPStatus == 400
}

func callError(err error) *CallError {
	var e *CallError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// NotAppliedCall reports whether err is a provider call that certainly was
// not applied.
func NotAppliedCall(err error) bool {
	e := callError(err)
	return e != nil && e.Outcome == OutcomeNotApplied
}

// UnknownCall reports whether err is a provider call that may have been
// applied.
func UnknownCall(err error) bool {
	e := callError(err)
	return e != nil && e.Outcome == OutcomeUnknown
}

// IsCall reports whether err is a provider call failure of the kind.
func IsCall(err error, kind CallKind) bool {
	e := callError(err)
	return e != nil && e.Kind == kind
}

// EntryFinal reports whether an entry's status will not change any more.
func EntryFinal(status string) bool {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "paid", "failed", "rejected":
		return true
	}
	return false
}

// EntryPaid reports whether an entry's status means the money arrived.
func EntryPaid(status string) bool { return strings.EqualFold(strings.TrimSpace(status), "paid") }

// BatchOpen reports whether a batch status means the batch is open: it
// takes more requests and is not closed.
func BatchOpen(status string) bool {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "new", "open":
		return true
	}
	return false
}

// BatchClosed reports whether a batch status is a word known to mean that
// the batch was closed (submitted for approval and processing). An unknown
// word is not taken as closed.
func BatchClosed(status string) bool {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "closed", "completed", "processing", "processed", "approved", "submitted", "pending approval", "pending_approval":
		return true
	}
	return false
}
