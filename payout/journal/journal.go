// Package journal is the local state store of uploads: which file was
// uploaded under which order id, the plan (rows, pages, count, total), the
// outcome of every call, the batch and entry ids and the entries' statuses.
// It is what makes resuming an interrupted upload and refusing a duplicate
// upload possible. It is an embedded SQLite database (pure Go, WAL mode),
// readable by its owner only. It never holds the server key.
package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"
	"unsafe"

	"modernc.org/sqlite" // the pure-Go SQLite driver
	sqlite3 "modernc.org/sqlite/lib"

	"payroll/payout"
)

// Upload statuses.
const (
	StatusPlanned   = "planned"   // recorded, no call made yet
	StatusOpen      = "open"      // the batch exists and is being filled
	StatusClosing   = "closing"   // close was sent; its outcome not yet known
	StatusClosed    = "closed"    // closed: money moves
	StatusMismatch  = "mismatch"  // the server's batch does not match: never closed
	StatusAbandoned = "abandoned" // replaced by a forced new upload
)

// Page states.
const (
	PagePlanned = "planned"
	PageSending = "sending" // the call was sent (or about to be); outcome not recorded
	PageSent    = "sent"
)

// Journal is an open journal.
type Journal struct {
	db   *sql.DB
	path string
}

// Upload is one upload of one file.
type Upload struct {
	ID          int64
	File        string // absolute path
	FileHash    string
	Period      string // pay period, e.g. 2026-11
	Endpoint    string // which API: the base URL with profile and account; "" in journals from before it was kept
	OrderID     string
	BatchID     string
	Status      string
	Count       int
	Total       payout.Amount
	PageSize    int
	Pages       int
	ResultsPath string // absolute path
	// ResultsWritten is set once the results sheet was written after close.
	ResultsWritten bool
	CreatedAt      time.Time
	ClosedAt       time.Time
	Message        string // why it stopped (mismatch)
}

// Unfinished reports whether the upload may still send or close: it was
// planned, is open or is closing.
func (u *Upload) Unfinished() bool {
	return u.Status == StatusPlanned || u.Status == StatusOpen || u.Status == StatusClosing
}

// MayPay reports whether rows of the upload are paid or may still be paid:
// every status but abandoned. A batch that did not match its plan was not
// closed by us, but a person may still close it in the dashboard.
func (u *Upload) MayPay() bool { return u.Status != StatusAbandoned }

// Row is one planned payout.
type Row struct {
	UploadID        int64
	Index           int // position in the plan, from 0
	Row             int // spreadsheet row
	EmployeeID      string
	Page            int
	Occurrence      int // the how-manieth payment of this IBAN in the period
	Request         payout.Request
	EntryID         string
	Status          string
	Fee             string // as the server wrote it ("0.63", "1.725")
	Total           string
	ProtocolMessage string
}

// Call is the record of one API call.
type Call struct {
	UploadID   int64
	Call       string
	Page       int
	Outcome    string // ok, not_applied, unknown
	HTTPStatus int
	Message    string
	Trace      string
}

