package strata

import "context"
import "time"

// EvaluatorStore manages evaluators and the slots of datasets that hold them.
type EvaluatorStore interface {
	// ListEvaluators calls fn with each of a project's evaluators in the
	// order they were created, one at a time (an evaluator's params may
	// hold megabytes), and stops at fn's first error, which it returns.
	// Kind "" lists all, and KindCustom every evaluator that is not builtin.
	ListEvaluators(ctx context.Context, projectID, kind string, fn func(*Evaluator) error) error
	FindEvaluator(ctx context.Context, projectID, id string) (*Evaluator, error)
	// EvaluatorLabels returns, by id, the ID, Name, Type and Kind of the
	// project's evaluators among ids, names and types cut to
	// MaxLabelChars characters, and reads no params: what a page that
	// names the evaluators of a dataset's slots shows. An id not found is
	// absent.
	EvaluatorLabels(ctx context.Context, projectID string, ids []string) (map[string]*Evaluator, error)
	// ListEvaluatorLabels is ListEvaluators with labels (as EvaluatorLabels
	// gives them) for evaluators: what a choice of evaluators shows.
	ListEvaluatorLabels(ctx context.Context, projectID, kind string, fn func(*Evaluator) error) error
	CreateEvaluator(ctx context.Context, a Actor, c EvaluatorCreate) (*Evaluator, error)
	UpdateEvaluator(ctx context.Context, a Actor, id string, u EvaluatorUpdate) (*Evaluator, error)
	// DeleteEvaluator deletes a custom evaluator and empties the slots that
	// held it.
	DeleteEvaluator(ctx context.Context, a Actor, id string) error

	// AttachEvaluator puts an evaluator in the first free slot, under the
	// dataset's lock. An evaluator already attached is left as it is.
	AttachEvaluator(ctx context.Context, a Actor, datasetID string, at EvaluatorAttach) (*Dataset, error)
	// DetachEvaluator empties a slot and clears its results in the working
	// version; versions keep theirs. It makes no version.
	DetachEvaluator(ctx context.Context, a Actor, datasetID string, slot int) (*Dataset, error)
}

// RunStore records evaluator runs: their start, progress and end, the
// results a completed run writes, and their listing.
type RunStore interface {
	// CreateRun records a running run, with its total and filter.
	CreateRun(ctx context.Context, a Actor, datasetID string, start RunStart) (*Run, error)
	// ProgressRun records how many items a running run has evaluated; it
	// is also the run's heartbeat.
	ProgressRun(ctx context.Context, a Actor, datasetID, runID string, processed int) error
	// CompleteRun writes the results, snapshots, and records the run, all
	// in one transaction under the dataset's lock.
	CompleteRun(ctx context.Context, a Actor, datasetID string, c RunCompletion) (*RunOutcome, error)
	// FailRun marks a running run failed.
	FailRun(ctx context.Context, a Actor, datasetID, runID, message string) error
	// FailStaleRuns marks failed every running run whose last heartbeat is
	// older than before: its server stopped.
	FailStaleRuns(ctx context.Context, before time.Time, message string) (int, error)
	// ListRuns returns the newest limit runs, newest first, with slots.
	ListRuns(ctx context.Context, projectID, datasetID string, limit int) ([]*Run, error)
	FindRun(ctx context.Context, projectID, datasetID, runID string) (*Run, error)
	// RenameRun sets a run's name; nil clears it.
	RenameRun(ctx context.Context, a Actor, datasetID, runID string, name *string) (*Run, error)
}
