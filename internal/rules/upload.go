package rules

import "errors"
import "fmt"
import "io"
import "net/http"
import "os"
import "unicode/utf8"

import "github.com/strata-eval/strata"

// Errors of reading a request body, the same through every face.
var (
	ErrBodyTooLarge = &strata.Error{Code: strata.ETOOLARGE, Message: "Request body too large"}
	ErrBodyTimeout  = &strata.Error{Code: strata.ETIMEOUT, Message: "Request body was not received in time"}
	ErrNotUTF8      = &strata.Error{Code: strata.EINVALID, Message: "Request body is not valid UTF-8"}
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

// Upload is a file a client sent, held in a temporary file until Close.
// The file has no name: it is removed as soon as it is made, so a server
// that is killed leaves no upload behind.
type Upload struct {
	*os.File
}

// Spool copies an upload to a temporary file, refusing more than max bytes
// (ErrBodyTooLarge), and leaves the file at its start. An import then reads
// the file from disk: the transaction it runs in, which on SQLite excludes
// every other writer, never waits on the network. A read error is the
// client's (BodyError).
func Spool(r io.Reader, max int64) (*Upload, error) {
	f, err := createTemp("", "strata-upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	u := &Upload{File: f}
	w := &spoolWriter{f: f}
	n, err := io.Copy(w, io.LimitReader(r, max+1))
	if err == nil && n > max {
		err = ErrBodyTooLarge
	}
	if w.err != nil {
		// The server's disk (full, most likely): no fault of the client's,
		// and no path of the server's to tell it.
		u.Close()
		return nil, fmt.Errorf("spool upload: %w", w.err)
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

// Close closes the file, which frees its space.
func (u *Upload) Close() error { return u.File.Close() }

// NewBodyReader returns a BodyReader of r.
func NewBodyReader(r io.Reader) *BodyReader { return &BodyReader{r: r} }

// BodyReader reads an uploaded file, checking that it is UTF-8 as it goes,
// and keeps why reading it failed, if it did, as a client error (BodyError,
// ErrNotUTF8): every later Read returns it again.
type BodyReader struct {
	r      io.Reader
	failed error // the first error other than io.EOF, as a client error

	// held is the start of a character whose remaining bytes have not
	// arrived yet.
	held  [utf8.UTFMax]byte
	nheld int
}

func (b *BodyReader) Read(p []byte) (int, error) {
	if b.failed != nil {
		return 0, b.failed
	}
	n, err := b.r.Read(p)
	if verr := b.check(p[:n], err == io.EOF); verr != nil {
		b.failed = verr
		return 0, verr
	}
	if err != nil && err != io.EOF {
		b.failed = BodyError(err)
		return n, b.failed
	}
	return n, err
}

// check validates the next chunk of the body as UTF-8, carrying an
// incomplete character over to the next chunk.
func (b *BodyReader) check(data []byte, eof bool) error {
	i := 0
	if b.nheld > 0 {
		for i < len(data) && b.nheld < utf8.UTFMax && !utf8.FullRune(b.held[:b.nheld]) {
			b.held[b.nheld] = data[i]
			b.nheld++
			i++
		}
		if !utf8.FullRune(b.held[:b.nheld]) {
			if eof {
				return ErrNotUTF8
			}
			return nil
		}
		r, size := utf8.DecodeRune(b.held[:b.nheld])
		if r == utf8.RuneError && size == 1 {
			return ErrNotUTF8
		}
		i -= b.nheld - size // bytes taken past the character start the rest
		b.nheld = 0
	}
	rest := data[i:]
	end := len(rest)
	for k := len(rest) - 1; k >= 0 && k >= len(rest)-utf8.UTFMax; k-- {
		if utf8.RuneStart(rest[k]) {
			if !utf8.FullRune(rest[k:]) {
				end = k
			}
			break
		}
	}
	if !utf8.Valid(rest[:end]) {
		return ErrNotUTF8
	}
	b.nheld = copy(b.held[:], rest[end:])
	if eof && b.nheld > 0 {
		return ErrNotUTF8
	}
	return nil
}

// createTemp makes the file of an upload (a test makes one that fails).
var createTemp = os.CreateTemp

// spoolWriter writes an upload to its file and keeps the file's error, so
// that a full disk is told from a client's failing body.
type spoolWriter struct {
	f   *os.File
	err error
}

func (w *spoolWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}
