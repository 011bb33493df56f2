package payout

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"payroll/importer"
	"payroll/mapping"
)

// batchRows is how many rows travel together between the reader, the
// checkers and the collector.
const batchRows = 256

// Check reads every record of a sheet and validates it, collecting every
// problem of every row. When the header row itself has problems (a required
// column missing, an ambiguous amount), those are returned and no row is
// checked. The error is for read failures only.
//
// Reading, checking and collecting overlap: one goroutine reads the rows,
// CheckOptions.Workers check them in batches, and the caller's goroutine
// collects them in file order, where what depends on the rows before (a
// duplicate IBAN, the file's decimal convention) is decided. A row is not
// kept once it is collected, but for what the result holds: its Line
// (unless NoLines), its problems, and its values as typed when it has an
// error (for the sheet of rows left out).
func Check(ctx context.Context, r *mapping.Reader, opts CheckOptions) (*Result, error) {
	m := r.Mapping()
	res := &Result{Mapping: m}
	if len(m.Problems) > 0 {
		for _, p := range m.Problems {
			res.Problems = append(res.Problems, Problem{Row: p.Row, Column: p.Column.Letter, Header: p.Column.Header,
				Field: string(p.Field), Code: p.Code, Message: p.Msg, Level: LevelError, details: []string{p.Msg}})
		}
		return res, nil
	}
	if m.SheetHidden {
		res.Problems = append(res.Problems, NewProblem(m.HeaderRow, "", m.Sheet, "sheet.hidden", m.Sheet).Localized("en"))
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	delim := r.Workbook().Delimiter()
	lk := m.Lookup()
	banks := SaudiBanks()

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	jobs := make(chan *batch, workers)
	order := make(chan *batch, 2*workers)
	// Batches collected go back to the reader, so that a check allocates
	// a few of them, not one per 256 rows.
	free := make(chan *batch, 3*workers+2)
	defer func() {
		// On an early return: stop the reader, let the checkers finish
		// what they hold, and wait, so that nothing reads the sheet after
		// Check returns.
		cancel()
		for range order {
		}
		wg.Wait()
	}()
	wg.Add(1 + workers)
	go func() {
		defer wg.Done()
		defer close(jobs)
		defer close(order)
		readBatches(ctx, r, order, jobs, free)
	}()
	for range workers {
		go func() {
			defer wg.Done()
			v := &validator{opts: opts, banks: banks, lk: lk, delim: delim, bankNames: map[string]bankAnswer{}}
			for b := range jobs {
				b.out = slices.Grow(b.out[:0], len(b.rows))[:len(b.rows)]
				for i, row := range b.rows {
					b.out[i] = v.check(row)
				}
				close(b.done)
			}
		}()
	}

	c := collector{res: res, opts: opts, lk: lk, seen: map[ibanKey]int32{}}
	for b := range order {
		select {
		case <-b.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		for i := range b.out {
			c.add(&b.out[i], b.rows[i])
		}
		// What the result keeps of a row is copied out of the batch.
		clear(b.rows)
		clear(b.out)
		select {
		case free <- b:
		default:
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	c.finish(c.conv.Outcome(delim))
	res.Skipped = r.Skipped()
	return res, nil
}

// batch is rows read together, checked together and collected together.
type batch struct {
	rows []importer.Row
	out  []checked // rows[i] checked; set before done is closed
	done chan struct{}
}

// readBatches reads every row of r into batches, each queued on order (the
// file's order) and on jobs (for the checkers), until the sheet ends or
// ctx is done. It takes batches from free when there are.
func readBatches(ctx context.Context, r *mapping.Reader, order, jobs chan<- *batch, free <-chan *batch) {
	next := func() *batch {
		select {
		case b := <-free:
			b.rows, b.done = b.rows[:0], make(chan struct{})
			return b
		default:
			return &batch{done: make(chan struct{})}
		}
	}
	b := next()
	send := func() bool {
		select {
		case order <- b:
		case <-ctx.Done():
			return false
		}
		select {
		case jobs <- b:
		case <-ctx.Done():
			return false
		}
		b = next()
		return true
	}
	for r.Next() {
		if b.rows == nil {
			b.rows = make([]importer.Row, 0, batchRows)
		}
		b.rows = append(b.rows, r.Row())
		if len(b.rows) == batchRows && !send() {
			return
		}
	}
	if len(b.rows) > 0 {
		send()
	}
}

// checked is a row once checked on its own: what the collector needs to
// finish it.
type checked struct {
	line     Line
	problems []Problem
	// iban is the row's valid IBAN, for the duplicate check (when dup).
	iban ibanKey
	dup  bool
	// vote is what the amount says of the file's decimal convention.
	vote Convention
	// amount is the amount as read in each convention the file may turn
	// out to have, when they differ (see reading).
	amount reading
}

// reading is an amount whose meaning depends on the file's decimal
// convention, which is known only at the end of the file.
type reading struct {
	// pending is set when the conventions the file may have read the
	// amount differently; otherwise the row's Line holds the amount and
	// its problems any problem with it.
	pending bool
	// fails is set when one of those readings is an error: the row waits
	// whole, to be judged at the end.
	fails bool
	by    [3]Amount     // by Convention, for a pending amount that cannot fail
	value mapping.Value // as typed (trimmed), for a failing one
	at    int           // where in the row's problems its problem goes
}

// ibanKey is a valid IBAN packed into three words (twelve characters a
// word, each 1-36 in base 37), so that the set of IBANs seen holds no
// pointers and no copies of the rows' text.
type ibanKey [3]uint64

func keyOf(iban string) ibanKey {
	var k ibanKey
	for i := 0; i < len(iban) && i < 36; i++ {
		c, v := iban[i], uint64(0)
		switch {
		case c >= '0' && c <= '9':
			v = uint64(c-'0') + 1
		case c >= 'A' && c <= 'Z':
			v = uint64(c-'A') + 11
		}
		k[i/12] = k[i/12]*37 + v
	}
	return k
}

// collector gathers the checked rows, in file order, into the Result.
type collector struct {
	res  *Result
	opts CheckOptions
	lk   *mapping.Lookup
	seen map[ibanKey]int32 // IBAN → first row
	conv Conventions
	// totals are the valid rows' pending amounts, by convention.
	totals [3]Amount
	// deferred are the Lines whose amount waits for the convention.
	deferred []deferredAmount
	// late are the rows whose amount may be an error, by convention.
	late []lateRow
	// lines are the valid rows' Lines, in blocks: a list of 100,000 Lines
	// grown one at a time would be copied over and over. finish makes them
	// Result.Lines.
	lines  [][]Line
	nLines int
}

// addLine keeps a valid row's Line.
func (c *collector) addLine(l Line) {
	const block = 4096
	if len(c.lines) == 0 || len(c.lines[len(c.lines)-1]) == block {
		c.lines = append(c.lines, make([]Line, 0, block))
	}
	last := &c.lines[len(c.lines)-1]
	*last = append(*last, l)
	c.nLines++
}

// appendLines appends a few Lines to to. It is a call of its own, not an
// append in finish's loop, for the garbage collector's sake: the copy is
// a runtime call that cannot be stopped, and a loop of such copies has no
// point at which the goroutine stops for the collector when asked (a
// call's prologue is one), so that a collection starting as the 100,000
// Lines were joined waited for all of them, its worker signalling the
// goroutine all the while: on a virtual machine where the new list's
// first touches are slow, that doubled the cost of the check. A few
// hundred Lines at a time, it waits for a few pages.
//
//go:noinline
func appendLines(to, block []Line) []Line {
	return append(to, block...)
}

type deferredAmount struct {
	line int
	by   [3]Amount
}

type lateRow struct {
	checked
	row importer.Row
}

// add takes the next row in file order.
func (c *collector) add(ch *checked, row importer.Row) {
	c.res.RowsRead++
	if ch.dup {
		if first, seen := c.seen[ch.iban]; seen {
			ch.problems = append(ch.problems, fieldProblem(row.Number, c.lk.Value(row, mapping.Account), mapping.Account, "row.duplicate", fmt.Sprint(first)))
		} else {
			c.seen[ch.iban] = int32(row.Number)
		}
	}
	c.conv.count(ch.vote)
	if ch.amount.fails {
		c.late = append(c.late, lateRow{checked: *ch, row: row})
		return
	}
	if !c.keep(ch, row) {
		return
	}
	if !c.opts.NoLines {
		c.addLine(ch.line)
	}
	if !ch.amount.pending {
		return
	}
	for i, a := range ch.amount.by {
		c.totals[i] += a
	}
	if !c.opts.NoLines {
		c.deferred = append(c.deferred, deferredAmount{line: c.nLines - 1, by: ch.amount.by})
	}
}

// keep files a row whose problems are final, and reports whether it is
// valid (its Line is then the caller's to keep).
func (c *collector) keep(ch *checked, row importer.Row) bool {
	res := c.res
	res.Problems = append(res.Problems, ch.problems...)
	if blocking(ch.problems) {
		res.Invalid++
		res.Rejected = append(res.Rejected, Rejected{Row: row.Number, Values: c.lk.Record(row).Values})
		return false
	}
	if len(ch.problems) > 0 {
		res.Warned++
	}
	res.Valid++
	if !ch.amount.pending {
		res.Total += ch.line.Request.Amount
	}
	return true
}

// finish reads the amounts that waited for the file's convention.
func (c *collector) finish(conv Convention) {
	res := c.res
	res.Decimals = conv
	res.Total += c.totals[conv]
	if !c.opts.NoLines {
		res.Lines = make([]Line, 0, c.nLines+len(c.late))
		for _, b := range c.lines {
			for len(b) > 0 {
				n := min(len(b), 256)
				res.Lines = appendLines(res.Lines, b[:n])
				b = b[n:]
			}
		}
		c.lines = nil
	}
	for _, d := range c.deferred {
		res.Lines[d.line].Request.Amount = d.by[conv]
	}
	c.deferred = nil
	for i := range c.late {
		l := &c.late[i]
		a, code, details := ParseAmountIn(l.amount.value.Text, conv)
		if code != "" {
			p := fieldProblem(l.row.Number, l.amount.value, mapping.Amount, code, details...)
			l.problems = slices.Insert(l.problems, l.amount.at, p)
		}
		l.line.Request.Amount = a
		l.amount.pending = false
		if c.keep(&l.checked, l.row) && !c.opts.NoLines {
			res.Lines = append(res.Lines, l.line)
		}
	}
	if len(c.late) > 0 {
		slices.SortStableFunc(res.Problems, func(a, b Problem) int { return a.Row - b.Row })
		slices.SortStableFunc(res.Lines, func(a, b Line) int { return a.Row - b.Row })
		slices.SortStableFunc(res.Rejected, func(a, b Rejected) int { return a.Row - b.Row })
	}
	c.late = nil
}

// fieldProblem is a problem of a field's value on a row, in English.
func fieldProblem(row int, v mapping.Value, f mapping.Field, code string, details ...string) Problem {
	p := Problem{Row: row, Field: string(f), Value: v.Text, Code: code, details: details}
	if v.Column != nil {
		p.Column, p.Header = v.Column.Letter, v.Column.Header
	}
	return p.Localized("en")
}

// validator checks rows on their own. Each checker goroutine has its own.
type validator struct {
	opts  CheckOptions
	banks *Banks
	lk    *mapping.Lookup
	delim rune
	// bankNames remembers the banks typed so far (a sheet names a few
	// banks many times).
	bankNames map[string]bankAnswer
}

type bankAnswer struct {
	bank Bank
	ok   bool
}

// recognize is Banks.Recognize, remembered.
func (v *validator) recognize(typed string) (Bank, bool) {
	if a, ok := v.bankNames[typed]; ok {
		return a.bank, a.ok
	}
	b, ok := v.banks.Recognize(typed)
	if len(v.bankNames) < 1024 {
		v.bankNames[strings.Clone(typed)] = bankAnswer{b, ok}
	}
	return b, ok
}

// check validates one row on its own: everything but what depends on the
// rows before it (a duplicate IBAN) or on the whole file (the decimal
// convention of amounts that read two ways).
func (v *validator) check(row importer.Row) checked {
	vals := v.lk.Row(row)
	var ch checked
	add := func(f mapping.Field, code string, details ...string) {
		ch.problems = append(ch.problems, fieldProblem(row.Number, vals.Value(f), f, code, details...))
	}
	required := func(f mapping.Field) (string, bool) {
		s := vals.Get(f)
		if s == "" {
			add(f, "field.required")
			return "", false
		}
		return s, true
	}
	req := Request{}
	ch.line = Line{Row: row.Number, EmployeeID: vals.Get(mapping.EmployeeID)}
	if row.Hidden {
		add("", "row.hidden")
	}
	for _, f := range mapping.Fields() {
		if r, bad := BadChar(vals.Value(f).Text); bad {
			add(f, "text.invalid", fmt.Sprintf("U+%04X", r))
		}
	}

	if s, ok := required(mapping.Name); ok {
		req.Name = oneLine(s)
		if utf8.RuneCountInString(req.Name) > 100 {
			add(mapping.Name, "text.too_long", "100")
		}
	}

	ibanOK := false
	if s, ok := required(mapping.Account); ok {
		req.IBAN = NormalizeIBAN(s)
		if code := CheckIBAN(req.IBAN); code == "iban.length" && IBANLength(req.IBAN[:min(2, len(req.IBAN))]) > 0 {
			add(mapping.Account, code, fmt.Sprint(len(req.IBAN)), req.IBAN[:2], fmt.Sprint(IBANLength(req.IBAN[:2])))
		} else if code == "iban.length" {
			add(mapping.Account, "iban.short")
		} else if code != "" {
			add(mapping.Account, code)
		} else {
			ibanOK = true
		}
	}

	countryOK := true
	if s := vals.Get(mapping.Country); s != "" {
		req.Country = NormalizeCountry(s)
		if req.Country == "" {
			add(mapping.Country, "country.invalid")
			countryOK = false
		}
	} else if ibanOK {
		req.Country = req.IBAN[:2]
	}
	if ibanOK && countryOK && req.Country != "" && req.Country != req.IBAN[:2] {
		add(mapping.Account, "iban.country_mismatch", req.IBAN[:2])
	}

	typedBank := vals.Get(mapping.Bank)
	if ibanOK {
		if bank, known := v.banks.ForIBAN(req.IBAN); known {
			req.Bank = bank.BIC
			if other, ok := v.recognize(typedBank); ok && other.BIC != bank.BIC {
				add(mapping.Bank, "bank.mismatch", fmt.Sprintf("%s (%s)", other.Name, other.BIC), fmt.Sprintf("%s (%s)", bank.Name, bank.BIC))
			}
		} else if typedBank == "" {
			add(mapping.Bank, "bank.required", req.IBAN[:2])
		} else if other, ok := v.recognize(typedBank); ok {
			req.Bank = other.BIC
		} else {
			req.Bank = typedBank
		}
	}

	if s := vals.Get(mapping.Amount); s == "" {
		add(mapping.Amount, "field.required")
	} else {
		val := vals.Value(mapping.Amount)
		val.Text = s
		req.Amount = v.readAmount(&ch, val)
	}

	if s, ok := required(mapping.Mobile); ok {
		// Local numbers are read in the IBAN's country: the country column
		// must equal it anyway, and a typo there is reported once, above.
		country := req.Country
		if ibanOK {
			country = req.IBAN[:2]
		}
		if country == "" {
			country = "SA"
		}
		e164, code := NormalizeMobile(s, country)
		if code != "" {
			add(mapping.Mobile, code, country)
		}
		req.Mobile = e164
	}

	if s, ok := required(mapping.Email); ok {
		if !CheckEmail(s) {
			add(mapping.Email, "email.invalid")
		}
		req.Email = s
	}

	if s, ok := required(mapping.Address1); ok {
		req.Address1 = oneLine(s)
	}
	req.Address2 = oneLine(vals.Get(mapping.Address2))
	req.Branch = oneLine(vals.Get(mapping.Branch))

	req.TransferCode = Salary
	if s := vals.Get(mapping.TransferCode); s != "" {
		if tc, ok := ParseTransferCode(s); ok {
			req.TransferCode = tc
		} else {
			add(mapping.TransferCode, "transfer_code.invalid")
		}
	}

	if ibanOK && !v.opts.AllowDuplicates {
		ch.iban, ch.dup = keyOf(req.IBAN), true
	}
	ch.line.Request = req
	return ch
}

// readAmount reads a row's amount (val, trimmed) in every convention its
// file may turn out to have (possible). When they agree, the amount and its
// problem are final; when they differ, ch.amount says how it waits.
func (v *validator) readAmount(ch *checked, val mapping.Value) Amount {
	ch.vote = voteOf(val.Text)
	convs := possible(ch.vote, v.delim)
	a, code, details := ParseAmountIn(val.Text, convs[0])
	same := true
	var by [3]Amount
	by[convs[0]] = a
	fails := code != ""
	for _, conv := range convs[1:] {
		a2, code2, details2 := ParseAmountIn(val.Text, conv)
		by[conv] = a2
		fails = fails || code2 != ""
		same = same && a2 == a && code2 == code && slices.Equal(details2, details)
	}
	switch {
	case same:
		if code != "" {
			ch.problems = append(ch.problems, fieldProblem(ch.line.Row, val, mapping.Amount, code, details...))
		}
		return a
	case fails:
		ch.amount = reading{pending: true, fails: true, value: val, at: len(ch.problems)}
	default:
		ch.amount = reading{pending: true, by: by}
	}
	return 0
}
