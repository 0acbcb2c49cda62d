package api

import "compress/gzip"
import "compress/zlib"
import "fmt"
import "io"
import "net/http"
import "strings"

import "github.com/strata-eval/strata"

// decodeBody reads a body sent with Content-Encoding gzip or deflate as the
// bytes it encodes, as Lunary's body parser does, so a client may compress
// a large import. The limits count the decoded bytes: a small body that
// inflates past them is 413 like any other. Any other encoding is 415,
// where reading the compressed bytes as the body would give a misleading
// error (not UTF-8, not JSON).
func decodeBody(r *http.Request) error {
	enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	if enc == "" || enc == "identity" || !hasBody(r) {
		return nil
	}
	var (
		zr  io.ReadCloser
		err error
	)
	switch enc {
	case "gzip", "x-gzip":
		zr, err = gzip.NewReader(r.Body)
	case "deflate": // HTTP's deflate is zlib's format
		zr, err = zlib.NewReader(r.Body)
	default:
		return strata.Errorf(strata.EUNSUPPORTED, "Unsupported Content-Encoding %q: send the body as it is, or with gzip or deflate", enc)
	}
	if err != nil {
		return strata.Errorf(strata.EINVALID, "The body is not %s: %v", enc, err)
	}
	r.Body = decodedBody{Reader: zr, enc: enc, closers: [2]io.Closer{zr, r.Body}}
	r.ContentLength = -1 // unknown once decoded
	r.Header.Del("Content-Encoding")
	return nil
}

// decodedBody is a decoded request body; closing it closes the decoder
// and the body under it.
type decodedBody struct {
	io.Reader
	enc     string
	closers [2]io.Closer
}

// Read reads the decoded bytes; an error of the encoding says so ("gzip:
// unexpected EOF" for a stream cut short).
func (b decodedBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err != nil && err != io.EOF && !strings.HasPrefix(err.Error(), b.enc) {
		err = fmt.Errorf("%s: %w", b.enc, err)
	}
	return n, err
}

func (b decodedBody) Close() error {
	err := b.closers[0].Close()
	if err2 := b.closers[1].Close(); err == nil {
		err = err2
	}
	return err
}
