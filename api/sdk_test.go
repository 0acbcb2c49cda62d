package api_test

import "context"
import "encoding/json"
import "iter"
import "net/http"
import "os"
import "os/exec"
import "path/filepath"
import "strings"
import "sync"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"

// sdkDataset is the body of GET /v1/datasets/{slug}.
type sdkDataset struct {
	ID, Slug, ProjectID string
	OwnerID             *string
	Items, Runs         []sdkItem
}

type sdkItem struct {
	ID, Input   string
	IdealOutput *string
}

func (d sdkDataset) inputs() []string {
	var out []string
	for _, it := range d.Items {
		out = append(out, it.Input)
	}
	return out
}

// sdkFixture is a dataset "Support bot" with version 2 holding a and b, and
// working items a, b (edited) and c.
func sdkFixture(t *testing.T, ts *testServer) string {
	t.Helper()
	id := ts.createDataset(t, "Support bot")
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/import?skipVersion=true", ts.owner,
		`{"format":"jsonl","content":"{\"input\":\"a\",\"groundTruth\":\"A\"}\n{\"input\":\"b\"}\n"}`), http.StatusOK)
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, ""), http.StatusCreated)
	wantStatus(t, ts.do(t, "PUT", datasetsPath+"/"+id+"/versions/2/tags/baseline", ts.owner, ""), http.StatusOK)
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/import?skipVersion=true", ts.owner,
		`{"format":"jsonl","content":"{\"input\":\"c\",\"groundTruth\":\"C\"}\n"}`), http.StatusOK)
	return id
}

func TestSDKDataset(t *testing.T) {
	ts := newTestServer(t)
	id := sdkFixture(t, ts)
	get := func(t *testing.T, path string) sdkDataset {
		t.Helper()
		r := ts.do(t, "GET", path, ts.viewer, "")
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, r.Body, []string{"id", "slug", "ownerId", "projectId", "items", "runs"})
		var d sdkDataset
		r.decode(t, &d)
		return d
	}

	t.Run("Working", func(t *testing.T) {
		d := get(t, "/v1/datasets/support-bot")
		if got, want := strings.Join(d.inputs(), ","), "a,b,c"; got != want {
			t.Fatalf("inputs = %s, want %s", got, want)
		}
		if d.ID != id || d.Slug != "support-bot" {
			t.Fatalf("id %s slug %s", d.ID, d.Slug)
		}
		if d.Items[0].IdealOutput == nil || *d.Items[0].IdealOutput != "A" || d.Items[1].IdealOutput != nil {
			t.Fatalf("idealOutput = %v, %v; want A, null", d.Items[0].IdealOutput, d.Items[1].IdealOutput)
		}
		a, _ := json.Marshal(d.Items)
		b, _ := json.Marshal(d.Runs)
		if string(a) != string(b) {
			t.Fatalf("runs %s differ from items %s", b, a)
		}
	})
	t.Run("ByID", func(t *testing.T) {
		if got, want := len(get(t, "/v1/datasets/"+strings.ToUpper(id)).Items), 3; got != want {
			t.Fatalf("%d items, want %d", got, want)
		}
	})
	for _, path := range []string{"/v1/datasets/support-bot@2", "/v1/datasets/support-bot@baseline",
		"/v1/datasets/support-bot?version=2", "/v1/datasets/support-bot@latest", "/v1/datasets/" + id + "@2"} {
		t.Run("Pinned"+strings.ReplaceAll(path, "/", "_"), func(t *testing.T) {
			d := get(t, path)
			if got, want := strings.Join(d.inputs(), ","), "a,b"; got != want {
				t.Fatalf("inputs = %s, want %s", got, want)
			}
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, path := range []string{"/v1/datasets/nope", "/v1/datasets/Support%20bot", "/v1/datasets/00000000-0000-0000-0000-000000000000"} {
			wantError(t, ts.do(t, "GET", path, ts.viewer, ""), http.StatusNotFound, "Dataset not found")
		}
		wantError(t, ts.do(t, "GET", "/v1/datasets/support-bot", ts.other, ""), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrVersionNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", "/v1/datasets/support-bot@9", ts.viewer, ""), http.StatusNotFound, "Dataset version not found")
	})
	t.Run("ErrTwoVersions", func(t *testing.T) {
		wantStatus(t, ts.do(t, "GET", "/v1/datasets/support-bot@2?version=2", ts.viewer, ""), http.StatusUnprocessableEntity)
	})
	t.Run("ErrNoKey", func(t *testing.T) {
		wantStatus(t, ts.do(t, "GET", "/v1/datasets/support-bot", "", ""), http.StatusUnauthorized)
	})
}

// TestLunaryJSSDK installs Lunary's JavaScript SDK from the npm registry and
// reads a dataset with it, as an evaluation loop would.
func TestLunaryJSSDK(t *testing.T) {
	npm, err := exec.LookPath("npm")
	if err == nil {
		_, err = exec.LookPath("node")
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node and npm are needed under CI (.ci/run installs them)")
		}
		t.Skip("node or npm not found: install Debian's nodejs and npm to run Lunary's SDK against Strata")
	}
	ts := newTestServer(t)
	sdkFixture(t, ts)

	dir := t.TempDir()
	install := exec.CommandContext(t.Context(), npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "lunary@1")
	install.Dir = dir
	install.Env = append(os.Environ(), "npm_config_cache="+filepath.Join(dir, ".npm"))
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm install lunary: %v\n%s", err, out)
	}
	script := `import lunary from "lunary";
const out = {};
for (const slug of process.argv.slice(2)) out[slug] = await lunary.getDataset(slug);
console.log(JSON.stringify(out));
`
	if err := os.WriteFile(filepath.Join(dir, "read.mjs"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	run := exec.CommandContext(t.Context(), "node", "read.mjs", "support-bot", "support-bot@baseline")
	run.Dir = dir
	run.Env = append(os.Environ(), "LUNARY_API_URL="+ts.URL, "LUNARY_PRIVATE_KEY="+ts.viewer)
	out, err := run.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got map[string][]sdkItem
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("decode %s: %v", out, err)
	}
	for slug, want := range map[string]string{"support-bot": "a/A,b/,c/C", "support-bot@baseline": "a/A,b/"} {
		var pairs []string
		for _, it := range got[slug] {
			ideal := ""
			if it.IdealOutput != nil {
				ideal = *it.IdealOutput
			}
			pairs = append(pairs, it.Input+"/"+ideal)
		}
		if g := strings.Join(pairs, ","); g != want {
			t.Errorf("getDataset(%q) = %s, want %s", slug, g, want)
		}
	}
}

