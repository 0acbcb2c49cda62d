package bench

import "bytes"
import "context"
import "database/sql"
import "errors"
import "fmt"
import "io"
import "math/rand/v2"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"

// StoreConfig says what RunStore measures, and on what.
type StoreConfig struct {
	// Store is the store under test, on a database that holds nothing else
	// of interest: the benchmark adds datasets to it and tables beside it.
	Store strata.Store
	// DB is the store's database, where the baseline's tables are made and
	// sizes are read.
	DB       *sql.DB
	Postgres bool

	Sizes []int // dataset sizes, in items
	// Rounds of the history scenario, each Edits item edits and a snapshot.
	Rounds, Edits int
	// Reps is how many samples each timed scenario takes (RestoreReps for
	// restores, which cost two rounds of edits each).
	Reps, RestoreReps int
	// MaxBaselineRows bounds the copies the baseline makes at one size:
	// at 1,000,000 items, 100 full copies would be 100 million rows.
	MaxBaselineRows int64
	// Seed makes the edits repeatable.
	Seed uint64
	Log  io.Writer // progress, or nil
}

func (c *StoreConfig) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Rounds, 100)
	def(&c.Edits, 10)
	def(&c.Reps, 100)
	def(&c.RestoreReps, 20)
	if c.MaxBaselineRows <= 0 {
		c.MaxBaselineRows = 10_000_000
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
}

// pageSize is the page the read scenario reads, as a client paging a
// version would.
const pageSize = 100

// storeBench is one run of RunStore.
type storeBench struct {
	c      StoreConfig
	ctx    context.Context
	actor  strata.Actor
	rnd    *rand.Rand
	report *Report
	base   *baseline

	// Per size, for the targets.
	snapshotMedian, baselineMedian map[int]time.Duration
	importRate                     map[int]float64
	pageMedian                     map[int]time.Duration
	rowsRatio                      map[int]float64
}

// RunStore runs the store scenarios at each size and reports them:
//
//   - import throughput of JSONL and CSV, through the importer and
//     ImportItems, as POST .../import does;
//   - single-item create, with its auto-version and with skipVersion;
//   - history: Rounds snapshots of Edits edits each, every snapshot timed,
//     and the baseline's full copy timed beside it;
//   - storage after the history: revision rows against live items, and
//     database bytes, for both;
//   - one page of 100 items of the oldest version with items, at its start
//     and at its end (keyset paging);
//   - restore to a version 10 edits back.
func RunStore(ctx context.Context, c StoreConfig) (*Report, error) {
	c.defaults()
	b := &storeBench{
		c: c, ctx: ctx, rnd: rand.New(rand.NewPCG(c.Seed, 0)), report: &Report{},
		base:           &baseline{db: c.DB, pg: c.Postgres},
		snapshotMedian: map[int]time.Duration{}, baselineMedian: map[int]time.Duration{},
		importRate: map[int]float64{}, pageMedian: map[int]time.Duration{}, rowsRatio: map[int]float64{},
	}
	_, secret, err := c.Store.CreateKey(ctx, strata.KeyCreate{
		ProjectName: "bench-" + strata.NewID()[:8], Role: strata.RoleOwner, UserName: "strata bench"})
	if err != nil {
		return nil, err
	}
	p, err := c.Store.Authenticate(ctx, secret)
	if err != nil {
		return nil, err
	}
	b.actor = p.Actor()
	defer b.base.drop(context.WithoutCancel(ctx))
	for _, n := range c.Sizes {
		if err := b.size(n); err != nil {
			return nil, fmt.Errorf("%d items: %w", n, err)
		}
	}
	b.targets()
	return b.report, nil
}

