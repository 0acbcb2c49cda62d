package sqlstore_test

import "context"
import "io"
import "sync"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/testkit"

// recorder is an Observer that counts what it hears.
type recorder struct {
	mu                        sync.Mutex
	versions, items, restores int
}

func (r *recorder) VersionsCreated(n int) { r.mu.Lock(); r.versions += n; r.mu.Unlock() }
func (r *recorder) ItemsImported(n int, _ time.Duration) {
	r.mu.Lock()
	r.items += n
	r.mu.Unlock()
}
func (r *recorder) Restored(time.Duration) { r.mu.Lock(); r.restores++; r.mu.Unlock() }

func (r *recorder) counts() [3]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return [3]int{r.versions, r.items, r.restores}
}

// TestObserverHearsCommits checks that the observer hears of versions,
// imports and restores once they commit, and not of a transaction that
// wrote a version and then rolled back.
func TestObserverHearsCommits(t *testing.T) {
	ctx := context.Background()
	s := testkit.SQLite(t)
	rec := &recorder{}
	s.Observer = rec
	a := testkit.Owner(t, s, "p")
	d := testkit.Dataset(t, s, a, "d") // version 1
	src := &sliceSource{items: []strata.ItemInput{{Input: "a"}, {Input: "b"}}}
	if _, err := s.ImportItems(ctx, a, d.ID, src, strata.WriteOptions{}); err != nil { // version 2
		t.Fatal(err)
	}
	if _, err := s.CreateItem(ctx, a, d.ID, strata.ItemInput{Input: "c"}, strata.WriteOptions{SkipVersion: true}); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.counts(), [3]int{2, 2, 0}; got != want {
		t.Fatalf("versions, items, restores = %v, want %v", got, want)
	}

	// The restore writes its version, then fails saving the content hash.
	if _, err := s.DB.Exec(`CREATE TRIGGER fail_hash BEFORE UPDATE OF content_hash ON datasets
		BEGIN SELECT RAISE(ABORT, 'no hash today'); END`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RestoreVersion(ctx, a, d.ID, "1"); err == nil {
		t.Fatal("restore succeeded despite the trigger")
	}
	if got, want := rec.counts(), [3]int{2, 2, 0}; got != want {
		t.Fatalf("after a rolled-back restore: versions, items, restores = %v, want %v", got, want)
	}
	if _, err := s.DB.Exec(`DROP TRIGGER fail_hash`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RestoreVersion(ctx, a, d.ID, "1"); err != nil { // version 3
		t.Fatal(err)
	}
	if got, want := rec.counts(), [3]int{3, 2, 1}; got != want {
		t.Fatalf("versions, items, restores = %v, want %v", got, want)
	}
}

// sliceSource yields items from a slice.
type sliceSource struct{ items []strata.ItemInput }

func (s *sliceSource) Next() (strata.ItemInput, error) {
	if len(s.items) == 0 {
		return strata.ItemInput{}, io.EOF
	}
	in := s.items[0]
	s.items = s.items[1:]
	return in, nil
}
