package clickpaysim

import (
	"fmt"
	"net"
	"net/http"
	"time"
)

// WithLatency slows every answer of h by d (for demos and tests that must
// interrupt an upload between calls); a zero d returns h.
func WithLatency(h http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
		h.ServeHTTP(w, r)
	})
}

// NewHTTPServer is the http.Server the simulator is served with: a client
// that sends its headers or body too slowly, or keeps an idle connection
// open, is cut off, so slow or stalled connections cannot pile up.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
}

// Serve runs a simulator on a free loopback port in this process (the
// sandbox of `payroll upload --sandbox`) and returns its base URL and the
// function that stops it.
func Serve(s *Server, latency time.Duration) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("sandbox: %w", err)
	}
	srv := NewHTTPServer(WithLatency(s, latency))
	go srv.Serve(l)
	return "http://" + l.Addr().String(), func() { srv.Close() }, nil
}
