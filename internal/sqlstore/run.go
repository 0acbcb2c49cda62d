package sqlstore

import "context"
import "database/sql"
import "errors"
import "fmt"
import "time"

import "github.com/strata-eval/strata"

// Evaluator runs. A run's results live in the revisions they belong to,
// written through reviseRevision like any other change of an item.

const runColumns = `r.id, r.dataset_id, r.version_id, r.name, r.created_by, r.created_at, r.updated_at, r.total_items,
	r.updated_item_count, v.number, v.created_at, u.name, u.email, r.status, r.processed_items, r.error, r.item_filter
	FROM evaluator_runs r
	LEFT JOIN versions v ON v.dataset_id = r.dataset_id AND v.id = r.version_id
	LEFT JOIN users u ON u.id = r.created_by`

func scanRun(row scanner) (*strata.Run, error) {
	var (
		r                                  strata.Run
		created, updated                   int64
		versionID, name, createdBy, errMsg sql.NullString
		filter                             sql.NullString
		versionNumber, versionCreated      sql.NullInt64
		createdByName, createdByEmail      sql.NullString
	)
	if err := row.Scan(&r.ID, &r.DatasetID, &versionID, &name, &createdBy, &created, &updated, &r.TotalItems,
		&r.UpdatedItemCount, &versionNumber, &versionCreated, &createdByName, &createdByEmail, &r.Status,
		&r.ProcessedItems, &errMsg, &filter); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = timeOf(created), timeOf(updated)
	r.VersionID, r.Name, r.CreatedBy, r.Error = ptr(versionID), ptr(name), ptr(createdBy), ptr(errMsg)
	// A user without an email has '' stored; clients see null, as for a
	// dataset's ownerEmail.
	createdByEmail.Valid = createdByEmail.Valid && createdByEmail.String != ""
	r.CreatedByName, r.CreatedByEmail = ptr(createdByName), ptr(createdByEmail)
	r.Filter = ptr(filter)
	if versionNumber.Valid {
		n := int(versionNumber.Int64)
		r.VersionNumber = &n
	}
	if versionCreated.Valid {
		t := timeOf(versionCreated.Int64)
		r.VersionCreatedAt = &t
	}
	return &r, nil
}

const runSlotColumns = `run_id, slot, evaluator_id, evaluator_name, evaluator_kind, evaluator_type, pass_count, fail_count,
	unknown_count, evaluated_count, pass_rate, coverage, config`

// loadRunSlots fills the slots of runs of a dataset, all in one query.
func loadRunSlots(ctx context.Context, q querier, datasetID string, runs []*strata.Run) error {
	if len(runs) == 0 {
		return nil
	}
	byID := map[string]*strata.Run{}
	ids := make([]string, len(runs))
	for i, r := range runs {
		r.Slots = []*strata.RunSlot{}
		byID[r.ID] = r
		ids[i] = r.ID
	}
	in, args := inList(2, ids)
	args = append([]any{datasetID}, args...)
	rows, err := q.QueryContext(ctx, `SELECT `+runSlotColumns+` FROM evaluator_run_slots
		WHERE dataset_id = $1 AND run_id IN (`+in+`) ORDER BY run_id, slot`, args...)
	if err != nil {
		return fmt.Errorf("read run slots: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			s                  strata.RunSlot
			runID              string
			id, name, kind, tp sql.NullString
			passRate, coverage sql.NullFloat64
			config             sql.NullString
		)
		if err := rows.Scan(&runID, &s.Slot, &id, &name, &kind, &tp, &s.PassCount, &s.FailCount, &s.UnknownCount,
			&s.EvaluatedCount, &passRate, &coverage, &config); err != nil {
			return fmt.Errorf("read run slots: %w", err)
		}
		s.EvaluatorID, s.EvaluatorName, s.EvaluatorKind, s.EvaluatorType = ptr(id), ptr(name), ptr(kind), ptr(tp)
		if passRate.Valid {
			s.PassRate = &passRate.Float64
		}
		if coverage.Valid {
			s.Coverage = &coverage.Float64
		}
		s.Config = rawJSON(config)
		if r := byID[runID]; r != nil {
			r.Slots = append(r.Slots, &s)
		}
	}
	return rows.Err()
}

