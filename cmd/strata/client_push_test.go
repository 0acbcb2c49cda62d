package main

import "bytes"
import "context"
import "encoding/json"
import "fmt"
import "net/http"
import "net/http/httptest"
import "net/http/httputil"
import "net/url"
import "os"
import "os/exec"
import "path/filepath"
import "strings"
import "sync"
import "testing"

import apiclient "github.com/strata-eval/strata/client"

// pushDoc is what push --json prints.
type pushDoc struct {
	Dataset   apiclient.Dataset
	Created   bool
	DryRun    bool
	Added     int
	Modified  int
	Removed   int
	Unchanged int
	Version   *apiclient.Version
	Changes   []apiclient.Change
	Tag       *string
}

var faqLines = []string{
	`{"input":"Can I return shoes?","groundTruth":"Yes, within 30 days."}`,
	`{"input":"Where is my order?","groundTruth":"See the tracking link in your email."}`,
	`{"input":"Do you ship abroad?","groundTruth":"No."}`,
}

// writeLines writes a JSONL file.
func writeLines(t *testing.T, path string, lines ...string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// push runs push --json and decodes its document.
func (s *clientServer) push(t *testing.T, args ...string) pushDoc {
	t.Helper()
	var doc pushDoc
	s.okJSON(t, &doc, append([]string{"push"}, args...)...)
	return doc
}

func wantCounts(t *testing.T, d pushDoc, added, modified, removed, unchanged int) {
	t.Helper()
	if d.Added != added || d.Modified != modified || d.Removed != removed || d.Unchanged != unchanged {
		t.Fatalf("push: %d added, %d modified, %d removed, %d unchanged; want %d, %d, %d, %d",
			d.Added, d.Modified, d.Removed, d.Unchanged, added, modified, removed, unchanged)
	}
}

func TestClientPush(t *testing.T) {
	s := newClientServer(t)
	dir := t.TempDir()
	file := writeLines(t, filepath.Join(dir, "faq.jsonl"), faqLines...)

	t.Run("NewFile", func(t *testing.T) {
		d := s.push(t, file, "--dataset", "faq", "--create", "--message", "first cases")
		if !d.Created || d.Dataset.Slug != "faq" {
			t.Fatalf("push --create: created %v, dataset %+v", d.Created, d.Dataset)
		}
		wantCounts(t, d, 3, 0, 0, 0)
		if d.Version == nil || d.Version.VersionNumber != 2 || d.Version.ItemCount != 3 {
			t.Fatalf("version = %+v, want version 2 of 3 items", d.Version)
		}
		if d.Version.Description == nil || *d.Version.Description != "first cases" {
			t.Fatalf("version description = %v, want the --message", d.Version.Description)
		}
	})
	t.Run("AgainMakesNoVersion", func(t *testing.T) {
		d := s.push(t, file, "--dataset", "faq")
		wantCounts(t, d, 0, 0, 0, 3)
		if d.Version != nil {
			t.Fatalf("an unchanged push made version %d", d.Version.VersionNumber)
		}
		if out := s.ok(t, "push", file, "--dataset", "faq"); !strings.Contains(out, "no changes") {
			t.Fatalf("push of an unchanged file printed %q", out)
		}
		ds, err := s.api.FindDataset(t.Context(), "faq")
		if err != nil {
			t.Fatal(err)
		}
		if ds.CurrentVersionNumber != 2 {
			t.Fatalf("head = %d after unchanged pushes, want 2", ds.CurrentVersionNumber)
		}
	})
	t.Run("EditGivesExactCounts", func(t *testing.T) {
		writeLines(t, file, faqLines[0], faqLines[1], `{"input":"Can I return a gift?","groundTruth":"Yes, for store credit."}`)
		d := s.push(t, file, "--dataset", "faq", "--tag", "reviewed")
		wantCounts(t, d, 1, 0, 1, 2)
		if d.Version == nil || d.Version.VersionNumber != 3 {
			t.Fatalf("version = %+v, want 3", d.Version)
		}
		tags, err := s.api.ListTags(t.Context(), d.Dataset.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tags) != 1 || tags[0].Name != "reviewed" || tags[0].VersionNumber != 3 {
			t.Fatalf("tags = %+v, want reviewed on version 3", tags)
		}
		out := s.ok(t, "diff", "faq", "2", "3")
		if !strings.Contains(out, "1 added, 1 removed, 0 modified, 2 unchanged") {
			t.Fatalf("diff after the edit:\n%s", out)
		}
	})
	t.Run("PulledHeadPushesNoChange", func(t *testing.T) {
		for _, name := range []string{"head.jsonl", "head.csv", "head.json"} {
			pulled := filepath.Join(dir, name)
			s.ok(t, "pull", "faq", "-o", pulled)
			if strings.HasSuffix(name, ".json") {
				var items []map[string]any
				if b, err := os.ReadFile(pulled); err != nil || json.Unmarshal(b, &items) != nil || len(items) != 3 {
					t.Fatalf("pull -o %s wrote %q (%v), want a JSON array of the 3 items", name, b, err)
				}
			}
			d := s.push(t, pulled, "--dataset", "faq")
			wantCounts(t, d, 0, 0, 0, 3)
			if d.Version != nil {
				t.Fatalf("pushing the pulled %s made version %d", name, d.Version.VersionNumber)
			}
		}
	})
	t.Run("JSONArrayFile", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "cases.json")
		if err := os.WriteFile(file, []byte(`[{"question": "Do you ship abroad?", "answer": "Yes, to 30 countries."}]`), 0o644); err != nil {
			t.Fatal(err)
		}
		d := s.push(t, file, "--dataset", "json-cases", "--create")
		wantCounts(t, d, 1, 0, 0, 0)
	})
	t.Run("EditOfAPulledFileIsAModification", func(t *testing.T) {
		pulled := filepath.Join(dir, "pulled.jsonl")
		s.ok(t, "pull", "faq", "-o", pulled)
		b, err := os.ReadFile(pulled)
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.Replace(string(b), "Yes, within 30 days.", "Yes, within 60 days.", 1)
		if edited == string(b) {
			t.Fatalf("pulled file %q lacks the answer to edit", b)
		}
		if err := os.WriteFile(pulled, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		d := s.push(t, pulled, "--dataset", "faq")
		wantCounts(t, d, 0, 1, 0, 2)
		out := s.ok(t, "diff", "faq", "3", "4")
		if !strings.Contains(out, `groundTruth: "Yes, within 30 days." -> "Yes, within 60 days."`) {
			t.Fatalf("diff of the edit:\n%s", out)
		}
	})
	t.Run("PullOfAnOldVersionIsStable", func(t *testing.T) {
		v2 := s.ok(t, "pull", "faq@2")
		if strings.Count(v2, "\n") != 3 || !strings.Contains(v2, "Do you ship abroad?") {
			t.Fatalf("pull faq@2 = %q, want the three first cases", v2)
		}
		s.push(t, writeLines(t, filepath.Join(dir, "other.jsonl"), `{"input":"only this"}`), "--dataset", "faq")
		if again := s.ok(t, "pull", "faq@2"); again != v2 {
			t.Fatalf("pull faq@2 after more pushes = %q, want %q", again, v2)
		}
	})
	t.Run("DryRunJSON", func(t *testing.T) {
		ds, err := s.api.FindDataset(t.Context(), "faq")
		if err != nil {
			t.Fatal(err)
		}
		d := s.push(t, file, "--dataset", "faq", "--dry-run")
		if !d.DryRun || d.Version != nil {
			t.Fatalf("dry run: dryRun %v, version %+v", d.DryRun, d.Version)
		}
		wantCounts(t, d, 3, 0, 1, 0)
		if len(d.Changes) == 0 {
			t.Fatal("dry run lists no changes")
		}
		after, err := s.api.FindDataset(t.Context(), "faq")
		if err != nil {
			t.Fatal(err)
		}
		if after.CurrentVersionNumber != ds.CurrentVersionNumber || after.ItemCount != ds.ItemCount {
			t.Fatalf("a dry run changed the dataset: %+v -> %+v", ds, after)
		}
	})
	t.Run("ErrMissingDataset", func(t *testing.T) {
		if r := s.strata(t, "push", file, "--dataset", "nope"); r.code != 1 || !strings.Contains(r.stderr, "nope") {
			t.Fatalf("push to a missing dataset: exit %d, %q", r.code, r.stderr)
		}
		if r := s.strata(t, "push", file, "--dataset", "nope", "--create", "--dry-run"); r.code != 1 {
			t.Fatalf("push --create --dry-run made a dataset: exit %d", r.code)
		}
		if r := s.strata(t, "push", file, "--dataset", "faq", "--dry-run", "--tag", "x"); r.code != 2 {
			t.Fatalf("push --dry-run --tag: exit %d, want 2", r.code)
		}
	})
}

