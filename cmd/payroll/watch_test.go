package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// watcher is a running `payroll watch` whose JSON log lines are read as
// they come.
type watcher struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan map[string]any
	log   *bytes.Buffer
}

func startWatcher(t *testing.T, env []string, args ...string) *watcher {
	t.Helper()
	cmd := command(t, env, append([]string{"watch", "--log-format", "json"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &watcher{t: t, cmd: cmd, lines: make(chan map[string]any, 1000), log: &bytes.Buffer{}}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			w.log.WriteString(sc.Text() + "\n")
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				m = map[string]any{"msg": "not json", "line": sc.Text()}
			}
			w.lines <- m
		}
		close(w.lines)
	}()
	return w
}

// until reads log lines until one matches, and fails the test if the
// watcher ends or the deadline passes first.
func (w *watcher) until(what string, match func(map[string]any) bool) map[string]any {
	w.t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case m, ok := <-w.lines:
			if !ok {
				w.cmd.Wait()
				w.t.Fatalf("the watcher ended before %s:\n%s", what, w.log.String())
			}
			if m["msg"] == "not json" {
				w.t.Errorf("a log line is not JSON: %v", m["line"])
			}
			if match(m) {
				return m
			}
		case <-deadline:
			w.t.Fatalf("no %s in the log:\n%s", what, w.log.String())
		}
	}
}

func fileState(name, state string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["msg"] == "file" && m["file"] == name && m["state"] == state }
}

// stop sends SIGTERM and returns the exit code.
func (w *watcher) stop() int {
	w.cmd.Process.Signal(syscall.SIGTERM)
	for range w.lines {
	}
	err := w.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return 0
}

// TestWatchSurvivesSIGKILL kills the watcher with SIGKILL in the middle of
// an upload and starts it again: the file is resumed from processing/, the
// batch holds every row exactly once, and the file ends in done/ with its
// results.
func TestWatchSurvivesSIGKILL(t *testing.T) {
	work := t.TempDir()
	dir, state := filepath.Join(work, "payroll"), filepath.Join(work, "state")
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"Name", "IBAN", "Net Salary", "Mobile", "Email", "Address"})
	for i := 0; i < 300; i++ {
		cw.Write([]string{fmt.Sprintf("Employee %d", i), saIBAN(8000 + i), "1000.00", "0501234567", "e@example.com", "Riyadh"})
	}
	cw.Flush()
	env := []string{"PAYROLL_SANDBOX_LATENCY=40ms", "PAYROLL_SANDBOX_SETTLE=200ms"}
	args := []string{dir, "--sandbox", "--state-dir", state, "--settle", "100ms", "--poll", "100ms", "--refresh", "200ms", "--page-size", "20", "--period", "2026-11"}

	w := startWatcher(t, env, args...)
	w.until("the start", func(m map[string]any) bool { return m["msg"] == "watching" })
	if err := os.WriteFile(filepath.Join(dir, "inbox", "big.csv"), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	w.until("the batch", func(m map[string]any) bool { return m["msg"] == "batch created" })
	w.cmd.Process.Signal(syscall.SIGKILL)
	for range w.lines {
	}
	w.cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, "processing", "big.csv")); err != nil {
		t.Fatalf("after the kill the file is not in processing/: %v", err)
	}

	w = startWatcher(t, env, args...)
	w.until("the resume", fileState("big.csv", "resuming"))
	w.until("the file done", fileState("big.csv", "done"))
	final := w.until("every transfer final", fileState("big.csv", "final"))
	if final["reason"] != "300 Paid" {
		t.Errorf("final: %v", final)
	}
	if code := w.stop(); code != 0 {
		t.Errorf("SIGTERM: exit %d, want 0\n%s", code, w.log.String())
	}
	for _, f := range []string{"big.csv", "big.results.xlsx"} {
		if _, err := os.Stat(filepath.Join(dir, "done", f)); err != nil {
			t.Errorf("done/%s: %v", f, err)
		}
	}
	st := readSandbox(t, state)
	if len(st.Batches) != 1 {
		t.Fatalf("%d batches, want 1", len(st.Batches))
	}
	for id, batch := range st.Batches {
		refs := map[string]int{}
		for _, e := range batch.Entries {
			refs[e.Request.Ref]++
		}
		if batch.Status == "New" || len(batch.Entries) != 300 || len(refs) != 300 {
			t.Errorf("batch %s: status %s, %d entries, %d references; want closed, 300 once each", id, batch.Status, len(batch.Entries), len(refs))
		}
	}
}

// TestSecondWatcherIsRefused: a second watcher of a folder exits with code
// 7 and says why; the first keeps running and stops cleanly on SIGTERM.
func TestSecondWatcherIsRefused(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "payroll")
	first := startWatcher(t, nil, dir, "--sandbox", "--state-dir", filepath.Join(work, "state1"))
	first.until("the start", func(m map[string]any) bool { return m["msg"] == "watching" })

	second := command(t, nil, "watch", dir, "--sandbox", "--state-dir", filepath.Join(work, "state2"))
	var out bytes.Buffer
	second.Stdout, second.Stderr = &out, &out
	err := second.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitWatching || !strings.Contains(out.String(), "another payroll watcher is using this folder") {
		t.Fatalf("second watcher: %v\n%s", err, out.String())
	}
	if code := first.stop(); code != 0 {
		t.Errorf("first watcher: exit %d\n%s", code, first.log.String())
	}
}
