package main

import "bytes"
import "context"
import "encoding/json"
import "errors"
import "fmt"
import "io"
import "net/http"
import "net/http/httptest"
import "os"
import "os/exec"
import "path/filepath"
import "slices"
import "strings"
import "syscall"
import "testing"

import "github.com/creack/pty"

import apiclient "github.com/strata-eval/strata/client"
import "github.com/strata-eval/strata/internal/openapitest"

// clientServer is a server on the tests' store (started with serveArgs),
// with an owner key, for the client commands.
type clientServer struct {
	url, key string
	api      *apiclient.Client
}

func newClientServer(t *testing.T, serveArgs ...string) *clientServer {
	t.Helper()
	m := runServe(t, testDSN(t), serveArgs...)
	s := &clientServer{url: m.base(), key: m.ownerKey(t)}
	s.api = apiclient.New(s.url, s.key)
	// Every answer the tests' own client gets is the documented one.
	s.api.HTTP = &http.Client{Transport: openapitest.Transport(t, nil, s.url)}
	return s
}

// attachOverlap attaches a rouge evaluator, Overlap, to a dataset.
func (s *clientServer) attachOverlap(t *testing.T, datasetID string) *apiclient.Evaluator {
	t.Helper()
	ev, err := s.api.CreateEvaluator(t.Context(), apiclient.EvaluatorInput{Name: "Overlap", Slug: "overlap", Type: "rouge", Mode: "normal",
		Params: json.RawMessage(`{"threshold":0.6}`), Filters: json.RawMessage(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.api.AttachEvaluator(t.Context(), datasetID, ev.ID, nil); err != nil {
		t.Fatal(err)
	}
	return ev
}

// result is what one command did.
type result struct {
	stdout, stderr string
	code           int
}

// strata runs a command of the binary, in this process, against the server.
func (s *clientServer) strata(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append(args, "--url", s.url, "--key", s.key)
	err := run(context.Background(), args, &stdout, &stderr)
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		r.code = exitCode(err)
		r.stderr += err.Error()
	}
	return r
}

// process is a command of the binary in a process of its own, against the
// server, for what the in-process strata cannot show: a terminal, an exit
// status.
func (s *clientServer) process(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), beMain+"=1", "STRATA_URL="+s.url, "STRATA_API_KEY="+s.key)
	return cmd
}

// onTerminal runs cmd with its stderr on a pseudo-terminal and returns what
// the terminal showed; it skips t where there is no pseudo-terminal.
func onTerminal(t *testing.T, cmd *exec.Cmd) (screen string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	cmd.Stderr = tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child holds it now
	var b bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&b, ptmx); close(done) }()
	err = cmd.Wait()
	<-done // the terminal reads EOF (EIO) once the child is gone
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, b.String())
	}
	return b.String()
}

