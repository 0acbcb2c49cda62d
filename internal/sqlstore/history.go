package sqlstore

import "context"
import "database/sql"
import "errors"
import "fmt"

import "github.com/strata-eval/strata"

// ItemHistory calls fn with each revision of an item, oldest first: the
// closed ones in chunks (chunk.go), then the open one, all in one read
// transaction.
func (s *Store) ItemHistory(ctx context.Context, projectID, datasetID, itemID string, fn func(*strata.Revision) error) error {
	return s.readHistory(ctx, projectID, datasetID, itemID, func(tx *sql.Tx, d *strata.Dataset) error {
		n := 0
		send := func(r *revision) error {
			n++
			return fn(r.revision(d.ID))
		}
		err := scanChunks(ctx, tx, "history of item "+itemID, s.closedHistory(), []any{d.ID, itemID}, byFirstVersion,
			func(chunk []revision) error {
				for i := range chunk {
					if err := send(&chunk[i]); err != nil {
						return err
					}
				}
				return nil
			})
		if err != nil {
			return err
		}
		open, err := openRevision(ctx, tx, d.ID, itemID)
		switch {
		case errors.Is(err, strata.ErrItemNotFound) && n > 0:
			return nil // deleted: its newest revision is closed
		case err != nil:
			return err
		}
		return send(open)
	})
}

// ItemHistoryTail reads the newest n revisions of an item: the open one and
// the newest closed ones before it, in one chunk (so fewer when they hold
// more than its bytes), and the count of the closed ones, on the indexes of
// an item's revisions.
func (s *Store) ItemHistoryTail(ctx context.Context, projectID, datasetID, itemID string, n int) ([]*strata.Revision, int, error) {
	var (
		revs  []*strata.Revision
		total int
	)
	err := s.readHistory(ctx, projectID, datasetID, itemID, func(tx *sql.Tx, d *strata.Dataset) error {
		open, err := openRevision(ctx, tx, d.ID, itemID)
		if err != nil && !errors.Is(err, strata.ErrItemNotFound) {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM revisions `+s.Dialect.IndexedBy("revisions_closed_item")+`
			WHERE dataset_id = $1 AND item_id = $2 AND last_version IS NOT NULL`, d.ID, itemID).Scan(&total); err != nil {
			return fmt.Errorf("history of item %s: %w", itemID, err)
		}
		closed := n
		if open != nil {
			total, closed = total+1, n-1
		}
		if total == 0 {
			return strata.ErrItemNotFound
		}
		if closed > 0 {
			var sizer chunkSizer
			chunk, _, err := sizer.readChunk(ctx, tx, s.newestClosed(), []any{d.ID, itemID, closed}, closed, nil)
			if err != nil {
				return fmt.Errorf("history of item %s: %w", itemID, err)
			}
			for i := len(chunk) - 1; i >= 0; i-- { // newest first: oldest first
				revs = append(revs, chunk[i].revision(d.ID))
			}
		}
		if open != nil && n > 0 {
			revs = append(revs, open.revision(d.ID))
		}
		return nil
	})
	return revs, total, err
}

// readHistory runs fn in a read transaction with the dataset of an item's
// history; an id that is no UUID names no item.
func (s *Store) readHistory(ctx context.Context, projectID, datasetID, itemID string, fn func(tx *sql.Tx, d *strata.Dataset) error) error {
	return s.read(ctx, func(tx *sql.Tx) error {
		d, err := findDataset(ctx, tx, projectID, datasetID)
		if err != nil {
			return err
		}
		if !validID(itemID) {
			return strata.ErrItemNotFound
		}
		return fn(tx, d)
	})
}

// newestClosed is the statement that reads the newest $3 closed revisions
// of an item ($2) of a dataset ($1), newest first, on the index that
// closedHistory reads.
func (s *Store) newestClosed() string {
	return `SELECT ` + revisionColumns + ` FROM revisions ` + s.Dialect.IndexedBy("revisions_closed_item") + `
		WHERE dataset_id = $1 AND item_id = $2 AND last_version IS NOT NULL
		ORDER BY first_version DESC LIMIT ($3 + 0)`
}

// revision is r as the domain's history shows it.
func (r *revision) revision(datasetID string) *strata.Revision {
	rev := &strata.Revision{Item: *r.item(datasetID), FirstVersion: r.firstVersion}
	if r.lastVersion.Valid {
		last := int(r.lastVersion.Int64)
		rev.LastVersion = &last
	}
	return rev
}

// closedHistory is the statement that reads a chunk of the closed revisions
// of an item ($2) of a dataset ($1), in the order of their first versions,
// after $3, at most $4. It names its index (the partial index of an item's
// closed revisions, by first version): SQLite, which plans without
// statistics, would otherwise read every closed revision of the dataset on
// revisions_last. It walks the index from $3 and stops at the chunk's end,
// with nothing to sort: a chunk costs its own revisions, in time and memory
// (bounded by bytes, chunk.go); the open revision is read on its own unique
// index (openRevision).
func (s *Store) closedHistory() string {
	return `SELECT ` + revisionColumns + ` FROM revisions ` + s.Dialect.IndexedBy("revisions_closed_item") + `
		WHERE dataset_id = $1 AND item_id = $2 AND last_version IS NOT NULL AND first_version > $3
		ORDER BY first_version LIMIT ($4 + 0)`
}
