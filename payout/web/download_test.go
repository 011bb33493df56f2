package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestDownloadsNeverAPath: a download's last part names one of a fixed
// set of reports, never a file: the uploaded sheet itself, kept beside the
// reports, is not served under its own path, escaped or not.
func TestDownloadsNeverAPath(t *testing.T) {
	s := newSite(t, Options{})
	c, csrf := s.loggedIn()
	resp, _ := s.upload(c, csrf, "invalid.csv", readTestdata(t, "invalid.csv"), nil)
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/check/")
	if resp, _ := s.get(c, "/download/"+id+"/errors.csv"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the report itself: %d", resp.StatusCode)
	}
	for _, p := range []string{
		"/download/" + id + "/sheet%2finvalid.csv",
		"/download/" + id + "/sheet%2Finvalid.csv",
		"/download/" + id + "/.%2fsheet%2finvalid.csv",
	} {
		if resp, body := s.get(c, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d %q", p, resp.StatusCode, body[:min(len(body), 80)])
		}
	}
}
