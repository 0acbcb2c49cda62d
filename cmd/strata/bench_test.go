package main

import "bytes"
import "context"
import "database/sql"
import "os"
import "path/filepath"
import "strconv"
import "strings"
import "testing"

import "github.com/strata-eval/strata/postgres"

// TestBench runs `strata bench` at small sizes, as a smoke test: every
// scenario runs and has its row. Timings are printed, never checked.
func TestBench(t *testing.T) {
	args := []string{"bench", "--quiet", "--sizes", "100,1000", "--rounds", "20", "--reps", "5", "--restore-reps", "3"}
	if os.Getenv("STRATA_TEST_STORE") == "postgres" {
		args = append(args, "--db", testDSN(t))
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	t.Log("\n" + out)
	for _, size := range []string{"100", "1,000"} {
		for _, scenario := range []string{
			"import JSONL (items/s)", "import CSV (items/s)",
			"create item, auto-version", "create item, skipVersion",
			"snapshot (POST .../versions)",
			"storage after 20 snapshots x 10 edits: rows", "storage after 20 snapshots x 10 edits: bytes",
			"page of 100 items, version 2, at its start", "page of 100 items, version 2, at its end",
			"restore to a version 10 edits back",
		} {
			if !hasRow(out, scenario, size) {
				t.Errorf("no row %q at %s items", scenario, size)
			}
		}
	}
	// The baseline stands beside the snapshot and the storage, with ratios.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "snapshot") || strings.HasPrefix(line, "storage") {
			if !strings.HasSuffix(strings.TrimSpace(line), "x") {
				t.Errorf("no ratio to the baseline: %q", line)
			}
		}
	}
}

// hasRow reports whether the table has a row for a scenario at a size.
func hasRow(table, scenario, size string) bool {
	for _, line := range strings.Split(table, "\n") {
		if rest, ok := strings.CutPrefix(line, scenario); ok && strings.Fields(rest)[0] == size {
			return true
		}
	}
	return false
}

// TestBenchRefusesData: the benchmark runs on a fresh database only.
func TestBenchRefusesData(t *testing.T) {
	dsn := testDSN(t)
	m := runServe(t, dsn) // a server's database, with its first key
	m.Close()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"bench", "--quiet", "--sizes", "100", "--db", dsn}, &stdout, &stderr)
	if err == nil {
		t.Fatal("bench ran on a database that holds data")
	}
	if postgres.IsDSN(dsn) {
		// Nothing was added to it.
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM datasets`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("datasets = %d, %v", n, err)
		}
	}
}

// TestBenchLoopbackOnly: the load test is not pointed at another machine.
func TestBenchLoopbackOnly(t *testing.T) {
	var stdout, stderr bytes.Buffer
	for _, url := range []string{"http://example.com", "http://10.0.0.1:3333", "ftp://127.0.0.1"} {
		err := run(context.Background(), []string{"bench", "--http", url, "--key", "k", "--duration", "1s"}, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "loopback") && !strings.Contains(err.Error(), "not an http URL") {
			t.Errorf("bench --http %s: %v, want a refusal", url, err)
		}
	}
}

// TestBenchLoad runs a short load test and a raw import against a server.
func TestBenchLoad(t *testing.T) {
	m := runServe(t, filepath.Join(t.TempDir(), "strata.db"), "--rate-per-key", "-1", "--max-concurrent-per-key", "-1")
	key, base := m.ownerKey(t), m.base()
	var out, stderr bytes.Buffer
	if err := run(context.Background(), []string{"bench", "--quiet", "--http", base, "--key", key, "--concurrency", "4",
		"--duration", "2s", "--max-requests", "300", "--datasets", "2", "--items", "20"}, &out, &stderr); err != nil {
		t.Fatalf("load: %v\n%s", err, stderr.String())
	}
	t.Log("\n" + out.String())
	if !strings.Contains(out.String(), "errors: 0\n") || !strings.Contains(out.String(), "POST versions (snapshot)") {
		t.Errorf("load report:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"bench", "--quiet", "--http", base, "--key", key, "--import-bytes", "1000000",
		"--server-pid", strconv.Itoa(os.Getpid())}, &out, &stderr); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr.String())
	}
	t.Log("\n" + out.String())
	if !strings.Contains(out.String(), "raw JSONL import") || !strings.Contains(out.String(), "server memory") {
		t.Errorf("import report:\n%s", out.String())
	}
}

// TestBenchLoadRefused: a load test whose requests the server refuses fails,
// and says with which statuses.
func TestBenchLoadRefused(t *testing.T) {
	// The setup's few requests fit in the burst; the load's do not.
	m := runServe(t, filepath.Join(t.TempDir(), "strata.db"), "--rate-per-key", "0.001", "--burst-per-key", "20")
	var out, stderr bytes.Buffer
	err := run(context.Background(), []string{"bench", "--quiet", "--http", m.base(), "--key", m.ownerKey(t),
		"--concurrency", "2", "--duration", "1m", "--max-requests", "100", "--datasets", "1", "--items", "5"}, &out, &stderr)
	if err == nil {
		t.Fatalf("bench passed a load of 100 requests that the server refused:\n%s", out.String())
	}
	// 4 setup requests of 20; of the load's 100, 16 pass and 84 fail.
	if got, want := err.Error(), "84% of requests failed (more than 1%): 429 x 84;"; !strings.Contains(got, want) {
		t.Fatalf("error = %q, want it to contain %q", got, want)
	}
	if got := exitCode(err); got != 1 {
		t.Errorf("exit status %d, want 1", got)
	}
	if !strings.Contains(out.String(), "FAILED: 84% of requests failed") {
		t.Fatalf("report does not say it failed:\n%s", out.String())
	}
}
