package clickpaysim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
)

// TestServerTimeouts: the simulator's server (the sandbox's, in process and
// standalone) cuts off a client that sends its headers or body too slowly,
// or keeps an idle connection open.
func TestServerTimeouts(t *testing.T) {
	srv := clickpaysim.NewHTTPServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Errorf("timeouts: header %v, read %v, idle %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout)
	}
}

// TestFiveHundredSlowConnections: 500 connections that stall (in their
// headers, in their body, or idle after a call) do not stop the simulator
// from answering a client at the same time, and are cut off by its
// server's timeouts (shortened here, so that the test takes seconds); a
// body beyond the limit is answered 413, and the server goes on.
func TestFiveHundredSlowConnections(t *testing.T) {
	sim, err := clickpaysim.New(clickpaysim.Config{MaxBody: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	srv := clickpaysim.NewHTTPServer(sim)
	srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout = 2*time.Second, 3*time.Second, 2*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	addr := l.Addr().String()
	cfg := sim.Config()

	// 500 connections: a third stop in their headers, a third in their
	// body, a third after a whole call (idle).
	const n = 500
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		switch i % 3 {
		case 0:
			fmt.Fprintf(c, "POST /payout/batch/query HTTP/1.1\r\nHost: x\r\nauthor")
		case 1:
			fmt.Fprintf(c, "POST /payout/batch/query HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{\"batch_id\":")
		case 2:
			fmt.Fprintf(c, "POST /payout/batch/query HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
		}
	}

	// A client is answered all the while, promptly.
	client, err := clickpay.New(clickpay.Config{BaseURL: "http://" + addr, ServerKey: cfg.ServerKey, ProfileID: cfg.ProfileID, AccountID: cfg.AccountID,
		Timeout: 5 * time.Second, Retry: clickpay.Retry{Attempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	b, err := client.NewBatch(ctx, "o-slow", []payout.Request{request(1)})
	if err != nil {
		t.Fatalf("a client among 500 stalled connections: %v", err)
	}
	if _, err := client.Query(ctx, b.BatchID); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("two calls took %v among the stalled connections", d)
	}

	// Every stalled connection is cut off by the server: reading it ends
	// (an answer, then the end; or just the end) well before our own
	// deadline.
	var wg sync.WaitGroup
	cut := make(chan error, n)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				cut <- fmt.Errorf("connection %d (kind %d) was never cut off", i, i%3)
			}
		}()
	}
	wg.Wait()
	close(cut)
	for err := range cut {
		t.Error(err)
	}

	// A body beyond the limit: 413, and the server still answers.
	body := `{"profile_id":` + cfg.ProfileID + `,"account_id":` + cfg.AccountID + `,"order_id":"big","requests":[` + strings.Repeat(`{"amount":1},`, 200_000) + `{}]}`
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/payout/batch/new", bytes.NewReader([]byte(body)))
	req.Header.Set("authorization", cfg.ServerKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(msg), "larger than") {
		t.Errorf("a body of %d bytes: %d %s", len(body), resp.StatusCode, msg)
	}
	if _, err := client.Query(ctx, b.BatchID); err != nil {
		t.Errorf("after the large body: %v", err)
	}
}
