package sqlstore_test

import "context"
import "fmt"
import "strings"
import "sync"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"
import "github.com/strata-eval/strata/internal/sqlstore"
import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/sqlite"

// chunks records the chunks the store reads and writes.
type chunks struct {
	mu   sync.Mutex
	seen map[string][][2]int // kind -> (rows, bytes)
}

func (c *chunks) observe(kind string, rows, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[kind] = append(c.seen[kind], [2]int{rows, bytes})
}

// largest is the most rows and the most bytes of one chunk of a kind, and
// the rows of all of them.
func (c *chunks) largest(kind string) (rows, bytes, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.seen[kind] {
		rows, bytes, total = max(rows, ch[0]), max(bytes, ch[1]), total+ch[0]
	}
	return rows, bytes, total
}

// importLines imports n items whose input is size bytes, through the
// importer as a file would be, and returns the dataset.
func importLines(t *testing.T, s *sqlite.Store, a strata.Actor, n, size int) *strata.Dataset {
	t.Helper()
	ctx := context.Background()
	d, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: fmt.Sprintf("d%d-%d", n, size)})
	if err != nil {
		t.Fatal(err)
	}
	var file strings.Builder
	for i := range n {
		fmt.Fprintf(&file, "{\"input\":\"%d %s\"}\n", i, strings.Repeat("x", size))
	}
	if got, err := s.ImportItems(ctx, a, d.ID, importer.NewJSONL(strings.NewReader(file.String())), strata.WriteOptions{}); err != nil || got != n {
		t.Fatalf("import = %d, %v; want %d", got, err, n)
	}
	return d
}

