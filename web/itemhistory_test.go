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
	wantText(t, s.post(t, ds+"/versions/2/restore", url.Values{"csrf": {token}}), "Restored: the dataset is now version 4.")

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

// deletedAndRestored is an item saved in version 2, deleted in version 3
// and brought back by restoring version 2 as version 4, an hour between
// steps: its dataset's path and its page.
func deletedAndRestored(t *testing.T) (ds string, p page) {
	t.Helper()
	s := newSite(t)
	var offset atomic.Int64
	s.store.(*sqlite.Store).Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	token := s.signinOwner(t)
	ds = newDataset(t, s, token, "Can I return shoes?") // version 2
	item := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
	offset.Add(int64(time.Hour))
	wantText(t, s.post(t, ds+"/items/"+item+"/delete", url.Values{"csrf": {token}}), "Item deleted.")
	wantText(t, s.post(t, ds+"/save", url.Values{"csrf": {token}}), "Saved version 3.")
	offset.Add(int64(time.Hour))
	wantText(t, s.post(t, ds+"/versions/2/restore", url.Values{"csrf": {token}}), "Restored: the dataset is now version 4.")
	return ds, s.get(t, ds+"/items/"+item)
}

// TestItemHistoryDeletionBetweenRevisions: an item deleted and later
// brought back by a restore shows where it was deleted, between the two
// revisions.
func TestItemHistoryDeletionBetweenRevisions(t *testing.T) {
	_, p := deletedAndRestored(t)
	blocks := revisionBlocks(t, p)
	if got := len(blocks); got != 2 {
		t.Fatalf("%d revisions, want 2", got)
	}
	wantText(t, page{url: "revision 2", body: blocks[0]}, "Brought back by a restore of version 2")
	wantText(t, page{url: "revision 1", body: blocks[1]}, "in <a", "version 2</a>", "deleted in version 3")
	if strings.Contains(blocks[0], "deleted") {
		t.Errorf("revision 2, the current content, is called deleted:\n%s", blocks[0])
	}
}

// TestItemHeaderChangedByRestore: the item page's header dates the item's
// last change as its timeline dates the current revision: by the restore
// that brought it back, not by the content the restore copied.
func TestItemHeaderChangedByRestore(t *testing.T) {
	_, p := deletedAndRestored(t)
	header := regexp.MustCompile(`Added (\S+ \S+) · changed (\S+ \S+) ·`).FindStringSubmatch(p.body)
	if header == nil {
		t.Fatalf("no Added and changed dates in the header of %s", p.url)
	}
	newest := regexp.MustCompile(`<span class="muted">restored (\S+ \S+)</span>`).FindStringSubmatch(revisionBlocks(t, p)[0])
	if newest == nil {
		t.Fatal("the newest revision is not dated as restored")
	}
	if got, want := header[2], newest[1]; got != want {
		t.Errorf("header says changed %s, the restore that made the current revision was at %s", got, want)
	}
	if header[2] <= header[1] {
		t.Errorf("header says added %s and changed %s: want the change later", header[1], header[2])
	}
}
