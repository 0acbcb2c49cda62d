package api

import "bytes"
import "encoding/json"
import "math/rand/v2"
import "net/http"
import "testing"
import "time"

import "github.com/strata-eval/strata"

// The item forms append the very bytes marshal writes of their wire types.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	// Text with every kind of character the escaper treats apart.
	alphabet := []string{"a", "Z", " ", "\"", "\\", "/", "<", ">", "&", "\b", "\f", "\n", "\r", "\t", "\x00", "\x1f", "\x7f",
		"é", "中", "🙂", "\u2028", "\u2029", "\ufffd", "\xff", "\xe2\x82", "\xed\xa0\x80"}
	text := func() string {
		var b bytes.Buffer
		for range rnd.IntN(12) {
			b.WriteString(alphabet[rnd.IntN(len(alphabet))])
		}
		return b.String()
	}
	ptr := func() *string {
		if rnd.IntN(3) == 0 {
			return nil
		}
		s := text()
		return &s
	}
	results := []json.RawMessage{nil, json.RawMessage(`{"passed": true, "score": 0.5}`), json.RawMessage(`[1, "x\u00e9"]`), json.RawMessage(`"t"`), json.RawMessage(`{"a":[1,"b c"]}`)}
	for i := range 2000 {
		it := &strata.Item{
			ID: strata.NewID(), DatasetID: strata.NewID(), RevisionID: strata.NewID(),
			Input: text(), GroundTruth: ptr(), Output: ptr(),
			CreatedAt:        time.UnixMilli(rnd.Int64N(4e12)),
			UpdatedAt:        time.UnixMilli(rnd.Int64N(4e12)),
			EvaluatorResult1: results[rnd.IntN(len(results))], EvaluatorResult2: results[rnd.IntN(len(results))],
			EvaluatorResult3: results[rnd.IntN(len(results))], EvaluatorResult4: results[rnd.IntN(len(results))],
			EvaluatorResult5: results[rnd.IntN(len(results))],
		}
		if rnd.IntN(2) == 0 {
			it.Metadata = json.RawMessage(`{"lang":"en","n":3,"t":"<\u00e9>"}`)
			it.Splits = []string{"test", "train"}
			it.ExternalID = ptr()
		}
		v := &strata.Version{ID: strata.NewID()}
		// Each form against encoding/json of its wire type.
		item, embedded, versionItem := toItemJSON(it), toEmbeddedItemJSON(it), toVersionItemJSON(v, i, it)
		for _, x := range []struct{ fast, wire any }{
			{item, item.wire()}, {embedded, embedded.wire()}, {versionItem, versionItem.wire()},
		} {
			want, err := marshal(x.wire)
			if err != nil {
				t.Fatal(err)
			}
			got, err := marshalElement(x.fast)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%T:\n got %s\nwant %s", x.wire, got, want)
			}
		}
	}
}

func BenchmarkMarshalItem(b *testing.B) {
	gt := "Yes, within 30 days, with the receipt."
	it := &strata.Item{ID: strata.NewID(), DatasetID: strata.NewID(), GroundTruth: &gt, CreatedAt: time.Now(), UpdatedAt: time.Now(),
		Input: "Question 12: a customer asks whether order #123 can still be returned after 12 days."}
	b.Run("marshal", func(b *testing.B) {
		for b.Loop() {
			marshal(toEmbeddedItemJSON(it))
		}
	})
	b.Run("append", func(b *testing.B) {
		for b.Loop() {
			marshalElement(toEmbeddedItemJSON(it))
		}
	})
}

// discardWriter is a ResponseWriter that keeps nothing.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// A stream encodes its elements into one reused buffer: adding an item
// allocates nothing once the stream has started.
func TestArrayStreamReusesBuffer(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations are not counted under the race detector")
	}
	gt := "Yes, within 30 days, with the receipt."
	it := &strata.Item{ID: strata.NewID(), DatasetID: strata.NewID(), GroundTruth: &gt, CreatedAt: time.Now(), UpdatedAt: time.Now(),
		Input:            "Question 12: a customer asks whether order #123 can still be returned after 12 days.",
		EvaluatorResult1: json.RawMessage(`{"score":1,"passed":true}`)}
	var v any = toEmbeddedItemJSON(it)
	st := newArrayStream(&discardWriter{h: http.Header{}}, http.StatusOK, nil)
	if err := st.add(v); err != nil {
		t.Fatal(err)
	}
	// flushEvery elements flush the writer, which allocates nothing either.
	if n := testing.AllocsPerRun(2*flushEvery, func() { st.add(v) }); n > 0.05 {
		t.Errorf("add: %v allocations per element, want none", n)
	}
}