// TestChunksByBytes: scans and inserts hold at most about their byte bound
// of large items, and still take many small items at once.
func TestChunksByBytes(t *testing.T) {
	ctx := context.Background()
	s := testkit.SQLite(t)
	a := testkit.Owner(t, s, "p")
	const limit, itemSize = 64 << 10, 10 << 10
	seen := &chunks{seen: map[string][][2]int{}}
	defer sqlstore.SetChunkBytes(limit, limit, seen.observe)()

	t.Run("LargeItems", func(t *testing.T) {
		d := importLines(t, s, a, 40, itemSize)
		n := 0
		if err := s.ScanItems(ctx, strata.ItemQuery{ProjectID: a.ProjectID, DatasetID: d.ID}, func(*strata.Item) error {
			n++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if n != 40 {
			t.Fatalf("scanned %d items, want 40", n)
		}
		for _, kind := range []string{"insert", "scan"} {
			rows, bytes, total := seen.largest(kind)
			// A chunk stops at the item that reaches the bound.
			if bytes >= limit+itemSize+1024 || rows > limit/itemSize+1 {
				t.Errorf("largest %s chunk: %d items, %d bytes; want at most %d items, %d bytes", kind, rows, bytes, limit/itemSize+1, limit+itemSize)
			}
			if total != 40 {
				t.Errorf("%s chunks hold %d items in all, want 40", kind, total)
			}
		}
	})

	t.Run("History", func(t *testing.T) {
		seen.seen = map[string][][2]int{}
		d, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "history"})
		if err != nil {
			t.Fatal(err)
		}
		it, err := s.CreateItem(ctx, a, d.ID, strata.ItemInput{Input: "0 " + strings.Repeat("x", itemSize)}, strata.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < 40; i++ { // each edit closes a revision
			input := fmt.Sprintf("%d %s", i, strings.Repeat("x", itemSize))
			if _, err := s.UpdateItem(ctx, a, d.ID, it.ID, strata.ItemUpdate{Input: &input}, strata.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		err = s.ItemHistory(ctx, a.ProjectID, d.ID, it.ID, func(r *strata.Revision) error {
			n, _, _ := strings.Cut(r.Input, " ")
			got = append(got, n)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 40 || got[0] != "0" || got[20] != "20" || got[39] != "39" {
			t.Fatalf("history %v, want 0 to 39 in order", got)
		}
		// The 39 closed revisions come in chunks; the open one is read alone.
		rows, bytes, total := seen.largest("scan")
		if bytes >= limit+itemSize+1024 || rows > limit/itemSize+1 || total != 39 {
			t.Errorf("history chunks: largest %d revisions, %d bytes, %d in all; want at most %d, %d bytes, 39 in all",
				rows, bytes, total, limit/itemSize+1, limit+itemSize)
		}
	})

	// A diff reads its revisions in batches bounded by bytes, after the
	// database sorted their keys alone: it would otherwise sort them in
	// memory, content and all. Added items it does not list are counted
	// from their keys: a page of one reads one batch.
	t.Run("Diff", func(t *testing.T) {
		seen.seen = map[string][][2]int{}
		d := importLines(t, s, a, 42, itemSize)
		diff, err := s.DiffVersions(ctx, strata.DiffQuery{ProjectID: a.ProjectID, DatasetID: d.ID, From: "1", To: "2", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if diff.Added != 42 || len(diff.Changes) != 1 {
			t.Fatalf("diff: %d added, %d listed; want 42 and 1", diff.Added, len(diff.Changes))
		}
		rows, bytes, total := seen.largest("diff")
		if bytes >= limit+itemSize+1024 || rows > limit/itemSize+1 || total != rows {
			t.Errorf("diff batches: largest %d revisions, %d bytes, %d in all; want at most %d, %d bytes, one batch",
				rows, bytes, total, limit/itemSize+1, limit+itemSize)
		}
	})

	// A dry run's page of changes stops at the byte bound, however many
	// changes it may list; the counts are all of them.
	t.Run("SyncChanges", func(t *testing.T) {
		d, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "sync"})
		if err != nil {
			t.Fatal(err)
		}
		var file strata.ItemSlice
		for i := range 40 {
			file = append(file, strata.ItemInput{Input: fmt.Sprintf("%d %s", i, strings.Repeat("x", itemSize))})
		}
		res, err := s.SyncItems(ctx, a, d.ID, &file, strata.SyncOptions{DryRun: true, ChangeLimit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(res.Changes); res.Added != 40 || !res.More || n == 0 || n > limit/itemSize+1 {
			t.Errorf("dry run: %d added, %d changes listed, more %v; want 40, 1 to %d, true", res.Added, n, res.More, limit/itemSize+1)
		}
	})

	// A page of a diff stops at the byte bound too, and its cursor goes on
	// from there: the pages list every change once.
	t.Run("DiffPages", func(t *testing.T) {
		d := importLines(t, s, a, 41, itemSize) // version 2
		seen, pages := map[string]bool{}, 0
		var after int64
		for {
			diff, err := s.DiffVersions(ctx, strata.DiffQuery{ProjectID: a.ProjectID, DatasetID: d.ID, From: "1", To: "2", AfterSeq: after, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if n := len(diff.Changes); n == 0 || n > limit/itemSize+1 || diff.Added != 41 {
				t.Fatalf("page %d: %d changes of %d added; want 1 to %d of 41", pages, n, diff.Added, limit/itemSize+1)
			}
			for _, c := range diff.Changes {
				if seen[c.ItemID] {
					t.Fatalf("item %s listed twice", c.ItemID)
				}
				seen[c.ItemID] = true
			}
			if !diff.More {
				break
			}
			after = diff.Changes[len(diff.Changes)-1].Seq
		}
		if len(seen) != 41 || pages < 2 {
			t.Errorf("%d changes in %d pages, want 41 in several", len(seen), pages)
		}
	})

	t.Run("SmallItems", func(t *testing.T) {
		seen.seen = map[string][][2]int{}
		// Rows bound chunks of small items before bytes do.
		defer sqlstore.SetChunkBytes(1<<20, 1<<20, seen.observe)()
		d := importLines(t, s, a, 2500, 10)
		if err := s.ScanItems(ctx, strata.ItemQuery{ProjectID: a.ProjectID, DatasetID: d.ID}, func(*strata.Item) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if rows, _, total := seen.largest("insert"); rows != 500 || total != 2500 {
			t.Errorf("insert batches: largest %d rows, %d in all; want 500 and 2500", rows, total)
		}
		if rows, _, total := seen.largest("scan"); rows != 1000 || total != 2500 {
			t.Errorf("scan chunks: largest %d rows, %d in all; want 1000 and 2500", rows, total)
		}
	})
}
