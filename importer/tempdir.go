package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// TempDir returns this process's folder for the temporary files of large
// sheets (below the system's temporary folder, readable by its owner only),
// first removing the folders of earlier processes that are gone: a run that
// was killed leaves no unpacked copy of a salary sheet behind for long.
func TempDir() (string, error) {
	base := filepath.Join(os.TempDir(), fmt.Sprintf("payroll-%d", os.Getuid()))
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err == nil && pid != os.Getpid() && !Alive(pid) {
			os.RemoveAll(filepath.Join(base, e.Name()))
		}
	}
	dir := filepath.Join(base, strconv.Itoa(os.Getpid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}
