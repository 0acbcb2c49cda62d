package sqlstore

import "context"
import "database/sql"
import "errors"
import "fmt"
import "iter"

import "github.com/strata-eval/strata"

// OpenItems opens a read transaction, reads the dataset and checks q in it;
// the items are read, in the same transaction, when the scan's Items are
// ranged over.
func (s *Store) OpenItems(ctx context.Context, q strata.ItemQuery) (strata.ItemScan, error) {
	tx, err := s.DB.BeginTx(ctx, s.Dialect.ReadOptions())
	if err != nil {
		return nil, fmt.Errorf("begin read: %w", err)
	}
	d, rs, err := planItemScan(ctx, tx, q)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return &itemScan{ctx: ctx, tx: tx, dataset: d, rs: rs}, nil
}

// itemScan is a strata.ItemScan over a read transaction.
type itemScan struct {
	ctx     context.Context
	tx      *sql.Tx
	dataset *strata.Dataset
	rs      revisionScan
}

func (sc *itemScan) Dataset() *strata.Dataset { return sc.dataset }

// errStopScan ends a scan whose caller stopped ranging.
var errStopScan = errors.New("scan stopped")

func (sc *itemScan) Items() iter.Seq2[*strata.Item, error] {
	return func(yield func(*strata.Item, error) bool) {
		err := scanRevisionsFrom(sc.ctx, sc.tx, sc.rs, func(r *revision) error {
			if !yield(r.item(sc.dataset.ID), nil) {
				return errStopScan
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopScan) {
			yield(nil, err)
		}
	}
}

// Close ends the read transaction. One that ended with its context is no
// error.
func (sc *itemScan) Close() error {
	if err := sc.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("end read: %w", err)
	}
	return nil
}
