package testkit

import "context"
import "errors"
import "fmt"
import "sync/atomic"
import "time"

import "github.com/strata-eval/strata"

// Outage is a store whose database stops answering while Down is set: the
// calls below fail with ErrRefused, as a refused connection does, and its
// MarkUnavailable says so (strata.ErrUnavailable). Keys are still checked,
// as a server's key cache does.
type Outage struct {
	strata.Store
	Down atomic.Bool
}

// ErrRefused is what the calls of an Outage fail with while it is down.
var ErrRefused = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

func (s *Outage) refused(what string) error {
	if s.Down.Load() {
		return fmt.Errorf("%s: %w", what, ErrRefused)
	}
	return nil
}

func (s *Outage) ListDatasets(ctx context.Context, projectID string, f strata.DatasetFilter, fn func(*strata.Dataset) error) error {
	if err := s.refused("list datasets"); err != nil {
		return err
	}
	return s.Store.ListDatasets(ctx, projectID, f, fn)
}

func (s *Outage) CreateDataset(ctx context.Context, a strata.Actor, c strata.DatasetCreate) (*strata.Dataset, error) {
	if err := s.refused("create dataset"); err != nil {
		return nil, err
	}
	return s.Store.CreateDataset(ctx, a, c)
}

func (s *Outage) ReleaseIdempotencyKey(ctx context.Context, projectID, key string) error {
	if err := s.refused("release idempotency key"); err != nil {
		return err
	}
	return s.Store.ReleaseIdempotencyKey(ctx, projectID, key)
}

func (s *Outage) AuthenticateSession(ctx context.Context, id string) (*strata.Principal, error) {
	if err := s.refused("authenticate session"); err != nil {
		return nil, err
	}
	return s.Store.AuthenticateSession(ctx, id)
}

func (s *Outage) CreateSession(ctx context.Context, secret string, ttl time.Duration) (string, *strata.Principal, error) {
	if err := s.refused("create session"); err != nil {
		return "", nil, err
	}
	return s.Store.CreateSession(ctx, secret, ttl)
}

func (s *Outage) MarkUnavailable(err error) error {
	if errors.Is(err, ErrRefused) {
		return fmt.Errorf("%w: %w", strata.ErrUnavailable, err)
	}
	return s.Store.MarkUnavailable(err)
}
