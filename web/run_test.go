package web_test

import "fmt"
import "net/url"
import "regexp"
import "strings"
import "testing"

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
