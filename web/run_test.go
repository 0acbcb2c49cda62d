package web_test

import "fmt"
import "net/url"
import "regexp"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/eval"

var runLink = regexp.MustCompile(`href="(/datasets/[0-9a-f-]{36}/evaluators/runs/[0-9a-f-]{36})"`)

func TestRunPage(t *testing.T) {
	s, token := signedIn(t)
	ds, _ := evaluated(t, s, token)

	evaluators := s.get(t, ds+"/evaluators")
	links := runLink.FindAllStringSubmatch(evaluators.body, -1)
	t.Run("LinkedFromTableAndChart", func(t *testing.T) {
		// One link in the chart, one in the table.
		if got, want := len(links), 2; got != want {
			t.Fatalf("%d links to the run, want %d", got, want)
		}
	})
	run := links[0][1]
	p := s.get(t, run)
	t.Run("Counts", func(t *testing.T) {
		wantText(t, p, "Valid JSON", `<td data-label="Pass">1</td>`, `<td data-label="Fail">1</td>`, `<td data-label="Unknown">1</td>`, "50%")
	})
	t.Run("FailingAndUnknownFirst", func(t *testing.T) {
		wantText(t, p, "Give me more JSON", "Say nothing", "Output is not valid JSON", `class="row-fail"`, `class="row-unknown"`)
		if strings.Contains(p.body, "Give me JSON<") {
			t.Fatal("the default view lists a passing item")
		}
	})
	t.Run("Passing", func(t *testing.T) {
		p := s.get(t, run+"?show=passing")
		wantText(t, p, "Give me JSON")
		if strings.Contains(p.body, "Say nothing") || strings.Contains(p.body, "Give me more JSON") {
			t.Fatal("the passing view lists an item that did not pass")
		}
	})
	t.Run("Paged", func(t *testing.T) {
		p := s.get(t, run+"?show=all&size=25")
		wantText(t, p, "Give me JSON", "Give me more JSON", "Say nothing")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if p := s.get(t, ds+"/evaluators/runs/0190b3c1-0000-7000-8000-000000000000"); p.status != 404 {
			t.Fatalf("status = %d", p.status)
		}
	})
}

func TestRunPagePaged(t *testing.T) {
	s, token := signedIn(t)
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"many"}}).url
	for i := range 30 {
		s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {fmt.Sprintf("case %02d", i+1)}, "output": {"not json"}})
	}
	s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"case 31"}, "output": {"{}"}})
	runJSONEvaluator(t, s, strings.TrimPrefix(ds, "/datasets/"))
	run := runLink.FindStringSubmatch(s.get(t, ds+"/evaluators").body)[1]

	p := s.get(t, run+"?size=25")
	if got := strings.Count(p.body, `class="row-fail"`); got != 25 {
		t.Fatalf("first page: %d failing items, want 25", got)
	}
	next := regexp.MustCompile(`href="\?(show=problems[^"]+)" rel="next"`).FindStringSubmatch(p.body)
	if next == nil {
		t.Fatal("no next page")
	}
	p = s.get(t, run+"?"+strings.ReplaceAll(next[1], "&amp;", "&"))
	if got := strings.Count(p.body, `class="row-fail"`); got != 5 {
		t.Fatalf("second page: %d failing items, want 5", got)
	}
	wantText(t, p, "case 26", "case 30")
	if strings.Contains(p.body, "case 31") || strings.Contains(p.body, `rel="next"`) {
		t.Fatal("the second page goes past the last failing item")
	}
}

// TestRunPageFollowsRunFilter: a run over some items lists only those, not
// the items of its version that keep the results of an older run.
func TestRunPageFollowsRunFilter(t *testing.T) {
	s, token := signedIn(t)
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"buckets"}}).url
	for _, it := range []url.Values{
		{"input": {"Outside and failing"}, "output": {"not json"}, "metadata": {`{"bucket":"b"}`}},
		{"input": {"Inside and passing"}, "output": {"{}"}, "metadata": {`{"bucket":"a"}`}},
		{"input": {"Inside and failing"}, "output": {"nor this"}, "metadata": {`{"bucket":"a"}`}},
	} {
		it.Set("csrf", token)
		s.post(t, ds+"/items", it)
	}
	id := strings.TrimPrefix(ds, "/datasets/")
	owner := runJSONEvaluator(t, s, id)
	out, err := eval.NewRunner(s.store, nil, nil).RunFiltered(t.Context(), owner.Actor(), id,
		strata.ItemFilter{Metadata: []strata.MetadataMatch{{Key: "bucket", Value: "a"}}})
	if err != nil {
		t.Fatal(err)
	}
	run := ds + "/evaluators/runs/" + out.Run.ID
	p := s.get(t, run)
	wantText(t, p, "2 items evaluated", "Inside and failing")
	for _, show := range []string{"", "?show=all"} {
		if p := s.get(t, run+show); strings.Contains(p.body, "Outside and failing") {
			t.Fatalf("%s lists an item outside the run's filter", run+show)
		}
	}
	// The run over every item still lists them all.
	all := runLink.FindAllStringSubmatch(s.get(t, ds+"/evaluators").body, -1)
	wantText(t, s.get(t, all[len(all)-1][1]), "3 items evaluated", "Outside and failing", "Inside and failing")
}

// TestRunPageShowsProcessedItems: a run that did not complete evaluated the
// items it processed, not all it meant to.
func TestRunPageShowsProcessedItems(t *testing.T) {
	s, token := signedIn(t)
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"stopped"}}).url
	id := strings.TrimPrefix(ds, "/datasets/")
	owner := s.ownerPrincipal(t)
	ctx := t.Context()
	r, err := s.store.CreateRun(ctx, owner.Actor(), id, strata.RunStart{TotalItems: 299})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.ProgressRun(ctx, owner.Actor(), id, r.ID, 6); err != nil {
		t.Fatal(err)
	}
	run := ds + "/evaluators/runs/" + r.ID
	wantText(t, s.get(t, run), "running (6/299) · 6 items evaluated")
	if err := s.store.FailRun(ctx, owner.Actor(), id, r.ID, "out of quota"); err != nil {
		t.Fatal(err)
	}
	wantText(t, s.get(t, run), "failed (6/299) · 6 items evaluated")
	wantText(t, s.get(t, ds+"/evaluators"), "failed (6/299)")
}
