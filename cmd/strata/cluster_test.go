package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-eval/strata/internal/pgtest"
)

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
	for i := 0; i < 300; i++ {
		if resp, err := http.Get(p.base + "/healthz"); err == nil {
			resp.Body.Close()
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

// client calls the API with a key.
type client struct {
	t   *testing.T
	key string
}

func (c client) do(method, url, body string, out any) (int, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(b, out)
	}
	return resp.StatusCode, nil
}

// TestTwoServersOnePostgres runs two server processes on one PostgreSQL
// database and sends them concurrent snapshots, item creates and edits of one
// dataset: every request must succeed, version numbers must run 1..N without
// gap or repeat, and the items must be exactly what was acknowledged. The
// servers run with the default limits: 50 requests of one key on each is
// more than the key's concurrency, and the rest must wait, not fail.
func TestTwoServersOnePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"keys", "create", "--db", dsn, "--role", "member"}, &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	c := client{t: t, key: strings.TrimSpace(stdout.String())}
	servers := []string{startProcessEnv(t, dsn).base, startProcessEnv(t, dsn).base}

	var d struct{ ID string }
	if _, err := c.do("POST", servers[0]+"/v1/datasets-v2", `{"name":"shared"}`, &d); err != nil {
		t.Fatal(err)
	}
	ds := "/v1/datasets-v2/" + d.ID
	const edits = 30
	var jsonl strings.Builder
	for i := 0; i < edits; i++ {
		fmt.Fprintf(&jsonl, `{"input":"seed %d"}`+"\n", i)
	}
	body, _ := json.Marshal(map[string]string{"format": "jsonl", "content": jsonl.String()})
	if _, err := c.do("POST", servers[1]+ds+"/import", string(body), nil); err != nil {
		t.Fatal(err)
	}
	var seeded []struct{ ID, Input string }
	if _, err := c.do("GET", servers[0]+ds+"/items", "", &seeded); err != nil {
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
	for _, it := range seeded {
		want[it.ID] = it.Input
	}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := servers[i%2]
			switch {
			case i < 30:
				var out struct{ Version struct{ VersionNumber int } }
				if _, err := c.do("POST", base+ds+"/versions", "", &out); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				numbers = append(numbers, out.Version.VersionNumber)
				mu.Unlock()
			case i < 70:
				input := fmt.Sprintf("created %d", i)
				var it struct{ ID string }
				if _, err := c.do("POST", base+ds+"/items?skipVersion=true", fmt.Sprintf(`{"input":%q}`, input), &it); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				want[it.ID] = input
				mu.Unlock()
			default:
				target := seeded[i-70]
				input := fmt.Sprintf("edited %d", i)
				if _, err := c.do("PATCH", base+ds+"/items/"+target.ID, fmt.Sprintf(`{"input":%q}`, input), nil); err != nil {
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

	var versions struct{ Versions []struct{ VersionNumber int } }
	if _, err := c.do("GET", servers[1]+ds+"/versions?limit=100", "", &versions); err != nil {
		t.Fatal(err)
	}
	// 1 (create) + 1 (import) + 30 snapshots + 30 edits.
	if got, want := len(versions.Versions), 62; got != want {
		t.Fatalf("%d versions, want %d", got, want)
	}
	for i, v := range versions.Versions {
		if want := 62 - i; v.VersionNumber != want {
			t.Fatalf("versions[%d] = %d, want %d", i, v.VersionNumber, want)
		}
	}
	slices.Sort(numbers)
	if len(slices.Compact(numbers)) != 30 {
		t.Fatalf("snapshots got repeated numbers: %v", numbers)
	}
	var items []struct{ ID, Input string }
	if _, err := c.do("GET", servers[0]+ds+"/items", "", &items); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range items {
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