const schema = `
CREATE TABLE IF NOT EXISTS uploads (
	id INTEGER PRIMARY KEY,
	file TEXT NOT NULL,
	file_hash TEXT NOT NULL,
	order_id TEXT NOT NULL UNIQUE,
	batch_id TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	count INTEGER NOT NULL,
	total INTEGER NOT NULL,
	page_size INTEGER NOT NULL,
	pages INTEGER NOT NULL,
	results_path TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	closed_at TEXT NOT NULL DEFAULT '',
	message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS uploads_hash ON uploads(file_hash);
CREATE TABLE IF NOT EXISTS rows (
	upload_id INTEGER NOT NULL REFERENCES uploads(id),
	idx INTEGER NOT NULL,
	row INTEGER NOT NULL,
	employee_id TEXT NOT NULL,
	page INTEGER NOT NULL,
	ref TEXT NOT NULL,
	iban TEXT NOT NULL,
	amount INTEGER NOT NULL,
	request TEXT NOT NULL,
	entry_id TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT '',
	fee INTEGER NOT NULL DEFAULT 0,
	entry_total INTEGER NOT NULL DEFAULT 0,
	protocol_message TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (upload_id, idx),
	UNIQUE (upload_id, ref)
);
CREATE INDEX IF NOT EXISTS rows_iban ON rows(iban, amount);
CREATE TABLE IF NOT EXISTS plan_pages (
	upload_id INTEGER NOT NULL REFERENCES uploads(id),
	page INTEGER NOT NULL,
	rows TEXT NOT NULL,
	PRIMARY KEY (upload_id, page)
);
CREATE TABLE IF NOT EXISTS upload_entries (
	upload_id INTEGER NOT NULL PRIMARY KEY REFERENCES uploads(id),
	entries TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
	upload_id INTEGER NOT NULL REFERENCES uploads(id),
	page INTEGER NOT NULL,
	state TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (upload_id, page)
);
CREATE TABLE IF NOT EXISTS calls (
	id INTEGER PRIMARY KEY,
	upload_id INTEGER NOT NULL,
	call TEXT NOT NULL,
	page INTEGER NOT NULL,
	at TEXT NOT NULL,
	outcome TEXT NOT NULL,
	http_status INTEGER NOT NULL,
	message TEXT NOT NULL,
	trace TEXT NOT NULL
);
`

// columns added after the first release, with their definitions; Open adds
// the ones an older journal lacks.
var columns = []struct{ table, name, def string }{
	{"uploads", "period", "TEXT NOT NULL DEFAULT ''"},
	{"uploads", "endpoint", "TEXT NOT NULL DEFAULT ''"},
	{"uploads", "results_written", "INTEGER NOT NULL DEFAULT 0"},
	{"rows", "period", "TEXT NOT NULL DEFAULT ''"},
	{"rows", "occ", "INTEGER NOT NULL DEFAULT 1"},
	{"rows", "fee_text", "TEXT NOT NULL DEFAULT ''"},
	{"rows", "total_text", "TEXT NOT NULL DEFAULT ''"},
	{"uploads", "layout", "INTEGER NOT NULL DEFAULT 0"},
}

// The layouts of an upload's rows. Uploads from before 2026-12 keep a
// table row each (layoutRows); later ones a JSON array a page of the plan
// and one for the entries (layoutPages, codec.go): a 100,000-row plan is
// a hundred writes instead of a hundred thousand (and one row in the rows
// table, for older versions: legacyMarker).
const (
	layoutRows  = 0
	layoutPages = 1
)

// version is the journal's format (PRAGMA user_version). A journal of a
// later format is refused: its uploads may be kept in a way this version
// cannot see, and a payment it cannot see could be paid twice.
const version = 2

// legacyMarker is the request of the one row an upload kept by page has
// in the rows table. A payroll version from before the page layout reads
// the rows table to learn who was paid in a pay period: there, the
// marker's amount is not a number, and such a version stops with this
// text in its error instead of missing the upload and paying its rows
// again (TestOlderVersionsStop).
const legacyMarker = `{"amount":"this upload is kept by page: read this journal with payroll of 2026-12 or later"}`

func migrate(db *sql.DB) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if v > version {
		return fmt.Errorf("%w (format %d; this payroll reads up to %d)", ErrNewer, v, version)
	}
	for _, c := range columns {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, c.table, c.name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if _, err := tx.Exec(`ALTER TABLE ` + c.table + ` ADD COLUMN ` + c.name + ` ` + c.def); err != nil {
			return err
		}
		if c.table == "uploads" && c.name == "period" {
			// Uploads from before pay periods belong to the month they
			// were made in, the default period.
			if _, err := tx.Exec(`UPDATE uploads SET period = strftime('%Y-%m', created_at, 'localtime')`); err != nil {
				return err
			}
		}
		if c.table == "rows" && c.name == "period" {
			if _, err := tx.Exec(`UPDATE rows SET period = (SELECT period FROM uploads WHERE uploads.id = rows.upload_id)`); err != nil {
				return err
			}
		}
	}
	if _, err := tx.Exec(`CREATE INDEX IF NOT EXISTS rows_period ON rows(period, iban)`); err != nil {
		return err
	}
	if _, err := tx.Exec(`CREATE INDEX IF NOT EXISTS uploads_period ON uploads(period)`); err != nil {
		return err
	}
	if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, version)); err != nil {
		return err
	}
	return tx.Commit()
}

