package pgtest

import "bufio"
import "fmt"
import "os"
import "os/exec"
import "path/filepath"
import "strconv"
import "strings"
import "syscall"
import "testing"
import "time"

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// query runs sql against dsn with the psql binary and returns its
// unaligned, tuples-only output.
func query(t *testing.T, dsn, sql string) string {
	t.Helper()
	b, err := findBins()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(b.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", sql)
	cmd.Env = childEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q on %s: %v\n%s", sql, dsn, err, out)
	}
	return strings.TrimSpace(string(out))
}

const countTables = `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`

func TestTwoDatabases(t *testing.T) {
	a, b := DSN(t), DSN(t)
	t.Logf("a=%s b=%s", a, b)
	if a == b {
		t.Fatalf("DSN returned the same database twice: %s", a)
	}
	if !strings.HasPrefix(a, "postgres://postgres@127.0.0.1:") || !strings.HasSuffix(a, "?sslmode=disable") {
		t.Errorf("unexpected DSN format: %s", a)
	}

	query(t, a, `CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1), (2)`)
	if got := query(t, a, `SELECT count(*) FROM items`); got != "2" {
		t.Errorf("rows in a.items = %q, want 2", got)
	}
	if got := query(t, b, countTables); got != "0" {
		t.Errorf("tables in b = %q, want 0 (databases are not isolated)", got)
	}
	t.Logf("server_version = %s", query(t, a, `SHOW server_version`))
}

func TestParallel(t *testing.T) {
	for i := 0; i < 8; i++ {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			dsn := DSN(t)
			if got := query(t, dsn, countTables); got != "0" {
				t.Fatalf("fresh database has %s tables", got)
			}
			query(t, dsn, fmt.Sprintf(`CREATE TABLE t%d (x int)`, i))
			if got := query(t, dsn, countTables); got != "1" {
				t.Fatalf("tables = %s, want 1", got)
			}
		})
	}
}

// TestMissingBinaries re-runs this test binary with a bogus STRATA_PG_BIN:
// without CI the test must skip, with CI=true it must fail loudly.
func TestMissingBinaries(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") != "" {
		t.Skip("already in the child")
	}
	run := func(ci string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTwoDatabases$", "-test.v", "-test.count=1")
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "CI=") && !strings.HasPrefix(kv, EnvBin+"=") {
				env = append(env, kv)
			}
		}
		env = append(env, EnvBin+"=/nonexistent", "PGTEST_CHILD=1")
		if ci != "" {
			env = append(env, "CI="+ci)
		}
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run("")
	if err != nil || !strings.Contains(out, "--- SKIP: TestTwoDatabases") || !strings.Contains(out, "/nonexistent") {
		t.Errorf("without CI: want skip mentioning /nonexistent, got err=%v\n%s", err, out)
	}
	out, err = run("true")
	if err == nil || !strings.Contains(out, "--- FAIL: TestTwoDatabases") || !strings.Contains(out, "/nonexistent") {
		t.Errorf("with CI=true: want failure mentioning /nonexistent, got err=%v\n%s", err, out)
	}
}

// TestReaperAfterKill starts a child test binary that gets a DSN and hangs,
// SIGKILLs it (so Main never gets to clean up) and checks that the reaper
// still stops the postmaster and removes the cluster directory.
func TestReaperAfterKill(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") == "hold" {
		DSN(t)
		mu.Lock()
		dir := cl.dir
		mu.Unlock()
		pid, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("\nDIR=%s\nPID=%s\n", dir, strings.SplitN(string(pid), "\n", 2)[0])
		time.Sleep(time.Hour)
	}
	if os.Getenv("PGTEST_CHILD") != "" {
		t.Skip("in a child")
	}
	if ok, why := Available(); !ok {
		t.Skip(why)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReaperAfterKill$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "PGTEST_CHILD=hold")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var dir string
	var pid int
	sc := bufio.NewScanner(stdout)
	for (dir == "" || pid == 0) && sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "DIR="); ok {
			dir = v
		} else if v, ok := strings.CutPrefix(line, "PID="); ok {
			pid, _ = strconv.Atoi(v)
		} else {
			t.Logf("child: %s", line)
		}
	}
	if dir == "" || pid == 0 {
		t.Fatalf("child did not report its cluster (dir=%q pid=%d)", dir, pid)
	}
	if !processAlive(pid) {
		t.Fatalf("postmaster %d not running in child", pid)
	}
	cmd.Process.Kill()
	cmd.Wait()

	deadline := time.Now().Add(30 * time.Second)
	for {
		_, statErr := os.Stat(dir)
		alive := processAlive(pid)
		if !alive && os.IsNotExist(statErr) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after killing the test binary: postmaster %d alive=%v, dir %s stat err=%v", pid, alive, dir, statErr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// processAlive reports whether pid exists and is not a zombie.
func processAlive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: trust kill(0)
	}
	// The state follows the parenthesised command name.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}