// size runs every scenario on datasets of n items.
func (b *storeBench) size(n int) error {
	ctx, c := b.ctx, b.c
	if n < pageSize {
		return fmt.Errorf("sizes start at %d items (one page)", pageSize)
	}

	// Import: CSV into a dataset of its own, then JSONL into the dataset
	// that every other scenario uses.
	logf(c.Log, "%d items: import", n)
	csvRate, err := b.importInto(n, "csv")
	if err != nil {
		return err
	}
	used0, err := usedBytes(ctx, c.DB, c.Postgres)
	if err != nil {
		return err
	}
	d, err := c.Store.CreateDataset(ctx, b.actor, strata.DatasetCreate{Name: fmt.Sprintf("bench %d", n)})
	if err != nil {
		return err
	}
	jsonlRate, err := b.importFile(d.ID, n, "jsonl")
	if err != nil {
		return err
	}
	b.importRate[n] = jsonlRate
	b.report.add(Row{Scenario: "import JSONL (items/s)", Size: n, Strata: count(int64(jsonlRate))})
	b.report.add(Row{Scenario: "import CSV (items/s)", Size: n, Strata: count(int64(csvRate))})
	// The import made the version every read below goes back to.
	old, err := c.Store.FindDataset(ctx, b.actor.ProjectID, d.ID)
	if err != nil {
		return err
	}
	oldVersion := old.CurrentVersionNumber

	// Single-item creates.
	logf(c.Log, "%d items: create items", n)
	for _, skip := range []bool{false, true} {
		var s samples
		for i := 0; i < c.Reps; i++ {
			input, gt := itemText(n+i, 0)
			err := s.timed(func() error {
				_, err := c.Store.CreateItem(ctx, b.actor, d.ID, strata.ItemInput{Input: input, GroundTruth: &gt},
					strata.WriteOptions{SkipVersion: skip})
				return err
			})
			if err != nil {
				return err
			}
		}
		name := "create item, auto-version"
		if skip {
			name = "create item, skipVersion"
		}
		b.report.add(Row{Scenario: name, Size: n, Strata: medianP99(s)})
	}

	// History, with the baseline beside it.
	logf(c.Log, "%d items: %d snapshots of %d edits, and the baseline", n, c.Rounds, c.Edits)
	if err := b.base.create(ctx); err != nil {
		return err
	}
	var baseGrowth int64
	grow := func(fn func() error) error {
		before, err := usedBytes(ctx, c.DB, c.Postgres)
		if err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
		after, err := usedBytes(ctx, c.DB, c.Postgres)
		baseGrowth += after - before
		return err
	}
	if err := grow(func() error { return b.base.load(ctx, d.ID) }); err != nil {
		return err
	}
	baseRounds := int(min(int64(c.Rounds), max(1, c.MaxBaselineRows/int64(n))))
	var snaps, baseSnaps samples
	for round := 0; round < c.Rounds; round++ {
		edits, err := b.edit(d.ID, n, round)
		if err != nil {
			return err
		}
		if err := snaps.timed(func() error {
			_, _, err := c.Store.CreateVersion(ctx, b.actor, d.ID, strata.VersionCreate{})
			return err
		}); err != nil {
			return err
		}
		if round >= baseRounds {
			continue
		}
		err = grow(func() error {
			if err := b.base.apply(ctx, edits); err != nil {
				return err
			}
			return baseSnaps.timed(func() error {
				return b.base.snapshot(ctx, d.ID, strata.NewID(), time.Now().UnixMilli())
			})
		})
		if err != nil {
			return err
		}
	}
	b.snapshotMedian[n], b.baselineMedian[n] = snaps.median(), baseSnaps.median()
	b.report.add(Row{Scenario: "snapshot (POST .../versions)", Size: n, Strata: medianP99(snaps),
		Baseline: medianP99(baseSnaps), Ratio: ratio(float64(baseSnaps.median()), float64(snaps.median()))})

	// Storage after the history.
	used1, err := usedBytes(ctx, c.DB, c.Postgres)
	if err != nil {
		return err
	}
	strataBytes := used1 - used0 - baseGrowth
	var revisions int64
	if err := c.DB.QueryRowContext(ctx, `SELECT count(*) FROM revisions WHERE dataset_id = $1`, d.ID).Scan(&revisions); err != nil {
		return fmt.Errorf("count revisions: %w", err)
	}
	cur, err := c.Store.FindDataset(ctx, b.actor.ProjectID, d.ID)
	if err != nil {
		return err
	}
	live := int64(cur.ItemCount)
	b.rowsRatio[n] = float64(revisions) / float64(live)
	rows := Row{Scenario: fmt.Sprintf("storage after %d snapshots x %d edits: rows", c.Rounds, c.Edits), Size: n,
		Strata: fmt.Sprintf("%s (%s live)", count(revisions), ratio(float64(revisions), float64(live)))}
	size := Row{Scenario: fmt.Sprintf("storage after %d snapshots x %d edits: bytes", c.Rounds, c.Edits), Size: n,
		Strata: bytesText(strataBytes)}
	if baseRounds == c.Rounds {
		rows.Baseline = fmt.Sprintf("%s (%s live)", count(b.base.rows), ratio(float64(b.base.rows), float64(live)))
		rows.Ratio = ratio(float64(b.base.rows), float64(revisions))
		size.Baseline, size.Ratio = bytesText(baseGrowth), ratio(float64(baseGrowth), float64(strataBytes))
	} else {
		rows.Baseline = fmt.Sprintf("not run (%d copies of %d)", baseRounds, c.Rounds)
		b.report.note("at %s items the baseline made %d full copies, not %d: %d copies would be %s rows",
			count(int64(n)), baseRounds, c.Rounds, c.Rounds, count(int64(c.Rounds)*int64(n)))
	}
	b.report.add(rows)
	b.report.add(size)
	if err := b.base.drop(ctx); err != nil {
		return err
	}

	// Reads of the oldest version, after all that history.
	logf(c.Log, "%d items: page reads", n)
	var worst time.Duration
	for _, at := range []struct {
		name  string
		after int64
	}{{"start", 0}, {"end", int64(n - pageSize)}} {
		var s samples
		for i := 0; i < c.Reps; i++ {
			got := 0
			q := strata.ItemQuery{ProjectID: b.actor.ProjectID, DatasetID: d.ID, Version: oldVersion, AfterSeq: at.after, Limit: pageSize}
			if err := s.timed(func() error {
				return c.Store.ScanItems(ctx, q, func(*strata.Item) error { got++; return nil })
			}); err != nil {
				return err
			}
			if got != pageSize {
				return fmt.Errorf("page at %s of version %d: %d items, want %d", at.name, oldVersion, got, pageSize)
			}
		}
		worst = max(worst, s.median())
		b.report.add(Row{Scenario: fmt.Sprintf("page of %d items, version %d, at its %s", pageSize, oldVersion, at.name),
			Size: n, Strata: medianP99(s)})
	}
	b.pageMedian[n] = worst

	// Restore to a version 10 edits back.
	logf(c.Log, "%d items: restores", n)
	var restores samples
	for i := 0; i < c.RestoreReps; i++ {
		var back *strata.Version
		for j := 0; j < 2; j++ {
			if _, err := b.edit(d.ID, n, c.Rounds+2*i+j); err != nil {
				return err
			}
			v, _, err := c.Store.CreateVersion(ctx, b.actor, d.ID, strata.VersionCreate{})
			if err != nil {
				return err
			}
			if j == 0 {
				back = v
			}
		}
		if err := restores.timed(func() error {
			_, _, err := c.Store.RestoreVersion(ctx, b.actor, d.ID, back.ID)
			return err
		}); err != nil {
			return err
		}
	}
	b.report.add(Row{Scenario: fmt.Sprintf("restore to a version %d edits back", c.Edits), Size: n, Strata: medianP99(restores)})
	return nil
}

