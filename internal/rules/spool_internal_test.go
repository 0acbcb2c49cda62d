package rules

import "os"
import "path/filepath"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

// An upload the server cannot write (its disk full) is the server's fault,
// not a client's bad body: no 4xx, and no path of the server's in what the
// client is told.
func TestSpoolWriteFailureIsTheServers(t *testing.T) {
	dir := t.TempDir()
	createTemp = func(string, string) (*os.File, error) {
		path := filepath.Join(dir, "upload")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			return nil, err
		}
		return os.Open(path) // read-only: every write fails
	}
	t.Cleanup(func() { createTemp = os.CreateTemp })
	_, err := Spool(strings.NewReader("{\"input\":\"a\"}\n"), 1<<20)
	if err == nil {
		t.Fatal("a spool that could not write succeeded")
	}
	if code := strata.ErrorCode(err); code == strata.EINVALID || code == strata.ETOOLARGE {
		t.Errorf("a write failure is %q (%v): a client's error", code, err)
	}
}
