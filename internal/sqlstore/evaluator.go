package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/strata-eval/strata"
)

// Evaluators, the slots of a dataset and evaluator runs. Slot ids live in the
// datasets row (evaluator_slot_N_id), slot configs in evaluator_configs; a
// run's results live in the revisions they belong to, written through
// reviseRevision like any other change of an item.

const evaluatorColumns = `id, created_at, updated_at, project_id, owner_id, name, slug, type, mode, description,
	params, filters, kind`

func scanEvaluator(row scanner) (*strata.Evaluator, error) {
	var (
		e                strata.Evaluator
		created, updated int64
		owner, descr     sql.NullString
		params, filters  string
	)
	if err := row.Scan(&e.ID, &created, &updated, &e.ProjectID, &owner, &e.Name, &e.Slug, &e.Type, &e.Mode, &descr,
		&params, &filters, &e.Kind); err != nil {
		return nil, err
	}
	e.CreatedAt, e.UpdatedAt = timeOf(created), timeOf(updated)
	e.OwnerID, e.Description = ptr(owner), ptr(descr)
	e.Params, e.Filters = json.RawMessage(params), json.RawMessage(filters)
	return &e, nil
}

// builtinEvaluators are seeded in every project, as Lunary's migration 0115
// seeds them.
var builtinEvaluators = []struct{ name, slug, typ string }{
	{"Language", "language", "language"},
	{"PII Detection", "pii-detection", "pii"},
	{"Topics Detection", "topics-detection", "topics"},
	{"Intent Detection", "intent-detection", "intent"},
	{"Toxicity", "toxicity", "toxicity"},
}

// seedBuiltinEvaluators gives a project the builtin evaluators it lacks.
func seedBuiltinEvaluators(ctx context.Context, tx *sql.Tx, projectID string, now int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT type FROM evaluators WHERE project_id = $1 AND kind = 'builtin'`, projectID)
	if err != nil {
		return fmt.Errorf("seed evaluators: %w", err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("seed evaluators: %w", err)
		}
		have[t] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("seed evaluators: %w", err)
	}
	for _, b := range builtinEvaluators {
		if have[b.typ] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO evaluators (`+evaluatorColumns+`)
			VALUES ($1, $2, $2, $3, NULL, $4, $5, $6, 'normal', NULL, '{}', '["AND"]', 'builtin')`,
			strata.NewID(), now, projectID, b.name, b.slug, b.typ); err != nil {
			return fmt.Errorf("seed evaluator %s: %w", b.typ, err)
		}
	}
	return nil
}

