package sqlstore

import "context"
import "database/sql"
import "errors"
import "fmt"
import "time"

import "github.com/strata-eval/strata"

var errNoSession = strata.Errorf(strata.EUNAUTHORIZED, "Not signed in")

// CreateSession opens a session for a live key. Ended sessions (expired, or
// of a revoked key) are swept in the same transaction, so the table holds
// about the live ones.
func (s *Store) CreateSession(ctx context.Context, keySecret string, ttl time.Duration) (string, *strata.Principal, error) {
	id := strata.NewSessionID()
	var p strata.Principal
	err := s.write(ctx, false, func(tx *sql.Tx) error {
		now := s.now()
		var role string
		err := tx.QueryRowContext(ctx, `SELECT id, project_id, user_id, role FROM api_keys
			WHERE hash = $1 AND revoked_at IS NULL`, strata.HashKeySecret(keySecret)).Scan(&p.KeyID, &p.ProjectID, &p.UserID, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return strata.Errorf(strata.EUNAUTHORIZED, "Invalid API key")
		} else if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		p.Role = strata.Role(role)
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at <= $1
			OR key_id IN (SELECT id FROM api_keys WHERE revoked_at IS NOT NULL)`, now); err != nil {
			return fmt.Errorf("sweep sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO web_sessions (hash, key_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4)`, strata.HashKeySecret(id), p.KeyID, now, now+ttl.Milliseconds()); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return id, &p, nil
}

// AuthenticateSession returns the principal of a live session.
func (s *Store) AuthenticateSession(ctx context.Context, id string) (*strata.Principal, error) {
	var (
		p    strata.Principal
		role string
	)
	err := s.DB.QueryRowContext(ctx, `SELECT k.id, k.project_id, k.user_id, k.role
		FROM web_sessions ws JOIN api_keys k ON k.id = ws.key_id
		WHERE ws.hash = $1 AND ws.expires_at > $2 AND k.revoked_at IS NULL`,
		strata.HashKeySecret(id), s.now()).Scan(&p.KeyID, &p.ProjectID, &p.UserID, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSession
	} else if err != nil {
		return nil, fmt.Errorf("authenticate session: %w", err)
	}
	p.Role = strata.Role(role)
	return &p, nil
}

// EndSession deletes a session.
func (s *Store) EndSession(ctx context.Context, id string) error {
	return s.write(ctx, false, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE hash = $1`, strata.HashKeySecret(id)); err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		return nil
	})
}
