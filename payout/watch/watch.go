// Package watch is the accountants' watched folder: salary sheets dropped
// into an inbox are checked, paid through the same pipeline as `payroll
// upload` (upload.Service: same journal, same exactly-once and pay-period
// rules), and filed with their reports.
//
// The folders (defaults under the watched folder):
//
//	inbox/       drop sheets here; a file is taken once its size and
//	             modification time stay unchanged for the settle time
//	processing/  the file being checked or paid; after a crash it is
//	             resumed from the journal on the next start
//	done/        paid: the sheet, its results sheet (refreshed until every
//	             transfer is final) and the failed rows, if any
//	failed/      not paid: the sheet, its error reports and NAME.reason.txt
//	ready/       checked, waiting for a person (--approve, or people paid
//	             in another pay period in the last 25 days): NAME.summary.txt
//	approved/    move a file from ready/ here to pay it
//
// Temporary and lock files (~$*, .~lock.*#, *.tmp, *.part, *.crdownload,
// dot files) are never taken. One watcher runs per folder: a lock file in
// the folder refuses a second one (ErrFolderBusy).
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"payroll/payout"
	"payroll/payout/journal"
	"payroll/payout/upload"
)

// ErrFolderBusy is returned by Run when another watcher holds the folder.
var ErrFolderBusy = errors.New("another payroll watcher is using this folder")

// Folders are the watcher's folders.
type Folders struct {
	Inbox, Processing, Done, Failed, Ready, Approved string
}

// DefaultFolders are the folders inside dir.
func DefaultFolders(dir string) Folders {
	return Folders{Inbox: filepath.Join(dir, "inbox"), Processing: filepath.Join(dir, "processing"), Done: filepath.Join(dir, "done"),
		Failed: filepath.Join(dir, "failed"), Ready: filepath.Join(dir, "ready"), Approved: filepath.Join(dir, "approved")}
}

// Options say how to watch and what may be paid unattended.
type Options struct {
	// Dir is the watched folder; its lock file is there.
	Dir string
	// Folders default to DefaultFolders(Dir) where empty.
	Folders Folders
	// Settle is how long a file's size and modification time must stay
	// unchanged before it is taken (default 2s).
	Settle time.Duration
	// Poll is how often the folders are scanned besides file events, which
	// network shares often do not deliver (default 10s).
	Poll time.Duration
	// Refresh is how often the results of paid files are refreshed until
	// every transfer is final (default 1m).
	Refresh time.Duration
	// MaxTotal and MaxRows: a file above either is not paid but moved to
	// failed/ with the reason; zero is no limit.
	MaxTotal payout.Amount
	MaxRows  int
	// Approve makes every checked file wait in ready/ until a person moves
	// it to approved/.
	Approve bool
	// Period is the pay period of every file; "" is the current month when
	// the file is taken.
	Period   string
	PageSize int
	Lang     string
	// Event, when set, is told of every change of a file's state (tests,
	// front ends). Log gets the same as one line each.
	Event func(Event)
	Log   *slog.Logger
	Now   func() time.Time
}

// States a file goes through.
const (
	StateTaken    = "taken"    // moved from inbox/ or approved/ to processing/
	StateWaiting  = "waiting"  // in ready/, for a person to approve
	StatePaying   = "paying"   // checked; being paid
	StateDone     = "done"     // paid and filed in done/
	StateFailed   = "failed"   // filed in failed/ with the reason
	StateRetry    = "retry"    // left in processing/: tried again later
	StateFinal    = "final"    // every transfer of a paid file is final
	StateResuming = "resuming" // left in processing/ by an earlier run
)

// Event is one change of a file's state.
type Event struct {
	File    string        `json:"file"` // name in its folder
	State   string        `json:"state"`
	Reason  string        `json:"reason,omitempty"`
	Batch   string        `json:"batch,omitempty"`
	Period  string        `json:"period,omitempty"`
	Count   int           `json:"count,omitempty"`
	Total   payout.Amount `json:"total,omitempty"`
	Reports []string      `json:"reports,omitempty"`
}

