package sqlstore

import "bytes"
import "context"
import "database/sql"
import "encoding/json"
import "errors"
import "fmt"
import "strconv"
import "slices"
import "strings"

import "github.com/strata-eval/strata"

// Evaluators of a project. The slots of a dataset are in slot.go, evaluator
// runs in run.go.

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

// labelColumns are what EvaluatorLabels reads of an evaluator, in
// scanLabel's order: no params.
var labelColumns = `id, substr(name, 1, ` + strconv.Itoa(strata.MaxLabelChars) + `), substr(type, 1, ` +
	strconv.Itoa(strata.MaxLabelChars) + `), kind`

func scanLabel(row scanner) (*strata.Evaluator, error) {
	var e strata.Evaluator
	return &e, row.Scan(&e.ID, &e.Name, &e.Type, &e.Kind)
}

// ListEvaluators calls fn with each of a project's evaluators in creation
// order, a row at a time.
func (s *Store) ListEvaluators(ctx context.Context, projectID, kind string, fn func(*strata.Evaluator) error) error {
	return listEvaluators(ctx, s.DB, projectID, kind, evaluatorColumns, scanEvaluator, fn)
}

// ListEvaluatorLabels calls fn with the label of each of a project's
// evaluators in creation order.
func (s *Store) ListEvaluatorLabels(ctx context.Context, projectID, kind string, fn func(*strata.Evaluator) error) error {
	return listEvaluators(ctx, s.DB, projectID, kind, labelColumns, scanLabel, fn)
}

// listEvaluators reads columns of a project's evaluators of a kind.
func listEvaluators(ctx context.Context, q querier, projectID, kind, columns string, scan func(scanner) (*strata.Evaluator, error), fn func(*strata.Evaluator) error) error {
	if !validID(projectID) {
		return nil
	}
	query := `SELECT ` + columns + ` FROM evaluators WHERE project_id = $1`
	switch kind {
	case strata.KindBuiltin:
		query += ` AND kind = 'builtin'`
	case strata.KindCustom:
		query += ` AND kind <> 'builtin'`
	}
	return eachRow(ctx, q, "list evaluators", query+` ORDER BY created_at, id`, []any{projectID}, scan, fn)
}

func findEvaluator(ctx context.Context, q querier, projectID, id string) (*strata.Evaluator, error) {
	return readEvaluator(ctx, q, projectID, id, "")
}

// lockEvaluator is findEvaluator that locks the evaluator's row until tx
// ends, after the rows of the datasets the caller locked: an attach and a
// delete of one evaluator then run one after the other, so that a delete
// never leaves a dataset holding it.
func (s *Store) lockEvaluator(ctx context.Context, tx *sql.Tx, projectID, id string) (*strata.Evaluator, error) {
	return readEvaluator(ctx, tx, projectID, id, s.Dialect.ForUpdate())
}

func readEvaluator(ctx context.Context, q querier, projectID, id, lock string) (*strata.Evaluator, error) {
	if !validID(id) || !validID(projectID) {
		return nil, strata.ErrEvaluatorNotFound
	}
	e, err := scanEvaluator(q.QueryRowContext(ctx, `SELECT `+evaluatorColumns+` FROM evaluators
		WHERE project_id = $1 AND id = $2 `+lock, projectID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, strata.ErrEvaluatorNotFound
	} else if err != nil {
		return nil, fmt.Errorf("find evaluator %s: %w", id, err)
	}
	return e, nil
}

// EvaluatorLabels returns the labels of the project's evaluators among ids.
func (s *Store) EvaluatorLabels(ctx context.Context, projectID string, ids []string) (map[string]*strata.Evaluator, error) {
	labels := map[string]*strata.Evaluator{}
	valid := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !validID(id) })
	if !validID(projectID) || len(valid) == 0 {
		return labels, nil
	}
	in, args := inList(2, valid)
	err := eachRow(ctx, s.DB, "evaluator labels", `SELECT `+labelColumns+`
		FROM evaluators WHERE project_id = $1 AND id IN (`+in+`)`, append([]any{projectID}, args...), scanLabel,
		func(e *strata.Evaluator) error {
			labels[e.ID] = e
			return nil
		})
	return labels, err
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
	if e.Name, err = strata.CleanName(e.Name); err != nil {
		return err
	}
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
//
// Each dataset that holds it loses it as a detach would take it, its
// results with it (a later evaluator in the slot must not show them as its
// own). The datasets are locked as their writes are (in the server's queue
// first, then their rows), in id order, and their slots read under the
// lock: a slot that changed while the delete waited counts as it is then.
// A dataset that took the evaluator meanwhile makes the delete start again.
func (s *Store) DeleteEvaluator(ctx context.Context, a strata.Actor, id string) error {
	if !validID(id) {
		return strata.ErrEvaluatorNotFound
	}
	for attempt := 1; ; attempt++ {
		held, err := datasetsHolding(ctx, s.DB, a.ProjectID, id)
		if err != nil {
			return err
		}
		err = s.lockDatasets(ctx, held, func() error {
			return s.write(ctx, false, func(tx *sql.Tx) error { return s.deleteEvaluator(ctx, tx, a.ProjectID, id, held) })
		})
		if !errors.Is(err, errHeldMeanwhile) {
			return err
		}
		if attempt == maxAttempts {
			return strata.ErrEvaluatorsChanged
		}
	}
}