// importInto imports n generated items into a new dataset.
func (b *storeBench) importInto(n int, format string) (float64, error) {
	d, err := b.c.Store.CreateDataset(b.ctx, b.actor, strata.DatasetCreate{Name: fmt.Sprintf("bench %d %s", n, format)})
	if err != nil {
		return 0, err
	}
	return b.importFile(d.ID, n, format)
}

// importFile imports a generated file of n items into a dataset, as
// POST .../import does, and returns the items per second. The file is made
// before the clock starts: its making is the client's work.
func (b *storeBench) importFile(datasetID string, n int, format string) (float64, error) {
	var file bytes.Buffer
	if _, err := io.Copy(&file, &ItemFile{Format: format, N: n}); err != nil {
		return 0, err
	}
	start := time.Now()
	src, err := importer.New(format, &file)
	if err != nil {
		return 0, err
	}
	got, err := b.c.Store.ImportItems(b.ctx, b.actor, datasetID, src, strata.WriteOptions{})
	if err != nil {
		return 0, err
	}
	elapsed := time.Since(start)
	if got != n {
		return 0, fmt.Errorf("import %s: %d items, want %d", format, got, n)
	}
	return float64(n) / elapsed.Seconds(), nil
}

// edit changes the input of Edits random items of the working version of a
// dataset whose first n items were imported, without versioning.
func (b *storeBench) edit(datasetID string, n, round int) ([]edit, error) {
	edits := make([]edit, 0, b.c.Edits)
	for e := 0; e < b.c.Edits; e++ {
		var it *strata.Item
		q := strata.ItemQuery{ProjectID: b.actor.ProjectID, DatasetID: datasetID, AfterSeq: b.rnd.Int64N(int64(n)), Limit: 1}
		if err := b.c.Store.ScanItems(b.ctx, q, func(x *strata.Item) error { it = x; return nil }); err != nil {
			return nil, err
		}
		if it == nil {
			return nil, errors.New("edit: no item found")
		}
		input := fmt.Sprintf("%s (edited in round %d)", it.Input, round)
		if len(input) > 300 {
			input = input[len(input)-300:]
		}
		up, err := b.c.Store.UpdateItem(b.ctx, b.actor, datasetID, it.ID, strata.ItemUpdate{Input: &input},
			strata.WriteOptions{SkipVersion: true})
		if err != nil {
			return nil, err
		}
		edits = append(edits, edit{itemID: up.ID, input: input, at: up.UpdatedAt.UnixMilli()})
	}
	return edits, nil
}