func findRun(ctx context.Context, q querier, datasetID, runID string) (*strata.Run, error) {
	if !validID(runID) {
		return nil, strata.ErrRunNotFound
	}
	r, err := scanRun(q.QueryRowContext(ctx, `SELECT `+runColumns+` WHERE r.dataset_id = $1 AND r.id = $2`, datasetID, runID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, strata.ErrRunNotFound
	} else if err != nil {
		return nil, fmt.Errorf("find run %s: %w", runID, err)
	}
	return r, loadRunSlots(ctx, q, datasetID, []*strata.Run{r})
}

// FindRun returns a run of a dataset of the project, with its slots.
func (s *Store) FindRun(ctx context.Context, projectID, datasetID, runID string) (*strata.Run, error) {
	var r *strata.Run
	err := s.read(ctx, func(tx *sql.Tx) error {
		d, err := findDataset(ctx, tx, projectID, datasetID)
		if err != nil {
			return err
		}
		r, err = findRun(ctx, tx, d.ID, runID)
		return err
	})
	return r, err
}

// ListRuns returns the newest runs first, with their slots.
func (s *Store) ListRuns(ctx context.Context, projectID, datasetID string, limit int) ([]*strata.Run, error) {
	list := []*strata.Run{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		d, err := findDataset(ctx, tx, projectID, datasetID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+runColumns+` WHERE r.dataset_id = $1
			ORDER BY r.created_at DESC, r.id DESC LIMIT ($2 + 0)`, d.ID, limit)
		if err != nil {
			return fmt.Errorf("list runs of %s: %w", d.ID, err)
		}
		for rows.Next() {
			r, err := scanRun(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("list runs of %s: %w", d.ID, err)
			}
			list = append(list, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list runs of %s: %w", d.ID, err)
		}
		return loadRunSlots(ctx, tx, d.ID, list)
	})
	return list, err
}

// createdBy is who a run or version is recorded as: the caller, else the
// dataset's owner.
func createdBy(a strata.Actor, d *datasetRow) sql.NullString {
	if a.UserID != "" {
		return nullString(a.UserID)
	}
	return d.ownerID
}

// CreateRun records a running run with its filter, which the run keeps
// whether it completes or fails.
func (s *Store) CreateRun(ctx context.Context, a strata.Actor, datasetID string, start strata.RunStart) (*strata.Run, error) {
	var r *strata.Run
	// The run is no change of the dataset: its ETag stays.
	err := s.lockedWrite(ctx, a, datasetID, lockOptions{keepETag: true}, func(tx *sql.Tx, d *datasetRow, now int64) (err error) {
		id := strata.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO evaluator_runs (id, dataset_id, created_by, created_at, updated_at,
			total_items, status, heartbeat_at, item_filter) VALUES ($1, $2, $3, $4, $4, $5, 'running', $4, $6)`,
			id, d.id, createdBy(a, d), now, start.TotalItems, runFilter(start.Filter)); err != nil {
			return fmt.Errorf("insert run of %s: %w", d.id, err)
		}
		r, err = findRun(ctx, tx, d.id, id)
		return err
	})
	return r, err
}

// ProgressRun records a running run's progress and heartbeat. It takes no
// dataset lock: it writes only the run's row.
func (s *Store) ProgressRun(ctx context.Context, a strata.Actor, datasetID, runID string, processed int) error {
	if !validID(datasetID) || !validID(runID) {
		return strata.ErrRunNotFound
	}
	return s.write(ctx, false, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE evaluator_runs SET processed_items = $1, heartbeat_at = $2, updated_at = $2
			WHERE dataset_id = $3 AND id = $4 AND status = 'running'`, processed, now, datasetID, runID)
		if err != nil {
			return fmt.Errorf("progress run %s: %w", runID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("progress run %s: %w", runID, err)
		} else if n == 0 {
			return strata.ErrRunNotRunning
		}
		return nil
	})
}

// FailRun marks a running run failed.
func (s *Store) FailRun(ctx context.Context, a strata.Actor, datasetID, runID, message string) error {
	if !validID(datasetID) || !validID(runID) {
		return strata.ErrRunNotFound
	}
	return s.write(ctx, false, func(tx *sql.Tx) error {
		now := s.now()
		_, err := tx.ExecContext(ctx, `UPDATE evaluator_runs SET status = 'failed', error = $1, updated_at = $2
			WHERE dataset_id = $3 AND id = $4 AND status = 'running'`, message, now, datasetID, runID)
		if err != nil {
			return fmt.Errorf("fail run %s: %w", runID, err)
		}
		return nil
	})
}

// FailStaleRuns marks failed the running runs whose heartbeat stopped before
// the given time. It is a sweep over every dataset, made at start-up and from
// time to time by every server.
func (s *Store) FailStaleRuns(ctx context.Context, before time.Time, message string) (int, error) {
	var n int64
	err := s.write(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE evaluator_runs SET status = 'failed', error = $1, updated_at = $2
			WHERE status = 'running' AND heartbeat_at < $3`, message, s.now(), strata.Millis(before).UnixMilli())
		if err != nil {
			return fmt.Errorf("fail stale runs: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// RenameRun sets or clears a run's name.
func (s *Store) RenameRun(ctx context.Context, a strata.Actor, datasetID, runID string, name *string) (*strata.Run, error) {
	if name != nil {
		if err := strata.CheckText("name", *name); err != nil {
			return nil, err
		}
	}
	var r *strata.Run
	err := s.lockedWrite(ctx, a, datasetID, lockOptions{keepETag: true, guarded: true}, func(tx *sql.Tx, d *datasetRow, now int64) (err error) {
		if !validID(runID) {
			return strata.ErrRunNotFound
		}
		res, err := tx.ExecContext(ctx, `UPDATE evaluator_runs SET name = $1, updated_at = $2 WHERE dataset_id = $3 AND id = $4`,
			name, now, d.id, runID)
		if err != nil {
			return fmt.Errorf("rename run %s: %w", runID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("rename run %s: %w", runID, err)
		} else if n == 0 {
			return strata.ErrRunNotFound
		}
		r, err = findRun(ctx, tx, d.id, runID)
		return err
	})
	return r, err
}

// CompleteRun writes a run's results, snapshots, and records the run, in one
// transaction under the dataset's lock. A result is written only to an item
// whose content is still the one evaluated; the others (edited or deleted
// since) keep theirs and are not counted. If a slot now holds another
// evaluator than the run used, nothing is written.
func (s *Store) CompleteRun(ctx context.Context, a strata.Actor, datasetID string, c strata.RunCompletion) (*strata.RunOutcome, error) {
	var out *strata.RunOutcome
	err := s.mutate(ctx, a, datasetID, false, func(tx *sql.Tx, d *datasetRow, now int64) error {
		if err := checkRunSlots(ctx, tx, d.id, c.Slots); err != nil {
			return err
		}
		tallies, updated, err := s.writeRunResults(ctx, tx, d, c, now)
		if err != nil {
			return err
		}
		if err := touch(ctx, tx, d, now); err != nil {
			return err
		}
		v, err := s.snapshot(ctx, tx, a, d, snapshotOptions{}, now)
		if err != nil {
			return err
		}
		runID, err := recordCompletedRun(ctx, tx, a, d, c, v.ID, updated, now)
		if err != nil {
			return err
		}
		if err := insertRunSlots(ctx, tx, d.id, runID, c, tallies); err != nil {
			return err
		}
		run, err := findRun(ctx, tx, d.id, runID)
		if err != nil {
			return err
		}
		out = &strata.RunOutcome{UpdatedItemCount: updated, Version: v, Run: run}
		return nil
	})
	return out, err
}

// checkRunSlots returns ErrEvaluatorsChanged unless every slot a run used
// still holds the evaluator it used.
func checkRunSlots(ctx context.Context, q querier, datasetID string, used []strata.RunSlotInput) error {
	slots, err := readSlots(ctx, q, datasetID)
	if err != nil {
		return err
	}
	for _, in := range used {
		if in.Slot < 1 || in.Slot > strata.MaxEvaluatorSlots || in.Evaluator == nil {
			return strata.Errorf(strata.EINVALID, "invalid run slot %d", in.Slot)
		}
		if id := slots[in.Slot-1]; !id.Valid || id.String != in.Evaluator.ID {
			return strata.ErrEvaluatorsChanged
		}
	}
	return nil
}

// writeRunResults writes the results of a run to the working items whose
// content is the one evaluated, and returns the tally of each slot of the
// run and how many items it updated.
func (s *Store) writeRunResults(ctx context.Context, tx *sql.Tx, d *datasetRow, c strata.RunCompletion, now int64) ([]strata.Tally, int, error) {
	byItem := make(map[string]*strata.ItemResults, len(c.Items))
	for i := range c.Items {
		byItem[c.Items[i].ItemID] = &c.Items[i]
	}
	configs := make([]*strata.EvaluatorConfig, len(c.Slots))
	for i, in := range c.Slots {
		configs[i] = strata.ParseEvaluatorConfig(in.Config)
	}
	tallies := make([]strata.Tally, len(c.Slots))
	updated := 0
	err := scanRevisions(ctx, tx, d.id, 0, func(r *revision) error {
		res := byItem[r.itemID]
		if res == nil || !sameContent(r, res) {
			return nil
		}
		for i, in := range c.Slots {
			result := res.Results[in.Slot-1]
			r.results[in.Slot-1] = sql.NullString{}
			if len(result) > 0 && string(result) != "null" {
				r.results[in.Slot-1] = sql.NullString{String: string(result), Valid: true}
			}
			tallies[i].Add(strata.PassOutcome(configs[i], result))
		}
		r.updatedAt = now
		updated++
		return s.reviseRevision(ctx, tx, d, r)
	})
	return tallies, updated, err
}

// recordCompletedRun records a run completed with version versionID: it
// inserts the run of a synchronous completion (no RunID), or completes the
// running run RunID. It returns the run's id.
func recordCompletedRun(ctx context.Context, tx *sql.Tx, a strata.Actor, d *datasetRow, c strata.RunCompletion,
	versionID string, updated int, now int64) (string, error) {
	if c.RunID == "" {
		runID := strata.NewID()
		_, err := tx.ExecContext(ctx, `INSERT INTO evaluator_runs (id, dataset_id, version_id, created_by, created_at,
			updated_at, total_items, updated_item_count, processed_items, status, heartbeat_at, item_filter)
			VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $6, 'completed', $5, $8)`,
			runID, d.id, versionID, createdBy(a, d), now, c.TotalItems, updated, runFilter(c.Filter))
		if err != nil {
			return "", fmt.Errorf("insert run of %s: %w", d.id, err)
		}
		return runID, nil
	}
	runID := c.RunID
	if !validID(runID) {
		return "", strata.ErrRunNotFound
	}
	res, err := tx.ExecContext(ctx, `UPDATE evaluator_runs SET version_id = $1, updated_at = $2, total_items = $3,
		updated_item_count = $4, processed_items = $3, status = 'completed', heartbeat_at = $2, item_filter = $7
		WHERE dataset_id = $5 AND id = $6 AND status = 'running'`, versionID, now, c.TotalItems, updated, d.id, runID,
		runFilter(c.Filter))
	if err != nil {
		return "", fmt.Errorf("complete run %s: %w", runID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", fmt.Errorf("complete run %s: %w", runID, err)
	} else if n == 0 {
		return "", strata.ErrRunNotRunning
	}
	return runID, nil
}

// insertRunSlots records the summary of each slot of a completed run.
func insertRunSlots(ctx context.Context, tx *sql.Tx, datasetID, runID string, c strata.RunCompletion, tallies []strata.Tally) error {
	for i, in := range c.Slots {
		rs := tallies[i].Slot(in, c.TotalItems)
		var config sql.NullString
		if len(rs.Config) > 0 {
			config = sql.NullString{String: string(rs.Config), Valid: true}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO evaluator_run_slots (dataset_id, `+runSlotColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			datasetID, runID, rs.Slot, rs.EvaluatorID, rs.EvaluatorName, rs.EvaluatorKind, rs.EvaluatorType,
			rs.PassCount, rs.FailCount, rs.UnknownCount, rs.EvaluatedCount, rs.PassRate, rs.Coverage, config)
		if err != nil {
			return fmt.Errorf("insert run slot %d of %s: %w", rs.Slot, runID, err)
		}
	}
	return nil
}

// sameContent reports whether a working revision still has the content a
// run evaluated.
func sameContent(r *revision, res *strata.ItemResults) bool {
	return strata.DigestContent(r.input, ptr(r.groundTruth), ptr(r.output)) == res.Content
}

// runFilter is the item_filter of a run: NULL for every item.
func runFilter(f string) sql.NullString { return sql.NullString{String: f, Valid: f != ""} }
