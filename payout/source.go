package payout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"payroll/importer"
)

// Source is a sheet handed over to be checked and paid: a file at Path, or
// the bytes of Reader (an upload from the web page) under Name.
type Source struct {
	// Name is the file's name for people, messages and the default places
	// of its reports; "" is Path.
	Name   string
	Path   string
	Reader io.Reader
}

// FileSource is the source of a file on disk.
func FileSource(path string) Source { return Source{Path: path} }

// Copy is a source's bytes, read once into a private file and hashed in
// the same pass: what is checked is exactly what was hashed, and later
// changes to the original cannot reach the payment.
type Copy struct {
	Name string // the source's name
	Path string // the private copy
	Hash string // SHA-256 of the bytes, hex
	Size int64
}

// FileHash is the hash a file's bytes are recorded under (Copy.Hash): the
// upload of a file with this hash is the upload of these bytes.
func FileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Snapshot reads a source once into a file readable only by its owner (in
// this process's temporary folder), hashing the bytes on the way. Remove
// the copy when done.
func (s Source) Snapshot() (*Copy, error) {
	name := s.Name
	if name == "" {
		name = s.Path
	}
	r := s.Reader
	if r == nil {
		if fi, err := os.Stat(s.Path); err == nil && fi.IsDir() {
			return nil, &importer.Error{Path: name, Msg: "this is a folder, not a file; name the spreadsheet inside it", Err: importer.ErrUnsupported}
		}
		f, err := os.Open(s.Path)
		if err != nil {
			return nil, &importer.Error{Path: name, Msg: importer.OpenMessage(err), Err: err}
		}
		defer f.Close()
		r = f
	}
	dir, err := importer.TempDir()
	if err != nil {
		return nil, fmt.Errorf("a private copy of %s cannot be made: %w", name, err)
	}
	// The copy keeps the extension: the reader tells formats by content,
	// but messages and the marked copy read better with it.
	tmp, err := os.CreateTemp(dir, "source-*"+filepath.Ext(name))
	if err != nil {
		return nil, fmt.Errorf("a private copy of %s cannot be made: %w", name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return nil, &importer.Error{Path: name, Msg: "cannot read the file: " + err.Error(), Err: err}
	}
	return &Copy{Name: name, Path: tmp.Name(), Hash: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// Remove deletes the private copy.
func (c *Copy) Remove() {
	if c != nil {
		os.Remove(c.Path)
	}
}

// CheckCopy checks a private copy like CheckFile, under the source's name:
// reports and messages name the original, and the marked workbook is made
// from the bytes that were checked.
func CheckCopy(ctx context.Context, c *Copy, opts FileOptions) (*Result, error) {
	return checkFile(ctx, c.Path, c.Name, opts)
}