// ok runs a command that must succeed and returns its stdout.
func (s *clientServer) ok(t *testing.T, args ...string) string {
	t.Helper()
	r := s.strata(t, args...)
	if r.code != 0 {
		t.Fatalf("strata %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// okJSON runs a command with --json and decodes its one document.
func (s *clientServer) okJSON(t *testing.T, out any, args ...string) {
	t.Helper()
	stdout := s.ok(t, append(args, "--json")...)
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(out); err != nil {
		t.Fatalf("strata %s --json: %v: %q", strings.Join(args, " "), err, stdout)
	}
	if dec.More() {
		t.Fatalf("strata %s --json: more than one document: %q", strings.Join(args, " "), stdout)
	}
}

// dataset creates a dataset and imports lines (JSONL) into it, making one
// version per call of importLines.
func (s *clientServer) dataset(t *testing.T, name string, lines ...string) *apiclient.Dataset {
	t.Helper()
	d, err := s.api.CreateDataset(t.Context(), apiclient.DatasetInput{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) > 0 {
		s.importLines(t, d.ID, lines...)
	}
	return d
}

func (s *clientServer) importLines(t *testing.T, id string, lines ...string) {
	t.Helper()
	body := strings.Join(lines, "\n") + "\n"
	if _, err := s.api.Import(t.Context(), id, apiclient.FormatJSONL, strings.NewReader(body), apiclient.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestClientDatasets(t *testing.T) {
	s := newClientServer(t)
	s.dataset(t, "Support bot", `{"input":"a"}`, `{"input":"b"}`)
	out := s.ok(t, "datasets")
	for _, want := range []string{"NAME", "SLUG", "Support bot", "support-bot", "v2"} {
		if !strings.Contains(out, want) {
			t.Fatalf("datasets does not show %q:\n%s", want, out)
		}
	}
	var list []apiclient.Dataset
	s.okJSON(t, &list, "datasets")
	if len(list) != 1 || list[0].Slug != "support-bot" || list[0].ItemCount != 2 {
		t.Fatalf("datasets --json = %+v", list)
	}
}

// TestClientPullVersionIsStable: a pull of @1 made after later changes gives
// the bytes of a pull of version 1 made before them.
func TestClientPullVersionIsStable(t *testing.T) {
	s := newClientServer(t)
	d := s.dataset(t, "qa", `{"input":"a","groundTruth":"A"}`, `{"input":"b, \"quoted\"","output":"x"}`)
	dir := t.TempDir()
	before := filepath.Join(dir, "before.csv")
	s.ok(t, "pull", "qa@2", "-o", before)
	headJSONL := s.ok(t, "pull", "qa")

	s.importLines(t, d.ID, `{"input":"c"}`)
	if _, err := s.api.RestoreVersion(t.Context(), d.ID, "1"); err != nil {
		t.Fatal(err)
	}
	after := filepath.Join(dir, "after.csv")
	s.ok(t, "pull", d.ID+"@2", "-o", after)
	a, err := os.ReadFile(before)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(after)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("pull of v2 changed:\nbefore %q\nafter  %q", a, b)
	}
	if header, _, _ := strings.Cut(string(a), "\n"); !strings.Contains(header, "input") || strings.HasPrefix(header, "{") {
		t.Fatalf("-o x.csv did not write CSV: %q", a)
	}
	if got := s.ok(t, "pull", "qa@2", "--format", "jsonl"); got != headJSONL {
		t.Fatalf("pull qa@2 = %q, want the head pulled before, %q", got, headJSONL)
	}
	if got := s.ok(t, "pull", "qa"); got != "" {
		t.Fatalf("pull of the head after restoring the empty v1 = %q, want nothing", got)
	}
	var doc struct {
		Bytes  int64
		Format string
		File   string
	}
	s.okJSON(t, &doc, "pull", "qa@2", "-o", filepath.Join(dir, "v2.jsonl"))
	if doc.Bytes != int64(len(headJSONL)) || doc.Format != "jsonl" {
		t.Fatalf("pull --json = %+v, want %d bytes of jsonl", doc, len(headJSONL))
	}
}

func TestClientLog(t *testing.T) {
	s := newClientServer(t)
	d := s.dataset(t, "qa", `{"input":"a"}`)
	s.importLines(t, d.ID, `{"input":"b"}`)
	s.ok(t, "tag", "qa", "2", "baseline")
	s.ok(t, "restore", "qa@baseline")
	out := s.ok(t, "log", "qa")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("log has %d lines, want 4:\n%s", len(lines), out)
	}
	for i, want := range []string{"v4", "v3", "v2", "v1"} {
		if !strings.HasPrefix(lines[i], want+" ") {
			t.Fatalf("line %d = %q, want version %s (newest first)", i, lines[i], want)
		}
	}
	for _, want := range []struct {
		line int
		text string
	}{
		{0, "restored from v2"}, {0, "1 items"}, {1, "2 items"}, {2, "(baseline)"}, {0, "owner"},
	} {
		if !strings.Contains(lines[want.line], want.text) {
			t.Fatalf("line %q does not show %q", lines[want.line], want.text)
		}
	}
	var doc struct {
		Versions []struct {
			VersionNumber             int
			Tags                      []string
			Author                    string
			RestoredFromVersionNumber *int
		}
	}
	s.okJSON(t, &doc, "log", "qa")
	if len(doc.Versions) != 4 || doc.Versions[0].RestoredFromVersionNumber == nil || *doc.Versions[0].RestoredFromVersionNumber != 2 {
		t.Fatalf("log --json = %+v", doc)
	}
}

func TestClientDiff(t *testing.T) {
	s := newClientServer(t)
	d := s.dataset(t, "qa", `{"input":"a","groundTruth":"A"}`, `{"input":"b"}`, `{"input":"gone"}`)
	ctx := t.Context()
	page, err := s.api.ListItems(ctx, d.ID, apiclient.PageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gt := "A, better"
	if _, err := s.api.UpdateItem(ctx, d.ID, page.Items[0].ID, apiclient.ItemUpdate{GroundTruth: &gt}, apiclient.WriteOptions{SkipVersion: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.api.DeleteItem(ctx, d.ID, page.Items[2].ID, apiclient.WriteOptions{SkipVersion: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.api.CreateItem(ctx, d.ID, apiclient.ItemInput{Input: "new"}, apiclient.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	out := s.ok(t, "diff", "qa", "2", "3")
	for _, want := range []string{
		"v2..v3: 1 added, 1 removed, 1 modified, 1 unchanged",
		"+ ", `"new"`, "- ", `"gone"`, "~ " + page.Items[0].ID, `groundTruth: "A" -> "A, better"`,
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("diff does not show %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "input: ") {
		t.Fatalf("diff shows an unchanged field:\n%s", out)
	}
	out = s.ok(t, "diff", "qa", "2", "3", "--limit", "1")
	if got := strings.Count(out, "\n+ ") + strings.Count(out, "\n- ") + strings.Count(out, "\n~ "); got != 1 || !strings.Contains(out, "and 2 more") {
		t.Fatalf("diff --limit 1 shows %d changes:\n%s", got, out)
	}
	// Either side may be the working items, and is named so.
	s.api.CreateItem(ctx, d.ID, apiclient.ItemInput{Input: "unsaved"}, apiclient.WriteOptions{SkipVersion: true})
	for args, want := range map[[2]string]string{
		{"3", "working"}:       "v3..working: 1 added, 0 removed",
		{"working", "3"}:       "working..v3: 0 added, 1 removed",
		{"working", "working"}: "working..working: 0 added",
	} {
		if out := s.ok(t, "diff", "qa", args[0], args[1]); !strings.HasPrefix(out, want) {
			t.Errorf("diff qa %s %s = %q, want it to start %q", args[0], args[1], out, want)
		}
	}
	var diff apiclient.Diff
	s.okJSON(t, &diff, "diff", "qa", "2", "3")
	if diff.Counts.Added != 1 || diff.Counts.Removed != 1 || diff.Counts.Modified != 1 || len(diff.Changes) != 3 {
		t.Fatalf("diff --json = %+v", diff)
	}
}

// TestClientLogShowsTextOnOneLine: a version's description is another
// user's text; a line break or an escape sequence in it is shown escaped,
// one version a line.
func TestClientLogShowsTextOnOneLine(t *testing.T) {
	s := newClientServer(t)
	file := writeLines(t, filepath.Join(t.TempDir(), "m.jsonl"), `{"input":"m1"}`)
	s.ok(t, "push", file, "--dataset", "msg", "--create", "--message", "line1\nline2 \x1b[31mred")
	out := s.ok(t, "log", "msg")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 {
		t.Fatalf("log has %d lines, want 2:\n%s", len(lines), out)
	}
	if !strings.Contains(out, `line1\nline2 \x1b[31mred`) || strings.Contains(out, "\x1b") {
		t.Fatalf("log shows the description as %q", out)
	}
}

func TestClientTagUntagRestore(t *testing.T) {
	s := newClientServer(t)
	d := s.dataset(t, "qa", `{"input":"a"}`)
	s.importLines(t, d.ID, `{"input":"b"}`)
	if out := s.ok(t, "tag", "qa", "2", "prod"); !strings.Contains(out, "tagged v2 prod") {
		t.Fatalf("tag printed %q", out)
	}
	var tagged struct {
		Version   apiclient.Version
		MovedFrom *int
	}
	s.okJSON(t, &tagged, "tag", "qa@3", "prod")
	if tagged.Version.VersionNumber != 3 || tagged.MovedFrom == nil || *tagged.MovedFrom != 2 {
		t.Fatalf("moving prod: %+v", tagged)
	}
	var restored apiclient.Dataset
	s.okJSON(t, &restored, "restore", "qa", "2")
	if restored.CurrentVersionNumber != 4 || restored.ItemCount != 1 {
		t.Fatalf("restore --json = %+v", restored)
	}
	var untagged struct {
		Tag     string
		Removed bool
	}
	s.okJSON(t, &untagged, "untag", "qa", "prod")
	if untagged.Tag != "prod" || !untagged.Removed {
		t.Fatalf("untag --json = %+v", untagged)
	}
	if r := s.strata(t, "pull", "qa@prod"); r.code != 1 || !strings.Contains(r.stderr, "Dataset version not found") {
		t.Fatalf("pull of a removed tag: exit %d, %q", r.code, r.stderr)
	}
	if r := s.strata(t, "untag", "qa", "prod"); r.code != 1 {
		t.Fatalf("untag of a missing tag: exit %d", r.code)
	}
}

// TestClientRestoreJSON: restore --json prints the dataset as the server
// answers it, with its slug, its evaluator configs and the items restored.
func TestClientRestoreJSON(t *testing.T) {
	s := newClientServer(t)
	d := s.dataset(t, "qa", `{"input":"a"}`)
	s.importLines(t, d.ID, `{"input":"b"}`)
	var keys map[string]json.RawMessage
	s.okJSON(t, &keys, "restore", "qa@2")
	for _, key := range []string{"slug", "evaluatorConfigs", "items"} {
		if _, ok := keys[key]; !ok {
			t.Errorf("restore --json has no %q", key)
		}
	}
	var restored apiclient.DatasetWithItems
	s.okJSON(t, &restored, "restore", "qa@2")
	if got, want := restored.Slug, "qa"; got != want {
		t.Errorf("slug = %q, want %q", got, want)
	}
	if got, want := len(restored.Items), 1; got != want {
		t.Errorf("%d items, want %d (version 2's)", got, want)
	}
}

// TestClientJSONDatasetFoundByName: the commands that find their dataset
// by name, in the list of datasets, print it as the list gives it: without
// evaluatorConfigs, which the list does not carry, rather than with a null
// that says a dataset with an evaluator has none. A dataset push creates is
// printed as created, with its configs ({}).
func TestClientJSONDatasetFoundByName(t *testing.T) {
	s := newClientServer(t)
	d := s.dataset(t, "faq", faqLines...)
	s.attachOverlap(t, d.ID)
	dir := t.TempDir()
	file := writeLines(t, filepath.Join(dir, "faq.jsonl"), faqLines...)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"Log", []string{"log", "faq"}},
		{"Pull", []string{"pull", "faq", "-o", filepath.Join(dir, "pulled.jsonl")}},
		{"Push", []string{"push", file, "--dataset", "faq"}},
		{"Eval", []string{"eval", "faq"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc struct{ Dataset map[string]json.RawMessage }
			s.okJSON(t, &doc, tc.args...)
			if got, want := string(doc.Dataset["id"]), `"`+d.ID+`"`; got != want {
				t.Fatalf("dataset id = %s, want %s", got, want)
			}
			if raw, ok := doc.Dataset["evaluatorConfigs"]; ok {
				t.Errorf("evaluatorConfigs = %s, want no such key (the list carries none)", raw)
			}
		})
	}
	t.Run("Datasets", func(t *testing.T) {
		var list []map[string]json.RawMessage
		s.okJSON(t, &list, "datasets")
		if got, want := len(list), 1; got != want {
			t.Fatalf("%d datasets, want %d", got, want)
		}
		if raw, ok := list[0]["evaluatorConfigs"]; ok {
			t.Errorf("evaluatorConfigs = %s, want no such key (the list carries none)", raw)
		}
	})
	t.Run("PushCreate", func(t *testing.T) {
		var doc struct{ Dataset map[string]json.RawMessage }
		s.okJSON(t, &doc, "push", file, "--dataset", "new faq", "--create")
		if got, want := string(doc.Dataset["evaluatorConfigs"]), `{}`; got != want {
			t.Errorf("evaluatorConfigs = %s, want %s (the created dataset's)", got, want)
		}
	})
}

func TestClientEval(t *testing.T) {
	s := newClientServer(t)
	d := s.dataset(t, "qa", `{"input":"q1","groundTruth":"yes within 30 days","output":"yes within 30 days"}`,
		`{"input":"q2","groundTruth":"no","output":"something else entirely"}`)
	s.attachOverlap(t, d.ID)
	var doc struct{ Run apiclient.Run }
	s.okJSON(t, &doc, "eval", "qa", "--wait")
	if doc.Run.Status != apiclient.RunCompleted || doc.Run.ProcessedItems != 2 || len(doc.Run.Slots) != 1 {
		t.Fatalf("eval --wait --json = %+v", doc.Run)
	}
	if sl := doc.Run.Slots[0]; sl.PassCount != 1 || sl.FailCount != 1 {
		t.Fatalf("slot = %+v, want 1 pass, 1 fail", sl)
	}
	out := s.ok(t, "eval", "qa", "--wait")
	for _, want := range []string{"completed", "2 of 2 items", "Overlap", "50.00%"} {
		if !strings.Contains(out, want) {
			t.Fatalf("eval --wait does not show %q:\n%s", want, out)
		}
	}
}

func TestClientExitCodes(t *testing.T) {
	s := newClientServer(t)
	s.dataset(t, "qa")
	object := writeLines(t, filepath.Join(t.TempDir(), "one.json"), "\ufeff "+`{"input":"q"}`)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"log", "nope"}, 1, `No dataset has the id, slug or name "nope"`},
		{[]string{"pull", "qa@9"}, 1, "Dataset version not found (404)"},
		{[]string{"diff", "qa", "1", "zz"}, 1, "(404)"},
		{[]string{"log"}, 2, "usage: strata log"},
		{[]string{"log", "qa", "extra"}, 2, "usage"},
		{[]string{"datasets", "--bogus"}, 2, "bogus"},
		{[]string{"diff", "qa", "1", "1", "--limit", "-1"}, 2, "--limit"},
		{[]string{"pull", "qa", "--json"}, 2, "-o FILE"},
		{[]string{"push", "file.txt", "--dataset", "qa"}, 2, "--format"},
		{[]string{"push", "missing.jsonl"}, 2, "usage"},
		{[]string{"push", "missing.jsonl", "--dataset", "qa", "--map", "foo=bar"}, 2, `"map.foo"`},
		{[]string{"pull", "@2"}, 2, "no dataset before @"},
		{[]string{"pull", "qa@"}, 2, "no ref after @"},
		{[]string{"pull", "qa@.."}, 2, `invalid argument: ref ".."`},
		{[]string{"restore", "@2"}, 2, "no dataset before @"},
		{[]string{"restore", "qa"}, 2, "usage"},
		// Refused before anything is sent, as push --tag is.
		{[]string{"tag", "qa", "1", "latest"}, 2, `tag "latest": `},
		{[]string{"tag", "qa@1", "7"}, 2, `tag "7": `},
		{[]string{"pull", "qa@working"}, 2, "pull reads a version, and working is none"},
		{[]string{"pull", "qa@WORKING"}, 2, "pull reads a version"},
		{[]string{"push", object, "--dataset", "qa"}, 2, `one.json is not a JSON array of items (it starts with "{")`},
	} {
		r := s.strata(t, c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.msg) {
			t.Errorf("strata %s: exit %d, stderr %q; want %d and %q", strings.Join(c.args, " "), r.code, r.stderr, c.code, c.msg)
		}
		if r.stdout != "" {
			t.Errorf("strata %s failed but wrote %q on stdout", strings.Join(c.args, " "), r.stdout)
		}
	}
	var stdout, stderr bytes.Buffer
	for _, url := range []string{"127.0.0.1:3333", "ftp://127.0.0.1", "http://"} {
		err := run(context.Background(), []string{"datasets", "--url", url, "--key", s.key}, &stdout, &stderr)
		if got := exitCode(err); got != 2 || !strings.Contains(err.Error(), "want the server's address with its scheme") {
			t.Errorf("--url %s: exit %d (%v), want 2 and what a URL looks like", url, got, err)
		}
	}
	err := run(context.Background(), []string{"datasets", "--url", s.url, "--key", "strata_wrong"}, &stdout, &stderr)
	if got := exitCode(err); got != 1 || !strings.Contains(err.Error(), "(401)") {
		t.Fatalf("a wrong key: exit %d (%v), want 1 and the 401", got, err)
	}
}

// TestClientProgress runs the binary (this test binary, as main) with stderr
// on a pseudo-terminal, then on a pipe: the progress bar is drawn on the
// terminal only.
func TestClientProgress(t *testing.T) {
	s := newClientServer(t)
	var lines []string
	for i := 0; i < 2000; i++ {
		lines = append(lines, fmt.Sprintf(`{"input":"question %d","groundTruth":"answer %d"}`, i, i))
	}
	s.dataset(t, "qa", lines...)
	command := func(out string) *exec.Cmd { return s.process("pull", "qa", "-o", out) }
	dir := t.TempDir()

	t.Run("Terminal", func(t *testing.T) {
		cmd := command(filepath.Join(dir, "tty.jsonl"))
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		screen := onTerminal(t, cmd)
		t.Logf("terminal: %q", screen)
		if !strings.Contains(screen, "pull qa@latest") || !strings.Contains(screen, "B") {
			t.Fatalf("no progress on the terminal: %q", screen)
		}
		if stdout.Len() != 0 {
			t.Fatalf("progress went to stdout: %q", stdout.String())
		}
	})

	t.Run("Pipe", func(t *testing.T) {
		cmd := command(filepath.Join(dir, "pipe.jsonl"))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("pull: %v\n%s", err, stderr.String())
		}
		if strings.Contains(stderr.String(), "pull qa@latest") || strings.ContainsRune(stderr.String(), '\r') {
			t.Fatalf("progress in a pipe: %q", stderr.String())
		}
		if !strings.HasPrefix(stderr.String(), "wrote ") {
			t.Fatalf("stderr = %q, want the summary line alone", stderr.String())
		}
	})
}

// TestClientExitStatus checks the statuses the process itself exits with.
func TestClientExitStatus(t *testing.T) {
	s := newClientServer(t)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"datasets"}, 0},
		{[]string{"log", "nope"}, 1},
		{[]string{"log"}, 2},
	} {
		err := s.process(c.args...).Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.code {
			t.Errorf("strata %s exited %d, want %d", strings.Join(c.args, " "), code, c.code)
		}
	}
}

// pull -o follows a symbolic link, keeps the mode of the file it replaces,
// writes a pipe as it is, and - is stdout.
func TestClientPullOutput(t *testing.T) {
	s := newClientServer(t)
	s.dataset(t, "qa", `{"input":"a","groundTruth":"A"}`)
	want := s.ok(t, "pull", "qa")
	dir := t.TempDir()
	read := func(path string) string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	target, link := filepath.Join(dir, "target.jsonl"), filepath.Join(dir, "link.jsonl")
	if err := os.WriteFile(target, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if err := os.Symlink("target.jsonl", link); err != nil {
		t.Fatal(err)
	}
	s.ok(t, "pull", "qa", "-o", link)
	if got := read(target); got != want {
		t.Fatalf("the link's target holds %q, want %q", got, want)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v, %v", info.Mode(), err)
	}
	if info, err := os.Stat(target); err != nil || info.Mode().Perm() != 0o644 {
		t.Fatalf("the file replaced has mode %v (%v), want -rw-r--r-- kept", info.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("pull left files beside its output: %v", entries)
	}

	if got := s.ok(t, "pull", "qa", "-o", "-"); got != want {
		t.Fatalf("pull -o - wrote %q on stdout, want %q", got, want)
	}
	if _, err := os.Stat("-"); err == nil {
		t.Fatal("pull -o - made a file named -")
	}

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipe: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	s.ok(t, "pull", "qa", "-o", fifo, "--format", "jsonl")
	if g := <-got; g != want {
		t.Fatalf("the pipe read %q, want %q", g, want)
	}
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the pipe was replaced by a %v (%v)", info.Mode(), err)
	}
}

// A name that is the name of one dataset and the slug of another names
// neither: the command refuses it, naming both by id, and changes nothing.
// An id names its dataset.
func TestClientNameThatIsAnotherSlug(t *testing.T) {
	s := newClientServer(t)
	dir := t.TempDir()
	prod := s.push(t, writeLines(t, filepath.Join(dir, "a.jsonl"), faqLines...), "--dataset", "team@prod", "--create").Dataset
	named := s.dataset(t, "team-prod") // slug team-prod-2
	only := writeLines(t, filepath.Join(dir, "tp.jsonl"), `{"input":"only this"}`)
	for _, args := range [][]string{
		{"push", only, "--dataset", "team-prod"},
		{"push", only, "--dataset", "team-prod", "--create"},
		{"log", "team-prod"},
		{"pull", "team-prod@latest"},
	} {
		r := s.strata(t, args...)
		if got, want := r.code, 2; got != want {
			t.Errorf("strata %s: exit %d, want %d: %s", strings.Join(args, " "), got, want, r.stderr)
		}
		for _, id := range []string{prod.ID, named.ID} {
			if !strings.Contains(r.stderr, id) {
				t.Errorf("strata %s: %q does not name dataset %s", strings.Join(args, " "), r.stderr, id)
			}
		}
	}
	page, err := s.api.ListItems(t.Context(), prod.ID, apiclient.PageOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(page.Items), len(faqLines); got != want {
		t.Fatalf("team@prod holds %d items, want the %d pushed to it", got, want)
	}
	d := s.push(t, only, "--dataset", named.ID)
	if got, want := d.Dataset.ID, named.ID; got != want {
		t.Fatalf("push --dataset <id> went to %s, want %s", got, want)
	}
	wantCounts(t, d, 1, 0, 0, 0)
}

// A name is compared as the server stores it (NFC): typed with a combining
// accent, it names the dataset it created.
func TestClientNameInAnotherNormalForm(t *testing.T) {
	s := newClientServer(t)
	file := writeLines(t, filepath.Join(t.TempDir(), "faq.jsonl"), faqLines...)
	const name = "Cafe\u0301 set"
	first := s.push(t, file, "--dataset", name, "--create")
	again := s.push(t, file, "--dataset", name, "--create")
	if again.Created || again.Dataset.ID != first.Dataset.ID {
		t.Fatalf("second push --create: created %v, dataset %s; want dataset %s", again.Created, again.Dataset.ID, first.Dataset.ID)
	}
	wantCounts(t, again, 0, 0, 0, len(faqLines))
	if out := s.ok(t, "log", name); !strings.HasPrefix(out, "v2 ") {
		t.Fatalf("log %q = %q, want v2 first", name, out)
	}
}

// diff shows the changes of metadata, splits and externalId, and so does a
// dry run.
func TestClientDiffShowsItemFields(t *testing.T) {
	s := newClientServer(t)
	ctx := t.Context()
	d := s.dataset(t, "qa", `{"input":"a","metadata":{"lang":"en"},"splits":["test"]}`, `{"input":"b","externalId":"b-1"}`)
	old := filepath.Join(t.TempDir(), "v2.jsonl")
	s.ok(t, "pull", "qa@2", "-o", old)
	page, err := s.api.ListItems(ctx, d.ID, apiclient.PageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b2 := "b-2"
	for i, u := range []apiclient.ItemUpdate{
		{Metadata: json.RawMessage(`{"lang":"fr","turns":2}`), Splits: []string{"test", "train"}},
		{ExternalID: &b2},
	} {
		if _, err := s.api.UpdateItem(ctx, d.ID, page.Items[i].ID, u, apiclient.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	out := s.ok(t, "diff", "qa", "2", "latest")
	for _, want := range []string{
		`metadata: {"lang":"en"} -> {"lang":"fr","turns":2}`,
		`splits: [test] -> [test, train]`,
		`externalId: "b-1" -> "b-2"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff does not show %q:\n%s", want, out)
		}
	}
	out = s.ok(t, "push", old, "--dataset", "qa", "--dry-run")
	for _, want := range []string{
		`metadata: {"lang":"fr","turns":2} -> {"lang":"en"}`,
		`splits: [test, train] -> [test]`,
		`externalId: "b-2" -> "b-1"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("push --dry-run does not show %q:\n%s", want, out)
		}
	}
}

// An error answer without a message is told by its status, and where it
// came from.
func TestClientErrorWithoutMessage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"datasets", "--url", srv.URL, "--key", "strata_x"}, &stdout, &stderr)
	if got, want := exitCode(err), 1; got != want {
		t.Fatalf("exit %d (%v), want %d", got, err, want)
	}
	if want := "404 Not Found from " + srv.URL + "/v1/datasets-v2"; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q, want %q", err, want)
	}
}

// Spaces around --key are not part of the key.
func TestClientKeyWithSpaces(t *testing.T) {
	s := newClientServer(t)
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"datasets", "--url", s.url, "--key", " " + s.key + " "}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("datasets --key ' KEY ': %v", err)
	}
}

