// Package pgtest gives tests a throwaway PostgreSQL cluster that depends on
// nothing but the PostgreSQL server binaries being installed.
//
// Usage:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		dsn := pgtest.DSN(t) // fresh, empty database, dropped at cleanup
//		...
//	}
//
// One cluster is started per test binary, lazily on the first DSN call, in a
// private temporary directory on a free 127.0.0.1 port. Main stops it and
// removes the directory when the tests are done. In addition, a small reaper
// process (/bin/sh) watches the test binary and performs the same cleanup if
// the binary dies without reaching the end of Main (panic, -timeout, SIGINT,
// SIGKILL).
//
// Binaries are taken from $STRATA_PG_BIN if set, else from the highest
// /usr/lib/postgresql/*/bin that contains initdb, pg_ctl and postgres. When
// they are missing, DSN skips the test, or fails it when CI=true.
//
// PostgreSQL refuses to run as root; when the test runs as root the server
// is run as the "postgres" user (via runuser, or setuid credentials when
// runuser is not installed).
package pgtest

import "bytes"
import "context"
import "crypto/rand"
import "encoding/hex"
import "errors"
import "fmt"
import "net"
import "os"
import "os/exec"
import "os/user"
import "path/filepath"
import "sort"
import "strconv"
import "strings"
import "sync"
import "sync/atomic"
import "syscall"
import "testing"
import "time"

// EnvBin names the environment variable that selects the directory holding
// initdb, pg_ctl and postgres.
const EnvBin = "STRATA_PG_BIN"

const (
	pgUser      = "postgres" // both the OS user (when root) and the superuser role
	host        = "127.0.0.1"
	startTries  = 5
	psqlTimeout = 2 * time.Minute
)

var (
	mainCalled atomic.Bool
	dbCounter  atomic.Int64

	mu       sync.Mutex
	started  bool // start was attempted
	stopped  bool // Main has shut the cluster down
	cl       *cluster
	startErr error
)

// Main is meant to be called from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// It runs the tests and then stops the cluster (if any DSN call started one)
// and removes its directory. It returns the exit code for os.Exit; a failure
// to shut down turns a passing run into exit code 1.
func Main(m *testing.M) (code int) {
	mainCalled.Store(true)
	code = 1 // in case m.Run panics
	defer func() {
		if err := shutdown(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: shutting down PostgreSQL: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}()
	code = m.Run()
	return code
}

// DSN returns the connection string of a new, empty database created for
// this test only; it is dropped (WITH (FORCE)) when the test finishes. The
// first call in a test binary starts the cluster, which takes a few seconds.
// It is safe to call from parallel tests.
//
// When the PostgreSQL binaries are missing DSN skips the test with the
// reason, unless CI is true, in which case it fails the test.
func DSN(tb testing.TB) string {
	tb.Helper()
	if !mainCalled.Load() {
		tb.Fatal("pgtest: DSN needs the package's TestMain to call pgtest.Main: " +
			"func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }")
	}
	if ok, why := Available(); !ok {
		msg := "pgtest: PostgreSQL server binaries not available: " + why +
			" (install postgresql-15 or set " + EnvBin + " to its bin directory)"
		if isCI() {
			tb.Fatal(msg + "; failing because CI is set")
		}
		tb.Skip(msg + "; skipping (set CI=true to make this fatal)")
	}

	c, err := get()
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}

	name := fmt.Sprintf("t_%d_%s", dbCounter.Add(1), randHex(4))
	// Under ICU's en-US collation, as a cluster initialized in an English
	// locale would have it, not the C locale of the throwaway cluster: text
	// then sorts by language rules, and an order the store promises in
	// bytes must say so.
	if out, err := c.psql("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"); err != nil {
		tb.Fatalf("pgtest: creating database %s: %v\n%s", name, err, out)
	}
	tb.Cleanup(func() {
		// The cluster is thrown away anyway, so a failed drop is only logged.
		if out, err := c.psql("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Logf("pgtest: dropping database %s: %v\n%s", name, err, out)
		}
	})
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", pgUser, host, c.port, name)
}

// Available reports whether the PostgreSQL server binaries (and, when
// running as root, the postgres user needed to run them) were found, and if
// not, why.
func Available() (bool, string) {
	if _, err := findBins(); err != nil {
		return false, err.Error()
	}
	if os.Geteuid() == 0 {
		if _, err := lookupPGUser(); err != nil {
			return false, err.Error()
		}
	}
	return true, ""
}

func isCI() bool {
	v, err := strconv.ParseBool(strings.TrimSpace(os.Getenv("CI")))
	return err == nil && v
}

func get() (*cluster, error) {
	mu.Lock()
	defer mu.Unlock()
	if stopped {
		return nil, errors.New("DSN called after pgtest.Main shut the cluster down")
	}
	if !started {
		started = true
		cl, startErr = start()
	}
	return cl, startErr
}

func shutdown() error {
	mu.Lock()
	defer mu.Unlock()
	stopped = true
	if cl == nil {
		return nil
	}
	err := cl.stop()
	cl = nil
	return err
}