// ListEvaluators lists a project's evaluators in creation order.
func (s *Store) ListEvaluators(ctx context.Context, projectID, kind string) ([]*strata.Evaluator, error) {
	list := []*strata.Evaluator{}
	if !validID(projectID) {
		return list, nil
	}
	query := `SELECT ` + evaluatorColumns + ` FROM evaluators WHERE project_id = $1`
	switch kind {
	case strata.KindBuiltin:
		query += ` AND kind = 'builtin'`
	case strata.KindCustom:
		query += ` AND kind <> 'builtin'`
	}
	rows, err := s.DB.QueryContext(ctx, query+` ORDER BY created_at, id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list evaluators: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvaluator(rows)
		if err != nil {
			return nil, fmt.Errorf("list evaluators: %w", err)
		}
		list = append(list, e)
	}
	return list, rows.Err()
}

func findEvaluator(ctx context.Context, q querier, projectID, id string) (*strata.Evaluator, error) {
	if !validID(id) || !validID(projectID) {
		return nil, strata.ErrEvaluatorNotFound
	}
	e, err := scanEvaluator(q.QueryRowContext(ctx, `SELECT `+evaluatorColumns+` FROM evaluators
		WHERE project_id = $1 AND id = $2`, projectID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, strata.ErrEvaluatorNotFound
	} else if err != nil {
		return nil, fmt.Errorf("find evaluator %s: %w", id, err)
	}
	return e, nil
}

// FindEvaluator returns an evaluator of the project.
func (s *Store) FindEvaluator(ctx context.Context, projectID, id string) (*strata.Evaluator, error) {
	return findEvaluator(ctx, s.DB, projectID, id)
}

// checkEvaluatorText rejects evaluator text that not every store can keep.
func checkEvaluatorText(e *strata.Evaluator) error {
	for _, f := range []struct{ name, value string }{
		{"name", e.Name}, {"slug", e.Slug}, {"type", e.Type}, {"mode", e.Mode},
	} {
		if err := strata.CheckText(f.name, f.value); err != nil {
			return err
		}
	}
	if err := strata.CheckJSONText("params", e.Params); err != nil {
		return err
	}
	if err := strata.CheckJSONText("filters", e.Filters); err != nil {
		return err
	}
	if e.Description != nil {
		return strata.CheckText("description", *e.Description)
	}
	return nil
}

// compactJSON returns the compact form of a JSON value given by a client.
func compactJSON(field string, raw json.RawMessage) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, strata.Errorf(strata.EINVALID, "%s is not valid JSON", field)
	}
	return b.Bytes(), nil
}

func normalizeEvaluator(e *strata.Evaluator) (err error) {
	if e.Params, err = compactJSON("params", e.Params); err != nil {
		return err
	}
	if e.Filters, err = compactJSON("filters", e.Filters); err != nil {
		return err
	}
	return checkEvaluatorText(e)
}

// CreateEvaluator creates a custom evaluator owned by the caller.
func (s *Store) CreateEvaluator(ctx context.Context, a strata.Actor, c strata.EvaluatorCreate) (*strata.Evaluator, error) {
	if strata.IsBuiltinType(c.Type) {
		return nil, strata.ErrBuiltinCreate
	}
	if !validID(a.ProjectID) {
		return nil, strata.Errorf(strata.ENOTFOUND, "Project not found")
	}
	now := s.now()
	e := &strata.Evaluator{
		ID: strata.NewID(), CreatedAt: timeOf(now), UpdatedAt: timeOf(now), ProjectID: a.ProjectID,
		Name: c.Name, Slug: c.Slug, Type: c.Type, Mode: c.Mode, Description: c.Description,
		Params: c.Params, Filters: c.Filters, Kind: strata.KindCustom,
	}
	if a.UserID != "" {
		e.OwnerID = &a.UserID
	}
	if err := normalizeEvaluator(e); err != nil {
		return nil, err
	}
	err := s.write(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO evaluators (`+evaluatorColumns+`)
			VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			e.ID, now, e.ProjectID, e.OwnerID, e.Name, e.Slug, e.Type, e.Mode, e.Description,
			string(e.Params), string(e.Filters), e.Kind)
		if err != nil {
			return fmt.Errorf("insert evaluator: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// UpdateEvaluator replaces an evaluator's fields; of a builtin one, only the
// name, description, mode and params.
func (s *Store) UpdateEvaluator(ctx context.Context, a strata.Actor, id string, u strata.EvaluatorUpdate) (*strata.Evaluator, error) {
	var e *strata.Evaluator
	err := s.write(ctx, false, func(tx *sql.Tx) (err error) {
		if e, err = findEvaluator(ctx, tx, a.ProjectID, id); err != nil {
			return err
		}
		if strata.IsBuiltinType(u.Type) && e.Kind != strata.KindBuiltin {
			return strata.ErrBuiltinConvert
		}
		e.Name, e.Mode, e.Params = u.Name, u.Mode, u.Params
		if u.Description != nil {
			e.Description = u.Description
		}
		if e.Kind != strata.KindBuiltin {
			e.Type, e.Filters = u.Type, u.Filters
		}
		if err := normalizeEvaluator(e); err != nil {
			return err
		}
		now := s.now()
		e.UpdatedAt = timeOf(now)
		_, err = tx.ExecContext(ctx, `UPDATE evaluators SET name = $1, description = $2, type = $3, mode = $4,
			params = $5, filters = $6, updated_at = $7 WHERE project_id = $8 AND id = $9`,
			e.Name, e.Description, e.Type, e.Mode, string(e.Params), string(e.Filters), now, e.ProjectID, e.ID)
		if err != nil {
			return fmt.Errorf("update evaluator %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// DeleteEvaluator deletes a custom evaluator, emptying the slots (and their
// configs) that held it. Runs keep its id, name and type.
func (s *Store) DeleteEvaluator(ctx context.Context, a strata.Actor, id string) error {
	return s.write(ctx, false, func(tx *sql.Tx) error {
		e, err := findEvaluator(ctx, tx, a.ProjectID, id)
		if err != nil {
			return err
		}
		if e.Kind == strata.KindBuiltin {
			return strata.ErrBuiltinDelete
		}
		for n := 1; n <= strata.MaxEvaluatorSlots; n++ {
			column := slotColumn(n)
			rows, err := tx.QueryContext(ctx, `SELECT id FROM datasets WHERE project_id = $1 AND `+column+` = $2`, e.ProjectID, e.ID)
			if err != nil {
				return fmt.Errorf("delete evaluator %s: %w", id, err)
			}
			var datasets []string
			for rows.Next() {
				var d string
				if err := rows.Scan(&d); err != nil {
					rows.Close()
					return fmt.Errorf("delete evaluator %s: %w", id, err)
				}
				datasets = append(datasets, d)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("delete evaluator %s: %w", id, err)
			}
			for _, d := range datasets {
				if _, err := tx.ExecContext(ctx, `UPDATE datasets SET `+column+` = NULL WHERE id = $1`, d); err != nil {
					return fmt.Errorf("delete evaluator %s: %w", id, err)
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM evaluator_configs WHERE dataset_id = $1 AND slot = $2`, d, n); err != nil {
					return fmt.Errorf("delete evaluator %s: %w", id, err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM evaluators WHERE project_id = $1 AND id = $2`, e.ProjectID, e.ID); err != nil {
			return fmt.Errorf("delete evaluator %s: %w", id, err)
		}
		return nil
	})
}

// slotColumn is the datasets column of slot n, 1..5.
func slotColumn(n int) string { return "evaluator_slot_" + strconv.Itoa(n) + "_id" }

// resultColumn is the revisions column of the result of slot n, 1..5.
func resultColumn(n int) string { return "evaluator_result_" + strconv.Itoa(n) }

// readSlots reads the evaluator id of each slot of a dataset.
func readSlots(ctx context.Context, q querier, datasetID string) ([strata.MaxEvaluatorSlots]sql.NullString, error) {
	var slots [strata.MaxEvaluatorSlots]sql.NullString
	err := q.QueryRowContext(ctx, `SELECT evaluator_slot_1_id, evaluator_slot_2_id, evaluator_slot_3_id,
		evaluator_slot_4_id, evaluator_slot_5_id FROM datasets WHERE id = $1`, datasetID).
		Scan(&slots[0], &slots[1], &slots[2], &slots[3], &slots[4])
	if err != nil {
		return slots, fmt.Errorf("read slots of %s: %w", datasetID, err)
	}
	return slots, nil
}

// loadEvaluatorConfigs fills d.EvaluatorConfigs.
func loadEvaluatorConfigs(ctx context.Context, q querier, d *strata.Dataset) error {
	rows, err := q.QueryContext(ctx, `SELECT slot, config FROM evaluator_configs WHERE dataset_id = $1 ORDER BY slot`, d.ID)
	if err != nil {
		return fmt.Errorf("read configs of %s: %w", d.ID, err)
	}
	defer rows.Close()
	d.EvaluatorConfigs = map[string]json.RawMessage{}
	for rows.Next() {
		var (
			slot   int
			config string
		)
		if err := rows.Scan(&slot, &config); err != nil {
			return fmt.Errorf("read configs of %s: %w", d.ID, err)
		}
		d.EvaluatorConfigs[strconv.Itoa(slot)] = json.RawMessage(config)
	}
	return rows.Err()
}

// AttachEvaluator puts an evaluator in the first free slot of a dataset.
// The dataset's lock makes the choice of the slot and its write one step:
// two attaches never take one slot, nor one evaluator two.
func (s *Store) AttachEvaluator(ctx context.Context, a strata.Actor, datasetID string, at strata.EvaluatorAttach) (*strata.Dataset, error) {
	var out *strata.Dataset
	err := s.mutate(ctx, a, datasetID, false, func(tx *sql.Tx, d *datasetRow, now int64) error {
		e, err := findEvaluator(ctx, tx, a.ProjectID, at.EvaluatorID)
		if err != nil {
			return err
		}
		if err := strata.CheckAttach(e, at.Config); err != nil {
			return err
		}
		slots, err := readSlots(ctx, tx, d.id)
		if err != nil {
			return err
		}
		free := 0
		for i, id := range slots {
			if id.Valid && id.String == e.ID {
				// Already attached: nothing changes, the new config included.
				out, err = findDataset(ctx, tx, a.ProjectID, d.id)
				return err
			}
			if !id.Valid && free == 0 {
				free = i + 1
			}
		}
		if free == 0 {
			return strata.ErrSlotsFull
		}
		if _, err := tx.ExecContext(ctx, `UPDATE datasets SET `+slotColumn(free)+` = $1, updated_at = $2 WHERE id = $3`,
			e.ID, now, d.id); err != nil {
			return fmt.Errorf("attach evaluator to %s: %w", d.id, err)
		}
		if at.Config != nil {
			config, err := json.Marshal(at.Config)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO evaluator_configs (dataset_id, slot, config) VALUES ($1, $2, $3)
				ON CONFLICT (dataset_id, slot) DO UPDATE SET config = excluded.config`, d.id, free, string(config))
			if err != nil {
				return fmt.Errorf("attach evaluator to %s: %w", d.id, err)
			}
		} else if _, err := tx.ExecContext(ctx, `DELETE FROM evaluator_configs WHERE dataset_id = $1 AND slot = $2`, d.id, free); err != nil {
			return fmt.Errorf("attach evaluator to %s: %w", d.id, err)
		}
		out, err = findDataset(ctx, tx, a.ProjectID, d.id)
		return err
	})
	return out, err
}