// pull -o into a directory that does not exist names the file asked for,
// not the temporary file beside it.
func TestClientPullIntoMissingDirectory(t *testing.T) {
	s := newClientServer(t)
	s.dataset(t, "qa", `{"input":"a"}`)
	path := filepath.Join(t.TempDir(), "nodir", "x.jsonl")
	r := s.strata(t, "pull", "qa", "-o", path)
	if r.code == 0 {
		t.Fatal("pull into a missing directory succeeded")
	}
	if !strings.Contains(r.stderr, path+":") || strings.Contains(r.stderr, ".tmp") {
		t.Fatalf("stderr %q, want it to name %s and no temporary file", r.stderr, path)
	}
}

// pull, diff and eval take the API's item filters.
func TestClientFilters(t *testing.T) {
	s := newClientServer(t)
	d := s.dataset(t, "filtered",
		`{"input":"q1","groundTruth":"a","output":"a","splits":["test"],"metadata":{"lang":"en"}}`,
		`{"input":"q2","groundTruth":"b","output":"b","splits":["train"],"metadata":{"lang":"en"}}`,
		`{"input":"q3","groundTruth":"c","output":"c","splits":["test"],"metadata":{"lang":"fr"}}`)
	s.attachOverlap(t, d.ID)
	inputs := func(jsonl string) []string {
		var out []string
		for line := range strings.SplitSeq(strings.TrimSpace(jsonl), "\n") {
			var it struct{ Input string }
			if err := json.Unmarshal([]byte(line), &it); err != nil {
				t.Fatalf("%v: %q", err, line)
			}
			out = append(out, it.Input)
		}
		return out
	}
	if got := inputs(s.ok(t, "pull", "filtered", "--split", "test")); !slices.Equal(got, []string{"q1", "q3"}) {
		t.Errorf("pull --split test: %q", got)
	}
	if got := inputs(s.ok(t, "pull", "filtered", "--split", "test", "--metadata", "lang=en")); !slices.Equal(got, []string{"q1"}) {
		t.Errorf("pull --split test --metadata lang=en: %q", got)
	}
	var diff apiclient.Diff
	s.okJSON(t, &diff, "diff", "filtered", "1", "latest", "--split", "train")
	if diff.Counts.Added != 1 {
		t.Errorf("diff --split train: counts %+v, want 1 added", diff.Counts)
	}
	var doc struct{ Run apiclient.Run }
	s.okJSON(t, &doc, "eval", "filtered", "--split", "test", "--wait")
	if doc.Run.Filter == nil || *doc.Run.Filter != "split=test" || doc.Run.ProcessedItems != 2 {
		t.Errorf("eval --split test: filter %v, %d items", doc.Run.Filter, doc.Run.ProcessedItems)
	}
	if r := s.strata(t, "pull", "filtered", "--metadata", "lang"); r.code != 2 || !strings.Contains(r.stderr, "want KEY=VALUE") {
		t.Errorf("pull --metadata lang: exit %d, %q", r.code, r.stderr)
	}
	// An empty or repeated external id would filter nothing, or one of two:
	// refused, as the API refuses them.
	for _, args := range [][]string{{"--external-id", ""}, {"--external-id", "a", "--external-id", "b"}} {
		if r := s.strata(t, append([]string{"pull", "filtered"}, args...)...); r.code != 2 {
			t.Errorf("pull %q: exit %d, %q", args, r.code, r.stderr)
		}
	}
	if r := s.strata(t, "eval", "filtered", "--split", "nowhere"); r.code != 1 || !strings.Contains(r.stderr, "no item matches the filter") {
		t.Errorf("eval --split nowhere: exit %d, %q", r.code, r.stderr)
	}
	// A dataset named by its id in upper case, as the API reads it.
	if got := inputs(s.ok(t, "pull", strings.ToUpper(d.ID), "--split", "train")); !slices.Equal(got, []string{"q2"}) {
		t.Errorf("pull of the id in upper case: %q", got)
	}
}