// TestClientPushMap: --map names the columns detection would not find,
// and a malformed one is a usage error.
func TestClientPushMap(t *testing.T) {
	s := newClientServer(t)
	file := writeLines(t, filepath.Join(t.TempDir(), "own.jsonl"),
		`{"text":"Is shipping free?","gold":"Above 50 EUR","note":"shipping"}`)
	d := s.push(t, file, "--dataset", "own", "--create", "--map", "input=text", "--map", "groundTruth=gold")
	wantCounts(t, d, 1, 0, 0, 0)
	page, err := s.api.ListItems(t.Context(), d.Dataset.ID, apiclient.PageOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	items := page.Items
	if len(items) != 1 {
		t.Fatalf("%d items, want 1", len(items))
	}
	if got, want := items[0].Input, "Is shipping free?"; got != want {
		t.Errorf("input = %q, want %q", got, want)
	}
	if got := items[0].GroundTruth; got == nil || *got != "Above 50 EUR" {
		t.Errorf("ground truth = %v, want %q", got, "Above 50 EUR")
	}
	if got, want := string(items[0].Metadata), `{"note":"shipping"}`; got != want {
		t.Errorf("metadata = %s, want %s (the column no field takes)", got, want)
	}
	if r := s.strata(t, "push", file, "--dataset", "own", "--map", "input"); r.code != 2 {
		t.Fatalf("push --map input: exit %d, want 2", r.code)
	}
	if r := s.strata(t, "push", file, "--dataset", "own", "--map", "input=missing"); r.code != 1 || !strings.Contains(r.stderr, "missing") {
		t.Fatalf("push --map input=missing: exit %d, %q; want 1 naming the column", r.code, r.stderr)
	}
}

// pushedMetadata pushes a JSONL file of one line with args and returns the
// metadata of the item it made.
func (s *clientServer) pushedMetadata(t *testing.T, line string, args ...string) string {
	t.Helper()
	file := writeLines(t, filepath.Join(t.TempDir(), "own.jsonl"), line)
	d := s.push(t, append([]string{file, "--dataset", "own", "--create"}, args...)...)
	page, err := s.api.ListItems(t.Context(), d.Dataset.ID, apiclient.PageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(page.Items), 1; got != want {
		t.Fatalf("%d items, want %d", got, want)
	}
	return string(page.Items[0].Metadata)
}

// TestClientPushMapIgnoreRepeated: the columns of every --map ignore= are
// left out, not only the last flag's.
func TestClientPushMapIgnoreRepeated(t *testing.T) {
	s := newClientServer(t)
	got := s.pushedMetadata(t, `{"input":"q","noise":"n","ctx":"c","note":"kept"}`,
		"--map", "ignore=noise", "--map", "ignore=ctx")
	if want := `{"note":"kept"}`; got != want {
		t.Errorf("metadata = %s, want %s", got, want)
	}
}

// TestClientPushMapIgnoreNameWithComma: a column named with a comma,
// given as a JSON array, is left out with the other flags' columns.
func TestClientPushMapIgnoreNameWithComma(t *testing.T) {
	s := newClientServer(t)
	got := s.pushedMetadata(t, `{"input":"q","noise":"n","a,b":"x","a":"kept"}`,
		"--map", "ignore=noise", "--map", `ignore=["a,b"]`)
	if want := `{"a":"kept"}`; got != want {
		t.Errorf("metadata = %s, want %s", got, want)
	}
}

// TestClientPushMapFieldTwice: a field mapped twice is a usage error that
// names it, as the server refuses map.FIELD given twice; nothing is sent.
func TestClientPushMapFieldTwice(t *testing.T) {
	s := newClientServer(t)
	file := writeLines(t, filepath.Join(t.TempDir(), "own.jsonl"), `{"q":"question","a":"answer","l":"en","m":"fr"}`)
	for _, tc := range []struct{ name, field, first, second string }{
		{"Input", "input", "input=q", "input=a"},
		{"Metadata", "metadata.lang", "metadata.lang=l", "metadata.lang=m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.strata(t, "push", file, "--dataset", "own", "--create", "--map", tc.first, "--map", tc.second)
			if got, want := r.code, 2; got != want {
				t.Fatalf("exit %d, want %d: %s", got, want, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.field+" is given twice") {
				t.Errorf("stderr %q does not name %s", r.stderr, tc.field)
			}
			if _, err := s.api.FindDataset(t.Context(), "own"); !apiclient.IsNotFound(err) {
				t.Errorf("FindDataset(own) = %v, want a 404: nothing created", err)
			}
		})
	}
}

// TestClientPushBeyondSyncBound: a push that the server would have to hold
// more of than its --max-sync-bytes fails with the server's 413 and message,
// and changes nothing.
func TestClientPushBeyondSyncBound(t *testing.T) {
	s := newClientServer(t, "--max-sync-bytes", "2000")
	dir := t.TempDir()
	first := s.push(t, writeLines(t, filepath.Join(dir, "faq.jsonl"), faqLines...), "--dataset", "faq", "--create")
	long := strings.Repeat("x", 1000)
	big := writeLines(t, filepath.Join(dir, "big.jsonl"), `{"input":"a `+long+`"}`, `{"input":"b `+long+`"}`)
	r := s.strata(t, "push", big, "--dataset", "faq")
	if want := "This sync would hold more than 2000 bytes of items in memory"; r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "(413)") {
		t.Fatalf("push beyond the bound: exit %d, %q; want 1 with the 413 and %q", r.code, r.stderr, want)
	}
	page, err := s.api.ListItems(t.Context(), first.Dataset.ID, apiclient.PageOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != len(faqLines) || page.Items[0].Input != "Can I return shoes?" {
		t.Fatalf("after a refused push: %d items, first %q; want the %d pushed before", len(page.Items), page.Items[0].Input, len(faqLines))
	}
}

// TestClientPushProgress: push draws its progress on a terminal only.
func TestClientPushProgress(t *testing.T) {
	s := newClientServer(t)
	file := writeLines(t, filepath.Join(t.TempDir(), "faq.jsonl"), faqLines...)
	command := func() *exec.Cmd { return s.process("push", file, "--dataset", "faq", "--create") }
	cmd := command()
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if screen := onTerminal(t, cmd); !strings.Contains(screen, "push faq.jsonl") {
		t.Fatalf("no progress on the terminal: %q", screen)
	}
	if !strings.Contains(stdout.String(), "3 added") {
		t.Fatalf("stdout = %q", stdout.String())
	}

	cmd = command()
	var stderr bytes.Buffer
	stdout.Reset()
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("push: %v\n%s", err, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Fatalf("stderr in a pipe = %q, want nothing", stderr.String())
	}
}

// A push of a file that equals the working set, while the head does not
// (an edit left unsaved), makes the version that holds the file, and its
// --tag names that version. A bad --tag is refused before anything is
// written.
func TestClientPushUnsavedEdits(t *testing.T) {
	s := newClientServer(t)
	dir := t.TempDir()
	file := writeLines(t, filepath.Join(dir, "qa.jsonl"), `{"input":"q1","groundTruth":"a2"}`)
	d := s.push(t, file, "--dataset", "qa", "--create")
	page, err := s.api.ListItems(t.Context(), d.Dataset.ID, apiclient.PageOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	a3 := "a3"
	if _, err := s.api.UpdateItem(t.Context(), d.Dataset.ID, page.Items[0].ID, apiclient.ItemUpdate{GroundTruth: &a3},
		apiclient.WriteOptions{SkipVersion: true}); err != nil {
		t.Fatal(err)
	}
	writeLines(t, file, `{"input":"q1","groundTruth":"a3"}`)

	if r := s.strata(t, "push", file, "--dataset", "qa", "--tag", "bad tag"); r.code != 2 || !strings.Contains(r.stderr, `--tag "bad tag": A tag is`) {
		t.Fatalf("push --tag 'bad tag': exit %d, %q; want 2 and the tag's rule", r.code, r.stderr)
	}
	if ds, err := s.api.FindDataset(t.Context(), "qa"); err != nil || ds.CurrentVersionNumber != d.Version.VersionNumber {
		t.Fatalf("a push refused for its tag moved the head: %+v, %v", ds, err)
	}

	got := s.push(t, file, "--dataset", "qa", "--tag", "shipped")
	wantCounts(t, got, 0, 0, 0, 1)
	if got.Version == nil || got.Version.VersionNumber != d.Version.VersionNumber+1 {
		t.Fatalf("version = %+v, want %d: the head did not hold the file", got.Version, d.Version.VersionNumber+1)
	}
	if out := s.ok(t, "pull", "qa@shipped"); !strings.Contains(out, `"groundTruth":"a3"`) {
		t.Fatalf("pull qa@shipped = %q, want the file pushed", out)
	}
	if again := s.push(t, file, "--dataset", "qa"); again.Version != nil {
		t.Fatalf("the same file again made version %d", again.Version.VersionNumber)
	}
}

// A dry run's text says how many changes it did not list.
func TestClientPushDryRunSaysWhatItLeftOut(t *testing.T) {
	s := newClientServer(t)
	s.dataset(t, "big", `{"input":"old"}`)
	var lines []string
	for i := range 150 {
		lines = append(lines, fmt.Sprintf(`{"input":"case %d"}`, i))
	}
	file := writeLines(t, filepath.Join(t.TempDir(), "big.jsonl"), lines...)
	out := s.ok(t, "push", file, "--dataset", "big", "--dry-run")
	if !strings.HasPrefix(out, "big: 150 would be added, 0 would be modified, 1 would be removed") ||
		!strings.Contains(out, "... and 51 more not listed") {
		t.Fatalf("push --dry-run of 151 changes:\n%s", out)
	}
}

// A viewer key may push --dry-run (it writes nothing), not push.
func TestClientPushDryRunAsViewer(t *testing.T) {
	dsn := testDSN(t)
	m := runServe(t, dsn)
	s := &clientServer{url: m.base(), key: m.ownerKey(t)}
	s.api = apiclient.New(s.url, s.key)
	s.dataset(t, "qa", `{"input":"old"}`)
	out, stderr, err := runCLI(t, "keys", "create", "--db", dsn, "--project", "default", "--role", "viewer")
	if err != nil {
		t.Fatal(err, stderr)
	}
	fields := strings.Fields(out)
	viewer := fields[len(fields)-1]
	file := writeLines(t, filepath.Join(t.TempDir(), "qa.jsonl"), `{"input":"new"}`)
	push := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), append([]string{"push", file, "--dataset", "qa", "--url", s.url, "--key", viewer}, args...), &stdout, &stderr)
		return stdout.String(), err
	}
	if out, err := push("--dry-run"); err != nil || !strings.HasPrefix(out, "qa: 1 would be added, 0 would be modified, 1 would be removed") {
		t.Fatalf("push --dry-run as a viewer: %v, %q", err, out)
	}
	if _, err := push(); exitCode(err) != 1 || !strings.Contains(err.Error(), "(403)") {
		t.Fatalf("push as a viewer: %v, want the 403", err)
	}
}

