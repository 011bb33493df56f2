package web

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"payroll/payout"
	"payroll/payout/journal"
	"payroll/payout/upload"
	"payroll/templates"
)

// shown is how many problems the check page lists; the reports hold all.
const shown = 300

// sheet is one uploaded file: its check, and its payment once confirmed.
type sheet struct {
	ID          string
	Name        string // as uploaded
	dir         string // the upload's folder: the reports
	path        string // the saved copy, in dir/sheet/ so that no report can take its name
	SheetName   string // the sheet asked for ("" the first)
	Period      string
	SkipInvalid bool
	Lang        string

	// The check.
	Summary  *payout.Summary
	Columns  []columnUse
	Problems []payout.Problem // the first `shown`
	More     int              // problems not listed
	failure  failure          // why the file cannot be paid, when it cannot
	reports  map[string]string
	Ready    bool // can be paid: the plan below
	Resuming bool
	Count    int
	Total    payout.Amount
	hash     string
	Paid     []upload.Met
	Recent   []upload.Met
	Unsent   []*journal.Upload // earlier uploads this one replaces (upload.Comparison.Unsent)

	// The payment.
	Paying  bool
	Sent    int
	Planned int
	PayErr  string
	BatchID string
	Status  *upload.StatusReport
	polled  time.Time
}

type columnUse struct{ Field, Letter string }

// failure is a reason in the page's words (key and args), or the
// pipeline's own message (raw, in the language of the check).
type failure struct {
	key  string
	args []any
	raw  string
}

// FailureIn is why the sheet cannot be paid, in lang; "" when it can.
func (sh *sheet) FailureIn(lang string) string {
	if sh.failure.key != "" {
		return say(lang, sh.failure.key, sh.failure.args...)
	}
	return sh.failure.raw
}

// Kinds are the reports there are to download, in the order shown.
func (sh *sheet) Kinds() []string {
	var out []string
	for _, k := range []string{"errors.csv", "errors.xlsx", "marked.xlsx", "leftout", "results.xlsx", "failed.xlsx"} {
		if sh.reports[k] != "" {
			out = append(out, k)
		}
	}
	return out
}

// ProblemsIn are the problems listed, in the page's language.
func (sh *sheet) ProblemsIn(lang string) []payout.Problem {
	out := make([]payout.Problem, len(sh.Problems))
	for i, p := range sh.Problems {
		out[i] = p.Localized(lang)
	}
	return out
}

// HasReports says whether there is anything to download.
func (sh *sheet) HasReports() bool { return len(sh.Kinds()) > 0 }

// page is what a template is given.
type page struct {
	Lang       string
	CSRF       string
	Path       string
	Message    string
	Args       []any
	TokenLogin bool
	Sandbox    bool
	MaxMB      int64
	Sheet      *sheet
	History    []upload.HistoryLine
	Refresh    int // seconds; 0 for none
}

func (s *Server) lang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "ar" {
		return "ar"
	}
	return "en"
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Lang = s.lang(r)
	p.Path = r.URL.Path
	p.Sandbox = s.o.Service.Sandbox
	p.MaxMB = s.o.MaxUpload >> 20
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.pages.ExecuteTemplate(w, name, p); err != nil {
		s.o.Log.Error("page", "name", name, "err", err)
	}
}

// fail answers with a page saying what went wrong, in the page's language.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string, args ...any) {
	p := page{Message: msg, Args: args}
	if ss := s.current(r); ss != nil && ss.authed {
		p.CSRF = ss.csrf
	}
	s.render(w, r, status, "error", p)
}

// current is the request's logged-in session, without starting one.
func (s *Server) current(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[c.Value]
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, ss *session) {
	s.render(w, r, http.StatusOK, "home", page{CSRF: ss.csrf})
}

