package main

import "bytes"
import "fmt"
import "net"
import "os"
import "os/exec"
import "slices"
import "strings"
import "sync"
import "testing"
import "time"

import apiclient "github.com/strata-eval/strata/client"
import "github.com/strata-eval/strata/internal/pgtest"

// beMain makes the test binary act as the strata command, so tests can start
// real server processes without building one.
const beMain = "STRATA_TEST_BE_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(beMain) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(pgtest.Main(m))
}

// process is a `strata serve` child process.
type process struct {
	base string
	cmd  *exec.Cmd
	logs *bytes.Buffer
}

// startProcess starts `strata serve` as a child process on dsn and waits
// until it answers. It is stopped when the test ends, if still running.
// These tests are load generators with one key: the per-key limits would
// slow their bursts, so they are off.
func startProcess(t *testing.T, dsn string) *process {
	t.Helper()
	return startProcessEnv(t, dsn, "STRATA_MAX_CONCURRENT_PER_KEY=-1", "STRATA_RATE_PER_KEY=-1")
}

// startProcessEnv starts `strata serve` with env added to the environment.
func startProcessEnv(t *testing.T, dsn string, env ...string) *process {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p := &process{base: "http://" + addr, logs: &bytes.Buffer{}}
	p.cmd = exec.Command(os.Args[0], "serve", "--addr", addr, "--db", dsn)
	p.cmd.Env = append(append(os.Environ(), beMain+"=1"), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Signal(os.Interrupt)
			p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("server %s log:\n%s", addr, p.logs.String())
		}
	})
	up := apiclient.New(p.base, "")
	for i := 0; i < 300; i++ {
		if up.Health(t.Context()) == nil {
			return p
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server %s did not start:\n%s", addr, p.logs.String())
	return nil
}

// kill ends the process with SIGKILL: no shutdown, no flush.
func (p *process) kill() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// client is a client of the process with key that never retries: a request
// refused with a 429 or 503 fails, as an acknowledged write is one that
// succeeded on its one attempt.
func (p *process) client(key string) *apiclient.Client {
	c := apiclient.New(p.base, key)
	c.MaxRetries = -1
	return c
}

// TestTwoServersOnePostgres runs two server processes on one PostgreSQL
// database and sends them concurrent snapshots, item creates and edits of one
// dataset: every request must succeed, version numbers must run 1..N without
// gap or repeat, and the items must be exactly what was acknowledged. The
// servers run with the default limits: 50 requests of one key on each is
// more than the key's concurrency, and the rest must wait, not fail.
func TestTwoServersOnePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := t.Context()
	key := createKey(t, dsn, "member")
	servers := []*apiclient.Client{startProcessEnv(t, dsn).client(key), startProcessEnv(t, dsn).client(key)}

	d, err := servers[0].CreateDataset(ctx, apiclient.DatasetInput{Name: "shared"})
	if err != nil {
		t.Fatal(err)
	}
	const edits = 30
	var jsonl strings.Builder
	for i := 0; i < edits; i++ {
		fmt.Fprintf(&jsonl, `{"input":"seed %d"}`+"\n", i)
	}
	if _, err := servers[1].Import(ctx, d.ID, apiclient.FormatJSONL, strings.NewReader(jsonl.String()), apiclient.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	seeded, err := servers[0].GetDataset(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}

	// 100 requests: 30 snapshots, 40 creates without a version, 30 edits
	// (each of its own item) with one.
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		want    = map[string]string{} // item id -> input acknowledged
		numbers []int
	)
	for _, it := range seeded.Items {
		want[it.ID] = it.Input
	}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := servers[i%2]
			switch {
			case i < 30:
				v, _, err := c.CreateVersion(ctx, d.ID, apiclient.VersionInput{})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				numbers = append(numbers, v.VersionNumber)
				mu.Unlock()
			case i < 70:
				input := fmt.Sprintf("created %d", i)
				it, err := c.CreateItem(ctx, d.ID, apiclient.ItemInput{Input: input}, apiclient.WriteOptions{SkipVersion: true})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				want[it.ID] = input
				mu.Unlock()
			default:
				target := seeded.Items[i-70]
				input := fmt.Sprintf("edited %d", i)
				if _, err := c.UpdateItem(ctx, d.ID, target.ID, apiclient.ItemUpdate{Input: &input}, apiclient.WriteOptions{}); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				want[target.ID] = input
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	versions, err := servers[1].ListRecentVersions(ctx, d.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	// 1 (create) + 1 (import) + 30 snapshots + 30 edits.
	if got, want := len(versions), 62; got != want {
		t.Fatalf("%d versions, want %d", got, want)
	}
	for i, v := range versions {
		if want := 62 - i; v.VersionNumber != want {
			t.Fatalf("versions[%d] = %d, want %d", i, v.VersionNumber, want)
		}
	}
	slices.Sort(numbers)
	if len(slices.Compact(numbers)) != 30 {
		t.Fatalf("snapshots got repeated numbers: %v", numbers)
	}
	final, err := servers[0].GetDataset(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range final.Items {
		got[it.ID] = it.Input
	}
	if len(got) != len(want) {
		t.Fatalf("%d items, want %d", len(got), len(want))
	}
	for id, input := range want {
		if got[id] != input {
			t.Errorf("item %s = %q, want %q", id, got[id], input)
		}
	}
}
