package storetest

import "encoding/json"
import "fmt"
import "slices"
import "testing"

import "github.com/strata-eval/strata"

// Large imports: a store may write an import's batches its own way (on
// PostgreSQL, COPY rather than INSERT), and must then store exactly what
// items created one by one store, keep the version's content hash right, and
// still write nothing when the import fails after many batches.

// bulkImportItems is more items than one batch of any store's bulk load
// holds, with every field, nulls, empty strings and text that a text
// format would have to escape.
func bulkImportItems(n int) []strata.ItemInput {
	texts := []string{"", "plain", "tab\there", "new\nline", `back\slash`, "quote \" and ,comma", "é 字 🙂", "\\N", "end\r"}
	out := make([]strata.ItemInput, n)
	for i := range out {
		in := strata.ItemInput{Input: fmt.Sprintf("%s %d", texts[i%len(texts)], i)}
		if i%3 != 0 {
			in.GroundTruth = str(texts[(i+1)%len(texts)])
		}
		if i%4 != 0 {
			in.Output = str(texts[(i+2)%len(texts)])
		}
		if i%5 == 0 {
			in.Metadata = json.RawMessage(fmt.Sprintf(`{"n":%d,"t":%q}`, i, texts[i%len(texts)]))
		}
		if i%7 == 0 {
			in.Splits = []string{"test", "train"}[:1+i%2]
		}
		if i%11 == 0 {
			in.ExternalID = str(fmt.Sprintf("ext-%d", i))
		}
		out[i] = in
	}
	return out
}

// itemContent is what an item holds, without its ids and times.
func itemContent(it *strata.Item) string {
	b, _ := json.Marshal([]any{it.Input, it.GroundTruth, it.Output, it.Metadata, it.Splits, it.ExternalID, it.Seq})
	return string(b)
}

func testImportBulk(t *testing.T, open Opener) {
	t.Run("SameAsOneByOne", func(t *testing.T) {
		f := newFixture(t, open)
		in := bulkImportItems(600)
		imported := f.dataset("imported")
		src := strata.ItemSlice(slices.Clone(in))
		n, err := f.s.ImportItems(f.ctx, f.actor, imported.ID, &src, strata.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "imported", n, len(in))
		// The same items one by one, in one snapshot: single-row writes.
		created := f.dataset("created")
		for _, it := range in {
			if _, err := f.s.CreateItem(f.ctx, f.actor, created.ID, it, skip); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := f.s.CreateVersion(f.ctx, f.actor, created.ID, strata.VersionCreate{}); err != nil {
			t.Fatal(err)
		}
		got, want := f.items(imported.ID, 2), f.items(created.ID, 2)
		wantEq(t, "items imported", len(got), len(in))
		wantEq(t, "items created", len(want), len(in))
		for i := range got {
			if g, w := itemContent(got[i]), itemContent(want[i]); g != w {
				t.Fatalf("item %d imported as %s, created as %s", i, g, w)
			}
		}
		var sum strata.ContentHash
		for _, it := range got {
			sum.Add(strata.ItemContentHash(it))
		}
		wantEq(t, "content hash of the import's version", f.version(imported.ID, 2).ContentHash, sum.String())
		test := strata.ItemFilter{Splits: []string{"test"}}
		wantEq(t, "items in the test split", len(f.filtered(imported.ID, 2, test)), len(f.filtered(created.ID, 2, test)))
		// An external id of the import is taken, as one created is.
		_, err = f.s.CreateItem(f.ctx, f.actor, imported.ID, strata.ItemInput{Input: "x", ExternalID: str("ext-11")}, skip)
		wantCode(t, err, strata.ECONFLICT)
	})

	t.Run("ManyBatches", func(t *testing.T) {
		f := newFixture(t, open)
		in := bulkImportItems(12_000)
		d := f.dataset("imported")
		src := strata.ItemSlice(slices.Clone(in))
		if _, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, strata.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		got := f.items(d.ID, 2)
		wantEq(t, "items imported", len(got), len(in))
		seen := map[string]bool{}
		var sum strata.ContentHash
		for i, it := range got {
			w := in[i]
			if it.Input != w.Input || !eqPtr(it.GroundTruth, w.GroundTruth) || !eqPtr(it.Output, w.Output) ||
				!eqPtr(it.ExternalID, w.ExternalID) || !slices.Equal(it.Splits, w.Splits) && len(w.Splits) > 0 {
				t.Fatalf("item %d: %s, imported from %+v", i, itemContent(it), w)
			}
			if seen[it.ID] {
				t.Fatalf("item %d: id %s given twice", i, it.ID)
			}
			seen[it.ID] = true
			sum.Add(strata.ItemContentHash(it))
		}
		wantEq(t, "content hash of the import's version", f.version(d.ID, 2).ContentHash, sum.String())
	})

	// A failure within the first batch, and one after many: nothing of
	// either import is kept, and the store goes on writing, on the
	// connection the import used too.
	for _, n := range []int{1700, 12_000} {
		t.Run(fmt.Sprintf("FailureAfter%dItemsInsertsNothing", n), func(t *testing.T) {
			f := newFixture(t, open)
			d := f.dataset("qa")
			f.item(d.ID, "before", strata.WriteOptions{})
			src := &failingSource{n: n, err: strata.Errorf(strata.EINVALID, "Invalid JSONL: could not parse one of the lines")}
			_, err := f.s.ImportItems(f.ctx, f.actor, d.ID, src, strata.WriteOptions{})
			wantCode(t, err, strata.EINVALID)
			got := f.find(d.ID)
			wantEq(t, "items counted after a failed import", got.ItemCount, 1)
			wantEq(t, "version after a failed import", got.CurrentVersionNumber, 2)
			wantEq(t, "items after a failed import", len(f.items(d.ID, 0)), 1)
			src2 := strata.ItemSlice(bulkImportItems(100))
			if _, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src2, strata.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			wantEq(t, "items after the next import", len(f.items(d.ID, 0)), 101)
		})
	}
}

func eqPtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