// ErrNewer is a journal written by a later version of payroll.
var ErrNewer = errors.New("this journal was written by a newer version of payroll")

// DefaultDir is $XDG_STATE_HOME/payroll, else ~/.local/state/payroll.
func DefaultDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "payroll"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no state directory: set --state-dir or XDG_STATE_HOME (%v)", err)
	}
	return filepath.Join(home, ".local", "state", "payroll"), nil
}

// Error is a journal or state directory that cannot be used.
type Error struct {
	Path string
	Err  error
	Hint string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("journal %s: %v", e.Path, e.Err)
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Open opens (creating if needed) the journal in dir. The folder is made
// readable by its owner only, and so are the journal's files: an existing
// folder or file open to others is tightened.
func Open(dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &Error{Path: dir, Err: err, Hint: "choose another state directory with --state-dir"}
	}
	if err := ownerOnly(dir, 0o700); err != nil {
		return nil, &Error{Path: dir, Err: err}
	}
	path := filepath.Join(dir, "journal.db")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	fi, err := f.Stat()
	f.Close()
	// The path is escaped: in a file: URI a '#' or '?' in a folder name
	// would otherwise cut the name short.
	uri := "file:" + (&url.URL{Path: path}).EscapedPath()
	if err == nil && fi.Size() == 0 {
		setPageSize(uri)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := ownerOnly(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, &Error{Path: p, Err: err}
		}
	}
	dsn := uri + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	// SQLite answers "busy" at once, without waiting out the busy time-out,
	// in a few moments of other processes' work: while the last of them
	// closes the journal, or recovers it after a crash. Those moments are
	// short; opening is tried again for a while before it gives up.
	for wait, start := 10*time.Millisecond, time.Now(); ; wait = min(2*wait, 500*time.Millisecond) {
		if err = prepare(db); !busy(err) || time.Since(start) > openPatience {
			break
		}
		time.Sleep(wait)
	}
	if errors.Is(err, ErrNewer) {
		db.Close()
		return nil, &Error{Path: path, Err: err, Hint: "use that version (or a later one); this one cannot see everything it recorded"}
	}
	if err != nil {
		db.Close()
		return nil, &Error{Path: path, Err: err, Hint: "it cannot be read. Keep it (it is the record of what was paid): copy it aside and ask for help. A new, empty journal does not know what this one paid; where Clickpay has the search call, uploads still find earlier payments on the server"}
	}
	return &Journal{db: db, path: path}, nil
}

// pageSize is the journal's page: 64 KiB, not SQLite's 4 KiB. A
// 100,000-row plan is 25 MB written in one transaction, and again by the
// checkpoint that moves it from the write-ahead log into the file: in pages
// of 4 KiB that is some 26,000 reads and writes of the file, in pages of
// 64 KiB under 4,000 (docs/performance.md).
const pageSize = 64 << 10

// setPageSize gives a journal file (its file: URI) that is still empty its
// page size, then makes it a write-ahead-log journal. SQLite fixes the page
// size when a database is first written and cannot change it in WAL mode,
// and Open's connections ask for WAL as they connect, before any other
// setting: a journal made without this step has SQLite's 4 KiB pages, as
// every journal made before it keeps. It is only a matter of speed, so a
// failure (another process making the same journal at that moment, say)
// leaves the journal to be made as before.
func setPageSize(uri string) {
	db, err := sql.Open("sqlite", uri+fmt.Sprintf("?_pragma=busy_timeout(10000)&_pragma=page_size(%d)", pageSize))
	if err != nil {
		return
	}
	defer db.Close()
	_, _ = db.Exec(`PRAGMA journal_mode=WAL`)
}

// openPatience is how long Open tries again while the journal is busy.
const openPatience = 30 * time.Second