// Watcher watches one folder and pays through one service.
type Watcher struct {
	svc  *upload.Service
	o    Options
	seen map[string]seen // inbox and approved files settling
	// resumed are files found in processing/ at start: an upload of
	// theirs already closed is theirs, not a duplicate.
	resumed map[string]bool
	// approved are files taken from approved/, by name in processing/.
	approved map[string]bool
	// tracking are paid files whose transfers are not all final.
	tracking map[int64]tracked
	retryAt  map[string]time.Time
}

type seen struct {
	size  int64
	mod   time.Time
	since time.Time
}

type tracked struct {
	name, results, failed string
	batch                 string
}

// New makes a watcher of o.Dir paying through svc, creating its folders.
func New(svc *upload.Service, o Options) (*Watcher, error) {
	if o.Dir == "" {
		return nil, payout.Errorf(payout.ErrUsage, "no folder to watch")
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	o.Dir = dir
	def := DefaultFolders(dir)
	for _, f := range []struct {
		p *string
		d string
	}{{&o.Folders.Inbox, def.Inbox}, {&o.Folders.Processing, def.Processing}, {&o.Folders.Done, def.Done},
		{&o.Folders.Failed, def.Failed}, {&o.Folders.Ready, def.Ready}, {&o.Folders.Approved, def.Approved}} {
		if *f.p == "" {
			*f.p = f.d
		}
		if *f.p, err = filepath.Abs(*f.p); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(*f.p, 0o700); err != nil {
			return nil, payout.Errorf(payout.ErrUsage, "the folder %s cannot be made: %v", *f.p, err)
		}
	}
	if o.Settle <= 0 {
		o.Settle = 2 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 10 * time.Second
	}
	if o.Refresh <= 0 {
		o.Refresh = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Lang == "" {
		o.Lang = "en"
	}
	if o.Period != "" {
		if msg := upload.CheckPeriod(o.Period); msg != "" {
			return nil, payout.Errorf(payout.ErrUsage, "--period %q: %s", o.Period, msg)
		}
	}
	return &Watcher{svc: svc, o: o, seen: map[string]seen{}, resumed: map[string]bool{}, approved: map[string]bool{},
		tracking: map[int64]tracked{}, retryAt: map[string]time.Time{}}, nil
}

// LockPath is the watcher's lock file in its folder.
func LockPath(dir string) string { return filepath.Join(dir, ".payroll-watch.lock") }

// Run watches until ctx is done. It takes the folder's lock (ErrFolderBusy
// when another watcher holds it), resumes the files left in processing/,
// then takes files as they settle. A file being paid when ctx is done is
// left in processing/, its journal consistent: the next start resumes it.
// It returns nil on a clean shutdown.
func (w *Watcher) Run(ctx context.Context) error {
	unlock, err := journal.LockFile(LockPath(w.o.Dir))
	if errors.Is(err, journal.ErrLocked) {
		return fmt.Errorf("%w: %s; stop the other watcher first (only one may pay from a folder)", ErrFolderBusy, w.o.Dir)
	}
	if err != nil {
		return err
	}
	defer unlock()

	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching %s: %w", w.o.Dir, err)
	}
	defer fw.Close()
	for _, d := range []string{w.o.Folders.Inbox, w.o.Folders.Approved} {
		if err := fw.Add(d); err != nil {
			// Polling still finds the files.
			w.o.Log.Warn("no file events; scanning every --poll", "folder", d, "err", err)
		}
	}
	w.o.Log.Info("watching", "folder", w.o.Dir, "journal", w.svc.Journal.Path(), "endpoint", w.svc.Endpoint)

	if err := w.trackUnfinished(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	if err := w.resume(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	events, errs := fw.Events, fw.Errors
	poll := time.NewTicker(w.o.Poll)
	defer poll.Stop()
	lastRefresh := w.o.Now()
	defer w.o.Log.Info("stopped", "folder", w.o.Dir)
	for {
		if ctx.Err() != nil {
			return nil
		}
		next, err := w.scan(ctx)
		if err != nil {
			return err
		}
		if len(w.tracking) > 0 && w.o.Now().Sub(lastRefresh) >= w.o.Refresh {
			w.refresh(ctx)
			lastRefresh = w.o.Now()
		}
		wake := w.o.Poll
		if next > 0 && next < wake {
			wake = next
		}
		if len(w.tracking) > 0 {
			wake = min(wake, max(time.Millisecond, w.o.Refresh-w.o.Now().Sub(lastRefresh)))
		}
		timer := time.NewTimer(wake)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-poll.C:
		case <-timer.C:
		case _, ok := <-events:
			// Any event is a reason to scan; the scan decides.
			if !ok {
				events = nil
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
			} else {
				w.o.Log.Warn("file events", "err", err)
			}
		}
		timer.Stop()
	}
}

// ignored reports whether a name is a temporary, lock or hidden file that
// is never taken.
func ignored(name string) bool {
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(name, "."), strings.HasPrefix(name, "~"): // ~$ Excel's owner files, ~ editors' temporaries
		return true
	case strings.HasSuffix(lower, ".tmp"), strings.HasSuffix(lower, ".part"), strings.HasSuffix(lower, ".crdownload"),
		strings.HasSuffix(lower, ".partial"), strings.HasSuffix(lower, ".swp"), strings.HasSuffix(name, "#"):
		return true
	}
	return false
}

// scan looks at inbox/ and approved/, takes every file that settled and
// handles it. It returns how long until the next file may settle (0 when
// none is settling).
func (w *Watcher) scan(ctx context.Context) (time.Duration, error) {
	var next time.Duration
	for _, from := range []string{w.o.Folders.Approved, w.o.Folders.Inbox} {
		entries, err := os.ReadDir(from)
		if err != nil {
			return 0, fmt.Errorf("reading %s: %w", from, err)
		}
		for _, e := range entries {
			if ctx.Err() != nil {
				return 0, nil
			}
			name := e.Name()
			if !e.Type().IsRegular() || ignored(name) {
				continue
			}
			path := filepath.Join(from, name)
			if from == w.o.Folders.Approved && sidecar(name) {
				continue // a summary or report moved along with the sheet
			}
			wait, ok := w.settled(path)
			if !ok {
				if wait > 0 && (next == 0 || wait < next) {
					next = wait
				}
				continue
			}
			taken, err := w.take(path)
			if err != nil {
				w.o.Log.Error("cannot take a file", "file", path, "err", err)
				continue
			}
			delete(w.seen, path)
			if from == w.o.Folders.Approved {
				w.approved[filepath.Base(taken)] = true
			}
			w.event(Event{File: filepath.Base(taken), State: StateTaken, Reason: "from " + filepath.Base(from)})
			w.process(ctx, taken)
		}
	}
	// Files left in processing/ to try again.
	for name, at := range w.retryAt {
		if ctx.Err() != nil {
			return 0, nil
		}
		if d := at.Sub(w.o.Now()); d > 0 {
			if next == 0 || d < next {
				next = d
			}
			continue
		}
		delete(w.retryAt, name)
		w.process(ctx, filepath.Join(w.o.Folders.Processing, name))
	}
	return next, nil
}

// settled reports whether a file's size and modification time have stayed
// the same for the settle time; if not, how long at least until they may.
func (w *Watcher) settled(path string) (time.Duration, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		delete(w.seen, path)
		return 0, false
	}
	now := w.o.Now()
	s, ok := w.seen[path]
	if !ok || s.size != fi.Size() || !s.mod.Equal(fi.ModTime()) {
		w.seen[path] = seen{size: fi.Size(), mod: fi.ModTime(), since: now}
		return w.o.Settle, false
	}
	if left := w.o.Settle - now.Sub(s.since); left > 0 {
		return left, false
	}
	return 0, true
}

