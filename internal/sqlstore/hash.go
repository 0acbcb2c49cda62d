package sqlstore

import "context"
import "database/sql"
import "encoding/json"
import "fmt"

import "github.com/strata-eval/strata"

// Content hashes (strata.ContentHash) are kept incrementally. Every write of
// a revision goes through one of a few helpers, and each keeps d.hash, the
// working set's hash, in step:
//
//   - revisionInserter.add adds each open revision it inserts;
//   - reviseRevision swaps the old content of a revision for the new one;
//   - closeRevision removes the content it closes or deletes;
//   - RestoreVersion's bulk statements leave the working set equal to the
//     restored version, whose hash it then takes.
//
// mutate saves d.hash with the dataset row at the end of every mutation, and
// snapshot copies it into the version row.

// revisionContent is what the content hash covers of a revision, besides
// its item id.
type revisionContent struct {
	input       string
	groundTruth sql.NullString
	output      sql.NullString
	results     [5]sql.NullString
	metadata    string
	splits      string
	externalID  sql.NullString
}

func (r *revision) content() revisionContent {
	return revisionContent{input: r.input, groundTruth: r.groundTruth, output: r.output, results: r.results,
		metadata: r.metadata, splits: r.splits, externalID: r.externalID}
}

// addHash adds r's current content to h; subHash removes it.
func (r *revision) addHash(h *strata.ContentHash) {
	c := r.content()
	c.addHash(h, r.itemID)
}

func (r *revision) subHash(h *strata.ContentHash) {
	c := r.content()
	c.subHash(h, r.itemID)
}

// addHash adds c, the content of item itemID, to h; subHash removes it.
func (c *revisionContent) addHash(h *strata.ContentHash, itemID string) {
	it := c.hashItem(itemID)
	h.AddItem(&it)
}

func (c *revisionContent) subHash(h *strata.ContentHash, itemID string) {
	it := c.hashItem(itemID)
	h.SubItem(&it)
}

// hashItem is the item c makes, as its content hash reads it; its pointers
// name c's strings.
func (c *revisionContent) hashItem(itemID string) strata.Item {
	return strata.Item{
		ID: itemID, Input: c.input,
		GroundTruth: strPtr(c.groundTruth.Valid, &c.groundTruth.String), Output: strPtr(c.output.Valid, &c.output.String),
		EvaluatorResult1: rawJSON(c.results[0]), EvaluatorResult2: rawJSON(c.results[1]),
		EvaluatorResult3: rawJSON(c.results[2]), EvaluatorResult4: rawJSON(c.results[3]),
		EvaluatorResult5: rawJSON(c.results[4]),
		Metadata:         json.RawMessage(c.metadata), Splits: strata.SplitsOf(c.splits),
		ExternalID: strPtr(c.externalID.Valid, &c.externalID.String),
	}
}

// versionHash reads the content hash of version n of a dataset.
func versionHash(ctx context.Context, q querier, datasetID string, n int) (strata.ContentHash, error) {
	var b []byte
	if err := q.QueryRowContext(ctx, `SELECT content_hash FROM versions WHERE dataset_id = $1 AND number = $2`,
		datasetID, n).Scan(&b); err != nil {
		return strata.ContentHash{}, fmt.Errorf("read hash of version %d of %s: %w", n, datasetID, err)
	}
	return strata.ParseContentHash(b)
}

// hashWalkChunk is how many versions a walk reads revisions for at once.
const hashWalkChunk = 500

// datasetHeads lists every dataset with its head.
func datasetHeads(ctx context.Context, q querier) (ids []string, heads []int, err error) {
	rows, err := q.QueryContext(ctx, `SELECT id, head FROM datasets ORDER BY id`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var head int
		if err := rows.Scan(&id, &head); err != nil {
			return nil, nil, err
		}
		ids, heads = append(ids, id), append(heads, head)
	}
	return ids, heads, rows.Err()
}

