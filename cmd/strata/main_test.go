package main

import "bytes"
import "context"
import "net/http"
import "os"
import "path/filepath"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import apiclient "github.com/strata-eval/strata/client"
import "github.com/strata-eval/strata/internal/pgtest"
import "github.com/strata-eval/strata/internal/testkit"

// served is a server that Main runs for a test, on a free port, with its
// output captured.
type served struct {
	*Main
	stdout bytes.Buffer
	stderr testkit.Buffer // the server's goroutines log while the test reads
}

// runServe starts a server on the database dsn with more flags, closed
// when the test ends.
func runServe(t *testing.T, dsn string, args ...string) *served {
	t.Helper()
	return runServeWith(t, dsn, nil, args...)
}

// runServeWith is runServe with a Main that configure, when not nil, may
// change once its flags are parsed.
func runServeWith(t *testing.T, dsn string, configure func(*Main), args ...string) *served {
	t.Helper()
	s := &served{}
	s.Main = NewMain(&s.stdout, &s.stderr)
	if err := s.ParseFlags(append([]string{"--addr", "127.0.0.1:0", "--db", dsn}, args...)); err != nil {
		t.Fatal(err)
	}
	if configure != nil {
		configure(s.Main)
	}
	if err := s.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// base is the server's URL.
func (s *served) base() string { return "http://" + s.Listener.Addr().String() }

// ownerKey is the owner key the server printed when it made its database.
func (s *served) ownerKey(t *testing.T) string {
	t.Helper()
	out := s.stdout.String()
	i := strings.Index(out, "strata_")
	if i < 0 {
		t.Fatalf("no owner key printed: %q", out)
	}
	return strings.Fields(out[i:])[0]
}

// createKey runs keys create on dsn for role, in the default project, and
// returns the key it printed.
func createKey(t *testing.T, dsn, role string) string {
	t.Helper()
	stdout, stderr, err := runCLI(t, "keys", "create", "--db", dsn, "--role", role)
	if err != nil {
		t.Fatal(err, stderr)
	}
	return strings.TrimSpace(stdout)
}

// testDSN is a new database on the store the tests run on.
func testDSN(t *testing.T) string {
	if os.Getenv("STRATA_TEST_STORE") == "postgres" {
		return pgtest.DSN(t)
	}
	return filepath.Join(t.TempDir(), "strata.db")
}

func TestServe(t *testing.T) {
	dsn := testDSN(t)
	m := runServe(t, dsn)
	key, base := m.ownerKey(t), m.base()

	c := apiclient.New(base, key)
	if err := c.Health(t.Context()); err != nil {
		t.Fatal(err)
	}

	// The pages are served beside the API.
	resp, err := http.Get(base + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, 200; got != want {
		t.Fatalf("sign-in page = %d, want %d", got, want)
	}

	d, err := c.CreateDataset(t.Context(), apiclient.DatasetInput{Name: "qa"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.CurrentVersionNumber, 1; got != want {
		t.Fatalf("created at version %d, want %d", got, want)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// A second start on the same database prints no new key.
	if out := runServe(t, dsn).stdout.String(); strings.Contains(out, "strata_") {
		t.Fatalf("second start printed a key: %q", out)
	}
}

func TestKeysCommands(t *testing.T) {
	dsn := testDSN(t)
	var stdout, stderr bytes.Buffer
	ctx := context.Background()
	if err := run(ctx, []string{"keys", "create", "--db", dsn, "--project", "p", "--role", "viewer", "--user-name", "Vi"}, &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	secret := strings.TrimSpace(stdout.String())
	if !strings.HasPrefix(secret, "strata_") || strings.ContainsAny(secret, " \n") {
		t.Fatalf("keys create printed %q, want the key alone", stdout.String())
	}
	stdout.Reset()
	if err := run(ctx, []string{"keys", "list", "--db", dsn}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "viewer") || strings.Contains(stdout.String(), secret) {
		t.Fatalf("keys list = %q", stdout.String())
	}
	id := strings.Fields(lines[1])[0]
	if err := run(ctx, []string{"keys", "revoke", "--db", dsn, id}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"keys", "revoke", "--db", dsn, id}, &stdout, &stderr); err == nil {
		t.Fatal("revoking twice succeeded")
	}
	if err := run(ctx, []string{"keys", "create", "--db", dsn, "--role", "root"}, &stdout, &stderr); err == nil {
		t.Fatal("unknown role accepted")
	}
}

func TestCheckAndBackup(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "strata.db")
	m := runServe(t, dsn)
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	if _, _, err := m.Store.CreateKey(ctx, strata.KeyCreate{ProjectName: "p", Role: strata.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	k, _ := m.Store.ListKeys(ctx, "p")
	actor := strata.Actor{ProjectID: k[0].ProjectID, UserID: k[0].UserID}
	d, err := m.Store.CreateDataset(ctx, actor, strata.DatasetCreate{Name: "d"})
	if err != nil {
		t.Fatal(err)
	}
	// Writes go on while the backup runs.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			m.Store.CreateItem(ctx, actor, d.ID, strata.ItemInput{Input: "x"}, strata.WriteOptions{SkipVersion: i%3 > 0})
		}
	}()
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := run(ctx, []string{"backup", "--db", dsn, "--out", out}, &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	<-done
	stdout.Reset()
	if err := run(ctx, []string{"check", "--db", out}, &stdout, &stderr); err != nil {
		t.Fatalf("check of the backup: %v\n%s", err, stdout.String())
	}
	if err := run(ctx, []string{"backup", "--db", dsn, "--out", out}, &stdout, &stderr); err == nil {
		t.Fatal("backup over an existing file succeeded")
	}
	if err := run(ctx, []string{"check", "--db", dsn}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
}
