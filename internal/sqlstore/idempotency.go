package sqlstore

import "bytes"
import "context"
import "database/sql"
import "encoding/json"
import "errors"
import "fmt"
import "time"

import "github.com/strata-eval/strata"

// ReserveIdempotencyKey claims a key, or returns what its first request
// left. The reservation is a row inserted under the primary key (project,
// key): of two concurrent requests with one key, one inserts it and the
// other finds it, in progress. Until its response is saved, a row expires at
// the end of its lease; then IdempotencyKeyTTL after it was reserved.
// Expired rows, reservations whose request died included, are purged first.
func (s *Store) ReserveIdempotencyKey(ctx context.Context, projectID, key string, fingerprint []byte, lease time.Duration) (*strata.SavedResponse, error) {
	if !validID(projectID) {
		return nil, strata.ErrDatasetNotFound // no key has a project that is not one
	}
	ctx = strata.WithoutIdempotencyKey(ctx)
	var saved *strata.SavedResponse
	err := s.write(ctx, false, func(tx *sql.Tx) error {
		saved = nil
		now := s.now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE expires_at <= $1`, now); err != nil {
			return fmt.Errorf("purge idempotency keys: %w", err)
		}
		var (
			fp        []byte
			status    sql.NullInt64
			header    sql.NullString
			body      []byte
			truncated bool
			created   int64
		)
		// The row the insert found may be gone when it is read: on
		// PostgreSQL each statement sees the commits made before it, and
		// the request that held the key may give it back in between (its
		// client left). The key is then free: claim it again.
		for attempt := 1; ; attempt++ {
			res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (project_id, key, fingerprint, created_at, expires_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, key) DO NOTHING`,
				projectID, key, fingerprint, now, now+min(lease, strata.IdempotencyKeyTTL).Milliseconds())
			if err != nil {
				return fmt.Errorf("reserve idempotency key: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("reserve idempotency key: %w", err)
			} else if n == 1 {
				return nil
			}
			err = tx.QueryRowContext(ctx, `SELECT fingerprint, status, header, body, truncated, created_at FROM idempotency_keys
				WHERE project_id = $1 AND key = $2`, projectID, key).Scan(&fp, &status, &header, &body, &truncated, &created)
			if errors.Is(err, sql.ErrNoRows) && attempt < 3 {
				continue
			}
			if err != nil {
				return fmt.Errorf("read idempotency key: %w", err)
			}
			break
		}
		switch {
		case !bytes.Equal(fp, fingerprint):
			return strata.ErrIdempotencyKeyReused
		case !status.Valid:
			return strata.ErrIdempotencyKeyInFlight
		case status.Int64 == appliedStatus && now < created+lease.Milliseconds():
			// Applied, its response not saved yet: its request may
			// still be saving it.
			return strata.ErrIdempotencyKeyInFlight
		}
		saved = &strata.SavedResponse{Status: int(status.Int64), Body: body, Truncated: truncated}
		if header.Valid {
			if err := json.Unmarshal([]byte(header.String), &saved.Header); err != nil {
				return fmt.Errorf("read idempotency key: %w", err)
			}
		}
		return nil
	})
	return saved, err
}

// SaveIdempotentResponse keeps the response of a key's first request.
func (s *Store) SaveIdempotentResponse(ctx context.Context, projectID, key string, res *strata.SavedResponse) error {
	header, err := json.Marshal(res.Header)
	if err != nil {
		return err
	}
	body := res.Body
	if res.Truncated || body == nil {
		body = []byte{}
	}
	var fingerprint any // NULL: unchanged
	if len(res.Fingerprint) > 0 {
		fingerprint = res.Fingerprint
	}
	ctx = strata.WithoutIdempotencyKey(ctx)
	return s.write(ctx, false, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, header = $2, body = $3, truncated = $4,
			expires_at = created_at + $5, fingerprint = coalesce($6, fingerprint)
			WHERE project_id = $7 AND key = $8`, res.Status, string(header), body, res.Truncated,
			strata.IdempotencyKeyTTL.Milliseconds(), fingerprint, projectID, key); err != nil {
			return fmt.Errorf("save idempotent response: %w", err)
		}
		return nil
	})
}

// ReleaseIdempotencyKey forgets a key whose request changed nothing.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, projectID, key string) error {
	ctx = strata.WithoutIdempotencyKey(ctx)
	return s.write(ctx, false, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE project_id = $1 AND key = $2 AND status IS NULL`,
			projectID, key); err != nil {
			return fmt.Errorf("release idempotency key: %w", err)
		}
		return nil
	})
}

// appliedStatus is the status of a key whose request's writes committed and
// whose response is not saved: within the request's lease, in progress;
// after it, applied and not kept.
const appliedStatus = 0

// markApplied returns fn followed, in its transaction, by the mark that the
// key of ctx's request has been applied (strata.WithIdempotencyKey): a
// response with no status, not kept, held for the key's full time. A
// request that writes more than once marks it once.
func markApplied(ctx context.Context, fn func(tx *sql.Tx) error) func(tx *sql.Tx) error {
	projectID, key, ok := strata.IdempotencyKeyOf(ctx)
	if !ok {
		return fn
	}
	return func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, truncated = $2,
			expires_at = created_at + $3 WHERE project_id = $4 AND key = $5 AND status IS NULL`,
			appliedStatus, true, strata.IdempotencyKeyTTL.Milliseconds(), projectID, key); err != nil {
			return fmt.Errorf("mark idempotency key applied: %w", err)
		}
		return nil
	}
}
