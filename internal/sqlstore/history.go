package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/strata-eval/strata"
)

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
		// Two branches, so that each finds its rows through its own
		// partial index (revisions_closed_item, revisions_open_item); sorted
		// here, so that no planner trades the index for an ordered scan of
		// the whole dataset.
		rows, err := tx.QueryContext(ctx, `SELECT `+revisionColumns+` FROM revisions
			WHERE dataset_id = $1 AND item_id = $2 AND last_version IS NOT NULL
			UNION ALL
			SELECT `+revisionColumns+` FROM revisions
			WHERE dataset_id = $1 AND item_id = $2 AND last_version IS NULL`, d.ID, itemID)
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
