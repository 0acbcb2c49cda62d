package sqlite_test

import "context"
import "os"
import "path/filepath"
import "strings"
import "sync"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"
import "github.com/strata-eval/strata/internal/testkit"
import "github.com/strata-eval/strata/sqlite"

// A commit that makes the log long is acknowledged before the log is copied
// into the database: the store copies it after, under its write lock, and
// the next write starts the log again. The connection that committed
// checkpoints by itself again after.
func TestLargeCommitLeavesItsCheckpoint(t *testing.T) {
	defer sqlite.SetLargeLog(1 << 20)()
	hold, done := make(chan struct{}), make(chan struct{}, 1)
	defer sqlite.SetCheckpointHooks(func() { <-hold }, func() { done <- struct{}{} })()
	release := sync.OnceFunc(func() { close(hold) })

	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "strata.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	defer release()         // before Close, which waits for a checkpoint held here
	s.DB.SetMaxOpenConns(1) // every statement below on the connection that committed
	a := testkit.Owner(t, s, "p")
	d, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "large"})
	if err != nil {
		t.Fatal(err)
	}
	dbSize := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := dbSize()

	const n = 8000 // about 8 MiB
	line := `{"input":"` + strings.Repeat("x", 1000) + `"}` + "\n"
	got, err := s.ImportItems(ctx, a, d.ID, importer.Config{}.NewJSONL(strings.NewReader(strings.Repeat(line, n))), strata.WriteOptions{SkipVersion: true})
	if err != nil || got != n {
		t.Fatalf("ImportItems = %d, %v", got, err)
	}
	if grown := dbSize() - before; grown > 1<<20 {
		t.Fatalf("the database file grew by %d bytes in the commit: it checkpointed the log itself", grown)
	}
	var pages int
	if err := s.DB.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil || pages != 1000 {
		t.Fatalf("wal_autocheckpoint after a large commit = %d, %v, want 1000", pages, err)
	}

	release()
	<-done
	if grown := dbSize() - before; grown < n*1000 {
		t.Fatalf("after the store's checkpoint the database file grew by %d bytes, want the import's %d", grown, n*1000)
	}
	// No reader was in the log: the checkpoint gave its disk back.
	if fi, err := os.Stat(path + "-wal"); err != nil {
		t.Fatal(err)
	} else if fi.Size() != 0 {
		t.Fatalf("the log after the store's checkpoint holds %d bytes, want it cut to nothing", fi.Size())
	}
	// The log was copied whole: the next write starts it again.
	if _, err := s.CreateDataset(ctx, a, strata.DatasetCreate{Name: "after"}); err != nil {
		t.Fatal(err)
	}
	var busy, logFrames, copied int
	if err := s.DB.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &copied); err != nil {
		t.Fatal(err)
	}
	if logFrames > 100 {
		t.Errorf("the log holds %d frames after the next write, want it started again", logFrames)
	}
	if d, err := s.FindDataset(ctx, a.ProjectID, d.ID); err != nil || d.ItemCount != n {
		t.Errorf("dataset after the checkpoint: %+v, %v; want %d items", d, err, n)
	}
}
