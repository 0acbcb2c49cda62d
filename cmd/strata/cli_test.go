package main

import "bufio"
import "bytes"
import "context"
import "errors"
import "flag"
import "fmt"
import "io"
import "net"
import "net/http"
import "os"
import "os/exec"
import "path/filepath"
import "strings"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/postgres"
import "github.com/strata-eval/strata/sqlite"

// runCLI runs a command line and returns its stdout and stderr.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestKeysFlagsAfterID(t *testing.T) {
	dsn := testDSN(t)
	if _, stderr, err := runCLI(t, "keys", "create", "--db", dsn, "--project", "p", "--role", "member"); err != nil {
		t.Fatal(err, stderr)
	}
	if _, stderr, err := runCLI(t, "keys", "create", "--db", dsn, "--project", "p", "--role", "viewer"); err != nil {
		t.Fatal(err, stderr)
	}
	list, _, err := runCLI(t, "keys", "list", "--db", dsn)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if len(lines) != 3 {
		t.Fatalf("keys list = %q", list)
	}
	member, viewer := strings.Fields(lines[1])[0], strings.Fields(lines[2])[0]

	t.Run("RevokeIDThenFlags", func(t *testing.T) {
		if _, _, err := runCLI(t, "keys", "revoke", viewer, "--db", dsn); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("RevokedKeySaysSo", func(t *testing.T) {
		_, _, err := runCLI(t, "keys", "revoke", viewer, "--db", dsn)
		if err == nil || !strings.Contains(err.Error(), "already revoked") {
			t.Fatalf("second revoke: %v, want it to say the key is already revoked", err)
		}
		_, _, err = runCLI(t, "keys", "rotate", viewer, "--db", dsn)
		if err == nil || !strings.Contains(err.Error(), "already revoked") {
			t.Fatalf("rotate of a revoked key: %v, want it to say the key is already revoked", err)
		}
	})
	t.Run("RotateIDThenFlags", func(t *testing.T) {
		out, _, err := runCLI(t, "keys", "rotate", member, "--db", dsn)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out, "strata_") {
			t.Fatalf("rotate printed %q, want the new key", out)
		}
	})
	t.Run("TwoIDs", func(t *testing.T) {
		if _, _, err := runCLI(t, "keys", "revoke", member, viewer, "--db", dsn); err == nil {
			t.Fatal("two ids accepted")
		}
	})
	t.Run("CreateSaysWhatIsMissing", func(t *testing.T) {
		_, _, err := runCLI(t, "keys", "create", "--db", dsn)
		if err == nil || !strings.Contains(err.Error(), "missing --role") {
			t.Fatalf("create without a role: %v, want --role named", err)
		}
		_, _, err = runCLI(t, "keys", "create", "--db", dsn, "--project", " ", "--role", "owner")
		if err == nil || !strings.Contains(err.Error(), "missing --project") {
			t.Fatalf("create with a blank project: %v, want --project named", err)
		}
	})
}

func TestCheckAndBackupRefuseMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.db")
	for _, args := range [][]string{
		{"check", "--db", missing},
		{"check", "--db", "sqlite:" + missing},
		{"backup", "--db", missing, "--out", filepath.Join(dir, "copy.db")},
		{"keys", "list", "--db", missing},
		{"keys", "revoke", "01a23c3e-dc65-7000-8000-000000000000", "--db", missing},
		{"keys", "rotate", "01a23c3e-dc65-7000-8000-000000000000", "--db", missing},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			stdout, _, err := runCLI(t, args...)
			if err == nil || !strings.Contains(err.Error(), "no database at") {
				t.Fatalf("%v: %v (%q), want an error naming the missing database", args, err, stdout)
			}
			if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%v created %s", args, missing)
			}
			if _, err := os.Stat(filepath.Join(dir, "copy.db")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%v created the copy", args)
			}
		})
	}
}

func TestFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "strata.db")
	if _, _, err := runCLI(t, "migrate", "--db", db); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "backup.db")
	if _, _, err := runCLI(t, "backup", "--db", db, "--out", out); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{db, out} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := info.Mode().Perm(), os.FileMode(0o600); got != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
		}
	}
}

func TestMigrateSaysWhatItDid(t *testing.T) {
	db := filepath.Join(t.TempDir(), "strata.db")
	out, _, err := runCLI(t, "migrate", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "created "+db) || !strings.Contains(out, "applied 0001_init.sql") || strings.Contains(out, "up to date") {
		t.Fatalf("migrate of a fresh file said %q, want what it created and applied", out)
	}
	out, _, err = runCLI(t, "migrate", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "up to date") || strings.Contains(out, "applied") {
		t.Fatalf("second migrate said %q, want up to date", out)
	}
}

func TestServeBindsBeforeTheKey(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dsn := testDSN(t)
	// The main address busy, then the metrics address.
	for _, args := range [][]string{{"--addr", busy.Addr().String()}, {"--addr", "127.0.0.1:0", "--metrics-addr", busy.Addr().String()}} {
		var stdout, stderr bytes.Buffer
		m := NewMain(&stdout, &stderr)
		if err := m.ParseFlags(append(args, "--db", dsn)); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(t.Context()); err == nil {
			m.Close()
			t.Fatalf("serve %s on a busy port started", strings.Join(args, " "))
		}
		m.Close()
		if strings.Contains(stdout.String(), "strata_") {
			t.Fatalf("serve %s on a busy port printed a key: %q", strings.Join(args, " "), stdout.String())
		}
	}
	// The next start, on a free port, gives the key.
	if out := runServe(t, dsn).stdout.String(); !strings.Contains(out, "strata_") {
		t.Fatalf("the next start printed no key: %q", out)
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"keys", "--help"}, {"serve", "--help"}, {"serve", "-h"}, {"migrate", "--help"}, {"keys", "create", "--help"},
		{"keys", "list", "--help"}, {"keys", "revoke", "--help"}, {"keys", "rotate", "--help"},
		{"check", "--help"}, {"backup", "--help"}, {"bench", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if code := mainExitCode(t, args...); code != 0 {
				t.Fatalf("strata %s exited %d, want 0", strings.Join(args, " "), code)
			}
		})
	}
	for _, args := range [][]string{{}, {"nope"}, {"check", "--nope"}, {"keys"}, {"keys", "nope"}} {
		t.Run("Fails "+strings.Join(args, " "), func(t *testing.T) {
			if code := mainExitCode(t, args...); code == 0 {
				t.Fatalf("strata %s exited 0", strings.Join(args, " "))
			}
		})
	}
}

// mainExitCode runs the command as its own process and returns its status.
func mainExitCode(t *testing.T, args ...string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), beMain+"=1", "STRATA_DB="+filepath.Join(t.TempDir(), "strata.db"))
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0
}

// A mistyped flag is said once, with the command's usage, and exits 2.
func TestBadFlagIsSaidOnce(t *testing.T) {
	for _, args := range [][]string{{"datasets", "--bogus"}, {"serve", "--bogus"}, {"keys", "list", "--bogus"}, {"diff", "qa", "1", "2", "--limit", "x"}} {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), beMain+"=1", "STRATA_DB="+filepath.Join(t.TempDir(), "strata.db"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("strata %s: %v, want exit 2", strings.Join(args, " "), err)
		}
		first, _, _ := strings.Cut(stderr.String(), "\n")
		if n := strings.Count(stderr.String(), first); first == "" || n != 1 || !strings.Contains(strings.ToLower(stderr.String()), "usage") {
			t.Errorf("strata %s said %q %d times:\n%s", strings.Join(args, " "), first, n, stderr.String())
		}
	}
}

