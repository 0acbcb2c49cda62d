package sqlstore

import "context"
import "database/sql"
import "encoding/json"
import "fmt"
import "strconv"

import "github.com/strata-eval/strata"

// The slots of a dataset. Slot ids live in the datasets row
// (evaluator_slot_N_id), slot configs in evaluator_configs.

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

// AttachEvaluator puts an evaluator in the first free slot of a dataset;
// attached already, it keeps its slot and takes the config given, if any.
// The dataset's lock makes the choice of the slot and its write one step:
// two attaches never take one slot, nor one evaluator two.
func (s *Store) AttachEvaluator(ctx context.Context, a strata.Actor, datasetID string, at strata.EvaluatorAttach) (*strata.Dataset, error) {
	var out *strata.Dataset
	err := s.mutate(ctx, a, datasetID, false, func(tx *sql.Tx, d *datasetRow, now int64) error {
		e, err := s.lockEvaluator(ctx, tx, a.ProjectID, at.EvaluatorID) // after the dataset's row: see DeleteEvaluator
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
		free, held := 0, 0
		for i, id := range slots {
			if id.Valid && id.String == e.ID {
				held = i + 1
			}
			if !id.Valid && free == 0 {
				free = i + 1
			}
		}
		switch {
		case held != 0 && at.Config == nil:
			// Already attached: nothing changes.
			out, err = findDataset(ctx, tx, a.ProjectID, d.id)
			return err
		case held != 0:
			// Already attached, with a config: the slot takes it (how its
			// results pass is decided by it, the results stay).
			free = held
		case free == 0:
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
		if err := s.emptySlot(ctx, tx, d, slot, now); err != nil {
			return err
		}
		var err error
		out, err = findDataset(ctx, tx, a.ProjectID, d.id)
		return err
	})
	return out, err
}

// emptySlot empties a slot of d, locked, and clears its results from the
// working set: what detaching the evaluator, or deleting it, does to d.
func (s *Store) emptySlot(ctx context.Context, tx *sql.Tx, d *datasetRow, slot int, now int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE datasets SET `+slotColumn(slot)+` = NULL WHERE id = $1`, d.id); err != nil {
		return fmt.Errorf("empty slot %d of %s: %w", slot, d.id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM evaluator_configs WHERE dataset_id = $1 AND slot = $2`, d.id, slot); err != nil {
		return fmt.Errorf("empty slot %d of %s: %w", slot, d.id, err)
	}
	if err := s.clearResults(ctx, tx, d, slot, now); err != nil {
		return err
	}
	return touch(ctx, tx, d, now)
}

// clearResults removes the result of a slot from every working item that has
// one.
func (s *Store) clearResults(ctx context.Context, tx *sql.Tx, d *datasetRow, slot int, now int64) error {
	// Read a chunk, then revise it: a result set cannot stay open while the
	// same transaction writes.
	return scanChunks(ctx, tx, "clear results of "+d.id, `SELECT `+revisionColumns+` FROM revisions
		WHERE dataset_id = $1 AND last_version IS NULL AND `+resultColumn(slot)+` IS NOT NULL AND seq > $2
		ORDER BY seq LIMIT ($3 + 0)`, []any{d.id}, bySeq, func(chunk []revision) error {
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
