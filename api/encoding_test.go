package api_test

import "bytes"
import "compress/gzip"
import "compress/zlib"
import "net/http"
import "strings"
import "testing"

import "github.com/strata-eval/strata/api"

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A body sent with Content-Encoding gzip or deflate is read as what it
// encodes, within the limits of what it encodes; other encodings are 415.
func TestContentEncoding(t *testing.T) {
	ts := newTestServerWith(t, func(s *api.Server) { s.MaxBodyBytes = 1 << 20 })
	send := func(t *testing.T, method, path, contentType, encoding, body string) *response {
		t.Helper()
		h := http.Header{"Authorization": {"Bearer " + ts.owner}, "Content-Type": {contentType}, "Content-Encoding": {encoding}}
		return ts.doWith(t, method, path, h, body)
	}
	t.Run("JSONGzip", func(t *testing.T) {
		wantStatus(t, send(t, "POST", datasetsPath, "application/json", "gzip", gzipped(t, `{"name":"zipped"}`)), http.StatusCreated)
	})
	t.Run("JSONDeflate", func(t *testing.T) {
		var b bytes.Buffer
		zw := zlib.NewWriter(&b)
		zw.Write([]byte(`{"name":"deflated"}`))
		zw.Close()
		wantStatus(t, send(t, "POST", datasetsPath, "application/json", "deflate", b.String()), http.StatusCreated)
	})
	id := ts.createDataset(t, "imports")
	t.Run("RawImportGzip", func(t *testing.T) {
		r := send(t, "POST", datasetsPath+"/"+id+"/import?skipVersion=true", "application/x-ndjson", "gzip", gzipped(t, "{\"input\":\"a\"}\n{\"input\":\"b\"}\n"))
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), `"insertedCount":2`) {
			t.Errorf("import answered %s", r.Body)
		}
	})
	t.Run("SyncGzip", func(t *testing.T) {
		r := send(t, "PUT", datasetsPath+"/"+id+"/items?dryRun=true", "text/csv", "gzip", gzipped(t, "input\na\nb\nc\n"))
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), `"added":1`) {
			t.Errorf("sync answered %s", r.Body)
		}
	})
	t.Run("InflatesPastTheRatio", func(t *testing.T) {
		// 8 MiB of one byte: within the JSON limit decoded (raised for
		// this), but 8,000 times its compressed size.
		bomb := gzipped(t, "{\"input\":\""+strings.Repeat(" ", 8<<20)+"\"}\n")
		r := send(t, "POST", datasetsPath+"/"+id+"/import?skipVersion=true", "application/x-ndjson", "gzip", bomb)
		wantError(t, r, http.StatusRequestEntityTooLarge, "The body decodes to more than 100 times its gzip size: send it as it is")
	})
	t.Run("InflatesPastTheLimit", func(t *testing.T) {
		bomb := gzipped(t, `{"name":"`+strings.Repeat("a", 2<<20)+`"}`)
		if len(bomb) > 1<<16 {
			t.Fatalf("the compressed body is %d bytes", len(bomb))
		}
		wantStatus(t, send(t, "POST", datasetsPath, "application/json", "gzip", bomb), http.StatusRequestEntityTooLarge)
	})
	t.Run("NotGzip", func(t *testing.T) {
		wantError(t, send(t, "POST", datasetsPath, "application/json", "gzip", `{"name":"plain"}`), http.StatusBadRequest,
			"The body is not gzip: gzip: invalid header")
	})
	t.Run("CutShort", func(t *testing.T) {
		z := gzipped(t, `{"name":"cut short"}`)
		wantError(t, send(t, "POST", datasetsPath, "application/json", "gzip", z[:len(z)-6]), http.StatusBadRequest,
			"Could not read request body: gzip: unexpected EOF")
	})
	t.Run("Unsupported", func(t *testing.T) {
		wantError(t, send(t, "POST", datasetsPath, "application/json", "br", `{"name":"x"}`), http.StatusUnsupportedMediaType,
			`Unsupported Content-Encoding "br": send the body as it is, or with gzip or deflate`)
	})
}
