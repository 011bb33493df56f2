package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/upload"
)

const (
	password  = "correct horse battery staple"
	serverKey = "SJN9-SECRET-SERVER-KEY-7731"
)

// site is a server on loopback with a sandbox behind it, and a browser-like
// client (cookies kept, redirects not followed).
type site struct {
	t   *testing.T
	srv *Server
	url string
	c   *http.Client
	svc *upload.Service
	dir string
}

func newSite(t *testing.T, o Options) *site {
	t.Helper()
	return newSiteWith(t, o, clickpaysim.Config{SettleAfter: 200 * time.Millisecond})
}

// newSiteWith is newSite with a sandbox of the given settings.
func newSiteWith(t *testing.T, o Options, sim clickpaysim.Config) *site {
	t.Helper()
	state := t.TempDir()
	svc, err := upload.Open(context.Background(), upload.Setup{StateDir: state, Sandbox: true,
		Clickpay: clickpay.Config{ServerKey: serverKey, ProfileID: "41200", AccountID: "7"},
		Sim:      sim})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	o.Service = svc
	if o.Password == "" && o.Token == "" {
		o.Password = password
	}
	o.Dir = filepath.Join(state, "web")
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(srv.Wait)
	return &site{t: t, srv: srv, url: ts.URL, c: newClient(), svc: svc, dir: o.Dir}
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (s *site) get(c *http.Client, path string) (*http.Response, string) {
	s.t.Helper()
	resp, err := c.Get(s.url + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (s *site) post(c *http.Client, path string, form url.Values) (*http.Response, string) {
	s.t.Helper()
	resp, err := c.PostForm(s.url+path, form)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", body)
	}
	return m[1]
}

// login logs the client in and returns the session's CSRF token.
func (s *site) login(c *http.Client, pw string) (*http.Response, string) {
	s.t.Helper()
	_, body := s.get(c, "/login")
	return s.post(c, "/login", url.Values{"csrf": {csrfOf(s.t, body)}, "password": {pw}})
}

func (s *site) loggedIn() (*http.Client, string) {
	s.t.Helper()
	c := newClient()
	if resp, body := s.login(c, password); resp.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	_, home := s.get(c, "/")
	return c, csrfOf(s.t, home)
}

// upload posts a sheet to /check and returns the response (not followed).
func (s *site) upload(c *http.Client, csrf, name string, data []byte, fields map[string]string) (*http.Response, string) {
	s.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("csrf", csrf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("sheet", name)
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/check", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNoLoginRedirects: every page but the login page sends a visitor
// without a session to the login page, and every POST is refused.
func TestNoLoginRedirects(t *testing.T) {
	s := newSite(t, Options{})
	c := newClient()
	for _, p := range []string{"/", "/history", "/check/0123", "/batch/0123", "/download/0123/errors.csv", "/template/payroll-template.xlsx"} {
		resp, _ := s.get(c, p)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Errorf("GET %s: %d to %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for _, p := range []string{"/check", "/pay/0123", "/logout"} {
		if resp, _ := s.post(c, p, url.Values{}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s: %d", p, resp.StatusCode)
		}
	}
	// Logged in, the same pages answer.
	c, _ = s.loggedIn()
	if resp, body := s.get(c, "/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="sheet"`) {
		t.Errorf("home after login: %d", resp.StatusCode)
	}
}

// TestBadCSRFForbidden: a POST without the session's token, or with
// another session's, is refused with 403 and does nothing.
func TestBadCSRFForbidden(t *testing.T) {
	s := newSite(t, Options{})
	c, csrf := s.loggedIn()
	_, other := s.loggedIn()
	for _, token := range []string{"", "00", other} {
		resp, body := s.upload(c, token, "salaries.xlsx", readTestdata(t, "salaries.xlsx"), nil)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "did not come from this page") {
			t.Errorf("token %q: %d %s", token, resp.StatusCode, body)
		}
	}
	if entries, _ := os.ReadDir(s.dir); len(entries) != 0 {
		t.Errorf("a refused upload was saved: %v", entries)
	}
	// The login form needs its token too.
	c2 := newClient()
	s.get(c2, "/login")
	if resp, _ := s.post(c2, "/login", url.Values{"password": {password}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without a token: %d", resp.StatusCode)
	}
	// With the right token, the same upload goes through.
	if resp, body := s.upload(c, csrf, "salaries.xlsx", readTestdata(t, "salaries.xlsx"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("with the token: %d %s", resp.StatusCode, body)
	}
}

// TestOversizeUpload: a sheet over the limit is refused with a clear
// message and not kept.
func TestOversizeUpload(t *testing.T) {
	s := newSite(t, Options{MaxUpload: 1 << 20})
	c, csrf := s.loggedIn()
	big := bytes.Repeat([]byte("Name,IBAN,Amount\n"), (3<<20)/17)
	resp, body := s.upload(c, csrf, "huge.csv", big, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "larger than 1 MB") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	if entries, _ := os.ReadDir(s.dir); len(entries) != 0 {
		t.Errorf("the oversize upload was kept: %v", entries)
	}
	// The body itself is bounded, not only the file in it: a request that
	// is large for any reason is cut off and refused the same way.
	resp, body = s.upload(c, csrf, "small.csv", []byte("Name,IBAN,Amount\n"), map[string]string{"padding": strings.Repeat("x", 3<<20)})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a large body: %d %s", resp.StatusCode, body)
	}
}

// TestPathTraversal404: downloads are addressed by an upload's id and a
// fixed name of report; anything else is 404, never a file of the server.
func TestPathTraversal404(t *testing.T) {
	s := newSite(t, Options{})
	c, csrf := s.loggedIn()
	resp, _ := s.upload(c, csrf, "invalid.csv", readTestdata(t, "invalid.csv"), nil)
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/check/")
	if resp, _ := s.get(c, "/download/"+id+"/errors.csv"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the report itself: %d", resp.StatusCode)
	}
	for _, p := range []string{
		"/download/" + id + "/invalid.csv",
		"/download/" + id + "/..%2f..%2fjournal.db",
		"/download/" + id + "/%2e%2e%2fsandbox.json",
		"/download/..%2f..%2fsandbox/errors.csv",
		"/download/" + strings.Repeat("0", 32) + "/errors.csv",
		"/static/..%2fserver.go",
	} {
		resp, body := s.get(c, p)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d %q", p, resp.StatusCode, body[:min(len(body), 80)])
		}
	}
}

// TestWrongPasswordRateLimited: after five wrong passwords the client is
// refused for a while, even with the right one; another client is not.
func TestWrongPasswordRateLimited(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	s := newSite(t, Options{Now: func() time.Time { return now }})
	c := newClient()
	for i := 1; i <= freeAttempts; i++ {
		if resp, body := s.login(c, "wrong"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong password") {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := s.login(c, password)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many wrong passwords") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("the right password while locked: %d %s", resp.StatusCode, body)
	}
	now = now.Add(lockout + time.Second)
	if resp, _ := s.login(c, password); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the lockout: %d", resp.StatusCode)
	}
}

// TestOneTimeToken: without a password, the token printed at start logs in
// once.
func TestOneTimeToken(t *testing.T) {
	s := newSite(t, Options{Token: "ABCDEF123456"})
	if resp, _ := s.login(newClient(), "ABCDEF123456"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first use: %d", resp.StatusCode)
	}
	if resp, _ := s.login(newClient(), "ABCDEF123456"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("second use: %d", resp.StatusCode)
	}
}

// TestSessionCookieAndHeaders: the session cookie is http-only and
// SameSite=Strict (Secure over https), and every answer carries the
// security headers.
func TestSessionCookieAndHeaders(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s := newSite(t, Options{Secure: secure})
		resp, _ := s.get(newClient(), "/login")
		var cookie *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == sessionCookie {
				cookie = ck
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Secure != secure {
			t.Errorf("secure=%v: cookie %+v", secure, cookie)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		if resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers %v", resp.Header)
		}
	}
}

// TestEveryPage walks the pages as HR does: template, an invalid sheet
// with its error table and reports, a valid sheet paid and tracked to the
// end, history, and the Arabic page. Uploaded files are the server user's
// only.
func TestEveryPage(t *testing.T) {
	s := newSite(t, Options{})
	c, csrf := s.loggedIn()

	resp, body := s.get(c, "/template/payroll-template.xlsx")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "payroll-template.xlsx") {
		t.Fatalf("template: %d", resp.StatusCode)
	}
	if f, err := excelize.OpenReader(strings.NewReader(body)); err != nil {
		t.Errorf("the template is not a workbook: %v", err)
	} else {
		f.Close()
	}

	// An invalid sheet: every problem in the table, and the reports.
	resp, _ = s.upload(c, csrf, "invalid.csv", readTestdata(t, "invalid.csv"), nil)
	check := resp.Header.Get("Location")
	if !strings.HasPrefix(check, "/check/") {
		t.Fatalf("upload: %d %q", resp.StatusCode, check)
	}
	_, page := s.get(c, check)
	for _, want := range []string{"20 rows have errors", `id="problems"`, "check digits do not match", "/errors.csv", "/errors.xlsx"} {
		if !strings.Contains(page, want) {
			t.Errorf("check page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="payform"`) {
		t.Error("an invalid sheet can be paid")
	}
	id := strings.TrimPrefix(check, "/check/")
	resp, report := s.get(c, "/download/"+id+"/errors.csv")
	if resp.StatusCode != http.StatusOK || !strings.Contains(report, "iban.checksum") || !strings.Contains(resp.Header.Get("Content-Disposition"), "invalid.errors.csv") {
		t.Errorf("error report: %d %q", resp.StatusCode, report[:min(len(report), 200)])
	}
	filepath.WalkDir(s.dir, func(p string, d os.DirEntry, err error) error {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v: readable by others", p, fi.Mode().Perm())
		}
		return nil
	})

	// A valid sheet: the plan, a confirmation, the batch.
	resp, _ = s.upload(c, csrf, "salaries.xlsx", readTestdata(t, "salaries.xlsx"), map[string]string{"period": "2026-11"})
	check = resp.Header.Get("Location")
	_, page = s.get(c, check)
	if !strings.Contains(page, "10 transfers, SAR 104,102.50, pay period 2026-11") {
		t.Fatalf("plan not shown:\n%s", page)
	}
	id = strings.TrimPrefix(check, "/check/")
	// A changed total is not paid.
	resp, _ = s.post(c, "/pay/"+id, url.Values{"csrf": {csrf}, "confirm": {"yes"}, "count": {"10"}, "total": {"99.00"}})
	if _, again := s.get(c, check); !strings.Contains(again, "changed since you checked") {
		t.Errorf("a different total was not refused: %d", resp.StatusCode)
	}
	resp, _ = s.post(c, "/pay/"+id, url.Values{"csrf": {csrf}, "confirm": {"yes"}, "count": {"10"}, "total": {"104102.50"}})
	if resp.Header.Get("Location") != "/batch/"+id {
		t.Fatalf("pay: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	s.srv.Wait()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, page = s.get(c, "/batch/"+id)
		if strings.Contains(page, "Every transfer is final") && strings.Contains(page, ">Completed<") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the batch did not complete:\n%s", page)
		}
		time.Sleep(250 * time.Millisecond) // the page itself refreshes every 2 s
	}
	if n := strings.Count(page, `class="status">Paid<`); n != 10 {
		t.Errorf("%d rows Paid on the batch page", n)
	}
	if resp, _ := s.get(c, "/download/"+id+"/results.xlsx"); resp.StatusCode != http.StatusOK {
		t.Errorf("results sheet: %d", resp.StatusCode)
	}
	// The same sheet again pays nothing new.
	resp, _ = s.upload(c, csrf, "salaries.xlsx", readTestdata(t, "salaries.xlsx"), map[string]string{"period": "2026-11"})
	_, again := s.get(c, resp.Header.Get("Location"))
	if strings.Contains(again, `id="payform"`) {
		t.Error("the same sheet can be paid twice in the period")
	}
	// Said in the page's words, without the server's folders.
	if !strings.Contains(again, "This sheet was already paid in pay period 2026-11") || strings.Contains(again, s.dir) {
		t.Errorf("the same sheet again:\n%s", again)
	}
	// The same people in another file: nothing new, and no server path.
	resp, _ = s.upload(c, csrf, "march.csv", readTestdata(t, "salaries.csv"), map[string]string{"period": "2026-11"})
	_, again = s.get(c, resp.Header.Get("Location"))
	if strings.Contains(again, `id="payform"`) || !strings.Contains(again, "nothing new to pay") || strings.Contains(again, s.dir) {
		t.Errorf("the same rows in another file:\n%s", again)
	}

	_, hist := s.get(c, "/history")
	if !strings.Contains(hist, "salaries.xlsx") || !strings.Contains(hist, "104,102.50") {
		t.Errorf("history:\n%s", hist)
	}
	_, ar := s.get(c, "/history?lang=ar")
	if !strings.Contains(ar, `dir="rtl"`) || !strings.Contains(ar, "السجل") {
		t.Errorf("Arabic page:\n%s", ar)
	}
	if _, stays := s.get(c, "/"); !strings.Contains(stays, `lang="ar"`) {
		t.Error("the language choice is not kept")
	}
}

// TestCorrectedSheetReplacesAnUnsentOne: Clickpay refused the batch of a
// sheet paid from the page (more requests in one call than it takes), so
// it reached Clickpay with nothing; a corrected sheet is not refused as
// "already paid" by it, and its plan says that it replaces it.
func TestCorrectedSheetReplacesAnUnsentOne(t *testing.T) {
	s := newSiteWith(t, Options{}, clickpaysim.Config{MaxRequests: 2})
	c, csrf := s.loggedIn()
	sheet := readTestdata(t, "salaries.csv")
	resp, _ := s.upload(c, csrf, "march.csv", sheet, map[string]string{"period": "2026-11"})
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/check/")
	resp, _ = s.post(c, "/pay/"+id, url.Values{"csrf": {csrf}, "confirm": {"yes"}, "count": {"10"}, "total": {"104102.50"}})
	if resp.Header.Get("Location") != "/batch/"+id {
		t.Fatalf("pay: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	s.srv.Wait()
	if _, page := s.get(c, "/batch/"+id); !strings.Contains(page, "at most 2 requests per call") || !strings.Contains(page, "ask whoever runs this page to start it with a smaller --page-size") ||
		strings.Contains(page, "same command") || strings.Contains(page, "upload it again with a smaller") {
		t.Fatalf("the refused batch's page:\n%s", page)
	}

	fixed := bytes.Replace(sheet, []byte("12500.50"), []byte("12750.50"), 1)
	resp, _ = s.upload(c, csrf, "march-fixed.csv", fixed, map[string]string{"period": "2026-11"})
	_, page := s.get(c, resp.Header.Get("Location"))
	if !strings.Contains(page, `id="payform"`) || !strings.Contains(page, "Replaces the upload of march.csv") || strings.Contains(page, s.dir) {
		t.Errorf("the corrected sheet's plan:\n%s", page)
	}
}

// TestServerKeyNeverReachesTheBrowser: no page, header or download of a
// whole payment holds the server key.
func TestServerKeyNeverReachesTheBrowser(t *testing.T) {
	s := newSite(t, Options{})
	c, csrf := s.loggedIn()
	resp, _ := s.upload(c, csrf, "salaries.xlsx", readTestdata(t, "salaries.xlsx"), nil)
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/check/")
	_, page := s.get(c, "/check/"+id)
	total := regexp.MustCompile(`name="total" value="([0-9.]+)"`).FindStringSubmatch(page)
	if total == nil {
		t.Fatalf("no plan:\n%s", page)
	}
	s.post(c, "/pay/"+id, url.Values{"csrf": {csrf}, "confirm": {"yes"}, "count": {"10"}, "total": {total[1]}})
	s.srv.Wait()
	var seen strings.Builder
	for _, p := range []string{"/", "/history", "/batch/" + id, "/download/" + id + "/results.xlsx", "/static/app.js"} {
		r, body := s.get(c, p)
		if r.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
		seen.WriteString(body)
		for k, v := range r.Header {
			seen.WriteString(k + strings.Join(v, ""))
		}
	}
	if strings.Contains(seen.String(), serverKey) {
		t.Error("the server key reached the browser")
	}
	if !strings.Contains(seen.String(), "Batch") {
		t.Error("the pages were not read")
	}
}

// TestSheetNamedLikeAReport: a sheet uploaded as errors.xlsx or
// results.xlsx is kept apart from the reports of the same names, so no
// report replaces it and it is paid like any other.
func TestSheetNamedLikeAReport(t *testing.T) {
	s := newSite(t, Options{})
	c, csrf := s.loggedIn()
	resp, _ := s.upload(c, csrf, "errors.xlsx", readTestdata(t, "invalid.csv"), nil)
	_, page := s.get(c, resp.Header.Get("Location"))
	if !strings.Contains(page, "20 rows have errors") || !strings.Contains(page, "/errors.xlsx") {
		t.Errorf("an invalid sheet named errors.xlsx:\n%s", page)
	}
	resp, _ = s.upload(c, csrf, "results.xlsx", readTestdata(t, "salaries.xlsx"), nil)
	check := resp.Header.Get("Location")
	_, page = s.get(c, check)
	if !strings.Contains(page, `id="payform"`) {
		t.Fatalf("a valid sheet named results.xlsx cannot be paid:\n%s", page)
	}
	id := strings.TrimPrefix(check, "/check/")
	s.post(c, "/pay/"+id, url.Values{"csrf": {csrf}, "confirm": {"yes"}, "count": {"10"}, "total": {"104102.50"}})
	s.srv.Wait()
	_, page = s.get(c, "/batch/"+id)
	if !strings.Contains(page, `id="batchid"`) || strings.Contains(page, "stopped") {
		t.Errorf("batch page:\n%s", page)
	}
	resp, results := s.get(c, "/download/"+id+"/results.xlsx")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(results, "PK") {
		t.Errorf("results sheet: %d", resp.StatusCode)
	}
}

// TestAnonymousSessionsCapped: every request without a cookie starts a
// session for the login form's token; a flood of them keeps at most
// maxAnonymous, and a logged-in session is never the one dropped.
func TestAnonymousSessionsCapped(t *testing.T) {
	s := newSite(t, Options{})
	c, csrf := s.loggedIn()
	for range maxAnonymous + 500 {
		s.srv.session(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/login", nil))
	}
	s.srv.mu.Lock()
	total, anonymous := len(s.srv.sessions), s.srv.anonymous
	authed := 0
	for _, ss := range s.srv.sessions {
		if ss.authed {
			authed++
		}
	}
	s.srv.mu.Unlock()
	if anonymous != maxAnonymous || total != anonymous+authed || authed != 1 {
		t.Fatalf("%d sessions, %d anonymous (counted %d), %d logged in; want at most %d anonymous and the one logged in", total, total-authed, anonymous, authed, maxAnonymous)
	}
	// The one logged in still works.
	resp, _ := s.upload(c, csrf, "salaries.csv", readTestdata(t, "salaries.csv"), nil)
	if !strings.HasPrefix(resp.Header.Get("Location"), "/check/") {
		t.Errorf("the logged-in session after the flood: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