func (s *Server) template(w http.ResponseWriter, r *http.Request, ss *session) {
	name := r.PathValue("name")
	switch name {
	case "payroll-template.xlsx":
		attachment(w, name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		templates.WriteXLSX(w, templates.Countries())
	case "payroll-template.csv":
		attachment(w, name, "text/csv; charset=utf-8")
		templates.WriteCSV(w)
	default:
		http.NotFound(w, r)
	}
}

func attachment(w http.ResponseWriter, name, typ string) {
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N} ._()-]+`)

// check saves the uploaded sheet in its own folder and checks it.
func (s *Server) check(w http.ResponseWriter, r *http.Request, ss *session) {
	f, hdr, err := r.FormFile("sheet")
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "nofile")
		return
	}
	defer f.Close()
	if hdr.Size > s.o.MaxUpload {
		s.fail(w, r, http.StatusRequestEntityTooLarge, "toolarge", s.o.MaxUpload>>20)
		return
	}
	name := strings.TrimSpace(unsafeName.ReplaceAllString(filepath.Base(strings.ReplaceAll(hdr.Filename, `\`, "/")), "_"))
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case ".xlsx", ".csv", ".tsv", ".txt":
	default:
		s.fail(w, r, http.StatusBadRequest, "badtype", hdr.Filename)
		return
	}
	if strings.TrimSuffix(name, filepath.Ext(name)) == "" || strings.HasPrefix(name, ".") {
		name = "sheet" + ext
	}
	period := strings.TrimSpace(r.FormValue("period"))
	if period != "" {
		if msg := upload.CheckPeriod(period); msg != "" {
			s.fail(w, r, http.StatusBadRequest, "badperiod", period, msg)
			return
		}
	}
	sh := &sheet{ID: random(), Name: name, SheetName: strings.TrimSpace(r.FormValue("sheetname")), Period: period,
		SkipInvalid: r.FormValue("skipinvalid") == "yes", Lang: s.lang(r), reports: map[string]string{}}
	sh.dir = filepath.Join(s.o.Dir, sh.ID)
	sh.path = filepath.Join(sh.dir, "sheet", name)
	if err := os.MkdirAll(filepath.Dir(sh.path), 0o700); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "cannotsave", err)
		return
	}
	err = payout.WriteNew(sh.path, 0o600, func(w io.Writer) error {
		_, err := io.Copy(w, io.LimitReader(f, s.o.MaxUpload+1))
		return err
	})
	if err != nil {
		os.RemoveAll(sh.dir)
		s.fail(w, r, http.StatusInternalServerError, "cannotsave", err)
		return
	}
	s.mu.Lock()
	s.uploads[sh.ID] = sh
	s.mu.Unlock()
	s.o.Log.Info("sheet uploaded", "file", name, "id", sh.ID)
	s.prepare(r, sh, false)
	http.Redirect(w, r, "/check/"+sh.ID, http.StatusSeeOther)
}

// prepare checks the saved sheet, compares it with its pay period and
// plans it, through the pipeline. The lock is let go at once (a person
// reads the page before confirming), unless hold is set and the sheet can
// be paid: then the Prepared is returned still holding it.
func (s *Server) prepare(r *http.Request, sh *sheet, hold bool) *upload.Prepared {
	svc := s.o.Service
	s.mu.Lock()
	period := sh.Period
	s.mu.Unlock()
	p, err := svc.PrepareSource(r.Context(), payout.Source{Path: sh.path}, upload.Options{
		Check:       payout.FileOptions{Sheet: sh.SheetName},
		Report:      payout.ReportOptions{Path: filepath.Join(sh.dir, "errors.csv"), Lang: sh.Lang},
		Period:      period,
		Endpoint:    svc.Endpoint,
		SkipInvalid: sh.SkipInvalid,
		PageSize:    s.pageSize(),
		Results:     filepath.Join(sh.dir, "results.xlsx"),
		AskServer:   svc.API != nil,
	})
	// What the page shows is worked out, and the Excel report written,
	// before the page's lock is taken.
	var (
		summary  *payout.Summary
		columns  []columnUse
		problems []payout.Problem
		more     int
		reports  = map[string]string{}
	)
	if p != nil && p.Result != nil {
		res := p.Result
		sum := res.Summary(sh.Lang)
		summary = &sum
		for f, c := range res.Mapping.Columns {
			columns = append(columns, columnUse{string(f), c.Letter})
		}
		sort.Slice(columns, func(i, j int) bool { return columns[i].Letter < columns[j].Letter })
		problems = slices.Clone(res.Problems[:min(len(res.Problems), shown)])
		more = len(res.Problems) - len(problems)
		if len(res.Problems) > 0 {
			reports["errors.csv"] = filepath.Join(sh.dir, "errors.csv")
			x := filepath.Join(sh.dir, "errors.xlsx")
			if err := payout.WriteReport(x, res.Problems, sh.Lang); err == nil {
				reports["errors.xlsx"] = x
			} else {
				s.o.Log.Warn("error report", "file", sh.Name, "err", err)
			}
			if m := payout.MarkedPath(sh.path); fileExists(m) {
				reports["marked.xlsx"] = m
			}
		}
		if p.LeftOut != "" {
			reports["leftout"] = p.LeftOut
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sh.Summary, sh.Columns, sh.Problems, sh.More = summary, columns, problems, more
	maps.Copy(sh.reports, reports)
	sh.Ready, sh.failure, sh.Paid, sh.Recent, sh.Unsent = false, failure{}, nil, nil, nil
	if p != nil && p.Compared != nil {
		sh.Paid, sh.Recent, sh.Unsent = p.Compared.Paid, p.Compared.Recent, p.Compared.Unsent
	}
	if err != nil {
		sh.failure = s.explain(sh, err)
		if p != nil {
			p.Close()
		}
		return nil
	}
	sh.Ready = true
	sh.Resuming = p.Resume != nil
	if p.Resume != nil {
		sh.Count, sh.Total, sh.hash, sh.Period = p.Resume.Count, p.Resume.Total, p.Resume.FileHash, p.Resume.Period
	} else {
		sh.Count, sh.Total, sh.hash, sh.Period = p.Plan.Count, p.Plan.Total, p.Plan.FileHash, p.Period
	}
	if hold {
		return p
	}
	p.Close()
	return nil
}

// explain turns a pipeline error into the page's words, naming the file
// as it was uploaded.
func (s *Server) explain(sh *sheet, err error) failure {
	// A stopped payment says what to do in the page's words, not the
	// command line's.
	text := err.Error()
	if stop, ok := err.(*upload.StopError); ok {
		text = stop.Say(upload.Words{Again: webResume, Smaller: webSmaller})
	}
	// Sheets are named as they were uploaded: this one, and any earlier
	// upload the pipeline's message quotes (its saved copy's path).
	msg := strings.ReplaceAll(text, sh.path, sh.Name)
	msg = s.savedPath.ReplaceAllString(msg, "")
	var already *upload.AlreadyUploaded
	switch {
	case errors.As(err, &already):
		u := already.Upload
		return failure{key: "already", args: []any{u.Period, u.ClosedAt.Local().Format("2006-01-02 15:04"), u.BatchID, u.Count, u.Total.Grouped()}, raw: msg}
	case errors.Is(err, journal.ErrBusy):
		return failure{key: "busy", raw: msg}
	case errors.Is(err, payout.ErrInvalid) && sh.Summary != nil && sh.Summary.Invalid > 0:
		return failure{key: "invalid", args: []any{sh.Summary.Invalid}, raw: msg}
	}
	return failure{raw: msg}
}

// webResume is what starts a stopped payment again from the page.
const webResume = "upload the same sheet again to resume (nothing is sent twice)"

// webSmaller is how a sheet is paid in smaller pages from the page: the
// page size is the web server's, not the person's.
const webSmaller = "ask whoever runs this page to start it with a smaller --page-size, then upload the sheet again"

func (s *Server) pageSize() int {
	if s.o.PageSize > 0 {
		return s.o.PageSize
	}
	return upload.DefaultPageSize
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func (s *Server) find(w http.ResponseWriter, r *http.Request) *sheet {
	s.mu.Lock()
	sh := s.uploads[r.PathValue("id")]
	s.mu.Unlock()
	if sh == nil {
		s.fail(w, r, http.StatusNotFound, "notfound")
	}
	return sh
}

func (s *Server) checkPage(w http.ResponseWriter, r *http.Request, ss *session) {
	sh := s.find(w, r)
	if sh == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sh.Paying || sh.BatchID != "" {
		http.Redirect(w, r, "/batch/"+sh.ID, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "check", page{CSRF: ss.csrf, Sheet: sh})
}

// payNow pays a checked sheet once the person confirmed the count and
// total shown: the sheet is checked and planned again under the lock, and
// paid only when the plan is still the one confirmed.
func (s *Server) payNow(w http.ResponseWriter, r *http.Request, ss *session) {
	sh := s.find(w, r)
	if sh == nil {
		return
	}
	if r.FormValue("confirm") != "yes" {
		s.fail(w, r, http.StatusBadRequest, "notconfirmed")
		return
	}
	s.mu.Lock()
	started := sh.Paying || sh.BatchID != ""
	s.mu.Unlock()
	if started {
		// A second click on Pay: this sheet's payment is under way.
		http.Redirect(w, r, "/batch/"+sh.ID, http.StatusSeeOther)
		return
	}
	if !s.pay.TryLock() {
		s.fail(w, r, http.StatusConflict, "busy")
		return
	}
	s.mu.Lock()
	started = sh.Paying || sh.BatchID != ""
	count, total, hash := sh.Count, sh.Total, sh.hash
	s.mu.Unlock()
	if started {
		s.pay.Unlock()
		http.Redirect(w, r, "/batch/"+sh.ID, http.StatusSeeOther)
		return
	}
	p := s.prepare(r, sh, true)
	if p == nil {
		s.pay.Unlock()
		http.Redirect(w, r, "/check/"+sh.ID, http.StatusSeeOther)
		return
	}
	s.mu.Lock()
	same := sh.Count == count && sh.Total == total && sh.hash == hash && r.FormValue("count") == fmt.Sprint(count) && r.FormValue("total") == total.String()
	if !same {
		sh.failure = failure{key: "changed"}
		sh.Ready = true
		s.mu.Unlock()
		p.Close()
		s.pay.Unlock()
		http.Redirect(w, r, "/check/"+sh.ID, http.StatusSeeOther)
		return
	}
	sh.Paying, sh.Planned = true, sh.Count
	s.mu.Unlock()
	u := s.o.Service.Uploader
	u.Progress = func(sent, all int) {
		s.mu.Lock()
		sh.Sent, sh.Planned = sent, all
		s.mu.Unlock()
	}
	s.o.Log.Info("paying", "file", sh.Name, "id", sh.ID, "rows", count, "total", total.String())
	go func() {
		defer s.pay.Unlock()
		out, err := u.Pay(s.o.Context, p)
		u.Progress = nil
		s.mu.Lock()
		defer s.mu.Unlock()
		sh.Paying = false
		if out != nil && out.Upload != nil {
			sh.BatchID = out.Upload.BatchID
		}
		if err != nil {
			sh.PayErr = s.explain(sh, err).raw
			s.o.Log.Error("payment stopped", "file", sh.Name, "id", sh.ID, "err", err)
			return
		}
		// The batch page's next view refreshes the statuses and writes
		// the results and failed-rows sheets.
		sh.reports["results.xlsx"] = out.Upload.ResultsPath
	}()
	http.Redirect(w, r, "/batch/"+sh.ID, http.StatusSeeOther)
}

// batchPage shows the payment: its progress, then every transfer's status,
// refreshed from the API every few seconds until all are final.
func (s *Server) batchPage(w http.ResponseWriter, r *http.Request, ss *session) {
	sh := s.find(w, r)
	if sh == nil {
		return
	}
	s.mu.Lock()
	poll := sh.BatchID != "" && sh.PayErr == "" && !sh.Paying && (sh.Status == nil || !sh.Status.Final) && s.o.Now().Sub(sh.polled) >= 2*time.Second
	batch := sh.BatchID
	s.mu.Unlock()
	if poll && s.pay.TryLock() {
		rep, _, err := s.o.Service.Status(r.Context(), batch, upload.StatusOptions{
			Results: filepath.Join(sh.dir, "results.xlsx"), FailedSheet: filepath.Join(sh.dir, "failed.xlsx"), Lang: sh.Lang})
		s.pay.Unlock()
		s.mu.Lock()
		sh.polled = s.o.Now()
		if err != nil {
			s.o.Log.Warn("refresh", "batch", batch, "err", err)
		} else if rep != nil {
			sh.Status = rep
			sh.reports["results.xlsx"] = rep.Results
			if rep.FailedSheet != "" {
				sh.reports["failed.xlsx"] = rep.FailedSheet
			}
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := page{CSRF: ss.csrf, Sheet: sh}
	if sh.Paying || sh.PayErr == "" && (sh.Status == nil || !sh.Status.Final) {
		p.Refresh = 2
	}
	s.render(w, r, http.StatusOK, "batch", p)
}

// download serves one of an upload's reports, by the upload's id and the
// report's kind: never a path from the request.
func (s *Server) download(w http.ResponseWriter, r *http.Request, ss *session) {
	s.mu.Lock()
	sh := s.uploads[r.PathValue("id")]
	var path string
	if sh != nil {
		path = sh.reports[r.PathValue("kind")]
	}
	s.mu.Unlock()
	if path == "" {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		http.NotFound(w, r)
		return
	}
	stem := strings.TrimSuffix(sh.Name, filepath.Ext(sh.Name))
	kind := r.PathValue("kind")
	name := stem + "." + kind
	typ := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if strings.HasSuffix(path, ".csv") {
		typ = "text/csv; charset=utf-8"
	}
	if kind == "leftout" {
		name = filepath.Base(path)
	}
	attachment(w, name, typ)
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

func (s *Server) history(w http.ResponseWriter, r *http.Request, ss *session) {
	h, err := upload.History(r.Context(), s.o.Service.Journal)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "cannotread", err)
		return
	}
	for i := range h {
		h[i].File = filepath.Base(h[i].File)
	}
	for i, j := 0, len(h)-1; i < j; i, j = i+1, j-1 {
		h[i], h[j] = h[j], h[i]
	}
	s.render(w, r, http.StatusOK, "history", page{CSRF: ss.csrf, History: h})
}
