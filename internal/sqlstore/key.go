package sqlstore

import "context"
import "database/sql"
import "errors"
import "fmt"
import "strings"

import "github.com/strata-eval/strata"

// CreateKey creates a key, and its project and user when they are new.
func (s *Store) CreateKey(ctx context.Context, c strata.KeyCreate) (*strata.Key, string, error) {
	c.ProjectName, c.UserName, c.UserEmail = strings.TrimSpace(c.ProjectName), strings.TrimSpace(c.UserName), strings.TrimSpace(c.UserEmail)
	if c.ProjectName == "" {
		return nil, "", strata.Errorf(strata.EINVALID, "project name required")
	}
	if !c.Role.Valid() {
		return nil, "", strata.Errorf(strata.EINVALID, "unknown role %q (owner, admin, member or viewer)", c.Role)
	}
	for _, f := range []struct{ name, value string }{
		{"project name", c.ProjectName}, {"user name", c.UserName}, {"user email", c.UserEmail},
	} {
		if err := strata.CheckText(f.name, f.value); err != nil {
			return nil, "", err
		}
	}
	if c.UserName == "" {
		c.UserName = c.UserEmail
	}
	if c.UserName == "" {
		c.UserName = string(c.Role)
	}
	secret, hash := strata.NewKeySecret()
	k := &strata.Key{ID: strata.NewID(), ProjectName: c.ProjectName, UserName: c.UserName, UserEmail: c.UserEmail,
		Role: c.Role, Prefix: strata.KeyDisplayPrefix(secret)}
	err := s.write(ctx, false, func(tx *sql.Tx) error {
		if c.First {
			if n, err := s.lockKeys(ctx, tx); err != nil || n > 0 {
				if err == nil {
					err = errKeysExist
				}
				return err
			}
		}
		now := s.now()
		k.CreatedAt = timeOf(now)
		var err error
		if k.ProjectID, err = s.ensure(ctx, tx, `SELECT id FROM projects WHERE name = $1`, []any{c.ProjectName},
			`INSERT INTO projects (id, name, created_at) VALUES ($1, $2, $3)`, []any{c.ProjectName, now}); err != nil {
			return err
		}
		if err := seedBuiltinEvaluators(ctx, tx, k.ProjectID, now); err != nil {
			return err
		}
		find, args := `SELECT id FROM users WHERE email = $1`, []any{c.UserEmail}
		if c.UserEmail == "" {
			find, args = `SELECT id FROM users WHERE email = '' AND name = $1`, []any{c.UserName}
		}
		if k.UserID, err = s.ensure(ctx, tx, find, args,
			`INSERT INTO users (id, name, email, created_at) VALUES ($1, $2, $3, $4)`, []any{c.UserName, c.UserEmail, now}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO api_keys (id, project_id, user_id, role, hash, prefix, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, k.ID, k.ProjectID, k.UserID, string(k.Role), hash, k.Prefix, now)
		if err != nil {
			return fmt.Errorf("insert key: %w", err)
		}
		return nil
	})
	if errors.Is(err, errKeysExist) {
		return nil, "", nil
	} else if err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// errKeysExist ends the transaction of a first key (KeyCreate.First) in a
// database that has one.
var errKeysExist = errors.New("the database has a key")

// lockKeys counts the keys, after taking a lock that the transactions
// making a first key take in turn: the newest row of schema_migrations,
// which every migrated database has (on SQLite the write transaction
// already excludes every other).
func (s *Store) lockKeys(ctx context.Context, tx *sql.Tx) (int, error) {
	var version, n int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM schema_migrations ORDER BY version DESC LIMIT 1 `+
		s.Dialect.ForUpdate()).Scan(&version); err != nil {
		return 0, fmt.Errorf("lock the keys: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM api_keys`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count keys: %w", err)
	}
	return n, nil
}

// ensure returns the id that find selects, inserting a row with a new id
// (followed by insertArgs) when there is none.
func (s *Store) ensure(ctx context.Context, tx *sql.Tx, find string, findArgs []any, insert string, insertArgs []any) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, find, findArgs...).Scan(&id)
	if err == nil {
		return id, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find: %w", err)
	}
	id = strata.NewID()
	if _, err := tx.ExecContext(ctx, insert, append([]any{id}, insertArgs...)...); err != nil {
		return "", fmt.Errorf("insert: %w", err)
	}
	return id, nil
}

