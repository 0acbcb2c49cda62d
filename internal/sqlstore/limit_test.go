package sqlstore

import "os"
import "path/filepath"
import "regexp"
import "strings"
import "testing"

// TestNoBareLimitParameter keeps every LIMIT of the store an expression: a
// bare parameter makes SQLite plan the statement again each time the value
// bound to it changes (see scanRevisionsFrom).
func TestNoBareLimitParameter(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	bare := regexp.MustCompile(`(?i)\bLIMIT\s+(\$\d+|\?)`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if bare.MatchString(line) {
				t.Errorf("%s:%d: LIMIT with a bare parameter: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
