package web_test

import "context"
import "errors"
import "fmt"
import "net/http"
import "net/url"
import "strings"
import "sync/atomic"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/web"

// outageStore is a store whose database stops answering while down is set.
type outageStore struct {
	strata.Store
	down atomic.Bool
}

var errRefused = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

func (s *outageStore) AuthenticateSession(ctx context.Context, id string) (*strata.Principal, error) {
	if s.down.Load() {
		return nil, fmt.Errorf("authenticate session: %w", errRefused)
	}
	return s.Store.AuthenticateSession(ctx, id)
}

func (s *outageStore) CreateSession(ctx context.Context, secret string, ttl time.Duration) (string, *strata.Principal, error) {
	if s.down.Load() {
		return "", nil, fmt.Errorf("create session: %w", errRefused)
	}
	return s.Store.CreateSession(ctx, secret, ttl)
}

func (s *outageStore) MarkUnavailable(err error) error {
	if errors.Is(err, errRefused) {
		return fmt.Errorf("%w: %w", strata.ErrUnavailable, err)
	}
	return s.Store.MarkUnavailable(err)
}

// TestDatabaseUnavailable: while the database cannot be reached, a signed-in
// browser gets a 503 page to retry, not the sign-in page as if signed out;
// signing in is 503 too.
func TestDatabaseUnavailable(t *testing.T) {
	store := &outageStore{}
	s := newSiteWith(t, func(ws *web.Server) {
		store.Store = ws.Store
		ws.Store = store
	})
	s.signin(t, s.owner)
	store.down.Store(true)
	res, err := s.client.Get(s.URL + "/datasets")
	if err != nil {
		t.Fatal(err)
	}
	p := read(t, res)
	if p.status != http.StatusServiceUnavailable || p.url != "/datasets" || !strings.Contains(p.body, "The database is unavailable: try again") {
		t.Fatalf("page while the database is down: %d at %s: %s", p.status, p.url, p.body)
	}
	if got := res.Header.Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After = %q, want 5", got)
	}
	res, err = s.client.PostForm(s.URL+"/signin", url.Values{"key": {s.owner}})
	if err != nil {
		t.Fatal(err)
	}
	if p := read(t, res); p.status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "5" {
		t.Fatalf("sign in while the database is down: %d, Retry-After %q", p.status, res.Header.Get("Retry-After"))
	}
	store.down.Store(false)
	if p := s.get(t, "/datasets"); p.status != http.StatusOK {
		t.Fatalf("page once the database is back: %d", p.status)
	}
}