// take moves a settled file into processing/ under a name no file in any
// of the folders has, so that its reports never meet another's.
func (w *Watcher) take(path string) (string, error) {
	name := filepath.Base(path)
	// An approved file's summary in ready/ is its own.
	name = w.freeName(name, filepath.Join(w.o.Folders.Ready, stem(name)+summarySuffix))
	to := filepath.Join(w.o.Folders.Processing, name)
	if err := os.Rename(path, to); err != nil {
		return "", err
	}
	return to, nil
}

// freeName is name, or name with -2, -3, ... before its extension, such
// that no folder of the watcher holds a file of that name or of its stem
// (march.csv and march.xlsx would share march.results.xlsx); own is a
// file of its own that does not count.
func (w *Watcher) freeName(name, own string) string {
	var held []string
	for _, d := range []string{w.o.Folders.Processing, w.o.Folders.Done, w.o.Folders.Failed, w.o.Folders.Ready} {
		es, _ := os.ReadDir(d)
		for _, e := range es {
			if filepath.Join(d, e.Name()) != own {
				held = append(held, e.Name())
			}
		}
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	candidate := name
	for n := 2; ; n++ {
		s := strings.TrimSuffix(candidate, ext)
		free := true
		for _, h := range held {
			if h == candidate || strings.HasPrefix(h, s+".") {
				free = false
				break
			}
		}
		if free {
			return candidate
		}
		candidate = fmt.Sprintf("%s-%d%s", stem, n, ext)
	}
}

// resume handles the files an earlier run left in processing/.
func (w *Watcher) resume(ctx context.Context) error {
	entries, err := os.ReadDir(w.o.Folders.Processing)
	if err != nil {
		return fmt.Errorf("reading %s: %w", w.o.Folders.Processing, err)
	}
	for _, e := range entries {
		if ctx.Err() != nil {
			return nil
		}
		path := filepath.Join(w.o.Folders.Processing, e.Name())
		if !e.Type().IsRegular() || ignored(e.Name()) || sidecar(e.Name()) {
			continue
		}
		if took, err := w.tookIt(ctx, path); err != nil || !took {
			if err == nil {
				err = errors.New("a sheet payroll wrote (the failed rows of a batch?) that no upload was made from: not taken from inbox/ by a watcher; drop it into inbox/ to pay it")
			}
			w.o.Log.Warn("left in processing", "file", e.Name(), "reason", err.Error())
			continue
		}
		w.resumed[e.Name()] = true
		w.event(Event{File: e.Name(), State: StateResuming})
		w.process(ctx, path)
	}
	return nil
}

// tookIt reports whether a file found in processing/ at start may be one
// a watcher took from inbox/ and stopped paying. A sheet payroll wrote (a
// failed-rows sheet, ready to upload) that no upload of the journal was
// made from was not: `payroll status` of a journal older than SetFile
// wrote it beside a sheet paid from processing/. Resumed, it would pay
// rows nobody dropped in. (One a watcher took from inbox/ and stopped
// before recording its plan is left too: nothing of it was sent.)
func (w *Watcher) tookIt(ctx context.Context, path string) (bool, error) {
	if !payout.Ours(path) {
		return true, nil
	}
	hash, err := payout.FileHash(path)
	if err != nil {
		return false, err
	}
	ups, err := w.svc.Journal.ByHash(ctx, hash)
	return len(ups) > 0, err
}

// event logs a state change and tells Options.Event.
func (w *Watcher) event(e Event) {
	attrs := []any{"file", e.File, "state", e.State}
	if e.Reason != "" {
		attrs = append(attrs, "reason", e.Reason)
	}
	if e.Batch != "" {
		attrs = append(attrs, "batch", e.Batch)
	}
	if e.Period != "" {
		attrs = append(attrs, "period", e.Period)
	}
	if e.Count > 0 {
		attrs = append(attrs, "count", e.Count, "total", e.Total.String())
	}
	if len(e.Reports) > 0 {
		attrs = append(attrs, "reports", e.Reports)
	}
	level := slog.LevelInfo
	if e.State == StateFailed || e.State == StateRetry {
		level = slog.LevelWarn
	}
	w.o.Log.Log(context.Background(), level, "file", attrs...)
	if w.o.Event != nil {
		w.o.Event(e)
	}
}
