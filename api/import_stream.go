package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"unicode/utf8"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/importer"
)

// Raw imports.
//
// POST .../import takes Lunary's JSON {format, content}, which must be read
// whole before it can be parsed, or the file itself as the body, sent as
// application/x-ndjson (or application/jsonl) or text/csv. A raw body is
// parsed as it arrives and its items inserted in batches, in the one
// transaction ImportItems runs, so an import of any size holds one record and
// one batch in memory, never the file. It has its own size limit,
// Limits.MaxImportBytes, far above the JSON body limit; the item and field
// limits apply as to any import.

// importPattern is the route that may read its own body.
const importPattern = "POST /v1/datasets-v2/{datasetId}/import"

// rawImportFormat returns the import format a Content-Type names, or "" when
// it names none (the body is then JSON, read by endpoint).
func rawImportFormat(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	switch mt {
	case "application/x-ndjson", "application/jsonl":
		return "jsonl"
	case "text/csv":
		return "csv"
	}
	return ""
}

// streamsBody reports whether the handler of r reads the body itself, as it
// arrives, rather than endpoint reading it whole first.
func streamsBody(r *http.Request) bool {
	return r.Pattern == syncPattern || (r.Pattern == importPattern && rawImportFormat(r.Header.Get("Content-Type")) != "")
}

// importStream imports the request body, a file in the given format.
func (s *Server) importStream(w http.ResponseWriter, r *request, datasetID, format string) error {
	opts, err := writeOptions(r)
	var upsert bool
	if err == nil {
		upsert, err = importMode(r)
	}
	if err != nil {
		return s.afterLookup(r, datasetID, err)
	}
	l := s.limits()
	if r.ContentLength > l.MaxImportBytes {
		return errBodyTooLarge
	}
	// A client that trickles its file is cut off at the request's deadline.
	if deadline, ok := r.Context().Deadline(); ok {
		http.NewResponseController(w).SetReadDeadline(deadline)
	}
	body := &bodyStream{r: http.MaxBytesReader(w, r.Body, l.MaxImportBytes)}
	src, err := importer.New(format, body)
	if err != nil {
		return s.afterLookup(r, datasetID, body.cause(err))
	}
	if upsert {
		return s.applySync(w, r, datasetID, src, body, strata.SyncOptions{Upsert: true, SkipVersion: opts.SkipVersion})
	}
	src = &limitedSource{src: src, maxItems: l.MaxImportItems, maxField: l.MaxFieldBytes}
	n, err := s.Store.ImportItems(r.ctx(), r.actor(), datasetID, src, opts)
	if err != nil {
		return body.cause(err)
	}
	return writeJSON(w, http.StatusOK, map[string]int{"insertedCount": n})
}

// bodyStream reads a raw import body, checking that it is UTF-8 as it goes,
// and remembers why reading it failed, if it did: an import that fails
// because of its body (too large, too slow, not UTF-8) reports that, whatever
// the parser made of the error.
type bodyStream struct {
	r      io.Reader
	failed error // the first error other than io.EOF, as a client error

	// held is the start of a character whose remaining bytes have not
	// arrived yet.
	held  [utf8.UTFMax]byte
	nheld int
}

func (b *bodyStream) Read(p []byte) (int, error) {
	if b.failed != nil {
		return 0, b.failed
	}
	n, err := b.r.Read(p)
	if verr := b.check(p[:n], err == io.EOF); verr != nil {
		b.failed = verr
		return 0, verr
	}
	if err != nil && err != io.EOF {
		b.failed = bodyError(err)
		return n, b.failed
	}
	return n, err
}

// check validates the next chunk of the body as UTF-8, carrying an
// incomplete character over to the next chunk.
func (b *bodyStream) check(data []byte, eof bool) error {
	i := 0
	if b.nheld > 0 {
		for i < len(data) && b.nheld < utf8.UTFMax && !utf8.FullRune(b.held[:b.nheld]) {
			b.held[b.nheld] = data[i]
			b.nheld++
			i++
		}
		if !utf8.FullRune(b.held[:b.nheld]) {
			if eof {
				return errNotUTF8
			}
			return nil
		}
		r, size := utf8.DecodeRune(b.held[:b.nheld])
		if r == utf8.RuneError && size == 1 {
			return errNotUTF8
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
		return errNotUTF8
	}
	b.nheld = copy(b.held[:], rest[end:])
	if eof && b.nheld > 0 {
		return errNotUTF8
	}
	return nil
}

// cause returns the body's failure if there was one, else err.
func (b *bodyStream) cause(err error) error {
	if b.failed != nil {
		return b.failed
	}
	return err
}

// bodyError turns a failure to read a body into a client error.
func bodyError(err error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return errBodyTooLarge
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return errBodyTimeout
	}
	return strata.Errorf(strata.EINVALID, "Could not read request body: %v", err)
}
