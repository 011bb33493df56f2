// Package web is HR's web page, `payroll serve`: download the template,
// upload a sheet, see every problem at once, download the error reports,
// confirm, pay and watch the batch. It is a front end of the same pipeline
// as the command line and the watched folder (payout/upload): it checks,
// compares, plans, pays and refreshes through upload.Service and nothing
// else.
//
// Security, in the order a request meets it:
//   - every answer carries a strict Content-Security-Policy (scripts and
//     styles from this server only, no framing, no plugins), nosniff, no
//     referrer and no caching;
//   - every page but the login page needs a session: a random id in an
//     http-only, SameSite=Strict cookie (Secure when served over https),
//     valid for 12 hours;
//   - every POST carries the session's CSRF token, checked in constant time
//     (403 without it);
//   - wrong passwords are counted per client address: after 5, logins from
//     it are refused for a minute, doubling with each further failure (429);
//   - an upload is limited in size (MaxUpload, 20 MB by default: 413 with a
//     clear message beyond it);
//   - uploaded sheets and their reports are kept in Dir, readable by the
//     server's user only, and are downloaded by the upload's random id and
//     a fixed name of report, never by a path;
//   - the server key stays in the Service: no page, header or download
//     holds it.
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"payroll/payout/upload"
)

//go:embed assets
var assets embed.FS

// Options configure a Server.
type Options struct {
	// Service is the pipeline the page pays through.
	Service *upload.Service
	// Dir keeps the uploaded sheets and their reports, one folder per
	// upload (created owner-only).
	Dir string
	// Password logs in; when "", Token does, once.
	Password string
	Token    string
	// MaxUpload is the largest sheet accepted, in bytes; 0 means 20 MB.
	MaxUpload int64
	// Secure marks the cookies Secure (the page is served over https).
	Secure bool
	// PageSize is the number of transfers per call; 0 is the default.
	PageSize int
	// Context bounds the payments started from the page (they outlive the
	// request that confirmed them); nil is context.Background().
	Context context.Context
	Log     *slog.Logger
	Now     func() time.Time
}

// DefaultMaxUpload is the default upload limit.
const DefaultMaxUpload = 20 << 20

const (
	sessionCookie = "payroll_session"
	langCookie    = "payroll_lang"
	sessionLife   = 12 * time.Hour
	// maxAnonymous bounds the sessions started for the login form's token,
	// for visitors who have not logged in: unbounded, every request
	// without a cookie would keep one for the session's life.
	maxAnonymous = 10_000
	freeAttempts = 5
	lockout      = time.Minute
)

// Server serves the page. Create it with New.
type Server struct {
	o     Options
	pages *template.Template
	mux   *http.ServeMux
	// savedPath matches the folders of saved sheets in a message, to be
	// left out of what the page shows.
	savedPath *regexp.Regexp

	mu        sync.Mutex
	sessions  map[string]*session
	anonymous int       // sessions not logged in
	swept     time.Time // when expired sessions were last removed
	uploads   map[string]*sheet
	attempts  map[string]*attempts
	tokenUsed bool

	// pay is held while a payment runs: one at a time, as the state
	// directory's upload lock allows anyway.
	pay sync.Mutex
}

type session struct {
	csrf    string
	authed  bool
	expires time.Time
}

type attempts struct {
	failed int
	until  time.Time
}

// New makes a Server; its folder is created owner-only.
func New(o Options) (*Server, error) {
	if o.Service == nil {
		return nil, fmt.Errorf("web: no service")
	}
	if o.Password == "" && o.Token == "" {
		return nil, fmt.Errorf("web: a password or a token is needed")
	}
	if o.MaxUpload <= 0 {
		o.MaxUpload = DefaultMaxUpload
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.Chmod(o.Dir, 0o700); err != nil {
		return nil, err
	}
	pages, err := template.New("").Funcs(funcs).ParseFS(assets, "assets/*.html")
	if err != nil {
		return nil, err
	}
	s := &Server{o: o, pages: pages, mux: http.NewServeMux(), sessions: map[string]*session{}, uploads: map[string]*sheet{}, attempts: map[string]*attempts{},
		savedPath: regexp.MustCompile(regexp.QuoteMeta(o.Dir+string(filepath.Separator)) + `[0-9a-f]{32}` + regexp.QuoteMeta(string(filepath.Separator)) + `(sheet` + regexp.QuoteMeta(string(filepath.Separator)) + `)?`)}
	static, _ := fs.Sub(assets, "assets")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /login", s.loginPage)
	s.mux.HandleFunc("POST /login", s.login)
	s.mux.HandleFunc("POST /logout", s.authed(s.logout))
	s.mux.HandleFunc("GET /{$}", s.authed(s.home))
	s.mux.HandleFunc("GET /template/{name}", s.authed(s.template))
	s.mux.HandleFunc("POST /check", s.authed(s.check))
	s.mux.HandleFunc("GET /check/{id}", s.authed(s.checkPage))
	s.mux.HandleFunc("POST /pay/{id}", s.authed(s.payNow))
	s.mux.HandleFunc("GET /batch/{id}", s.authed(s.batchPage))
	s.mux.HandleFunc("GET /download/{id}/{kind}", s.authed(s.download))
	s.mux.HandleFunc("GET /history", s.authed(s.history))
	return s, nil
}

// Handler is the page with its security headers.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if l := r.URL.Query().Get("lang"); l == "en" || l == "ar" {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.o.Secure})
			r.AddCookie(&http.Cookie{Name: langCookie, Value: l})
		}
		s.mux.ServeHTTP(w, r)
	})
}

