package wire

import "encoding/json"
import "testing"
import "time"

func TestTimestampRoundTrip(t *testing.T) {
	for _, in := range []string{`"2025-10-31T15:31:25.120Z"`, `"2025-10-31T15:31:25.000Z"`, `"0001-01-01T00:00:00.000Z"`} {
		var ts Timestamp
		if err := json.Unmarshal([]byte(in), &ts); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, err := json.Marshal(ts)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != in {
			t.Errorf("%s came back as %s", in, out)
		}
	}
	// Any RFC 3339 time decodes; it is written in UTC with three digits.
	var ts Timestamp
	if err := json.Unmarshal([]byte(`"2025-10-31T17:31:25.1234+02:00"`), &ts); err != nil {
		t.Fatal(err)
	}
	if out, _ := json.Marshal(ts); string(out) != `"2025-10-31T15:31:25.123Z"` {
		t.Errorf("offset time written as %s", out)
	}
	if want := time.Date(2025, 10, 31, 15, 31, 25, 123400000, time.UTC); !ts.Time().Equal(want) {
		t.Errorf("Time() = %v, want %v", ts.Time(), want)
	}
	if err := json.Unmarshal([]byte(`"yesterday"`), &ts); err == nil {
		t.Error(`"yesterday" decoded as a time`)
	}
}

// The item forms keep Lunary's key order, Strata's keys last, and decode
// back to what was encoded.
func TestItemKeyOrder(t *testing.T) {
	at := Timestamp(time.Date(2025, 10, 31, 15, 31, 25, 120e6, time.UTC))
	ext := "q1"
	fields := ItemFields{Metadata: json.RawMessage(`{"lang":"en"}`), Splits: []string{"test"}, ExternalID: &ext}
	results := EvaluatorResults{EvaluatorResult2: json.RawMessage(`{"passed":true}`)}
	tail := `"evaluatorResult1":null,"evaluatorResult2":{"passed":true},"evaluatorResult3":null,"evaluatorResult4":null,"evaluatorResult5":null,"metadata":{"lang":"en"},"splits":["test"],"externalId":"q1"}`
	cases := []struct {
		v    any
		back any
		want string
	}{
		{Item{ItemRow{ID: "i", CreatedAt: at, UpdatedAt: at, DatasetID: "d", ItemContent: ItemContent{Input: "x"}, EvaluatorResults: results}, fields}, &Item{},
			`{"id":"i","createdAt":"2025-10-31T15:31:25.120Z","updatedAt":"2025-10-31T15:31:25.120Z","datasetId":"d","input":"x","groundTruth":null,"output":null,` + tail},
		{EmbeddedItem{EmbeddedItemRow{ID: "i", DatasetID: "d", ItemContent: ItemContent{Input: "x"}, CreatedAt: at, UpdatedAt: at, EvaluatorResults: results}, fields}, &EmbeddedItem{},
			`{"id":"i","datasetId":"d","input":"x","groundTruth":null,"output":null,"createdAt":"2025-10-31T15:31:25.120Z","updatedAt":"2025-10-31T15:31:25.120Z",` + tail},
		{VersionItem{VersionItemRow{ID: "r", VersionID: "v", DatasetID: "d", ItemIndex: 2, ItemContent: ItemContent{Input: "x"}, SourceItemID: "i", SourceCreatedAt: at, SourceUpdatedAt: at, EvaluatorResults: results}, fields}, &VersionItem{},
			`{"id":"r","versionId":"v","datasetId":"d","itemIndex":2,"input":"x","groundTruth":null,"output":null,"sourceItemId":"i","sourceCreatedAt":"2025-10-31T15:31:25.120Z","sourceUpdatedAt":"2025-10-31T15:31:25.120Z",` + tail},
	}
	for _, c := range cases {
		got, err := json.Marshal(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want {
			t.Errorf("%T:\n got %s\nwant %s", c.v, got, c.want)
			continue
		}
		if err := json.Unmarshal(got, c.back); err != nil {
			t.Fatalf("%T: %v", c.v, err)
		}
		again, _ := json.Marshal(c.back)
		if string(again) != c.want {
			t.Errorf("%T decoded and encoded again:\n got %s\nwant %s", c.v, again, c.want)
		}
	}
}