// writeAfterScan adds an item to a dataset once a scan's items have been
// ranged over for the first time.
type writeAfterScan struct {
	strata.Store
	once  sync.Once
	write func()
}

func (s *writeAfterScan) OpenItems(ctx context.Context, q strata.ItemQuery) (strata.ItemScan, error) {
	scan, err := s.Store.OpenItems(ctx, q)
	if err != nil {
		return nil, err
	}
	return writingScan{scan, s}, nil
}

type writingScan struct {
	strata.ItemScan
	s *writeAfterScan
}

func (sc writingScan) Items() iter.Seq2[*strata.Item, error] {
	return func(yield func(*strata.Item, error) bool) {
		for it, err := range sc.ItemScan.Items() {
			if !yield(it, err) {
				return
			}
		}
		sc.s.once.Do(sc.s.write)
	}
}

// TestSDKDatasetOneSnapshot: the working items change between the body's
// two lists; the response is whole, items and runs those of one moment.
func TestSDKDatasetOneSnapshot(t *testing.T) {
	ws := &writeAfterScan{write: func() {}}
	ts := newTestServerWith(t, func(s *api.Server) {
		ws.Store = s.Store
		s.Store = ws
	})
	id := sdkFixture(t, ts)
	p, err := ts.store.Authenticate(t.Context(), ts.owner)
	if err != nil {
		t.Fatal(err)
	}
	ws.once = sync.Once{}
	ws.write = func() {
		if _, err := ts.store.CreateItem(context.Background(), p.Actor(), id, strata.ItemInput{Input: "late"}, strata.WriteOptions{SkipVersion: true}); err != nil {
			t.Error(err)
		}
	}
	r := ts.do(t, "GET", "/v1/datasets/support-bot", ts.viewer, "")
	wantStatus(t, r, http.StatusOK)
	var d sdkDataset
	r.decode(t, &d)
	a, _ := json.Marshal(d.Items)
	b, _ := json.Marshal(d.Runs)
	if got, want := strings.Join(d.inputs(), ","), "a,b,c"; got != want || string(a) != string(b) {
		t.Fatalf("items %s, runs %s: want a,b,c twice", a, b)
	}
	if n := ts.itemCount(t, id); n != 4 {
		t.Fatalf("%d working items after the read, want 4: the write did not happen", n)
	}
}
