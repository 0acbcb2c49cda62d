package rules

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/strata-eval/strata"
)

// Errors of reading a request body, the same through every face.
var (
	ErrBodyTooLarge = &strata.Error{Code: strata.ETOOLARGE, Message: "Request body too large"}
	ErrBodyTimeout  = &strata.Error{Code: strata.ETIMEOUT, Message: "Request body was not received in time"}
)

// BodyError turns a failure to read a body into a client error: too large
// (413), too slow (408), or cut short (400).
func BodyError(err error) error {
	var se *strata.Error
	if errors.As(err, &se) {
		return err
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return ErrBodyTooLarge
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return ErrBodyTimeout
	}
	return strata.Errorf(strata.EINVALID, "Could not read request body: %v", err)
}

// Upload is a file a client sent, held in a temporary file until Close
// removes it.
type Upload struct {
	*os.File
}

// Spool copies an upload to a temporary file, refusing more than max bytes
// (ErrBodyTooLarge), and leaves the file at its start. An import then reads
// the file from disk: the transaction it runs in, which on SQLite excludes
// every other writer, never waits on the network. A read error is the
// client's (BodyError).
func Spool(r io.Reader, max int64) (*Upload, error) {
	f, err := os.CreateTemp("", "strata-upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	u := &Upload{File: f}
	n, err := io.Copy(f, io.LimitReader(r, max+1))
	if err == nil && n > max {
		err = ErrBodyTooLarge
	}
	if err != nil {
		u.Close()
		return nil, BodyError(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		u.Close()
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	return u, nil
}

// Close closes and removes the file.
func (u *Upload) Close() error {
	return errors.Join(u.File.Close(), os.Remove(u.File.Name()))
}
