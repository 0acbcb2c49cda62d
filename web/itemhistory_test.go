package web_test

import "context"
import "net/url"
import "regexp"
import "strings"
import "sync/atomic"
import "testing"
import "time"

import "github.com/strata-eval/strata/eval"
import "github.com/strata-eval/strata/sqlite"

// revisionBlocks cuts an item page's timeline into its revisions, newest
// first.
func revisionBlocks(t *testing.T, p page) []string {
	t.Helper()
	start := strings.Index(p.body, `<ol class="timeline revisions">`)
	if start < 0 {
		t.Fatalf("%s has no timeline", p.url)
	}
	blocks := strings.Split(p.body[start:], "<li>")[1:]
	if len(blocks) == 0 {
		t.Fatalf("%s has no revision", p.url)
	}
	return blocks
}

// TestItemHistoryRunIsNoRestore: evaluators run again on an item that did
// not change make a revision with the same content and results; the
// timeline says so, and does not call it a restore.
func TestItemHistoryRunIsNoRestore(t *testing.T) {
	s, token := signedIn(t)
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"run twice"}}).url
	s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"Give me JSON"}, "output": {`{"ok":true}`}})
	id := strings.TrimPrefix(ds, "/datasets/")
	owner := runJSONEvaluator(t, s, id)
	if _, err := eval.NewRunner(s.store, nil, nil).Run(context.Background(), owner.Actor(), id); err != nil {
		t.Fatal(err)
	}
	item := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
	newest := revisionBlocks(t, s.get(t, ds+"/items/"+item))[0]
	if !strings.Contains(newest, "Same content and evaluator results as revision") {
		t.Errorf("the rerun's revision does not say it has the same content and results:\n%s", newest)
	}
	if strings.Contains(newest, "restore") {
		t.Errorf("the rerun's revision is called a restore:\n%s", newest)
	}
}

// TestItemHistoryRestore: a revision that a restore brought back says so,
// and is dated by the restore, not by the content it copied: the timeline
// reads newest first. The store's clock moves an hour between steps.
func TestItemHistoryRestore(t *testing.T) {
	s := newSite(t)
	var offset atomic.Int64
	s.store.(*sqlite.Store).Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	token := s.signinOwner(t)
	ds := newDataset(t, s, token, "Can I return shoes?") // version 2
	item := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
	offset.Add(int64(time.Hour))
	s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"Can I return boots?"}})
	wantText(t, s.post(t, ds+"/save", url.Values{"csrf": {token}}), "Saved version 3.")
	offset.Add(int64(time.Hour))
	v2 := regexp.MustCompile(`/versions/([0-9a-f-]{36})/restore`).FindAllStringSubmatch(s.get(t, ds+"/versions").body, -1)[1][1]
	wantText(t, s.post(t, ds+"/versions/"+v2+"/restore", url.Values{"csrf": {token}}), "Restored: the dataset is now version 4.")

	blocks := revisionBlocks(t, s.get(t, ds+"/items/"+item))
	if got := len(blocks); got != 3 {
		t.Fatalf("%d revisions, want 3", got)
	}
	t.Run("SaysRestored", func(t *testing.T) {
		wantText(t, page{url: "revision 3", body: blocks[0]}, "Brought back by a restore of version 2.", "restored ")
		for i, b := range blocks[1:] {
			if strings.Contains(b, "restore") {
				t.Errorf("revision %d, saved, is called a restore:\n%s", 2-i, b)
			}
		}
	})
	t.Run("DatesInOrder", func(t *testing.T) {
		date := regexp.MustCompile(`<span class="muted">(?:saved|restored|added|edited) (\d{4}-\d\d-\d\d \d\d:\d\d)</span>`)
		var dates []string
		for i, b := range blocks {
			m := date.FindStringSubmatch(b)
			if m == nil {
				t.Fatalf("revision %d shows no date of its own:\n%s", 3-i, b)
			}
			dates = append(dates, m[1])
		}
		for i := 1; i < len(dates); i++ {
			if dates[i] >= dates[i-1] {
				t.Errorf("revision %d is dated %s, revision %d above it %s: want newer above", 3-i, dates[i], 4-i, dates[i-1])
			}
		}
	})
}
