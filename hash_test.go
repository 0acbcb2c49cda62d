package strata_test

import "encoding/json"
import "math/rand/v2"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

func sp(s string) *string { return &s }

func TestItemContentHashSeparatesFields(t *testing.T) {
	base := strata.Item{ID: "0190d7a1-0000-7000-8000-000000000001", Input: "ab", GroundTruth: sp("c"), Output: nil}
	variants := map[string]strata.Item{"base": base}
	add := func(name string, f func(*strata.Item)) {
		it := base
		f(&it)
		variants[name] = it
	}
	add("id", func(it *strata.Item) { it.ID = "0190d7a1-0000-7000-8000-000000000002" })
	add("boundary", func(it *strata.Item) { it.Input, it.GroundTruth = "a", sp("bc") })
	add("outputEmpty", func(it *strata.Item) { it.Output = sp("") })
	add("groundTruthNull", func(it *strata.Item) { it.GroundTruth = nil })
	add("swapped", func(it *strata.Item) { it.GroundTruth, it.Output = nil, sp("c") })
	add("result", func(it *strata.Item) { it.EvaluatorResult3 = json.RawMessage(`{"passed":true}`) })
	add("resultSlot", func(it *strata.Item) { it.EvaluatorResult4 = json.RawMessage(`{"passed":true}`) })
	add("metadata", func(it *strata.Item) { it.Metadata = json.RawMessage(`{"lang":"en"}`) })
	add("splits", func(it *strata.Item) { it.Splits = []string{"test"} })
	add("twoSplits", func(it *strata.Item) { it.Splits = []string{"test", "train"} })
	add("externalId", func(it *strata.Item) { it.ExternalID = sp("case-1") })
	add("externalIdAndSplit", func(it *strata.Item) { it.ExternalID, it.Splits = sp("test"), []string{"case-1"} })
	seen := map[strata.ContentHash]string{}
	for name, it := range variants {
		h := *strata.ItemContentHash(&it)
		if other, ok := seen[h]; ok {
			t.Errorf("%s and %s hash alike", name, other)
		}
		seen[h] = name
	}
	// Timestamps, seq and revision ids are not content.
	moved := base
	moved.Seq, moved.RevisionID = 9, "r"
	if *strata.ItemContentHash(&moved) != *strata.ItemContentHash(&base) {
		t.Error("seq or revision id changed the hash")
	}
	// Empty metadata and splits are the absence of them: items stored
	// before these fields existed keep their hashes.
	empty := base
	empty.Metadata, empty.Splits = json.RawMessage(`{}`), []string{}
	if *strata.ItemContentHash(&empty) != *strata.ItemContentHash(&base) {
		t.Error("empty metadata and splits changed the hash")
	}
}

func TestContentHashIsAMultisetHash(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	items := make([]*strata.Item, 50)
	for i := range items {
		items[i] = &strata.Item{ID: strata.NewID(), Input: string(rune('a' + rng.IntN(3)))}
	}
	var forward, backward, empty strata.ContentHash
	for i := range items {
		forward.Add(strata.ItemContentHash(items[i]))
		backward.Add(strata.ItemContentHash(items[len(items)-1-i]))
	}
	if forward != backward || forward.String() != backward.String() {
		t.Fatal("order changed the hash")
	}
	for _, it := range items {
		forward.Sub(strata.ItemContentHash(it))
	}
	if forward != empty {
		t.Fatal("removing every item did not give the empty hash")
	}
	// The stored form reads back; an empty one is the empty set's.
	back, err := strata.ParseContentHash(backward.MarshalBinary())
	if err != nil || back != backward {
		t.Fatalf("round trip: %v", err)
	}
	if h, err := strata.ParseContentHash(nil); err != nil || h != empty {
		t.Fatalf("empty state: %v", err)
	}
	if _, err := strata.ParseContentHash([]byte{1, 2, 3}); err == nil {
		t.Fatal("a short state parsed")
	}
	// The empty set's hash is fixed by the format: a change of format shows here.
	if got, want := empty.String(), "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"; got != want {
		t.Fatalf("empty hash = %s, want %s", got, want)
	}
}

func TestParseRef(t *testing.T) {
	for s, want := range map[string]strata.Ref{
		"latest": {Latest: true}, "3": {Number: 3}, "007": {Number: 7}, "v3": {Tag: "v3"}, "prod.2026-11_a": {Tag: "prod.2026-11_a"},
		"0190D7A1-0000-7000-8000-00000000000A": {ID: "0190d7a1-0000-7000-8000-00000000000a"},
	} {
		if got, ok := strata.ParseRef(s); !ok || got != want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "0", "-1", "1.5", "1e3", "9999999999", "working", "Latest", "a b", "é", "a/b"} {
		if got, ok := strata.ParseRef(s); ok {
			t.Errorf("ParseRef(%q) = %+v, want no ref", s, got)
		}
	}
}

// TestItemContentHashIsStable holds the vectors of a few items as stored
// hashes hold them: a change of the encoding would make every stored hash
// wrong.
func TestItemContentHashIsStable(t *testing.T) {
	gt, out, ext := "g", "", "ext-1"
	for _, tc := range []struct {
		item strata.Item
		want string
	}{
		{strata.Item{ID: "0194f5a0-0000-7000-8000-000000000001", Input: "hello"},
			"eedcd87bc0302122677aa696f00aa7f9541f1a8b3fe11c1868a1795e8916d1fe"},
		{strata.Item{ID: "0194f5a0-0000-7000-8000-000000000002", GroundTruth: &gt, Output: &out, EvaluatorResult2: []byte(`{"score":1}`)},
			"15aa817e19679b9fdfb7b0ae70e7693e0c0b1e0b543bda0f807850f12bf12994"},
		{strata.Item{ID: "0194f5a0-0000-7000-8000-000000000003", Input: "x", Metadata: []byte(`{"lang":"fr"}`), Splits: []string{"test", "train"}, ExternalID: &ext},
			"2b2ddbb301f1604a34716e0b87027ca941435a905073e239b86c572a5855f4d6"},
	} {
		if got := strata.ItemContentHash(&tc.item).String(); got != tc.want {
			t.Errorf("hash of %+v = %s, want %s", tc.item, got, tc.want)
		}
	}
}

// An import hashes every item it writes: adding one to a hash allocates
// nothing, and AddItem and SubItem are Add and Sub of its vector.
func TestAddItemAllocatesNothing(t *testing.T) {
	it := &strata.Item{ID: "0194f5a0-0000-7000-8000-000000000001", Input: strings.Repeat("x", 1200)}
	var h, want strata.ContentHash
	want.Add(strata.ItemContentHash(it))
	if h.AddItem(it); h != want {
		t.Fatal("AddItem differs from Add of the vector")
	}
	if h.SubItem(it); h != (strata.ContentHash{}) {
		t.Fatal("SubItem does not undo AddItem")
	}
	if n := testing.AllocsPerRun(100, func() { h.AddItem(it) }); n != 0 {
		t.Fatalf("AddItem allocates %v times an item", n)
	}
}

// BenchmarkAddItem hashes an item of 1,200 bytes into a set.
func BenchmarkAddItem(b *testing.B) {
	it := &strata.Item{ID: "0194f5a0-0000-7000-8000-000000000001", Input: strings.Repeat("x", 1200)}
	var h strata.ContentHash
	b.ReportAllocs()
	b.SetBytes(int64(len(it.Input)))
	for b.Loop() {
		h.AddItem(it)
	}
}