// A push --create that fails leaves no dataset behind, and says why it
// failed; a directory is refused before anything is sent. A dataset the
// push did not create is kept.
func TestClientPushCreateFailedLeavesNothing(t *testing.T) {
	s := newClientServer(t)
	dir := t.TempDir()
	noInput := writeLines(t, filepath.Join(dir, "bad.jsonl"), `{"input":"a"}`, `{"groundTruth":"x"}`)
	semicolons := writeLines(t, filepath.Join(dir, "semi.csv"), "input;groundTruth", "q;a")
	for _, c := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"LineWithoutInput", []string{noInput}, 1, "'input' field"},
		{"SemicolonCSV", []string{semicolons}, 1, "'input' column"},
		{"Directory", []string{dir, "--format", "jsonl"}, 2, "is a directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.strata(t, append(append([]string{"push"}, c.args...), "--dataset", "new", "--create")...)
			if r.code != c.code || !strings.Contains(r.stderr, c.msg) {
				t.Fatalf("push: exit %d, %q; want %d and %q", r.code, r.stderr, c.code, c.msg)
			}
			list, err := s.api.ListDatasets(t.Context(), apiclient.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 0 {
				t.Fatalf("a failed push --create left %d datasets, the first %q", len(list), list[0].Name)
			}
		})
	}
	t.Run("ExistingDatasetKept", func(t *testing.T) {
		d := s.dataset(t, "kept")
		if r := s.strata(t, "push", noInput, "--dataset", "kept", "--create"); r.code != 1 {
			t.Fatalf("push: exit %d, want 1: %s", r.code, r.stderr)
		}
		if _, err := s.api.FindDataset(t.Context(), d.ID); err != nil {
			t.Fatalf("a failed push removed a dataset it did not create: %v", err)
		}
	})
}

