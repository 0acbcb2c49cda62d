package sqlite_test

import "context"
import "os"
import "path/filepath"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/sqlite"

func TestWALSize(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "strata.db")
	s, err := sqlite.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.CreateKey(ctx, strata.KeyCreate{ProjectName: "p", Role: strata.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.WALSize()
	if err != nil || got != fi.Size() || got == 0 {
		t.Errorf("WALSize() = %d, %v, want the -wal file's %d bytes", got, err, fi.Size())
	}
	if err := os.Remove(path + "-wal"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.WALSize(); got != 0 || err != nil {
		t.Errorf("WALSize() without a -wal file = %d, %v, want 0", got, err)
	}
}