// targets checks the goals of issue 6 at the sizes this run measured.
func (b *storeBench) targets() {
	r := b.report
	if m, ok := b.snapshotMedian[1_000_000]; ok {
		r.target("snapshot median < 2 ms at 1,000,000 items", ms(m)+" ms", m < 2*time.Millisecond)
	}
	if m, ok := b.snapshotMedian[100_000]; ok {
		x := float64(b.baselineMedian[100_000]) / float64(m)
		r.target(">= 1,000x faster snapshot than the full copy at 100,000 items", ratio(x, 1), x >= 1000)
	}
	if x, ok := b.rowsRatio[100_000]; ok {
		r.target("< 1.05x revision rows of live items after 100 x 10 edits, 100,000 items", ratio(x, 1), x < 1.05)
	}
	largest := 0
	for n := range b.importRate {
		largest = max(largest, n)
	}
	if largest >= 100_000 {
		v := b.importRate[largest]
		r.target(fmt.Sprintf("JSONL import >= 100,000 items/s (%s items)", count(int64(largest))), count(int64(v))+" items/s", v >= 100_000)
	}
	if m, ok := b.pageMedian[1_000_000]; ok {
		r.target("page of 100 of an old version, median < 5 ms, 1,000,000 items", ms(m)+" ms (worse of start, end)", m < 5*time.Millisecond)
	}
}