// walkContentHashes computes, from the revisions alone, the content hash of
// each version of a dataset (1..head) and of its working set (head + 1), in
// order, and gives each to fn. Version v's set is v-1's, plus the revisions
// v opens, minus those it closes; so a walk reads each revision twice at
// most, whatever the number of versions.
func walkContentHashes(ctx context.Context, q querier, datasetID string, head int, fn func(v int, h *strata.ContentHash) error) error {
	var state strata.ContentHash
	working := head + 1
	for lo := 1; lo <= working; lo += hashWalkChunk {
		hi := min(lo+hashWalkChunk, working+1) // versions [lo, hi)
		deltas := make([]strata.ContentHash, hi-lo)
		for _, side := range []struct {
			column string
			sign   int
		}{{"first_version", 1}, {"last_version", -1}} {
			rows, err := q.QueryContext(ctx, `SELECT `+revisionColumns+`, `+side.column+` FROM revisions
				WHERE dataset_id = $1 AND `+side.column+` >= $2 AND `+side.column+` < $3`, datasetID, lo, hi)
			if err != nil {
				return fmt.Errorf("content hashes of %s: %w", datasetID, err)
			}
			for rows.Next() {
				var r revision
				var v int
				err := rows.Scan(append(r.fields(), &v)...)
				if err != nil {
					rows.Close()
					return fmt.Errorf("content hashes of %s: %w", datasetID, err)
				}
				if side.sign > 0 {
					r.addHash(&deltas[v-lo])
				} else {
					r.subHash(&deltas[v-lo])
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("content hashes of %s: %w", datasetID, err)
			}
		}
		for v := lo; v < hi; v++ {
			state.Add(&deltas[v-lo])
			if err := fn(v, &state); err != nil {
				return err
			}
		}
	}
	return nil
}

// backfillContentHashes computes the content hash of every version and
// every working set of a database that predates them: the Go half of
// migration 0003.
func backfillContentHashes(ctx context.Context, tx *sql.Tx) error {
	ids, heads, err := datasetHeads(ctx, tx)
	if err != nil {
		return fmt.Errorf("backfill content hashes: %w", err)
	}
	for i, id := range ids {
		err := walkContentHashes(ctx, tx, id, heads[i], func(v int, h *strata.ContentHash) error {
			var err error
			if v == heads[i]+1 {
				_, err = tx.ExecContext(ctx, `UPDATE datasets SET content_hash = $1 WHERE id = $2`, h.MarshalBinary(), id)
			} else {
				_, err = tx.ExecContext(ctx, `UPDATE versions SET content_hash = $1 WHERE dataset_id = $2 AND number = $3`,
					h.MarshalBinary(), id, v)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("backfill content hashes of %s: %w", id, err)
		}
	}
	return nil
}

// checkContentHashes finds the datasets whose stored content hashes (of a
// version, or of the working set) differ from their revisions': the
// invariant that every revision write kept the hash in step.
func checkContentHashes(ctx context.Context, q querier) ([]strata.Violation, error) {
	const name = "content hashes match the items"
	ids, heads, err := datasetHeads(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("check %q: %w", name, err)
	}
	var found []strata.Violation
	for i, id := range ids {
		// The stored hashes, read before the walk: a result set cannot stay
		// open while the walk queries.
		stored := make(map[int][]byte, heads[i]+1)
		rows, err := q.QueryContext(ctx, `SELECT number, content_hash FROM versions WHERE dataset_id = $1
			UNION ALL SELECT head + 1, content_hash FROM datasets WHERE id = $1`, id)
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", name, err)
		}
		for rows.Next() {
			var v int
			var h []byte
			if err := rows.Scan(&v, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("check %q: %w", name, err)
			}
			stored[v] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("check %q: %w", name, err)
		}
		err = walkContentHashes(ctx, q, id, heads[i], func(v int, h *strata.ContentHash) error {
			got, err := strata.ParseContentHash(stored[v])
			if err != nil || got != *h {
				what := fmt.Sprintf("version %d", v)
				if v == heads[i]+1 {
					what = "the working set"
				}
				found = append(found, strata.Violation{Invariant: name, DatasetID: id, Detail: what + " has a stored hash that is not its items'"})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", name, err)
		}
	}
	return found, nil
}