// DetachEvaluator empties a slot and clears its results from the working
// set. A result that a version holds stays there: the item gets a new
// revision without it.
func (s *Store) DetachEvaluator(ctx context.Context, a strata.Actor, datasetID string, slot int) (*strata.Dataset, error) {
	if slot < 1 || slot > strata.MaxEvaluatorSlots {
		return nil, strata.Errorf(strata.EINVALID, "slot must be 1 to %d", strata.MaxEvaluatorSlots)
	}
	var out *strata.Dataset
	err := s.mutate(ctx, a, datasetID, false, func(tx *sql.Tx, d *datasetRow, now int64) error {
		if _, err := tx.ExecContext(ctx, `UPDATE datasets SET `+slotColumn(slot)+` = NULL WHERE id = $1`, d.id); err != nil {
			return fmt.Errorf("detach evaluator from %s: %w", d.id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM evaluator_configs WHERE dataset_id = $1 AND slot = $2`, d.id, slot); err != nil {
			return fmt.Errorf("detach evaluator from %s: %w", d.id, err)
		}
		if err := s.clearResults(ctx, tx, d, slot, now); err != nil {
			return err
		}
		if err := touch(ctx, tx, d, now); err != nil {
			return err
		}
		var err error
		out, err = findDataset(ctx, tx, a.ProjectID, d.id)
		return err
	})
	return out, err
}

// clearResults removes the result of a slot from every working item that has
// one.
func (s *Store) clearResults(ctx context.Context, tx *sql.Tx, d *datasetRow, slot int, now int64) error {
	// Read a chunk, then revise it: a result set cannot stay open while the
	// same transaction writes.
	return scanChunks(ctx, tx, "clear results of "+d.id, `SELECT `+revisionColumns+` FROM revisions
		WHERE dataset_id = $1 AND last_version IS NULL AND `+resultColumn(slot)+` IS NOT NULL AND seq > $2
		ORDER BY seq LIMIT ($3 + 0)`, []any{d.id}, func(chunk []revision) error {
		for i := range chunk {
			r := &chunk[i]
			r.results[slot-1] = sql.NullString{}
			r.updatedAt = now
			if err := s.reviseRevision(ctx, tx, d, r); err != nil {
				return err
			}
		}
		return nil
	})
}

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
	args := []any{datasetID}
	in := ""
	for i, r := range runs {
		r.Slots = []*strata.RunSlot{}
		byID[r.ID] = r
		args = append(args, r.ID)
		if i > 0 {
			in += ", "
		}
		in += "$" + strconv.Itoa(i+2)
	}
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

// CreateRun records a running run.
func (s *Store) CreateRun(ctx context.Context, a strata.Actor, datasetID string, totalItems int) (*strata.Run, error) {
	var r *strata.Run
	// The run is no change of the dataset: its ETag stays.
	err := s.lockedWrite(ctx, a, datasetID, false, false, func(tx *sql.Tx, d *datasetRow, now int64) (err error) {
		id := strata.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO evaluator_runs (id, dataset_id, created_by, created_at, updated_at,
			total_items, status, heartbeat_at) VALUES ($1, $2, $3, $4, $4, $5, 'running', $4)`,
			id, d.id, createdBy(a, d), now, totalItems); err != nil {
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
	err := s.lockedWrite(ctx, a, datasetID, false, false, func(tx *sql.Tx, d *datasetRow, now int64) (err error) {
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
		slots, err := readSlots(ctx, tx, d.id)
		if err != nil {
			return err
		}
		for _, in := range c.Slots {
			if in.Slot < 1 || in.Slot > strata.MaxEvaluatorSlots || in.Evaluator == nil {
				return strata.Errorf(strata.EINVALID, "invalid run slot %d", in.Slot)
			}
			if id := slots[in.Slot-1]; !id.Valid || id.String != in.Evaluator.ID {
				return strata.ErrEvaluatorsChanged
			}
		}
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
		err = scanRevisions(ctx, tx, d.id, 0, func(r *revision) error {
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
		if err != nil {
			return err
		}
		if err := touch(ctx, tx, d, now); err != nil {
			return err
		}
		v, err := s.snapshot(ctx, tx, a, d, nil, nil, nil, now)
		if err != nil {
			return err
		}
		runID := c.RunID
		if runID == "" {
			runID = strata.NewID()
			_, err = tx.ExecContext(ctx, `INSERT INTO evaluator_runs (id, dataset_id, version_id, created_by, created_at,
				updated_at, total_items, updated_item_count, processed_items, status, heartbeat_at, item_filter)
				VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $6, 'completed', $5, $8)`,
				runID, d.id, v.ID, createdBy(a, d), now, c.TotalItems, updated, runFilter(c.Filter))
			if err != nil {
				return fmt.Errorf("insert run of %s: %w", d.id, err)
			}
		} else {
			if !validID(runID) {
				return strata.ErrRunNotFound
			}
			res, err := tx.ExecContext(ctx, `UPDATE evaluator_runs SET version_id = $1, updated_at = $2, total_items = $3,
				updated_item_count = $4, processed_items = $3, status = 'completed', heartbeat_at = $2, item_filter = $7
				WHERE dataset_id = $5 AND id = $6 AND status = 'running'`, v.ID, now, c.TotalItems, updated, d.id, runID,
				runFilter(c.Filter))
			if err != nil {
				return fmt.Errorf("complete run %s: %w", runID, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("complete run %s: %w", runID, err)
			} else if n == 0 {
				return strata.ErrRunNotRunning
			}
		}
		for i, in := range c.Slots {
			rs := tallies[i].Slot(in, c.TotalItems)
			var config sql.NullString
			if len(rs.Config) > 0 {
				config = sql.NullString{String: string(rs.Config), Valid: true}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO evaluator_run_slots (dataset_id, `+runSlotColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
				d.id, runID, rs.Slot, rs.EvaluatorID, rs.EvaluatorName, rs.EvaluatorKind, rs.EvaluatorType,
				rs.PassCount, rs.FailCount, rs.UnknownCount, rs.EvaluatedCount, rs.PassRate, rs.Coverage, config)
			if err != nil {
				return fmt.Errorf("insert run slot %d of %s: %w", rs.Slot, runID, err)
			}
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

// sameContent reports whether a working revision still has the content a
// run evaluated.
func sameContent(r *revision, res *strata.ItemResults) bool {
	return strata.DigestContent(r.input, ptr(r.groundTruth), ptr(r.output)) == res.Content
}

// runFilter is the item_filter of a run: NULL for every item.
func runFilter(f string) sql.NullString { return sql.NullString{String: f, Valid: f != ""} }