func TestServeUsageListsEverySetting(t *testing.T) {
	var stderr bytes.Buffer
	m := NewMain(io.Discard, &stderr)
	if err := m.ParseFlags([]string{"--help"}); err == nil {
		t.Fatal("--help parsed as a run")
	}
	help := stderr.String()
	top, _, err := runCLI(t, "help")
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	m.flags.VisitAll(func(f *flag.Flag) {
		count++
		if !strings.Contains(help, "-"+f.Name+" ") && !strings.Contains(help, "-"+f.Name+"\n") {
			t.Errorf("serve --help does not list --%s", f.Name)
		}
		env := envName.FindStringSubmatch(f.Usage)
		if env == nil {
			t.Errorf("--%s names no environment variable", f.Name)
			return
		}
		if !strings.Contains(top, env[1]) {
			t.Errorf("strata help does not list %s", env[1])
		}
	})
	if count < 17 {
		t.Fatalf("serve has %d flags, want at least 17", count)
	}
	if !strings.Contains(top, "OPENAI_API_KEY") {
		t.Error("strata help does not list OPENAI_API_KEY")
	}
}

func TestRedactDSN(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://strata:s3cret@db.internal:5432/strata":       "postgres://strata:xxxxx@db.internal:5432/strata",
		"postgres://db/strata?user=u&password=s3cret":            "postgres://db/strata?password=xxxxx&user=u",
		"/var/lib/strata.db":                                     "/var/lib/strata.db",
		"host=db port=5432 user=u password=s3cret dbname=strata": "host=db port=5432 user=u password=xxxxx dbname=strata",
		"dbname=strata password='s3 cr\\'et' host=db":            "dbname=strata password=xxxxx host=db",
	} {
		if got := redactDSN(dsn); got != want {
			t.Errorf("redactDSN(%q) = %q, want %q", dsn, got, want)
		}
	}
	// libpq's keyword/value form names PostgreSQL, never a SQLite file.
	for dsn, want := range map[string]bool{
		"host=127.0.0.1 port=5432 user=postgres dbname=s2": true, "dbname=strata": true, " user=u host=db": true,
		"strata.db": false, "/var/lib/host=1.db": false, "x=y.db": false, "sqlite:strata.db": false,
	} {
		if got := postgres.IsDSN(dsn); got != want {
			t.Errorf("IsDSN(%q) = %v, want %v", dsn, got, want)
		}
	}
	t.Run("StartupLog", func(t *testing.T) {
		if os.Getenv("STRATA_TEST_STORE") != "postgres" {
			t.Skip("needs PostgreSQL (STRATA_TEST_STORE=postgres)")
		}
		// The test cluster trusts local connections: the password is
		// sent, and ignored.
		dsn := strings.Replace(testDSN(t), "@", ":s3cret@", 1)
		m := runServe(t, dsn)
		m.Close()
		if log := m.stderr.String(); strings.Contains(log, "s3cret") || !strings.Contains(log, ":xxxxx@") {
			t.Fatalf("start-up log: %s, want the password redacted", log)
		}
	})
}

