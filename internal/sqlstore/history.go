package sqlstore

import "context"
import "database/sql"
import "fmt"
import "sort"

import "github.com/strata-eval/strata"

// ItemHistory returns every revision of an item, oldest first.
func (s *Store) ItemHistory(ctx context.Context, projectID, datasetID, itemID string) ([]*strata.Revision, error) {
	var list []*strata.Revision
	err := s.read(ctx, func(tx *sql.Tx) error {
		d, err := findDataset(ctx, tx, projectID, datasetID)
		if err != nil {
			return err
		}
		if !validID(itemID) {
			return strata.ErrItemNotFound
		}
		rows, err := tx.QueryContext(ctx, s.itemHistory(), d.ID, itemID)
		if err != nil {
			return fmt.Errorf("history of item %s: %w", itemID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var r revision
			if err := r.scan(rows); err != nil {
				return fmt.Errorf("history of item %s: %w", itemID, err)
			}
			rev := &strata.Revision{Item: *r.item(d.ID), FirstVersion: r.firstVersion}
			if r.lastVersion.Valid {
				last := int(r.lastVersion.Int64)
				rev.LastVersion = &last
			}
			list = append(list, rev)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("history of item %s: %w", itemID, err)
		}
		if len(list) == 0 {
			return strata.ErrItemNotFound
		}
		sort.Slice(list, func(i, j int) bool { return list[i].FirstVersion < list[j].FirstVersion })
		return nil
	})
	return list, err
}

// itemHistory is the statement that reads the revisions of an item ($2) of a
// dataset ($1). Two branches, so that each finds its rows through its own
// partial index (revisions_closed_item, revisions_open_item): O(the item's
// revisions). The first names its index: SQLite, which plans without
// statistics, would otherwise read every closed revision of the dataset on
// revisions_last. The rows are sorted by the caller, so that no planner
// trades an index for an ordered scan of the whole dataset.
func (s *Store) itemHistory() string {
	return `SELECT ` + revisionColumns + ` FROM revisions ` + s.Dialect.IndexedBy("revisions_closed_item") + `
		WHERE dataset_id = $1 AND item_id = $2 AND last_version IS NOT NULL
		UNION ALL
		SELECT ` + revisionColumns + ` FROM revisions
		WHERE dataset_id = $1 AND item_id = $2 AND last_version IS NULL`
}
