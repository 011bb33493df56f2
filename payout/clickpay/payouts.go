package clickpay

import (
	"context"
	"errors"

	"payroll/payout"
)

// Payouts is the client as a payout.Provider: the pipeline's batches and
// entries, and failures told apart by outcome (not applied or unknown) and
// kind (duplicate, insufficient funds, no search call).
func (c *Client) Payouts() payout.Provider { return provider{c} }

type provider struct{ c *Client }

func (p provider) NewBatch(ctx context.Context, orderID string, page []payout.Request) (*payout.Batch, error) {
	b, err := p.c.NewBatch(ctx, orderID, page)
	return batchOf(b), callError(err)
}

func (p provider) Add(ctx context.Context, batchID, orderID string, page []payout.Request) (*payout.Batch, error) {
	b, err := p.c.Add(ctx, ID(batchID), orderID, page)
	return batchOf(b), callError(err)
}

func (p provider) Close(ctx context.Context, batchID string, count int, total payout.Amount) (*payout.Batch, error) {
	b, err := p.c.Close(ctx, ID(batchID), count, total)
	return batchOf(b), callError(err)
}

func (p provider) Query(ctx context.Context, batchID string) (*payout.Batch, error) {
	return p.query(ctx, batchID, &payoutAnswer{})
}

func (p provider) QueryEach(ctx context.Context, batchID string, start func(), each func(*payout.Entry)) (*payout.Batch, error) {
	return p.query(ctx, batchID, &payoutAnswer{start: start, each: each})
}

func (p provider) query(ctx context.Context, batchID string, a *payoutAnswer) (*payout.Batch, error) {
	err := p.c.call(ctx, "query", p.c.paths.Query, QueryBatch{BatchID: ID(batchID), ProfileID: p.c.profileID, AccountID: p.c.accountID}, a)
	if a.batch == nil {
		a.batch = &payout.Batch{}
	}
	return a.batch, callError(err)
}

// payoutAnswer is a batch answer read straight into the pipeline's terms:
// each entry becomes a payout.Entry as it is read, and no list of the
// API's own entries is kept besides (a batch may hold 100,000). With
// each set, the entries are handed to it and not kept at all.
type payoutAnswer struct {
	batch *payout.Batch
	start func()
	each  func(*payout.Entry)
}

// sink is where a reading of the answer puts its entries: room is told
// when the entries begin (about how many), or begin again; each takes
// one. They are kept in *entries, or handed to a.each (after a.start,
// called before anything is read, since an earlier reading may have
// handed some, and again by room).
func (a *payoutAnswer) sink(entries *[]payout.Entry) (room func(n int), each func(*Entry)) {
	if a.each == nil {
		return func(n int) { *entries = make([]payout.Entry, 0, n) },
			func(e *Entry) { *entries = append(*entries, entryOf(e)) }
	}
	var pe payout.Entry
	a.start()
	return func(int) { a.start() }, func(e *Entry) { pe = entryOf(e); a.each(&pe) }
}

// done sets the batch read, with the entries kept (none: nil).
func (a *payoutAnswer) done(b *Batch, entries []payout.Entry) {
	if len(entries) == 0 {
		entries = nil
	}
	a.batch = payoutBatch(b, entries)
}

// UnmarshalJSON reads the answer as Batch.UnmarshalJSON does.
func (a *payoutAnswer) UnmarshalJSON(data []byte) error {
	var entries []payout.Entry
	room, each := a.sink(&entries)
	b, ok := fastBatchEach(data, room, each)
	if !ok {
		b = Batch{}
		if err := b.unmarshalStd(data); err != nil {
			return err
		}
		room(len(b.Entries))
		for i := range b.Entries {
			each(&b.Entries[i])
		}
	}
	a.done(&b, entries)
	return nil
}

func (p provider) Search(ctx context.Context, reference string) ([]payout.Entry, error) {
	es, err := p.c.Search(ctx, reference)
	if err != nil {
		return nil, callError(err)
	}
	return entriesOf(es), nil
}

func batchOf(b *Batch) *payout.Batch {
	if b == nil {
		return nil
	}
	return payoutBatch(b, entriesOf(b.Entries))
}

// payoutBatch is a batch in the pipeline's terms, with its entries.
func payoutBatch(b *Batch, entries []payout.Entry) *payout.Batch {
	out := &payout.Batch{ID: string(b.BatchID), OrderID: b.OrderID, Status: b.Status, Currency: b.Currency,
		Count: int(b.Count), Total: b.Total, Entries: entries}
	for i := range out.Entries {
		if out.Entries[i].BatchID == "" {
			// Clickpay's entries do not repeat the batch they are in.
			out.Entries[i].BatchID = out.ID
		}
	}
	return out
}

func entriesOf(es []Entry) []payout.Entry {
	if es == nil {
		return nil
	}
	out := make([]payout.Entry, len(es))
	for i := range es {
		out[i] = entryOf(&es[i])
	}
	return out
}

// entryOf is an entry in the pipeline's terms.
func entryOf(e *Entry) payout.Entry {
	return payout.Entry{ID: string(e.EntryID), BatchID: string(e.BatchID), Reference: e.MerchantReference, Name: e.Name, IBAN: e.IBAN,
		Amount: e.Amount, Fee: e.Fee, Total: e.Total, Status: e.Status, Message: e.ProtocolMessage}
}

// callError says what a failed call means to the pipeline. The message
// stays the client's.
func callError(err error) error {
	var e *Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	ce := &payout.CallError{Call: e.Call, Outcome: e.Outcome, HTTPStatus: e.HTTPStatus, Trace: e.Trace, Err: err}
	switch {
	case e.Call == "search" && e.HTTPStatus == 404:
		// This server has no search call (only PayTabs documents it).
		ce.Kind = payout.CallNoSearch
	case IsDuplicate(err):
		ce.Kind = payout.CallDuplicate
	case e.insufficient():
		ce.Kind = payout.CallInsufficientFunds
	case e.configRefused():
		ce.Kind = payout.CallRefusedConfig
	}
	return ce
}
