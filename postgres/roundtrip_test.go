package postgres

import "context"
import "strconv"
import "sync/atomic"
import "testing"

import "github.com/jackc/pgx/v5"
import "github.com/jackc/pgx/v5/stdlib"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/pgtest"
import "github.com/strata-eval/strata/internal/sqlstore"
import "github.com/strata-eval/strata/internal/testkit"

// countingTracer counts the statements pgx sends, BEGIN and ROLLBACK
// included: each is a round trip to the server.
type countingTracer struct{ n atomic.Int64 }

func (c *countingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *countingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestReadRoundTrips checks that the reads one statement answers send one
// statement and no transaction: the mixed load's reads of an item, a
// dataset and a version (BENCHMARKS.md).
func TestReadRoundTrips(t *testing.T) {
	ctx := t.Context()
	dsn := pgtest.DSN(t)
	migrated, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	migrated.Close()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	tr := &countingTracer{}
	cfg.Tracer = tr
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	s := sqlstore.New(db, dialect{})

	a := testkit.Owner(t, s, "p")
	d := testkit.Dataset(t, s, a, "d")
	it, err := s.CreateItem(ctx, a, d.ID, strata.ItemInput{Input: "x"}, strata.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := s.CreateVersion(ctx, a, d.ID, strata.VersionCreate{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.TagVersion(ctx, a, d.ID, v.ID, "b"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.TagVersion(ctx, a, d.ID, v.ID, "a"); err != nil {
		t.Fatal(err)
	}

	count := func(name string, fn func() error) {
		t.Helper()
		before := tr.n.Load()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := tr.n.Load() - before; n != 1 {
			t.Errorf("%s sent %d statements, want 1", name, n)
		}
	}
	count("FindItem", func() error {
		got, err := s.FindItem(ctx, a.ProjectID, d.ID, it.ID)
		if err == nil && (got.ID != it.ID || got.Input != "x") {
			t.Errorf("FindItem = %+v", got)
		}
		return err
	})
	count("FindDataset", func() error {
		got, err := s.FindDataset(ctx, a.ProjectID, d.ID)
		if err == nil && (got.ID != d.ID || got.ItemCount != 1 || got.EvaluatorConfigs == nil) {
			t.Errorf("FindDataset = %+v", got)
		}
		return err
	})
	// A scan keeps its transaction (its dataset and items agree): begin,
	// the dataset with its configs, the items, rollback.
	before := tr.n.Load()
	n := 0
	if err := s.ScanItems(ctx, strata.ItemQuery{ProjectID: a.ProjectID, DatasetID: d.ID, Version: v.Number}, func(*strata.Item) error {
		n++
		return nil
	}); err != nil || n != 1 {
		t.Fatalf("ScanItems: %d items, %v", n, err)
	}
	if got := tr.n.Load() - before; got != 4 {
		t.Errorf("ScanItems sent %d statements, want 4", got)
	}
	for _, ref := range []string{v.ID, "latest", strconv.Itoa(v.Number), "a"} {
		count("ResolveVersion "+ref, func() error {
			got, err := s.ResolveVersion(ctx, a.ProjectID, d.ID, ref)
			if err == nil && (got.ID != v.ID || len(got.Tags) != 2 || got.Tags[0] != "a" || got.Tags[1] != "b") {
				t.Errorf("ResolveVersion(%s) = %+v", ref, got)
			}
			return err
		})
	}
}
