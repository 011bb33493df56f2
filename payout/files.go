package payout

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"payroll/importer"
)

// Every file the tool writes is written the same way: to a temporary file
// in the same folder, readable by its owner only, synced, then renamed to
// its name, so that a reader never sees half a file and a crash leaves the
// old file or the new one. The temporary file is removed on every error;
// it is named after the file and the process writing it
// (".NAME.PID.RANDOM.tmp"), so that one left by a run that was killed is
// removed the next time the file is written, and only when its process is
// gone.

// tempPattern is the pattern of the temporary files of the file called
// base, written by process pid.
func tempPattern(base string, pid int) string {
	return "." + base + "." + strconv.Itoa(pid) + ".*.tmp"
}

// removeStaleTemps removes the temporary files of path left by processes
// that are gone.
func removeStaleTemps(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := "." + base + "."
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !strings.HasSuffix(rest, ".tmp") || !e.Type().IsRegular() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, ".")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() || importer.Alive(pid) {
			continue
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}

// createTemp creates the temporary file of path, owner-only, after
// removing stale ones.
func createTemp(path string) (*os.File, error) {
	removeStaleTemps(path)
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPattern(filepath.Base(path), os.Getpid()))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &folderError{fmt.Sprintf("the folder %s does not exist", filepath.Dir(path)), err}
	case errors.Is(err, fs.ErrPermission):
		return nil, &folderError{fmt.Sprintf("the folder %s may not be written to by this user", filepath.Dir(path)), err}
	case err != nil:
		return nil, err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return tmp, nil
}

// folderError is a file that cannot be made where it was asked for, said
// of its folder (not of the temporary file's name, which means nothing to
// the person).
type folderError struct {
	msg string
	err error
}

func (e *folderError) Error() string { return e.msg }
func (e *folderError) Unwrap() error { return e.err }

// writeAtomic writes a file through its temporary file, replacing the file
// that is there (callers check first that it may be replaced: mayReplace).
func writeAtomic(path string, write func(io.Writer) error) error {
	return writeThrough(path, write, os.Rename)
}

// WriteFile writes bytes to a file the way every output is written,
// replacing what is there (a sidecar file of the tool's own: a reason, a
// summary, an approval).
func WriteFile(path string, b []byte) error {
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// WriteNew writes a file that must not exist yet, the way every output is
// written, with the permissions perm (0o600 for anything that holds
// salaries); an error wrapping os.ErrExist when it does. The name is taken
// by a hard link, which never replaces a file; where the file system has
// no hard links (a FAT memory stick), by creating the file exclusively and
// copying the bytes into it.
func WriteNew(path string, perm os.FileMode, write func(io.Writer) error) error {
	return writeThrough(path, write, func(tmp, path string) error {
		if err := os.Chmod(tmp, perm); err != nil {
			return err
		}
		err := os.Link(tmp, path)
		if err == nil || errors.Is(err, os.ErrExist) {
			return err
		}
		return copyNew(tmp, path, perm)
	})
}

// copyNew copies a file to a name that must not exist yet.
func copyNew(from, to string, perm os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(to)
	}
	return err
}

// writeThrough writes path's temporary file, syncs it, and gives it its
// name with place; the temporary file is gone afterwards, however it went.
func writeThrough(path string, write func(io.Writer) error, place func(tmp, path string) error) error {
	tmp, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = place(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// ProbeWritable makes sure a file can be written where path is, by
// creating and removing its temporary file (before any money moves, for
// the results sheet).
func ProbeWritable(path string) error {
	tmp, err := createTemp(path)
	if err != nil {
		return err
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}