// Authenticate returns the principal of a live key.
func (s *Store) Authenticate(ctx context.Context, secret string) (*strata.Principal, error) {
	hash := strata.HashKeySecret(secret)
	ttl := s.keyCacheTTL()
	p, generation, ok := s.keys.get(string(hash), s.Now())
	if ok && ttl > 0 {
		return p, nil
	}
	p = new(strata.Principal)
	var role string
	err := s.DB.QueryRowContext(ctx, `SELECT id, project_id, user_id, role FROM api_keys
		WHERE hash = $1 AND revoked_at IS NULL`, hash).Scan(&p.KeyID, &p.ProjectID, &p.UserID, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, strata.Errorf(strata.EUNAUTHORIZED, "Invalid API key")
	} else if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	p.Role = strata.Role(role)
	if ttl > 0 {
		s.keys.put(string(hash), *p, s.Now().Add(ttl), generation)
	}
	return p, nil
}

// ListKeys lists keys, newest last.
func (s *Store) ListKeys(ctx context.Context, projectName string) ([]*strata.Key, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT k.id, k.project_id, p.name, k.user_id, u.name, u.email, k.role, k.prefix,
		k.created_at, k.revoked_at
		FROM api_keys k JOIN projects p ON p.id = k.project_id JOIN users u ON u.id = k.user_id
		WHERE $1 = '' OR p.name = $1 ORDER BY k.created_at, k.id`, projectName)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	defer rows.Close()
	var keys []*strata.Key
	for rows.Next() {
		var (
			k       strata.Key
			role    string
			created int64
			revoked sql.NullInt64
		)
		if err := rows.Scan(&k.ID, &k.ProjectID, &k.ProjectName, &k.UserID, &k.UserName, &k.UserEmail, &role, &k.Prefix,
			&created, &revoked); err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		k.Role, k.CreatedAt = strata.Role(role), timeOf(created)
		if revoked.Valid {
			t := timeOf(revoked.Int64)
			k.RevokedAt = &t
		}
		keys = append(keys, &k)
	}
	return keys, rows.Err()
}

// RevokeKey revokes a key by id.
func (s *Store) RevokeKey(ctx context.Context, id string) error {
	if !validID(id) {
		return errKeyNotFound
	}
	defer s.keys.forget()
	return s.write(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, s.now(), id)
		if err != nil {
			return fmt.Errorf("revoke key %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("revoke key %s: %w", id, err)
		} else if n == 0 {
			return keyNotLive(ctx, tx, id)
		}
		return nil
	})
}

// RotateKey replaces a live key with a new one of the same project, user and
// role.
func (s *Store) RotateKey(ctx context.Context, id string) (*strata.Key, string, error) {
	if !validID(id) {
		return nil, "", errKeyNotFound
	}
	secret, hash := strata.NewKeySecret()
	k := &strata.Key{ID: strata.NewID(), Prefix: strata.KeyDisplayPrefix(secret)}
	defer s.keys.forget()
	err := s.write(ctx, false, func(tx *sql.Tx) error {
		now := s.now()
		var role string
		err := tx.QueryRowContext(ctx, `SELECT k.project_id, p.name, k.user_id, u.name, u.email, k.role
			FROM api_keys k JOIN projects p ON p.id = k.project_id JOIN users u ON u.id = k.user_id
			WHERE k.id = $1 AND k.revoked_at IS NULL`, id).
			Scan(&k.ProjectID, &k.ProjectName, &k.UserID, &k.UserName, &k.UserEmail, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return keyNotLive(ctx, tx, id)
		} else if err != nil {
			return fmt.Errorf("rotate key %s: %w", id, err)
		}
		k.Role, k.CreatedAt = strata.Role(role), timeOf(now)
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2`, now, id); err != nil {
			return fmt.Errorf("rotate key %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, project_id, user_id, role, hash, prefix, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, k.ID, k.ProjectID, k.UserID, role, hash, k.Prefix, now); err != nil {
			return fmt.Errorf("rotate key %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

var (
	errKeyNotFound = strata.Errorf(strata.ENOTFOUND, "Key not found")
	errKeyRevoked  = strata.Errorf(strata.ECONFLICT, "Key is already revoked")
)

// keyNotLive says why a key id names no live key: it was revoked, or it
// never existed.
func keyNotLive(ctx context.Context, tx *sql.Tx, id string) error {
	var revoked bool
	err := tx.QueryRowContext(ctx, `SELECT revoked_at IS NOT NULL FROM api_keys WHERE id = $1`, id).Scan(&revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return errKeyNotFound
	case err != nil:
		return fmt.Errorf("find key %s: %w", id, err)
	case revoked:
		return errKeyRevoked
	}
	return errKeyNotFound
}

// CountKeys counts every key ever created.
func (s *Store) CountKeys(ctx context.Context) (int, error) {
	var n int
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM api_keys`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count keys: %w", err)
	}
	return n, nil
}
