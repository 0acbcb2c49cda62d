package web

import "errors"
import "io"
import "net/http"
import "path"
import "strings"

import "github.com/strata-eval/strata"

// noListing serves files only: a directory (a path ending in /) is 404, not
// a list of what it holds, and so is an index.html, which the file server
// answers with a redirect to its directory.
func noListing(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") || path.Base(r.URL.Path) == "index.html" {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// uploadReader reads an uploaded file and remembers why reading it failed:
// an upload cut short is the client's failure (400), whatever the parser or
// the store make of the error.
type uploadReader struct {
	r      io.Reader
	failed error
}

func (u *uploadReader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		if u.failed == nil {
			u.failed = strata.Errorf(strata.EINVALID, "The upload was cut short: send the file again.")
		}
		return n, u.failed
	}
	return n, err
}

// cause returns the upload's failure if there was one, else err.
func (u *uploadReader) cause(err error) error {
	if u.failed != nil {
		return u.failed
	}
	return err
}