// prepare makes a new journal and brings an older one to this format. A
// journal already of this format is only read: opening it takes no write
// lock, so a command never waits to open behind another's writes.
func prepare(db *sql.DB) error {
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v == version {
		return err
	}
	if _, err := db.Exec(schema); err != nil {
		return err
	}
	return migrate(db)
}

// busy reports whether err is SQLite's "database is locked".
func busy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// ownerOnly takes the group's and others' permissions away from a file or
// folder that has them.
func ownerOnly(path string, perm os.FileMode) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	return os.Chmod(path, fi.Mode().Perm()&perm)
}

// Close closes the journal.
func (j *Journal) Close() error { return j.db.Close() }

// Path is the database file.
func (j *Journal) Path() string { return j.path }

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// ErrNotFound is returned when nothing matches.
var ErrNotFound = errors.New("not found in the journal")

// Plan records a new upload with its rows and pages, in one transaction.
// Each row's Index is its place in rows; the rows of a page are kept
// together (see layoutPages), and no two rows may share a reference.
func (j *Journal) Plan(ctx context.Context, u *Upload, rows []Row) error {
	refs := make(map[string]int, len(rows))
	for i, r := range rows {
		if first, dup := refs[r.Request.MerchantReference]; dup {
			return fmt.Errorf("journal: recording the plan: rows %d and %d have the same reference %q", rows[first].Row, r.Row, r.Request.MerchantReference)
		}
		refs[r.Request.MerchantReference] = i
	}
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	created := time.Now().UTC()
	res, err := tx.ExecContext(ctx, `INSERT INTO uploads (file, file_hash, period, endpoint, order_id, status, count, total, page_size, pages, results_path, created_at, layout)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`, u.File, u.FileHash, u.Period, u.Endpoint, u.OrderID, StatusPlanned, u.Count, int64(u.Total), u.PageSize, u.Pages, u.ResultsPath, created.Format(time.RFC3339Nano), layoutPages)
	if err != nil {
		return fmt.Errorf("journal: recording the plan: %w", err)
	}
	u.ID, _ = res.LastInsertId()
	u.Status, u.CreatedAt = StatusPlanned, created
	if _, err := tx.ExecContext(ctx, `INSERT INTO rows (upload_id, idx, row, employee_id, page, ref, iban, amount, request, period) VALUES (?, -1, 0, '', -1, '', '', 0, ?, ?)`,
		u.ID, legacyMarker, u.Period); err != nil {
		return fmt.Errorf("journal: recording the plan: %w", err)
	}
	// Each page's rows, in plan order, written one page at a time through
	// one buffer: a plan of 100,000 rows is tens of megabytes of text.
	var order []int
	byPage := map[int][]int{}
	for i := range rows {
		p := rows[i].Page
		if _, seen := byPage[p]; !seen {
			order = append(order, p)
		}
		byPage[p] = append(byPage[p], i)
	}
	var b []byte
	for _, p := range order {
		b = append(b[:0], '[')
		for k, i := range byPage[p] {
			if k > 0 {
				b = append(b, ',')
			}
			r := rows[i]
			r.Index, r.Occurrence = i, max(r.Occurrence, 1)
			b = appendPlanRow(b, &r)
		}
		b = append(b, ']')
		// The driver copies the text before Exec returns; b is then reused.
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_pages (upload_id, page, rows) VALUES (?,?,?)`, u.ID, p, unsafe.String(unsafe.SliceData(b), len(b))); err != nil {
			return fmt.Errorf("journal: recording page %d of the plan: %w", p+1, err)
		}
	}
	for p := 0; p < u.Pages; p++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pages (upload_id, page, state, updated_at) VALUES (?,?,?,?)`, u.ID, p, PagePlanned, now()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

const uploadCols = `id, file, file_hash, period, endpoint, order_id, batch_id, status, count, total, page_size, pages, results_path, results_written, created_at, closed_at, message`

func scanUpload(sc interface{ Scan(...any) error }) (*Upload, error) {
	var u Upload
	var total int64
	var created, closed string
	err := sc.Scan(&u.ID, &u.File, &u.FileHash, &u.Period, &u.Endpoint, &u.OrderID, &u.BatchID, &u.Status, &u.Count, &total, &u.PageSize, &u.Pages, &u.ResultsPath, &u.ResultsWritten, &created, &closed, &u.Message)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	u.Total = payout.Amount(total)
	u.CreatedAt, u.ClosedAt = parseTime(created), parseTime(closed)
	return &u, nil
}

// ByHash lists the uploads of a file's content, newest first.
func (j *Journal) ByHash(ctx context.Context, hash string) ([]*Upload, error) {
	return j.uploads(ctx, `WHERE file_hash = ? ORDER BY id DESC`, hash)
}

// ByOrder returns the upload with an order id.
func (j *Journal) ByOrder(ctx context.Context, orderID string) (*Upload, error) {
	return scanUpload(j.db.QueryRowContext(ctx, `SELECT `+uploadCols+` FROM uploads WHERE order_id = ?`, orderID))
}

// ResultsHeld reports whether an upload wrote, or may yet write, its
// results sheet at path: any upload there but one abandoned before it
// reached Clickpay (no batch), which never writes one.
func (j *Journal) ResultsHeld(ctx context.Context, path string) (bool, error) {
	var n int
	err := j.db.QueryRowContext(ctx, `SELECT count(*) FROM uploads WHERE results_path = ? AND NOT (status = ? AND batch_id = '' AND results_written = 0)`,
		path, StatusAbandoned).Scan(&n)
	return n > 0, err
}

// ByBatch returns the upload of a batch id.
func (j *Journal) ByBatch(ctx context.Context, batchID string) (*Upload, error) {
	return scanUpload(j.db.QueryRowContext(ctx, `SELECT `+uploadCols+` FROM uploads WHERE batch_id = ? ORDER BY id DESC LIMIT 1`, batchID))
}

// Get returns an upload by id.
func (j *Journal) Get(ctx context.Context, id int64) (*Upload, error) {
	return scanUpload(j.db.QueryRowContext(ctx, `SELECT `+uploadCols+` FROM uploads WHERE id = ?`, id))
}

// All lists every upload, oldest first.
func (j *Journal) All(ctx context.Context) ([]*Upload, error) {
	return j.uploads(ctx, `ORDER BY id`)
}

func (j *Journal) uploads(ctx context.Context, where string, args ...any) ([]*Upload, error) {
	rs, err := j.db.QueryContext(ctx, `SELECT `+uploadCols+` FROM uploads `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*Upload
	for rs.Next() {
		u, err := scanUpload(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rs.Err()
}

// Rows returns an upload's rows in plan order.
func (j *Journal) Rows(ctx context.Context, uploadID int64) ([]Row, error) {
	var layout, count int
	err := j.db.QueryRowContext(ctx, `SELECT layout, count FROM uploads WHERE id = ?`, uploadID).Scan(&layout, &count)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	case layout == layoutPages:
		return j.pagedRows(ctx, uploadID, count)
	}
	return j.rows(ctx, `WHERE upload_id = ? ORDER BY idx`, uploadID)
}

// RowsByIBAN returns every row of every upload paying an IBAN. It reads
// the whole journal: it is for people and tests; the pipeline reads whole
// uploads.
func (j *Journal) RowsByIBAN(ctx context.Context, iban string) ([]Row, error) {
	ups, err := j.All(ctx)
	if err != nil {
		return nil, err
	}
	var out []Row
	for _, up := range ups {
		rows, err := j.Rows(ctx, up.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.Request.IBAN == iban {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// pagedRows reads the rows of an upload kept by page, with its entries;
// count is how many rows it planned.
func (j *Journal) pagedRows(ctx context.Context, uploadID int64, count int) ([]Row, error) {
	rs, err := j.db.QueryContext(ctx, `SELECT page, rows FROM plan_pages WHERE upload_id = ? ORDER BY page`, uploadID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := make([]Row, 0, max(count, 0))
	for rs.Next() {
		var page int
		var text string
		if err := rs.Scan(&page, &text); err != nil {
			return nil, err
		}
		d := newArrayReader(text)
		d.open()
		for d.more() {
			out = append(out, Row{UploadID: uploadID, Page: page})
			readPlanRow(d, &out[len(out)-1])
		}
		d.close()
		if err := d.end(); err != nil {
			return nil, fmt.Errorf("journal: upload %d, page %d of the plan: %w", uploadID, page+1, err)
		}
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Row) int { return a.Index - b.Index })
	entries, err := j.entries(ctx, uploadID)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		i, found := slices.BinarySearchFunc(out, e.Index, func(r Row, idx int) int { return r.Index - idx })
		if !found {
			return nil, fmt.Errorf("journal: upload %d: an entry for row %d of the plan, which has no such row", uploadID, e.Index)
		}
		r := &out[i]
		r.EntryID, r.Status, r.Fee, r.Total, r.ProtocolMessage = e.EntryID, e.Status, e.Fee, e.Total, e.ProtocolMessage
	}
	return out, nil
}

// entries reads what the server said of the rows of an upload kept by
// page, in plan order.
func (j *Journal) entries(ctx context.Context, uploadID int64) ([]EntryUpdate, error) {
	var text string
	err := j.db.QueryRowContext(ctx, `SELECT entries FROM upload_entries WHERE upload_id = ?`, uploadID).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d := newArrayReader(text)
	var out []EntryUpdate
	d.open()
	for d.more() {
		out = append(out, EntryUpdate{})
		readEntry(d, &out[len(out)-1])
	}
	d.close()
	if err := d.end(); err != nil {
		return nil, fmt.Errorf("journal: upload %d, entries: %w", uploadID, err)
	}
	return out, nil
}

func (j *Journal) rows(ctx context.Context, where string, args ...any) ([]Row, error) {
	rs, err := j.db.QueryContext(ctx, `SELECT upload_id, idx, row, employee_id, page, occ, request, entry_id, status, fee_text, total_text, protocol_message FROM rows `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Row
	for rs.Next() {
		var r Row
		var req string
		if err := rs.Scan(&r.UploadID, &r.Index, &r.Row, &r.EmployeeID, &r.Page, &r.Occurrence, &req, &r.EntryID, &r.Status, &r.Fee, &r.Total, &r.ProtocolMessage); err != nil {
			return nil, err
		}
		if err := jsonUnmarshal(req, &r.Request); err != nil {
			return nil, fmt.Errorf("journal: row %d: %w", r.Row, err)
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// PageStates returns the state of each page of an upload.
func (j *Journal) PageStates(ctx context.Context, uploadID int64) ([]string, error) {
	rs, err := j.db.QueryContext(ctx, `SELECT state FROM pages WHERE upload_id = ? ORDER BY page`, uploadID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rs.Err()
}

// SetPage records a page's state.
func (j *Journal) SetPage(ctx context.Context, uploadID int64, page int, state string) error {
	_, err := j.db.ExecContext(ctx, setPageState, state, now(), uploadID, page)
	return err
}

// SetBatch records the batch id (and the upload becomes open) and, in the
// same transaction, that page 0 was sent with it.
func (j *Journal) SetBatch(ctx context.Context, uploadID int64, batchID string) error {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE uploads SET batch_id = ?, status = ? WHERE id = ?`, batchID, StatusOpen, uploadID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, setPageState, PageSent, now(), uploadID, 0); err != nil {
		return err
	}
	return tx.Commit()
}

// SetStatus records an upload's status and, for a mismatch, why.
func (j *Journal) SetStatus(ctx context.Context, uploadID int64, status, message string) error {
	closed := ""
	if status == StatusClosed {
		closed = now()
	}
	_, err := j.db.ExecContext(ctx, `UPDATE uploads SET status = ?, message = ?, closed_at = CASE WHEN ? != '' AND closed_at = '' THEN ? ELSE closed_at END WHERE id = ?`,
		status, message, closed, closed, uploadID)
	return err
}

// SetOrderID records a new order id for an upload whose batch is not
// created yet.
func (j *Journal) SetOrderID(ctx context.Context, uploadID int64, orderID string) error {
	_, err := j.db.ExecContext(ctx, `UPDATE uploads SET order_id = ? WHERE id = ? AND batch_id = ''`, orderID, uploadID)
	return err
}

// SetResultsPath records where the results sheet is.
func (j *Journal) SetResultsPath(ctx context.Context, uploadID int64, path string) error {
	_, err := j.db.ExecContext(ctx, `UPDATE uploads SET results_path = ? WHERE id = ?`, path, uploadID)
	return err
}

// SetFile records where an upload's sheet is now: the watcher files a paid
// sheet in done/, and history then names it there, and status writes the
// failed rows beside it (not in processing/, where the watcher would take
// them for a sheet to pay).
func (j *Journal) SetFile(ctx context.Context, uploadID int64, path string) error {
	_, err := j.db.ExecContext(ctx, `UPDATE uploads SET file = ? WHERE id = ?`, path, uploadID)
	return err
}

// SetResultsWritten records that the results sheet of a closed upload was
// written.
func (j *Journal) SetResultsWritten(ctx context.Context, uploadID int64) error {
	_, err := j.db.ExecContext(ctx, `UPDATE uploads SET results_written = 1 WHERE id = ?`, uploadID)
	return err
}

// Payment is a row of an upload with what the period checks need of its
// upload.
type Payment struct {
	Row
	Upload *Upload
}

// PeriodRows returns every row planned in a pay period, in the uploads of
// an endpoint (and in uploads that predate endpoints), with their uploads,
// oldest first.
func (j *Journal) PeriodRows(ctx context.Context, period, endpoint string) ([]Payment, error) {
	// A row's period is its upload's (Plan, migrate).
	return j.payments(ctx, `WHERE u.period = ? AND (u.endpoint = ? OR u.endpoint = '')`, period, endpoint)
}

// PeriodOrSince returns, in one pass, the rows of the uploads of an
// endpoint (and of uploads that predate endpoints) that are in a pay period
// or were made since t, with their uploads, oldest first: the period's
// payments and the recent ones together, each upload read once.
func (j *Journal) PeriodOrSince(ctx context.Context, period, endpoint string, t time.Time) ([]Payment, error) {
	return j.payments(ctx, `WHERE (u.period = ? OR u.created_at >= ?) AND (u.endpoint = ? OR u.endpoint = '')`, period, t.UTC().Format(time.RFC3339Nano), endpoint)
}

func (j *Journal) payments(ctx context.Context, where string, args ...any) ([]Payment, error) {
	rs, err := j.db.QueryContext(ctx, `SELECT u.id FROM uploads u `+where+` ORDER BY u.id`, args...)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			rs.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	var out []Payment
	for _, id := range ids {
		u, err := j.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		rows, err := j.Rows(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, Payment{Row: r, Upload: u})
		}
	}
	return out, nil
}

// EntryUpdate is what the server says of one row's entry.
type EntryUpdate struct {
	Index           int
	EntryID         string
	Status          string
	Fee             string // as the server wrote it
	Total           string
	ProtocolMessage string
}

// UpdateEntries records entry ids and statuses, in one transaction.
func (j *Journal) UpdateEntries(ctx context.Context, uploadID int64, updates []EntryUpdate) error {
	if len(updates) == 0 {
		return nil
	}
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var layout int
	if err := tx.QueryRowContext(ctx, `SELECT layout FROM uploads WHERE id = ?`, uploadID).Scan(&layout); err != nil {
		return err
	}
	if layout == layoutPages {
		if err := j.updatePaged(ctx, tx, uploadID, updates); err != nil {
			return err
		}
		return tx.Commit()
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE rows SET entry_id = ?, status = ?, fee_text = ?, total_text = ?, protocol_message = ? WHERE upload_id = ? AND idx = ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, u := range updates {
		if _, err := stmt.ExecContext(ctx, u.EntryID, u.Status, u.Fee, u.Total, u.ProtocolMessage, uploadID, u.Index); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// updatePaged merges updates into the entries of an upload kept by page:
// the stored entries and the updates, each in row order, merged, an update
// replacing the entry of its row; an entry left with nothing is dropped.
func (j *Journal) updatePaged(ctx context.Context, tx *sql.Tx, uploadID int64, updates []EntryUpdate) error {
	var text string
	err := tx.QueryRowContext(ctx, `SELECT entries FROM upload_entries WHERE upload_id = ?`, uploadID).Scan(&text)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var stored []EntryUpdate
	if text != "" {
		d := newArrayReader(text)
		d.open()
		for d.more() {
			stored = append(stored, EntryUpdate{})
			readEntry(d, &stored[len(stored)-1])
		}
		d.close()
		if err := d.end(); err != nil {
			return fmt.Errorf("journal: upload %d, entries: %w", uploadID, err)
		}
	}
	byIndex := func(a, b EntryUpdate) int { return a.Index - b.Index }
	sortedOnce := func(es []EntryUpdate) []EntryUpdate {
		if slices.IsSortedFunc(es, byIndex) {
			return es
		}
		es = slices.Clone(es)
		slices.SortStableFunc(es, byIndex)
		return es
	}
	stored, updates = sortedOnce(stored), sortedOnce(updates)
	b := make([]byte, 0, 64*max(len(stored), len(updates)))
	b = append(b, '[')
	n := 0
	put := func(e *EntryUpdate) {
		if !hasEntry(e) {
			return
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = appendEntry(b, e)
		n++
	}
	s, u := 0, 0
	for s < len(stored) || u < len(updates) {
		switch {
		case u == len(updates) || s < len(stored) && stored[s].Index < updates[u].Index:
			put(&stored[s])
			s++
		default:
			// An update replaces the stored entry of its row, and a later
			// update of the same row an earlier one.
			for s < len(stored) && stored[s].Index == updates[u].Index {
				s++
			}
			for u+1 < len(updates) && updates[u+1].Index == updates[u].Index {
				u++
			}
			put(&updates[u])
			u++
		}
	}
	b = append(b, ']')
	_, err = tx.ExecContext(ctx, `INSERT INTO upload_entries (upload_id, entries) VALUES (?, ?) ON CONFLICT (upload_id) DO UPDATE SET entries = excluded.entries`,
		uploadID, unsafe.String(unsafe.SliceData(b), len(b)))
	return err
}

// RecordCall keeps the outcome of one API call.
func (j *Journal) RecordCall(ctx context.Context, c Call) error {
	// Recorded even when ctx is done: the outcome of a call in flight at
	// Ctrl-C must not be lost.
	_, err := j.db.ExecContext(context.WithoutCancel(ctx), insertCall,
		c.UploadID, c.Call, c.Page, now(), c.Outcome, c.HTTPStatus, c.Message, c.Trace)
	return err
}

// The statements that record a call and a page's state, in a
// transaction or not.
const (
	insertCall   = `INSERT INTO calls (upload_id, call, page, at, outcome, http_status, message, trace) VALUES (?,?,?,?,?,?,?,?)`
	setPageState = `UPDATE pages SET state = ?, updated_at = ? WHERE upload_id = ? AND page = ?`
)

// RecordSent records, in one transaction, a call that added a page: the
// call, the page sent, and the next page to send (next, or -1 for none)
// about to be sent, so that sending a page costs one commit, not three.
// Recorded even when ctx is done, like RecordCall.
func (j *Journal) RecordSent(ctx context.Context, c Call, next int) error {
	ctx = context.WithoutCancel(ctx)
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	at := now()
	if _, err := tx.ExecContext(ctx, insertCall,
		c.UploadID, c.Call, c.Page, at, c.Outcome, c.HTTPStatus, c.Message, c.Trace); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, setPageState, PageSent, at, c.UploadID, c.Page); err != nil {
		return err
	}
	if next >= 0 {
		if _, err := tx.ExecContext(ctx, setPageState, PageSending, at, c.UploadID, next); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Calls lists the calls recorded for an upload.
func (j *Journal) Calls(ctx context.Context, uploadID int64) ([]Call, error) {
	rs, err := j.db.QueryContext(ctx, `SELECT upload_id, call, page, outcome, http_status, message, trace FROM calls WHERE upload_id = ? ORDER BY id`, uploadID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Call
	for rs.Next() {
		var c Call
		if err := rs.Scan(&c.UploadID, &c.Call, &c.Page, &c.Outcome, &c.HTTPStatus, &c.Message, &c.Trace); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rs.Err()
}