// ---- binaries -------------------------------------------------------------

type bins struct {
	dir    string // holds initdb, pg_ctl, postgres
	initdb string
	pgctl  string
	psql   string
}

func findBins() (*bins, error) {
	var dir string
	if d := os.Getenv(EnvBin); d != "" {
		if err := hasServer(d); err != nil {
			return nil, fmt.Errorf("%s=%s: %v", EnvBin, d, err)
		}
		dir = d
	} else {
		matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		sort.Slice(matches, func(i, j int) bool { // highest version first
			return versionLess(filepath.Base(filepath.Dir(matches[j])), filepath.Base(filepath.Dir(matches[i])))
		})
		for _, d := range matches {
			// Skip e.g. a client-only newer version next to the server.
			if hasServer(d) == nil {
				dir = d
				break
			}
		}
		if dir == "" {
			return nil, fmt.Errorf("%s is not set and no /usr/lib/postgresql/*/bin contains initdb, pg_ctl and postgres", EnvBin)
		}
	}
	b := &bins{
		dir:    dir,
		initdb: filepath.Join(dir, "initdb"),
		pgctl:  filepath.Join(dir, "pg_ctl"),
		psql:   filepath.Join(dir, "psql"),
	}
	if !isExecutable(b.psql) {
		p, err := exec.LookPath("psql")
		if err != nil {
			return nil, fmt.Errorf("no psql in %s nor in $PATH", dir)
		}
		b.psql = p
	}
	return b, nil
}

func hasServer(dir string) error {
	var missing []string
	for _, n := range []string{"initdb", "pg_ctl", "postgres"} {
		if !isExecutable(filepath.Join(dir, n)) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s in %s", strings.Join(missing, ", "), dir)
	}
	return nil
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// versionLess compares version strings such as "9.6", "15", "16".
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return a < b
}

type pgUserIDs struct{ uid, gid int }

func lookupPGUser() (pgUserIDs, error) {
	u, err := user.Lookup(pgUser)
	if err != nil {
		return pgUserIDs{}, fmt.Errorf("running as root, and PostgreSQL cannot run as root, but there is no %q user to run it as: %v", pgUser, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return pgUserIDs{}, fmt.Errorf("user %q has non-numeric uid/gid %q/%q", pgUser, u.Uid, u.Gid)
	}
	return pgUserIDs{uid, gid}, nil
}

// ---- cluster --------------------------------------------------------------

type cluster struct {
	bins    *bins
	dir     string // temp dir, removed at stop
	data    string
	sock    string
	logFile string
	port    int
	asUser  *pgUserIDs // non-nil when running as root
	runuser string     // path of runuser, if asUser != nil and it exists
	env     []string

	reaperPipe *os.File // closing it (or our death) triggers the reaper
	reaper     *exec.Cmd
}

func start() (_ *cluster, err error) {
	b, err := findBins()
	if err != nil {
		return nil, err
	}
	c := &cluster{bins: b, env: childEnv()}
	if os.Geteuid() == 0 {
		ids, err := lookupPGUser()
		if err != nil {
			return nil, err
		}
		c.asUser = &ids
		if p, err := exec.LookPath("runuser"); err == nil {
			c.runuser = p
		}
	}

	base, err := tempBase(c.asUser != nil)
	if err != nil {
		return nil, err
	}
	if c.dir, err = os.MkdirTemp(base, "pgtest-"); err != nil {
		return nil, err
	}
	c.data = filepath.Join(c.dir, "data")
	c.sock = filepath.Join(c.dir, "sock")
	c.logFile = filepath.Join(c.dir, "postgres.log")
	defer func() {
		if err != nil {
			c.stop() // best effort; also removes c.dir
		}
	}()
	if err := os.Mkdir(c.sock, 0o700); err != nil {
		return nil, err
	}
	if c.asUser != nil {
		for _, p := range []string{c.dir, c.sock} {
			if err := os.Chown(p, c.asUser.uid, c.asUser.gid); err != nil {
				return nil, err
			}
		}
	}
	c.startReaper() // best effort

	if out, err := c.runPG(c.bins.initdb, "-D", c.data, "-A", "trust", "-U", pgUser,
		"--no-sync", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
		return nil, fmt.Errorf("initdb failed: %v\n%s", err, out)
	}

	for try := 1; ; try++ {
		if c.port, err = freePort(); err != nil {
			return nil, err
		}
		err = c.startServer()
		if err == nil {
			return c, nil
		}
		tail := logTail(c.logFile, 30)
		// The port picked may have been grabbed by someone else in between.
		if try < startTries && strings.Contains(tail, "could not bind") {
			continue
		}
		return nil, fmt.Errorf("starting PostgreSQL (data dir %s) failed: %v\n--- tail of %s ---\n%s", c.data, err, c.logFile, tail)
	}
}

func (c *cluster) startServer() error {
	opts := fmt.Sprintf("-c listen_addresses=%s -p %d -k %s -c fsync=off -c synchronous_commit=off "+
		"-c full_page_writes=off -c max_connections=200", host, c.port, shellQuote(c.sock))
	// Output goes to a file, not a pipe: a pipe inherited by the detached
	// postmaster would make Wait hang.
	out, err := os.CreateTemp(c.dir, "pg_ctl-*.out")
	if err != nil {
		return err
	}
	defer out.Close()
	if c.asUser != nil {
		_ = out.Chmod(0o644)
	}
	cmd := c.pgCommand(c.bins.pgctl, "start", "-w", "-t", "120", "-D", c.data, "-l", c.logFile, "-o", opts)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		return fmt.Errorf("pg_ctl start: %v: %s", err, bytes.TrimSpace(b))
	}
	return nil
}