// A push --create that finds the dataset created since it looked (409)
// pushes into it.
func TestClientPushCreateAfterAnotherCreate(t *testing.T) {
	s := newClientServer(t)
	target, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var once sync.Once
	var other *apiclient.Dataset
	var otherErr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/datasets-v2" {
			once.Do(func() { // another push gets there first
				other, otherErr = s.api.CreateDataset(context.WithoutCancel(r.Context()), apiclient.DatasetInput{Name: "faq"})
			})
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	behind := &clientServer{url: srv.URL, key: s.key, api: s.api}
	file := writeLines(t, filepath.Join(t.TempDir(), "faq.jsonl"), faqLines...)
	d := behind.push(t, file, "--dataset", "faq", "--create")
	if otherErr != nil {
		t.Fatal(otherErr)
	}
	if other == nil {
		t.Fatal("push --create sent no create")
	}
	if d.Created || d.Dataset.ID != other.ID {
		t.Fatalf("push --create: created %v, dataset %s; want the other push's %s", d.Created, d.Dataset.ID, other.ID)
	}
	wantCounts(t, d, len(faqLines), 0, 0, 0)
}

// Pushes --create of one new dataset at once all succeed, into one dataset.
func TestClientPushCreateInParallel(t *testing.T) {
	s := newClientServer(t)
	file := writeLines(t, filepath.Join(t.TempDir(), "faq.jsonl"), faqLines...)
	const n = 8
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i] = s.strata(t, "push", file, "--dataset", "faq", "--create") })
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("push %d: exit %d: %s", i, r.code, r.stderr)
		}
	}
	list, err := s.api.ListDatasets(t.Context(), apiclient.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(list), 1; got != want {
		t.Fatalf("%d datasets, want %d", got, want)
	}
}