func TestMaxConnsPerIP(t *testing.T) {
	m := runServe(t, testDSN(t), "--max-conns-per-ip", "2")
	addr := m.Listener.Addr().String()
	// healthz sends one request on conn and reports whether it was answered.
	healthz := func(conn net.Conn) bool {
		if _, err := fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: strata\r\n\r\n"); err != nil {
			return false
		}
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	first, second := dial(), dial()
	if !healthz(first) || !healthz(second) {
		t.Fatal("the first two connections were not served")
	}
	if healthz(dial()) {
		t.Fatal("a third connection from the address was served")
	}
	// A place given back is taken again, once the server has seen the
	// connection close.
	first.Close()
	for i := 0; ; i++ {
		if healthz(dial()) {
			break
		}
		if i == 100 {
			t.Fatal("no connection served after one closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A reverse proxy speaks for many clients: the addresses of
// --trusted-proxies are not bounded by --max-conns-per-ip, others still are.
func TestMaxConnsPerIPSparesTrustedProxies(t *testing.T) {
	for _, c := range []struct {
		proxies string
		served  int // of three connections from 127.0.0.1
	}{
		{"10.0.0.0/8, 127.0.0.1", 3},
		{"10.0.0.0/8", 1},
	} {
		m := runServe(t, testDSN(t), "--max-conns-per-ip", "1", "--trusted-proxies", c.proxies)
		served := 0
		for range 3 {
			conn, err := net.Dial("tcp", m.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: strata\r\n\r\n")
			if res, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					served++
				}
			}
		}
		if served != c.served {
			t.Errorf("--trusted-proxies %q: %d of 3 connections from 127.0.0.1 served, want %d", c.proxies, served, c.served)
		}
	}
}

// Every command refuses an argument its flags do not take, before it opens
// the database, and says which.
func TestUnexpectedArgument(t *testing.T) {
	dsn := testDSN(t)
	out := filepath.Join(t.TempDir(), "copy.db")
	for _, args := range [][]string{
		{"check", "--db", dsn, "extra"},
		{"backup", "extra", "--db", dsn, "--out", out},
		{"migrate", "--db", dsn, "extra"},
		{"keys", "list", "--db", dsn, "extra"},
	} {
		_, _, err := runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), `unexpected argument "extra"`) {
			t.Errorf("strata %s: %v, want an unexpected argument", strings.Join(args, " "), err)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused backup wrote %s: %v", out, err)
	}
}

// A usage message shows no secret: not the API key from STRATA_API_KEY, not
// the password of STRATA_DB or of STRATA_URL.
func TestUsageShowsNoSecret(t *testing.T) {
	t.Setenv("STRATA_API_KEY", "strata_usageSecretKey")
	t.Setenv("STRATA_DB", "postgres://strata:s3cret@db.internal/strata")
	t.Setenv("STRATA_URL", "http://ada:urlS3cret@127.0.0.1:1")
	for _, args := range [][]string{
		{"push", "-h"}, {"pull", "--bogus"}, {"datasets", "-h"},
		{"serve", "--bogus"}, {"check", "-h"}, {"keys", "list", "-h"}, {"migrate", "-h"},
	} {
		_, stderr, _ := runCLI(t, args...)
		if !strings.Contains(stderr, "Usage") && !strings.Contains(stderr, "-") {
			t.Fatalf("strata %s printed no usage: %q", strings.Join(args, " "), stderr)
		}
		if strings.Contains(stderr, "usageSecretKey") || strings.Contains(stderr, "s3cret") || strings.Contains(stderr, "urlS3cret") {
			t.Errorf("strata %s shows a secret:\n%s", strings.Join(args, " "), stderr)
		}
	}
	// The default still applies.
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	db := dbFlag(fs)
	if err := fs.Parse(nil); err != nil || *db != "postgres://strata:s3cret@db.internal/strata" {
		t.Fatalf("--db = %q, %v: want STRATA_DB", *db, err)
	}
	if err := fs.Parse([]string{"--db", "x.db"}); err != nil || *db != "x.db" {
		t.Fatalf("--db x.db = %q, %v", *db, err)
	}
}

// check exits 1 when an invariant is violated, 2 when it cannot check.
func TestCheckExitStatus(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "strata.db")
	s, err := sqlite.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := s.CreateKey(t.Context(), strata.KeyCreate{ProjectName: "p", Role: strata.RoleOwner, UserName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Authenticate(t.Context(), secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDataset(t.Context(), p.Actor(), strata.DatasetCreate{Name: "qa"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.ExecContext(t.Context(), `UPDATE datasets SET item_count = 5`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	stdout, _, err := runCLI(t, "check", "--db", dsn)
	if got := exitCode(err); got != 1 || !strings.Contains(stdout, "1 violations") {
		t.Fatalf("check of a broken database: exit %d (%v), %q; want 1", got, err, stdout)
	}
	if _, _, err := runCLI(t, "check", "--db", filepath.Join(t.TempDir(), "none.db")); exitCode(err) != 2 {
		t.Fatalf("check of no database: exit %d (%v), want 2", exitCode(err), err)
	}
}