func random() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// session returns the request's session, starting an anonymous one (for
// the login form's CSRF token) when there is none.
func (s *Server) session(w http.ResponseWriter, r *http.Request) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, err := r.Cookie(sessionCookie); err == nil {
		if ss, ok := s.sessions[c.Value]; ok && s.o.Now().Before(ss.expires) {
			return ss
		}
	}
	return s.newSession(w, false)
}

// newSession starts a session with a fresh id (a login never keeps the id
// it came with). s.mu is held.
func (s *Server) newSession(w http.ResponseWriter, authed bool) *session {
	now := s.o.Now()
	if now.Sub(s.swept) >= time.Minute {
		s.swept = now
		for id, ss := range s.sessions {
			if !now.Before(ss.expires) {
				s.drop(id)
			}
		}
	}
	if !authed {
		if s.anonymous >= maxAnonymous {
			// Any one goes: each is only a login form's token.
			for id, other := range s.sessions {
				if !other.authed {
					s.drop(id)
					break
				}
			}
		}
		s.anonymous++
	}
	id := random()
	ss := &session{csrf: random(), authed: authed, expires: now.Add(sessionLife)}
	s.sessions[id] = ss
	// Max-Age, not Expires: the browser counts the life from when it gets
	// the cookie, so a browser whose clock differs from the server's keeps
	// the session all the same.
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.o.Secure, MaxAge: int(sessionLife / time.Second)})
	return ss
}

// drop ends a session. s.mu is held.
func (s *Server) drop(id string) {
	if gone, ok := s.sessions[id]; ok {
		if !gone.authed {
			s.anonymous--
		}
		delete(s.sessions, id)
	}
}

// authed lets a request through with a logged-in session, and a POST only
// with its CSRF token; anything else goes to the login page (GET) or is
// forbidden (POST).
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss := s.session(w, r)
		if !ss.authed {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			s.fail(w, r, http.StatusForbidden, "forbidden")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, s.o.MaxUpload+1<<20)
			if err := r.ParseMultipartForm(8 << 20); err != nil && err != http.ErrNotMultipart {
				if tooLarge(err) {
					s.fail(w, r, http.StatusRequestEntityTooLarge, "toolarge", s.o.MaxUpload>>20)
					return
				}
				s.fail(w, r, http.StatusBadRequest, "badform")
				return
			}
			if !sameToken(r.FormValue("csrf"), ss.csrf) {
				s.fail(w, r, http.StatusForbidden, "forbidden")
				return
			}
		}
		h(w, r, ss)
	}
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func client(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	ss := s.session(w, r)
	if ss.authed {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", page{CSRF: ss.csrf, TokenLogin: s.o.Password == ""})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ss := s.session(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if r.ParseForm() != nil || !sameToken(r.PostFormValue("csrf"), ss.csrf) {
		s.fail(w, r, http.StatusForbidden, "forbidden")
		return
	}
	who := client(r)
	now := s.o.Now()
	s.mu.Lock()
	a := s.attempts[who]
	if a != nil && now.Before(a.until) {
		wait := a.until.Sub(now).Round(time.Second)
		s.mu.Unlock()
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())))
		s.fail(w, r, http.StatusTooManyRequests, "toomany", wait)
		return
	}
	given := r.PostFormValue("password")
	ok := false
	if s.o.Password != "" {
		ok = sameToken(given, s.o.Password)
	} else if !s.tokenUsed {
		ok = sameToken(given, s.o.Token)
		s.tokenUsed = ok
	}
	if !ok {
		if a == nil {
			a = &attempts{}
			s.attempts[who] = a
		}
		a.failed++
		if a.failed >= freeAttempts {
			a.until = now.Add(lockout << min(a.failed-freeAttempts, 10))
		}
		s.mu.Unlock()
		s.o.Log.Warn("wrong password", "client", who, "failures", a.failed)
		s.render(w, r, http.StatusUnauthorized, "login", page{CSRF: ss.csrf, TokenLogin: s.o.Password == "", Message: "wrongpassword"})
		return
	}
	delete(s.attempts, who)
	for id, old := range s.sessions {
		if old == ss {
			s.drop(id)
		}
	}
	s.newSession(w, true)
	s.mu.Unlock()
	s.o.Log.Info("logged in", "client", who)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, ss *session) {
	s.mu.Lock()
	for id, old := range s.sessions {
		if old == ss {
			s.drop(id)
		}
	}
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.o.Secure})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// Wait returns once no payment is running (call it after the server has
// stopped taking requests, before the Service is closed).
func (s *Server) Wait() {
	s.pay.Lock()
	s.pay.Unlock()
}