// TestClientPushMapMetadataAndSplits: --map reads metadata keys and splits
// from columns too.
func TestClientPushMapMetadataAndSplits(t *testing.T) {
	s := newClientServer(t)
	file := filepath.Join(t.TempDir(), "own.csv")
	if err := os.WriteFile(file, []byte("question,language,sets\nIs shipping free?,en,\"test,train\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := s.push(t, file, "--dataset", "own", "--create", "--map", "input=question", "--map", "metadata.lang=language", "--map", "splits=sets")
	wantCounts(t, d, 1, 0, 0, 0)
	page, err := s.api.ListItems(t.Context(), d.Dataset.ID, apiclient.PageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(page.Items), 1; got != want {
		t.Fatalf("%d items, want %d", got, want)
	}
	if got, want := string(page.Items[0].Metadata), `{"lang":"en"}`; got != want {
		t.Errorf("metadata = %s, want %s", got, want)
	}
	if got, want := strings.Join(page.Items[0].Splits, ","), "test,train"; got != want {
		t.Errorf("splits = %q, want %q", got, want)
	}
}

// TestClientPushHelpNamesMapFields: push --help says what --map and
// --input-from take.
func TestClientPushHelpNamesMapFields(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"push", "--help"}, &stdout, &stderr); exitCode(err) != 0 {
		t.Fatalf("push --help: %v", err)
	}
	for _, want := range []string{"input, groundTruth or output", "metadata.KEY", "splits", "-input-from", "lastUserMessage"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("push --help does not say %q:\n%s", want, stderr.String())
		}
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"help"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--input-from lastUserMessage", "metadata.KEY", "splits"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("strata help does not say %q", want)
		}
	}
}

