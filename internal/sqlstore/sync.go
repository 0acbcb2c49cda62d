package sqlstore

import "bytes"
import "context"
import "crypto/sha256"
import "database/sql"
import "encoding/binary"
import "encoding/json"
import "errors"
import "fmt"
import "io"
import "slices"
import "sort"
import "strings"
import "time"

import "github.com/strata-eval/strata"

// A sync (sync.go in the domain) runs in two phases in one transaction that
// locks the dataset. The plan reads: it streams the records, matches those
// with an id or an external id through the indexes, then scans the working
// set once to match the rest by content and to find what no record
// matched. The apply writes only the difference: closes, revisions, inserts,
// in that order (so that an external id can move from a removed item to a
// new one), then one snapshot. A dry run stops after the plan.

// syncPlan is the difference between the working set and a file.
type syncPlan struct {
	result   strata.SyncResult
	removes  []*revision
	modifies []*revision // the open revisions, with the record's content
	adds     []*revision
}

// syncRecord is a record waiting to be matched by content.
type syncRecord struct {
	in    strata.ItemInput
	order int // position in the file
}

// size is about the memory a record holds, as revision.size counts it.
func (rec syncRecord) size() int {
	in := rec.in
	return len(in.ID) + contentBytes(in.Input, in.Metadata, in.Splits, in.GroundTruth, in.Output, in.ExternalID)
}

// What a sync's plan holds beyond the sizes it counts: for a record or a
// revision, the rest of its struct and the slices and changes that point
// to it; for a map entry, all but its key's bytes.
const (
	heldBytes     = 256
	mapEntryBytes = 48
)

// syncBudget counts the bytes a sync's plan holds, up to its bound.
type syncBudget struct{ held, max int64 }

func (b *syncBudget) hold(n int) error {
	if b.held += int64(n); b.max > 0 && b.held > b.max {
		return strata.ErrSyncTooLarge(b.max)
	}
	return nil
}

// recordRevision applies a record's fields to r (a copy of an item's open
// revision): what the item becomes.
func recordRevision(r revision, in strata.ItemInput, now int64) (*revision, error) {
	r.input, r.groundTruth, r.output = in.Input, nullOf(in.GroundTruth), nullOf(in.Output)
	r.metadata, r.splits, r.externalID = string(in.Metadata), strata.SplitsText(in.Splits), nullOf(in.ExternalID)
	if err := checkContent(r.input, r.groundTruth, r.output); err != nil {
		return nil, err
	}
	if r.content() == *r.saved {
		return nil, nil
	}
	r.updatedAt = now
	return &r, nil
}

