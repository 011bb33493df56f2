package upload_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"payroll/payout"
	"payroll/payout/clickpay"
	"payroll/payout/clickpaysim"
	"payroll/payout/upload"
)

// TestReaderSourceIsHashedAsRead: an upload from a reader (the web page)
// is checked, hashed and planned from the same bytes, named by its name;
// once paid, the same bytes from a file are the same upload.
func TestReaderSourceIsHashedAsRead(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	path := o.sheet("march.csv", everyone(4, "1000.00"))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	opts := o.options("2026-03")
	opts.Report.Path = filepath.Join(o.dir, "march.errors.csv")
	opts.Results = filepath.Join(o.dir, "march.results.xlsx")
	u := &upload.Uploader{API: o.client.Payouts(), Journal: o.j}
	p, err := u.PrepareSource(context.Background(), payout.Source{Name: "march.csv", Reader: strings.NewReader(string(b))}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if p.Plan.FileHash != hex.EncodeToString(sum[:]) {
		t.Fatalf("plan hash %s, want the SHA-256 of the bytes read %x", p.Plan.FileHash, sum)
	}
	if p.Plan.File != "march.csv" || p.Plan.Count != 4 {
		t.Fatalf("plan of %q with %d rows, want march.csv with 4", p.Plan.File, p.Plan.Count)
	}
	if _, err := u.Pay(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	_, _, err = o.prepare(o.j, path, opts)
	if !errors.Is(err, payout.ErrAlreadyUploaded) {
		t.Fatalf("the same bytes from the file: %v, want already uploaded", err)
	}
}

// TestChangesAfterTheCheckDoNotReachThePlan: the file is read once; what
// is planned is what was checked, even if the file is saved again while the
// person is looking at the confirmation.
func TestChangesAfterTheCheckDoNotReachThePlan(t *testing.T) {
	o := newOffice(t, clickpaysim.Config{}, clickpay.Paths{})
	path := o.sheet("april.csv", everyone(3, "1000.00"))
	before, _ := os.ReadFile(path)
	_, p, err := o.prepare(o.j, path, o.options("2026-04"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	o.sheet("april.csv", everyone(3, "9999.00"))
	sum := sha256.Sum256(before)
	if p.Plan.FileHash != hex.EncodeToString(sum[:]) || p.Plan.Total != 300000 {
		t.Fatalf("plan %s total %s, want the checked bytes' hash %x and SAR 3,000.00", p.Plan.FileHash, p.Plan.Total.Grouped(), sum)
	}
}

// TestReaderSourceErrorsNameTheFile: a broken upload's message names the
// file the person sent, never the private copy.
func TestReaderSourceErrorsNameTheFile(t *testing.T) {
	c, err := payout.Source{Name: "payroll.xlsx", Reader: strings.NewReader("PK\x03\x04 not really a zip")}.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Remove()
	if fi, err := os.Stat(c.Path); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("the private copy %s: %v, mode %v; want owner-only", c.Path, err, fi.Mode())
	}
	_, err = payout.CheckCopy(context.Background(), c, payout.FileOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "payroll.xlsx:") || strings.Contains(err.Error(), c.Path) {
		t.Fatalf("error %v: want it to name payroll.xlsx and not %s", err, c.Path)
	}
	c.Remove()
	if _, err := os.Stat(c.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the copy is still there after Remove: %v", err)
	}

	// A file that reads, but whose sheet cannot be chosen or that has no
	// header row: the message names the file too.
	twoMonths, err := os.ReadFile(filepath.Join("..", "..", "testdata", "two-months-libreoffice.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		b    []byte
		want string
	}{
		{"march.xlsx", twoMonths, "several sheets look like a payroll"},
		{"march.csv", []byte("1,2,3\n4,5,6\n"), "no header row found"},
	} {
		c, err := payout.Source{Name: tt.name, Reader: bytes.NewReader(tt.b)}.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		_, err = payout.CheckCopy(context.Background(), c, payout.FileOptions{})
		c.Remove()
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), tt.name+":") || strings.Contains(err.Error(), c.Path) {
			t.Errorf("%s: error %v: want it to name %s and not %s", tt.want, err, tt.name, c.Path)
		}
	}
}

// TestFileHashIsTheRecordedHash: the hash a file is looked up by (the
// watcher's check of what it took) is the one its upload records.
func TestFileHashIsTheRecordedHash(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "salaries.xlsx")
	c, err := payout.FileSource(path).Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Remove()
	if h, err := payout.FileHash(path); err != nil || h != c.Hash {
		t.Fatalf("FileHash %q (%v), the copy's %q", h, err, c.Hash)
	}
}
