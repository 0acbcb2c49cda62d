package api_test

import "net/http"
import "testing"

// TestTextThatIsNoCharacter: a \u escape of half a surrogate pair, and a NUL
// in metadata, are refused: JSON takes them, but they are no text a store
// keeps (decoding would make every lone half the same U+FFFD).
func TestTextThatIsNoCharacter(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "text")
	for body, half := range map[string]string{`{"name":"\ud800"}`: "d800", `{"name":"\udc00x"}`: "dc00", `{"name":"a\ud83dz"}`: "d83d",
		`{"name":"\ud83d\ud83d"}`: "d83d", `{"name":"\uD83D"}`: "d83d"} {
		wantError(t, ts.do(t, "POST", datasetsPath, ts.owner, body), http.StatusBadRequest,
			"Invalid JSON body: \\u"+half+" is half of a UTF-16 surrogate pair, not a character")
	}
	// A whole pair is a character; an escaped backslash escapes nothing.
	wantStatus(t, ts.do(t, "POST", datasetsPath, ts.owner, `{"name":"smile \ud83d\ude00"}`), http.StatusCreated)
	wantStatus(t, ts.do(t, "POST", datasetsPath, ts.owner, `{"name":"path \\ud800"}`), http.StatusCreated)
	items := datasetsPath + "/" + id + "/items"
	wantError(t, ts.do(t, "POST", items, ts.owner, `{"input":"q","metadata":{"a":"\u0000"}}`), http.StatusBadRequest, "metadata contains a NUL character")
	wantError(t, ts.do(t, "POST", items, ts.owner, `{"input":"q","metadata":{"\u0000":1}}`), http.StatusBadRequest, "metadata contains a NUL character")
	if n := ts.itemCount(t, id); n != 0 {
		t.Fatalf("%d items after refused creates", n)
	}
}