// syncKey identifies the content a record and an item share when they
// match by content: everything but the id and the evaluator results.
func syncKey(input string, groundTruth, output sql.NullString, metadata, splits string, externalID sql.NullString) [32]byte {
	h := sha256.New()
	for _, f := range []sql.NullString{{String: input, Valid: true}, groundTruth, output,
		{String: metadata, Valid: true}, {String: splits, Valid: true}, externalID} {
		var n [9]byte
		if f.Valid {
			n[0] = 1
			binary.BigEndian.PutUint64(n[1:], uint64(len(f.String)))
		}
		h.Write(n[:])
		h.Write([]byte(f.String))
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// planSync reads the records of src and matches them to the working set.
func (s *Store) planSync(ctx context.Context, tx *sql.Tx, d *datasetRow, src strata.ItemSource, o strata.SyncOptions, now int64) (*syncPlan, error) {
	p := &syncPlan{}
	budget := syncBudget{max: o.MaxBytes}
	matched := map[string]bool{}     // item ids matched
	externalIDs := map[string]bool{} // external ids of the records
	byContent := map[[32]byte][]syncRecord{}
	type added struct {
		r     *revision
		order int
	}
	var changes []*strata.Change // modified, in file order
	var pending []added          // new items, in file order
	// byExternalID holds the items matched by external id, for a record
	// naming one of them by id later in the file.
	byExternalID := map[string]externalMatch{}
	// unmatched plans a record that names no live item: a new item for an
	// upsert; for a sync, one to match by content, else a new item.
	unmatched := func(in strata.ItemInput, order int) error {
		if o.Upsert {
			r, err := newRevision(d, in, now)
			if err != nil {
				return err
			}
			if err := budget.hold(r.size() + heldBytes); err != nil {
				return err
			}
			pending = append(pending, added{r, order})
			return nil
		}
		rec := syncRecord{in: in, order: order}
		if err := budget.hold(rec.size() + heldBytes); err != nil {
			return err
		}
		k := syncKey(in.Input, nullOf(in.GroundTruth), nullOf(in.Output), string(in.Metadata), strata.SplitsText(in.Splits), nullOf(in.ExternalID))
		byContent[k] = append(byContent[k], rec)
		return nil
	}
	order := 0
	for ; ; order++ {
		in, err := src.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if err := strata.NormalizeInput(&in); err != nil {
			return nil, err
		}
		if in.ExternalID != nil {
			if externalIDs[*in.ExternalID] {
				return nil, errDuplicateRecord("externalId", *in.ExternalID)
			}
			externalIDs[*in.ExternalID] = true
			if err := budget.hold(mapEntryBytes + len(*in.ExternalID)); err != nil {
				return nil, err
			}
		}
		live, byID, err := s.syncMatch(ctx, tx, d, in)
		if err != nil {
			return nil, err
		}
		if live != nil && matched[live.itemID] {
			prev, prevByExternalID := byExternalID[live.itemID]
			switch {
			case byID && !prevByExternalID:
				return nil, errDuplicateRecord("item", live.itemID)
			case !byID:
				// The item was named by id, and this record holds the
				// external id it gives up: a new item takes it.
				live = nil
			default:
				// Named by id after a record matched it by the external
				// id it gives up: that record is a new item.
				again := prev.unplan(p, &changes, live)
				delete(byExternalID, live.itemID)
				if err := unmatched(again, prev.order); err != nil {
					return nil, err
				}
			}
		}
		if live != nil {
			matched[live.itemID] = true
			if err := budget.hold(mapEntryBytes + len(live.itemID)); err != nil {
				return nil, err
			}
			next, err := recordRevision(*live, in, now)
			if err != nil {
				return nil, err
			}
			m := externalMatch{modify: -1, order: order}
			if next != nil {
				if err := budget.hold(next.size() + heldBytes); err != nil {
					return nil, err
				}
				p.result.Modified++
				m.modify = len(p.modifies)
				p.modifies = append(p.modifies, next)
				if len(changes) <= o.ChangeLimit {
					changes = append(changes, &strata.Change{ItemID: live.itemID, Kind: strata.ChangeModified,
						Before: live.item(d.id), After: next.item(d.id), Seq: live.seq})
				}
			} else {
				p.result.Unchanged++
			}
			if !byID {
				byExternalID[live.itemID] = m
				if err := budget.hold(mapEntryBytes + len(live.itemID)); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := unmatched(in, order); err != nil {
			return nil, err
		}
	}
	p.modifies = slices.DeleteFunc(p.modifies, func(r *revision) bool { return r == nil }) // unplanned
	slices.SortStableFunc(pending, func(a, b added) int { return a.order - b.order })
	var removed []*strata.Change
	if !o.Upsert {
		// One pass over the working set: match by content, and remove what
		// nothing matched.
		err := scanRevisions(ctx, tx, d.id, 0, func(r *revision) error {
			if matched[r.itemID] {
				return nil
			}
			k := syncKey(r.input, r.groundTruth, r.output, r.metadata, r.splits, r.externalID)
			if recs := byContent[k]; len(recs) > 0 {
				byContent[k] = recs[1:]
				p.result.Unchanged++
				return nil
			}
			if err := budget.hold(r.size() + heldBytes); err != nil {
				return err
			}
			rr := *r
			p.removes = append(p.removes, &rr)
			p.result.Removed++
			if len(removed) <= o.ChangeLimit {
				removed = append(removed, &strata.Change{ItemID: r.itemID, Kind: strata.ChangeRemoved, Before: r.item(d.id), Seq: r.seq})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		// The records left are new items, in file order.
		var left []syncRecord
		for _, recs := range byContent {
			left = append(left, recs...)
		}
		byContent = nil
		sort.Slice(left, func(i, j int) bool { return left[i].order < left[j].order })
		for i, rec := range left {
			left[i] = syncRecord{} // the revision holds what the record did
			r, err := newRevision(d, rec.in, now)
			if err != nil {
				return nil, err
			}
			pending = append(pending, added{r, rec.order})
		}
	}
	for _, a := range pending {
		p.adds = append(p.adds, a.r)
		p.result.Added++
	}
	if o.Upsert {
		// A sync removes every item the file does not name, so the file's
		// external ids (each named once) are all free at its end; an
		// upsert keeps those items, and theirs.
		if err := checkKeptExternalIDs(ctx, tx, d.id, matched, p.modifies, p.adds); err != nil {
			return nil, err
		}
	}
	// The page of changes: modified and added in file order, then removed.
	all := changes
	for _, a := range pending {
		if len(all) > o.ChangeLimit {
			break
		}
		it := a.r.item(d.id)
		c := &strata.Change{ItemID: it.ID, Kind: strata.ChangeAdded, After: it, Seq: a.r.seq}
		if o.DryRun {
			c.ItemID, c.After.ID = "", ""
		}
		all = append(all, c)
	}
	all = append(all, removed...)
	size := 0
	for i, c := range all {
		if pageFull(i, size, o.ChangeLimit) {
			all, p.result.More = all[:i], true
			break
		}
		size += changeSize(c)
	}
	p.result.Changes = all
	return p, nil
}

// externalMatch is how a record matched by external id was planned: its
// modification's index in the plan (-1: unchanged) and its place in the
// file.
type externalMatch struct{ modify, order int }

// unplan takes back the planning of a record matched by external id to
// live, which a later record names by id, and returns the record, to be
// planned as naming no item.
func (m externalMatch) unplan(p *syncPlan, changes *[]*strata.Change, live *revision) strata.ItemInput {
	if m.modify < 0 {
		p.result.Unchanged--
		return live.record() // unchanged: the record was the item
	}
	r := p.modifies[m.modify]
	p.modifies[m.modify] = nil
	p.result.Modified--
	*changes = slices.DeleteFunc(*changes, func(c *strata.Change) bool { return c.ItemID == live.itemID })
	return r.record()
}

// syncMatch finds the live item a record names by id, or else by external
// id, or nil; byID says which.
func (s *Store) syncMatch(ctx context.Context, tx *sql.Tx, d *datasetRow, in strata.ItemInput) (_ *revision, byID bool, _ error) {
	if in.ID != "" && validID(in.ID) {
		// In the case ids are stored in: a UUID names its item in any.
		r, err := openRevision(ctx, tx, d.id, strings.ToLower(in.ID))
		if err == nil {
			return r, true, nil
		} else if !errors.Is(err, strata.ErrItemNotFound) {
			return nil, false, err
		}
	}
	if in.ExternalID != nil {
		owner, err := externalIDOwner(ctx, tx, d.id, *in.ExternalID)
		if err != nil || owner == "" {
			return nil, false, err
		}
		r, err := openRevision(ctx, tx, d.id, owner)
		return r, false, err
	}
	return nil, false, nil
}

// record is the record a revision's content makes.
func (r *revision) record() strata.ItemInput {
	return strata.ItemInput{Input: r.input, GroundTruth: ptr(r.groundTruth), Output: ptr(r.output),
		Metadata: json.RawMessage(r.metadata), Splits: strata.SplitsOf(r.splits), ExternalID: ptr(r.externalID)}
}

// checkKeptExternalIDs refuses the external id of a record that an item
// the upsert leaves alone holds. It runs on the plan, so that a dry run
// answers what the upsert would.
func checkKeptExternalIDs(ctx context.Context, tx *sql.Tx, datasetID string, matched map[string]bool, lists ...[]*revision) error {
	for _, list := range lists {
		for _, r := range list {
			if !r.externalID.Valid {
				continue
			}
			owner, _, err := externalIDHolder(ctx, tx, datasetID, r.externalID.String)
			if err != nil {
				return err
			}
			if owner != "" && owner != r.itemID && !matched[owner] {
				return strata.ErrExternalIDTaken(r.externalID.String, owner)
			}
		}
	}
	return nil
}

// applySync writes a plan: removals, then revisions, then new items. The
// modified items give up the external ids they lose before any takes its
// new one, so a file may move an id from one item to another, or swap two,
// in any order of its records.
func (s *Store) applySync(ctx context.Context, tx *sql.Tx, d *datasetRow, p *syncPlan) error {
	for _, r := range p.removes {
		if err := closeRevision(ctx, tx, d, r); err != nil {
			return err
		}
		d.itemCount--
	}
	for _, r := range p.modifies {
		if err := releaseExternalID(ctx, tx, d, r); err != nil {
			return err
		}
	}
	for _, r := range p.modifies {
		if err := checkExternalIDFree(ctx, tx, d.id, r); err != nil {
			return err
		}
		if err := s.reviseRevision(ctx, tx, d, r); err != nil {
			return err
		}
	}
	ins := s.newRevisionInserter(tx, d)
	for _, r := range p.adds {
		if err := checkExternalIDFree(ctx, tx, d.id, r); err != nil {
			return err
		}
		if err := ins.add(ctx, r); err != nil {
			return err
		}
	}
	return ins.flush(ctx)
}

// SyncItems applies a file to the working set (sync.go in the domain).
func (s *Store) SyncItems(ctx context.Context, a strata.Actor, datasetID string, src strata.ItemSource, o strata.SyncOptions) (*strata.SyncResult, error) {
	start := time.Now()
	var out *strata.SyncResult
	var unchanged string // the ETag a sync that changed nothing leaves
	fn := func(tx *sql.Tx, d *datasetRow, now int64) error {
		unchanged = strata.DatasetETag(d.changes - 1)
		p, err := s.planSync(ctx, tx, d, src, o, now)
		if err != nil {
			return err
		}
		out = &p.result
		if o.DryRun {
			return nil
		}
		if !p.result.Changed() {
			if o.Upsert || o.SkipVersion {
				return errSyncNoChange // rolls back the change count: the ETag stays
			}
			if saved, err := headHolds(ctx, tx, d); err != nil {
				return err
			} else if saved {
				return errSyncNoChange
			}
			// The file is the working set, and the head is not (edits
			// left in the working version): the push makes its version.
			out.Version, err = s.snapshot(ctx, tx, a, d, snapshotOptions{name: o.Name, description: o.Description}, now)
			return err
		}
		if err := s.applySync(ctx, tx, d, p); err != nil {
			return err
		}
		if err := touch(ctx, tx, d, now); err != nil {
			return err
		}
		if o.SkipVersion {
			return nil
		}
		out.Version, err = s.snapshot(ctx, tx, a, d, snapshotOptions{name: o.Name, description: o.Description}, now)
		return err
	}
	// A dry run reads under the lock, and counts no change; a condition
	// guards it all the same, and it reports the ETag it read, which the
	// sync it previews may send as If-Match.
	err := s.lockedWrite(ctx, a, datasetID, lockOptions{once: true, keepETag: o.DryRun, guarded: o.DryRun}, fn)
	if err == errSyncNoChange {
		strata.ConditionOf(ctx).Committed(unchanged) // the dataset as it is
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if o.Upsert && !o.DryRun { // an import's other mode (POST .../import?mode=upsert)
		s.imported(out.Added+out.Modified, start)
	}
	return out, nil
}

// headHolds reports whether the dataset's head version has the content of
// its working set (their content hashes are equal).
func headHolds(ctx context.Context, tx *sql.Tx, d *datasetRow) (bool, error) {
	var hash []byte
	err := tx.QueryRowContext(ctx, `SELECT content_hash FROM versions WHERE dataset_id = $1 AND number = $2`,
		d.id, d.head).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return d.itemCount == 0, nil
	} else if err != nil {
		return false, fmt.Errorf("read the head of %s: %w", d.id, err)
	}
	return bytes.Equal(hash, d.hash.MarshalBinary()), nil
}

// errSyncNoChange ends the transaction of a sync that changes nothing: a
// push of an unchanged file is no change of the dataset, not even of its
// ETag.
var errSyncNoChange = errors.New("sync changes nothing")
