package api

import "bytes"
import "encoding/json"
import "io"
import "runtime"
import "strings"
import "testing"
import "testing/iotest"
import "unicode/utf8"

// jsonStrings are encodings whose values jsonStringReader must read as
// encoding/json decodes them.
var jsonStrings = []string{
	`""`, `"plain"`, `"a\nb\r\nc\td\\e\"f\/g\bh\fi"`, `"\u0041\u00e9\u4e2d\u0000"`,
	`"\ud83d\ude80 rocket"`, `"\uD83D\uDE80"`, `"lone \ud800 high"`, `"lone \udc00 low"`,
	`"\ud800\u0041"`, `"\ud800\ud800\udc00"`, `"\ud800"`, `"end \ud83d"`, `"\\u0041"`,
	`"日本語 🚀 café"`, `"{\"input\":\"q\"}\n{\"input\":\"r\"}"`, `"\u2028\u2029"`,
}

func readJSONString(t *testing.T, raw string, r io.Reader) string {
	t.Helper()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return string(got)
}

func TestJSONStringReader(t *testing.T) {
	for _, raw := range jsonStrings {
		var want string
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if got := readJSONString(t, raw, newJSONStringReader(json.RawMessage(raw))); got != want {
			t.Errorf("%s: read %q, want %q", raw, got, want)
		}
		// A byte at a time: a character cut by the end of a read goes on
		// in the next.
		if got := readJSONString(t, raw, iotest.OneByteReader(newJSONStringReader(json.RawMessage(raw)))); got != want {
			t.Errorf("%s, a byte a read: %q, want %q", raw, got, want)
		}
		if err := iotest.TestReader(newJSONStringReader(json.RawMessage(raw)), []byte(want)); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
}

func FuzzJSONStringReader(f *testing.F) {
	for _, raw := range jsonStrings {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var want string
		// The body was checked for UTF-8 before it was parsed, and a
		// value has no space around it.
		if !utf8.ValidString(raw) || strings.TrimSpace(raw) != raw || !json.Valid([]byte(raw)) || json.Unmarshal([]byte(raw), &want) != nil {
			return
		}
		if got := readJSONString(t, raw, iotest.HalfReader(newJSONStringReader(json.RawMessage(raw)))); got != want {
			t.Fatalf("%q: read %q, want %q", raw, got, want)
		}
	})
}

// parseObject's values are what encoding/json makes of the object, as
// slices of the body.
func TestParseObjectSlicesTheBody(t *testing.T) {
	for _, body := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a" : -1.5e3 , "b":true,"c":null,"d":false}`,
		"{\n\t\"format\": \"jsonl\",\r\n \"content\": \"{\\\"input\\\":\\\"}\\\"}\"\n}",
		`{"n":{"x":[1,{"y":"]}"}],"z":{}},"s":"\"","e":[],"k\u00e9":"v"}`,
	} {
		got, err := parseObject([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d keys, want %d", body, len(got), len(want))
		}
		for k, v := range want {
			if !bytes.Equal(got[k], v) {
				t.Errorf("%s: %q = %s, want %s", body, k, got[k], v)
			}
		}
	}
	for _, body := range []string{`{"a":1,}`, `{"a":1`, `{"a" 1}`} {
		if _, err := parseObject([]byte(body)); err == nil {
			t.Errorf("%s: parsed", body)
		}
	}
}

// Lunary's import body is parsed and its content read without a copy of
// either: what the server holds of it is the body.
func TestImportBodyIsNotCopied(t *testing.T) {
	body := []byte(`{"format":"jsonl","content":"` + strings.Repeat(`{\"input\":\"question \u00e9\"}\n`, 200_000) + `"}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	obj, err := parseObject(body)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, newJSONStringReader(obj["content"]))
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<10 {
		t.Errorf("parsing a body of %d bytes and reading its content (%d bytes) allocated %d bytes", len(body), n, got)
	}
}