// errHeldMeanwhile is a delete that found the evaluator in a dataset it had
// not locked.
var errHeldMeanwhile = errors.New("evaluator attached meanwhile")

// deleteEvaluator is DeleteEvaluator's transaction, the datasets held
// (sorted) in the server's queue.
func (s *Store) deleteEvaluator(ctx context.Context, tx *sql.Tx, projectID, id string, held []string) error {
	rows := make([]*datasetRow, 0, len(held))
	for _, ds := range held {
		d, err := s.lockDataset(ctx, tx, projectID, ds, false)
		if errors.Is(err, strata.ErrDatasetNotFound) {
			continue // deleted meanwhile
		} else if err != nil {
			return err
		}
		rows = append(rows, d)
	}
	// The evaluator's row after the datasets', as an attach takes them:
	// an attach that read it first has committed, and shows below; one
	// that reads it after waits for the delete, and finds it gone.
	e, err := s.lockEvaluator(ctx, tx, projectID, id)
	if err != nil {
		return err
	}
	if e.Kind == strata.KindBuiltin {
		return strata.ErrBuiltinDelete
	}
	if now, err := datasetsHolding(ctx, tx, projectID, id); err != nil {
		return err
	} else if slices.ContainsFunc(now, func(ds string) bool { return !slices.Contains(held, ds) }) {
		return errHeldMeanwhile
	}
	now := s.now() // after the waits
	for _, d := range rows {
		slots, err := readSlots(ctx, tx, d.id)
		if err != nil {
			return err
		}
		counted := false
		for n, ev := range slots {
			if !ev.Valid || !strings.EqualFold(ev.String, id) {
				continue
			}
			if !counted { // its ETag moves
				if _, err := tx.ExecContext(ctx, `UPDATE datasets SET change_count = change_count + 1 WHERE id = $1`, d.id); err != nil {
					return fmt.Errorf("delete evaluator %s: %w", id, err)
				}
				d.changes++
				counted = true
			}
			if err := s.emptySlot(ctx, tx, d, n+1, now); err != nil {
				return err
			}
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM evaluators WHERE project_id = $1 AND id = $2`, e.ProjectID, e.ID)
	if err != nil {
		return fmt.Errorf("delete evaluator %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete evaluator %s: %w", id, err)
	} else if n == 0 {
		return strata.ErrEvaluatorNotFound // deleted meanwhile
	}
	return nil
}

// datasetsHolding returns the datasets of a project that have an evaluator
// in a slot, sorted.
func datasetsHolding(ctx context.Context, q querier, projectID, evaluatorID string) ([]string, error) {
	var where []string
	for n := 1; n <= strata.MaxEvaluatorSlots; n++ {
		where = append(where, slotColumn(n)+` = $2`)
	}
	rows, err := q.QueryContext(ctx, `SELECT id FROM datasets WHERE project_id = $1 AND (`+strings.Join(where, " OR ")+`) ORDER BY id`,
		projectID, evaluatorID)
	if err != nil {
		return nil, fmt.Errorf("datasets holding evaluator %s: %w", evaluatorID, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("datasets holding evaluator %s: %w", evaluatorID, err)
		}
		ids = append(ids, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("datasets holding evaluator %s: %w", evaluatorID, err)
	}
	slices.Sort(ids) // in Go's order, whatever the database's collation
	return ids, nil
}
