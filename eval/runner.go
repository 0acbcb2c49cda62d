package eval

import "context"
import "errors"
import "log/slog"
import "sync"
import "sync/atomic"
import "time"
import "unsafe"

import "github.com/strata-eval/strata"

// Defaults of Runner.
const (
	DefaultProgressInterval = 2 * time.Second
	DefaultStaleAfter       = time.Minute
	DefaultMaxAsyncRuns     = 4
	// DefaultPageBytes bounds the items a run reads and scores at once.
	DefaultPageBytes = 8 << 20
	// DefaultMaxResultBytes bounds the results a run holds until it
	// completes.
	DefaultMaxResultBytes = 256 << 20
)

// pageItems is the most items a run reads at once.
const pageItems = 1000

// ErrTooManyRuns refuses an asynchronous run while the server computes its
// most (Runner.MaxAsyncRuns).
var ErrTooManyRuns = &strata.Error{Code: strata.ERATELIMIT, Message: "Too many evaluator runs in progress on this server: try again later"}

// Messages of runs that did not complete.
const (
	msgStopped     = "Interrupted: the server stopped before the run completed"
	msgInterrupted = "Interrupted: the server running it stopped"
)

// Runner runs the evaluators of datasets: it reads the items, scores them
// outside any transaction, and hands the results to the store, which writes
// them, a version and the run record in one transaction.
//
// A synchronous run lives in its request. An asynchronous one is recorded
// running, computes in the background, records its progress (which is also
// its heartbeat) every ProgressInterval, and ends completed or failed. A run
// whose heartbeat stops (its server died) is marked failed by the sweep that
// every server's Watch makes, at start-up and then periodically.
type Runner struct {
	Store  Store
	LLM    *Client
	Logger *slog.Logger
	// Workers is how many items one run scores at once; 0 means twice the
	// LLM pool, so that the pool stays full.
	Workers int
	// ProgressInterval is how often a background run records its progress;
	// 0 means DefaultProgressInterval.
	ProgressInterval time.Duration
	// StaleAfter is how long a running run may go without a heartbeat
	// before the sweep marks it failed; 0 means DefaultStaleAfter.
	StaleAfter time.Duration
	// Observer hears of each run that computed, and how it ended; nil:
	// nobody.
	Observer Observer
	// MaxAsyncRuns is how many asynchronous runs this server computes at
	// once; 0 means DefaultMaxAsyncRuns. Another is ErrTooManyRuns.
	MaxAsyncRuns int
	// PageBytes bounds the content of the items a run reads and scores at
	// once; 0 means DefaultPageBytes. A run holds its results, and one page
	// of items.
	PageBytes int
	// MaxResultBytes bounds what a run holds of its results until it
	// writes them (each item's id, content digest and results); 0 means
	// DefaultMaxResultBytes. A run past it fails with ETOOLARGE and writes
	// nothing.
	MaxResultBytes int64

	// onPage, when set (by tests), is told the items of each page.
	onPage func(items int)

	async  atomic.Int32 // asynchronous runs computing
	once   sync.Once
	ctx    context.Context // canceled by Close: background runs stop
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Store is what a Runner uses of a strata.Store: the dataset, its
// evaluators and working items, and the records of runs.
type Store interface {
	FindDataset(ctx context.Context, projectID, id string) (*strata.Dataset, error)
	FindEvaluator(ctx context.Context, projectID, id string) (*strata.Evaluator, error)
	ScanItems(ctx context.Context, q strata.ItemQuery, fn func(*strata.Item) error) error
	strata.RunStore
}

// NewRunner returns a runner over a store and an LLM client.
func NewRunner(store Store, llm *Client, logger *slog.Logger) *Runner {
	return &Runner{Store: store, LLM: llm, Logger: logger}
}

func (r *Runner) init() {
	r.once.Do(func() { r.ctx, r.cancel = context.WithCancel(context.Background()) })
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

// RunResult is what a run answers: Lunary's {updatedItemCount, dataset,
// version, run}. Version and Run are nil when the dataset had no items: then
// nothing ran.
type RunResult struct {
	DatasetID        string
	UpdatedItemCount int
	Version          *strata.Version
	Run              *strata.Run
}

// plan is a run ready to compute: the slots and their scorers. Its results
// fill in as pages of items are scored, in item order.
type plan struct {
	actor     strata.Actor
	datasetID string
	itemCount int    // the dataset's items when the run was planned
	beforeSeq int64  // the run's items are those that existed then: below this Seq
	filter    string // the ItemFilter's query string, "" for every item
	query     strata.ItemFilter
	slots     []strata.RunSlotInput
	scorers   []Scorer
	results   []strata.ItemResults
	held      atomic.Int64 // bytes of results, counted against MaxResultBytes
}

// itemResultsBytes is what an item's entry in a run's results costs beside
// its id and results.
const itemResultsBytes = int64(unsafe.Sizeof(strata.ItemResults{}))

// hold counts n bytes more of the run's results, and fails once they are
// more than the runner allows.
func (r *Runner) hold(p *plan, n int64) error {
	if limit := orDefault(r.MaxResultBytes, DefaultMaxResultBytes); p.held.Add(n) > limit {
		return strata.Errorf(strata.ETOOLARGE, "The results of this run would take more than %d bytes of memory before they are written (STRATA_MAX_RUN_RESULT_BYTES): run the evaluators on fewer items, with a filter", limit)
	}
	return nil
}

// plan checks, in Lunary's order, that the dataset's evaluators can run
// over the working items f selects.
func (r *Runner) plan(ctx context.Context, a strata.Actor, datasetID string, f strata.ItemFilter) (*plan, error) {
	d, err := r.Store.FindDataset(ctx, a.ProjectID, datasetID)
	if err != nil {
		return nil, err
	}
	// A run asked under If-Match runs only over the dataset the client saw.
	// An asynchronous run is checked here only: its results are written
	// later, under no request's condition.
	if !strata.ConditionOf(ctx).Holds(d.ETag) {
		return nil, strata.ErrPrecondition
	}
	p := &plan{actor: a, datasetID: d.ID, itemCount: d.ItemCount, beforeSeq: d.NextSeq, filter: f.String(), query: f}
	missing := false
	for i, id := range d.Slots() {
		if id == nil {
			continue
		}
		ev, err := r.Store.FindEvaluator(ctx, a.ProjectID, *id)
		if strata.ErrorCode(err) == strata.ENOTFOUND {
			missing = true
			continue
		} else if err != nil {
			return nil, err
		}
		p.slots = append(p.slots, strata.RunSlotInput{Slot: i + 1, Evaluator: ev, Config: d.Config(i + 1)})
	}
	if len(p.slots) == 0 && !missing {
		return nil, strata.ErrNoEvaluators
	} else if missing {
		return nil, strata.ErrEvaluatorsMissing
	}
	for _, in := range p.slots {
		sc, err := Compile(in.Evaluator, strata.ParseEvaluatorConfig(in.Config), r.LLM)
		if err != nil {
			return nil, err
		}
		p.scorers = append(p.scorers, sc)
	}
	return p, nil
}

// pageItem is an item of the page a run scores.
type pageItem struct {
	id   string
	seq  int64
	item Item
}

// errPageFull ends the read of a page.
var errPageFull = errors.New("page full")

// items is the query of the run's items after seq: the working items its
// filter selects, of those that existed when it was planned. An item
// created while the run computes is not in it; one edited is read as it is
// then, and its results are kept only if it has not changed again by the
// end (CompleteRun).
func (p *plan) items(after int64, limit int) strata.ItemQuery {
	return strata.ItemQuery{ProjectID: p.actor.ProjectID, DatasetID: p.datasetID, AfterSeq: after, BeforeSeq: p.beforeSeq,
		Limit: limit, Filter: p.query}
}

// count is the number of the run's items, read in one pass that keeps
// none: the total of a run with a filter, before it computes.
func (r *Runner) count(ctx context.Context, p *plan) (int, error) {
	n := 0
	err := r.Store.ScanItems(ctx, p.items(0, 0), func(*strata.Item) error { n++; return nil })
	return n, err
}

// readPage reads the run's items after seq, up to pageItems items or
// PageBytes of content.
func (r *Runner) readPage(ctx context.Context, p *plan, after int64) ([]pageItem, error) {
	limit := orDefault(r.PageBytes, DefaultPageBytes)
	var page []pageItem
	size := 0
	err := r.Store.ScanItems(ctx, p.items(after, pageItems),
		func(it *strata.Item) error {
			page = append(page, pageItem{id: it.ID, seq: it.Seq, item: Item{Input: it.Input, GroundTruth: it.GroundTruth, Output: it.Output}})
			if size += len(it.Input) + len(text(it.GroundTruth)) + len(text(it.Output)); size >= limit {
				return errPageFull
			}
			return nil
		})
	if err != nil && !errors.Is(err, errPageFull) {
		return nil, err
	}
	return page, nil
}

func (r *Runner) workers() int {
	if r.Workers > 0 {
		return r.Workers
	}
	return 2 * r.LLM.PoolSize()
}

// compute scores the dataset's working items with every slot's scorer, a
// page at a time, several items at once, counting in processed the items
// done. It keeps each item's results and content digest, never the item.
func (r *Runner) compute(ctx context.Context, p *plan, processed *atomic.Int64) error {
	var after int64
	for {
		page, err := r.readPage(ctx, p, after)
		if err != nil || len(page) == 0 {
			return err
		}
		if r.onPage != nil {
			r.onPage(len(page))
		}
		start := len(p.results)
		for _, it := range page {
			p.results = append(p.results, strata.ItemResults{ItemID: it.id,
				Content: strata.DigestContent(it.item.Input, it.item.GroundTruth, it.item.Output)})
			if err := r.hold(p, itemResultsBytes+int64(len(it.id))); err != nil {
				return err
			}
		}
		if err := r.scorePage(ctx, p, page, p.results[start:], processed); err != nil {
			return err
		}
		after = page[len(page)-1].seq
	}
}

// scorePage scores the items of a page into results. It fails only when
// ctx ends.
func (r *Runner) scorePage(ctx context.Context, p *plan, page []pageItem, results []strata.ItemResults, processed *atomic.Int64) error {
	type task struct{ item, slot int }
	// A run whose results grow past MaxResultBytes stops at once: the
	// results in memory are at most that, and one per worker.
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	tasks := make(chan task)
	remaining := make([]atomic.Int32, len(page))
	for i := range remaining {
		remaining[i].Store(int32(len(p.slots)))
	}
	var wg sync.WaitGroup
	for range r.workers() {
		wg.Go(func() {
			for t := range tasks {
				res := p.scorers[t.slot].Score(ctx, page[t.item].item)
				if err := r.hold(p, int64(len(res))); err != nil {
					stop(err)
					continue
				}
				results[t.item].Results[p.slots[t.slot].Slot-1] = res
				if remaining[t.item].Add(-1) == 0 {
					processed.Add(1)
				}
			}
		})
	}
feed:
	for i := range page {
		for j := range p.slots {
			select {
			case tasks <- task{i, j}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(tasks)
	wg.Wait()
	return context.Cause(ctx)
}

func (p *plan) completion(runID string) strata.RunCompletion {
	return strata.RunCompletion{RunID: runID, TotalItems: len(p.results), Slots: p.slots, Items: p.results, Filter: p.filter}
}

// Run runs a dataset's evaluators and waits for the result.
func (r *Runner) Run(ctx context.Context, a strata.Actor, datasetID string) (*RunResult, error) {
	return r.RunFiltered(ctx, a, datasetID, strata.ItemFilter{})
}

// RunFiltered runs a dataset's evaluators over the working items f selects,
// and records f in the run.
func (r *Runner) RunFiltered(ctx context.Context, a strata.Actor, datasetID string, f strata.ItemFilter) (_ *RunResult, err error) {
	p, err := r.plan(ctx, a, datasetID, f)
	if err != nil {
		return nil, err
	}
	if p.itemCount == 0 {
		return &RunResult{DatasetID: p.datasetID}, nil
	}
	defer func() { observer(r.Observer).RunEnded(runStatus(err)) }()
	if err := r.compute(ctx, p, new(atomic.Int64)); err != nil {
		return nil, err
	}
	if len(p.results) == 0 {
		return &RunResult{DatasetID: p.datasetID}, nil
	}
	out, err := r.Store.CompleteRun(ctx, a, p.datasetID, p.completion(""))
	if err != nil {
		return nil, err
	}
	return &RunResult{DatasetID: p.datasetID, UpdatedItemCount: out.UpdatedItemCount, Version: out.Version, Run: out.Run}, nil
}

// RunAsync checks and records a run, and computes it in the background. It
// returns the running run; or, when no item is to be evaluated, the result
// of a run that had nothing to do.
func (r *Runner) RunAsync(ctx context.Context, a strata.Actor, datasetID string) (*strata.Run, *RunResult, error) {
	return r.RunAsyncFiltered(ctx, a, datasetID, strata.ItemFilter{})
}

// RunAsyncFiltered is RunAsync over the working items f selects.
func (r *Runner) RunAsyncFiltered(ctx context.Context, a strata.Actor, datasetID string, f strata.ItemFilter) (*strata.Run, *RunResult, error) {
	r.init()
	if r.ctx.Err() != nil {
		return nil, nil, strata.Errorf(strata.EINTERNAL, "runner closed")
	}
	p, err := r.plan(ctx, a, datasetID, f)
	if err != nil {
		return nil, nil, err
	}
	if p.itemCount == 0 {
		return nil, &RunResult{DatasetID: p.datasetID}, nil
	}
	total := p.itemCount
	if p.filter != "" {
		// The run's total is the items its filter selects. A filter that
		// selects nothing runs nothing, as a synchronous run does: no run
		// recorded, no version made.
		if total, err = r.count(ctx, p); err != nil {
			return nil, nil, err
		} else if total == 0 {
			return nil, &RunResult{DatasetID: p.datasetID}, nil
		}
	}
	// Each run holds its results and a page of items: their number is
	// what bounds the memory of runs.
	if n := r.async.Add(1); int(n) > orDefault(r.MaxAsyncRuns, DefaultMaxAsyncRuns) {
		r.async.Add(-1)
		return nil, nil, ErrTooManyRuns
	}
	run, err := r.Store.CreateRun(ctx, a, p.datasetID, strata.RunStart{TotalItems: total, Filter: p.filter})
	if err != nil {
		r.async.Add(-1)
		return nil, nil, err
	}
	// The background writes outlive the request: they run under the
	// runner's context, so they answer to no request's strata.Condition and
	// report to no response.
	r.wg.Add(1)
	go r.background(p, run)
	return run, nil, nil
}

// background computes a recorded run and completes or fails it.
func (r *Runner) background(p *plan, run *strata.Run) {
	defer r.wg.Done()
	defer r.async.Add(-1)
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	var processed atomic.Int64
	done := make(chan struct{})
	var progress sync.WaitGroup
	progress.Go(func() {
		interval := orDefault(r.ProgressInterval, DefaultProgressInterval)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			err := r.Store.ProgressRun(ctx, p.actor, p.datasetID, run.ID, int(processed.Load()))
			if errors.Is(err, strata.ErrRunNotRunning) {
				cancel() // failed by a sweep: nobody waits for this run
				return
			} else if err != nil && ctx.Err() == nil {
				r.logger().Warn("record run progress", "run", run.ID, "err", err)
			}
		}
	})
	// The heartbeat goes on while the results are written: a long write
	// must not look like a dead server.
	err := r.compute(ctx, p, &processed)
	if err == nil {
		_, err = r.Store.CompleteRun(ctx, p.actor, p.datasetID, p.completion(run.ID))
	}
	close(done)
	progress.Wait()
	observer(r.Observer).RunEnded(runStatus(err))
	if err == nil || errors.Is(err, strata.ErrRunNotRunning) || (ctx.Err() != nil && r.ctx.Err() == nil) {
		return // completed, or failed by a sweep while it computed
	}
	message := strata.ErrorMessage(err)
	switch {
	case r.ctx.Err() != nil:
		message = msgStopped
	case strata.ErrorCode(err) == strata.EINTERNAL:
		r.logger().Error("evaluator run failed", "run", run.ID, "dataset", p.datasetID, "err", err)
	}
	fctx, fcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer fcancel()
	// The items it scored, as a heartbeat would have said: the last one
	// may be seconds old.
	if err := r.Store.ProgressRun(fctx, p.actor, p.datasetID, run.ID, int(processed.Load())); err != nil && !errors.Is(err, strata.ErrRunNotRunning) {
		r.logger().Warn("record run progress", "run", run.ID, "err", err)
	}
	if err := r.Store.FailRun(fctx, p.actor, p.datasetID, run.ID, message); err != nil {
		r.logger().Error("record failed run", "run", run.ID, "err", err)
	}
}

// runStatus is how a run that computed ended.
func runStatus(err error) string {
	if err != nil {
		return RunFailed
	}
	return RunCompleted
}

// Watch marks failed the runs whose server stopped: at once, then every
// third of StaleAfter, until ctx ends or the runner closes.
func (r *Runner) Watch(ctx context.Context) {
	r.init()
	stale := orDefault(r.StaleAfter, DefaultStaleAfter)
	t := time.NewTicker(max(stale/3, time.Millisecond))
	defer t.Stop()
	for {
		if n, err := r.Store.FailStaleRuns(ctx, time.Now().Add(-stale), msgInterrupted); err != nil && ctx.Err() == nil {
			r.logger().Warn("fail stale runs", "err", err)
		} else if n > 0 {
			r.logger().Info("marked interrupted evaluator runs failed", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-r.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close stops the background runs, marking them failed, and waits for them.
func (r *Runner) Close() {
	r.init()
	r.cancel()
	r.wg.Wait()
}