// TestClientPushInputFrom: --input-from lastUserMessage pushes an OpenAI
// evals file, whose inputs are chats; another value is a usage error.
func TestClientPushInputFrom(t *testing.T) {
	s := newClientServer(t)
	file := writeLines(t, filepath.Join(t.TempDir(), "evals.jsonl"),
		`{"input":[{"role":"system","content":"Be brief."},{"role":"user","content":"Is shipping free?"}],"ideal":"Above 50 EUR"}`)
	var doc struct {
		Dataset apiclient.Dataset
		Mapping apiclient.ImportMapping
	}
	s.okJSON(t, &doc, "push", file, "--dataset", "evals", "--create", "--input-from", "lastUserMessage")
	if got := doc.Mapping.InputFrom; got == nil || *got != "lastUserMessage" {
		t.Errorf("mapping.inputFrom = %v, want lastUserMessage", got)
	}
	page, err := s.api.ListItems(t.Context(), doc.Dataset.ID, apiclient.PageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(page.Items), 1; got != want {
		t.Fatalf("%d items, want %d", got, want)
	}
	if got, want := page.Items[0].Input, "Is shipping free?"; got != want {
		t.Errorf("input = %q, want %q", got, want)
	}
	if r := s.strata(t, "push", file, "--dataset", "evals", "--input-from", "firstMessage"); r.code != 2 || !strings.Contains(r.stderr, "lastUserMessage") {
		t.Fatalf("push --input-from firstMessage: exit %d, %q; want 2 naming lastUserMessage", r.code, r.stderr)
	}
}

// push - reads the file from stdin, as pull -o - writes to stdout.
func TestClientPushFromStdin(t *testing.T) {
	s := newClientServer(t)
	cmd := s.process("push", "-", "--dataset", "piped", "--create", "--format", "jsonl")
	cmd.Stdin = strings.NewReader("{\"input\":\"a\"}\n{\"input\":\"b\"}\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("push - : %v\n%s", err, out)
	}
	d, err := s.api.FindDataset(t.Context(), "piped")
	if err != nil || d.ItemCount != 2 {
		t.Fatalf("dataset after push - = %+v, %v", d, err)
	}
	if r := s.strata(t, "push", "-", "--dataset", "piped"); r.code != 2 || !strings.Contains(r.stderr, "--format") {
		t.Fatalf("push - without --format: exit %d, %q", r.code, r.stderr)
	}
}