func (c *cluster) stop() error {
	var errs []error
	if _, err := os.Stat(filepath.Join(c.data, "postmaster.pid")); err == nil {
		if out, err := c.runPG(c.bins.pgctl, "stop", "-D", c.data, "-m", "immediate", "-w", "-t", "60"); err != nil {
			errs = append(errs, fmt.Errorf("pg_ctl stop: %v\n%s", err, out))
		}
	}
	if err := os.RemoveAll(c.dir); err != nil {
		errs = append(errs, err)
	}
	if c.reaperPipe != nil {
		c.reaperPipe.Close() // reaper finds nothing left to do and exits
		done := make(chan struct{})
		go func() { c.reaper.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			errs = append(errs, errors.New("reaper process did not exit"))
		}
		c.reaperPipe = nil
	}
	return errors.Join(errs...)
}

// reaperScript waits for EOF on stdin, i.e. for the test binary to close the
// pipe or to die, then kills the postmaster (SIGQUIT = immediate shutdown)
// if it still runs and removes the directory.
const reaperScript = `d=$1
cat >/dev/null 2>&1
pid=$(head -n 1 "$d/data/postmaster.pid" 2>/dev/null)
case $pid in
''|*[!0-9]*) ;;
*)
	kill -QUIT "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		# A dead postmaster may linger as a zombie until init reaps it.
		case $(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) in Z*) break ;; esac
		sleep 0.1
		i=$((i+1))
	done
	kill -KILL "$pid" 2>/dev/null
	;;
esac
rm -rf -- "$d"
`

func (c *cluster) startReaper() {
	r, w, err := os.Pipe()
	if err != nil {
		return
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", "-c", reaperScript, "pgtest-reaper", c.dir)
	cmd.Stdin = r // stdout/stderr: /dev/null, so `go test` never waits on it
	// Own process group: a terminal ^C must not kill it before it cleans up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return
	}
	c.reaper, c.reaperPipe = cmd, w
}

// pgCommand builds a command for initdb/pg_ctl, run as the postgres user
// when we are root.
func (c *cluster) pgCommand(name string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	switch {
	case c.asUser == nil:
		cmd = exec.Command(name, args...)
	case c.runuser != "":
		cmd = exec.Command(c.runuser, append([]string{"-u", pgUser, "--", name}, args...)...)
	default:
		cmd = exec.Command(name, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
			Uid: uint32(c.asUser.uid), Gid: uint32(c.asUser.gid), Groups: []uint32{},
		}}
	}
	cmd.Dir = c.dir // a cwd the postgres user can access
	cmd.Env = c.env
	return cmd
}

func (c *cluster) runPG(name string, args ...string) ([]byte, error) {
	return c.pgCommand(name, args...).CombinedOutput()
}

func (c *cluster) psql(sql string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), psqlTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bins.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1",
		"-h", host, "-p", strconv.Itoa(c.port), "-U", pgUser, "-d", "postgres", "-c", sql)
	cmd.Env = c.env
	return cmd.CombinedOutput()
}

// childEnv is the environment without anything that could change how the
// PostgreSQL tools behave (PG* variables, locale), plus fixed C locale and
// UTC time zone (initdb records the time zone in postgresql.conf).
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PG") || strings.HasPrefix(k, "LC_") || k == "LANG" || k == "LANGUAGE" || k == "TZ" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C", "TZ=UTC", "PGCONNECT_TIMEOUT=30")
}

// tempBase picks the parent of the cluster directory: os.TempDir() unless
// its path is too long for the Unix socket path (<dir>/pgtest-NNN/sock/
// .s.PGSQL.PORT must fit in 107 bytes) or, when the server runs as the
// postgres user, that user cannot reach it; then /tmp.
func tempBase(otherUser bool) (string, error) {
	for _, d := range []string{os.TempDir(), "/tmp"} {
		if len(d)+len("/pgtest-0123456789/sock/.s.PGSQL.65535") >= 100 {
			continue
		}
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		if otherUser && !traversableByOthers(d) {
			continue
		}
		return d, nil
	}
	return "", fmt.Errorf("no usable temporary directory (TMPDIR=%q: too long, missing, or not searchable by the %s user; /tmp neither)", os.Getenv("TMPDIR"), pgUser)
}

func traversableByOthers(dir string) bool {
	d, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		parent := filepath.Dir(d)
		if parent == d {
			return true
		}
		d = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", host+":0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
