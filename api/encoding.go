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
	in := &countingReader{r: r.Body}
	switch enc {
	case "gzip", "x-gzip":
		zr, err = gzip.NewReader(in)
	case "deflate": // HTTP's deflate is zlib's format
		zr, err = zlib.NewReader(in)
	default:
		return strata.Errorf(strata.EUNSUPPORTED, "Unsupported Content-Encoding %q: send the body as it is, or with gzip or deflate", enc)
	}
	if err != nil {
		return strata.Errorf(strata.EINVALID, "The body is not %s: %v", enc, err)
	}
	r.Body = &decodedBody{Reader: zr, enc: enc, in: in, closers: [2]io.Closer{zr, r.Body}}
	r.ContentLength = -1 // unknown once decoded
	r.Header.Del("Content-Encoding")
	return nil
}

// decodedBody is a decoded request body; closing it closes the decoder
// and the body under it.
type decodedBody struct {
	io.Reader
	enc     string
	in      *countingReader // the encoded bytes read
	out     int64           // the decoded bytes read
	closers [2]io.Closer
}

// Inflation bounds what a compressed body may decode to: maxInflation
// times its encoded bytes, past a first inflationSlack. Text compresses
// 3 to 20 times; a body of repeated bytes, a thousand times, which would
// let a client make the server hold or spool a thousand times what it
// sends.
const (
	maxInflation   = 100
	inflationSlack = 1 << 20
)

// Read reads the decoded bytes; an error of the encoding says so ("gzip:
// unexpected EOF" for a stream cut short).
func (b *decodedBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	b.out += int64(n)
	if b.out > inflationSlack+maxInflation*b.in.n {
		return n, strata.Errorf(strata.ETOOLARGE, "The body decodes to more than %d times its %s size: send it as it is", maxInflation, b.enc)
	}
	if err != nil && err != io.EOF && !strings.HasPrefix(err.Error(), b.enc) {
		err = fmt.Errorf("%s: %w", b.enc, err)
	}
	return n, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (b *decodedBody) Close() error {
	err := b.closers[0].Close()
	if err2 := b.closers[1].Close(); err == nil {
		err = err2
	}
	return err
}
