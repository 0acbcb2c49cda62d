package web_test

import "context"
import "fmt"
import "net/http"
import "net/url"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/eval"

// evaluated makes a dataset of three items that the JSON evaluator passes
// (valid JSON output), fails (invalid) and cannot judge (no output), runs
// it, and returns the dataset's path and its items' ids in that order.
func evaluated(t *testing.T, s *site, token string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"judged"}}).url
	for _, it := range []url.Values{
		{"input": {"Give me JSON"}, "output": {`{"ok":true}`}},
		{"input": {"Give me more JSON"}, "output": {"not json at all"}},
		{"input": {"Say nothing"}},
	} {
		it.Set("csrf", token)
		s.post(t, ds+"/items", it)
	}
	id := strings.TrimPrefix(ds, "/datasets/")
	owner := runJSONEvaluator(t, s, id)
	var ids []string
	err := s.store.ScanItems(ctx, strata.ItemQuery{ProjectID: owner.ProjectID, DatasetID: id}, func(it *strata.Item) error {
		ids = append(ids, it.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ds, ids
}

// runJSONEvaluator attaches an evaluator that passes JSON outputs to a
// dataset and runs it; it returns the owner who ran it.
func runJSONEvaluator(t *testing.T, s *site, datasetID string) *strata.Principal {
	t.Helper()
	ctx := context.Background()
	owner, err := s.store.Authenticate(ctx, s.owner)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.store.CreateEvaluator(ctx, owner.Actor(), strata.EvaluatorCreate{Name: "Valid JSON", Slug: "valid-json", Type: "json", Mode: "normal",
		Params: []byte(`{}`), Filters: []byte(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.AttachEvaluator(ctx, owner.Actor(), datasetID, strata.EvaluatorAttach{EvaluatorID: e.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := eval.NewRunner(s.store, nil, nil).Run(ctx, owner.Actor(), datasetID); err != nil {
		t.Fatal(err)
	}
	return owner
}

func TestItemPage(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "Can I return shoes?")
	item := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
	s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"Can I return old shoes?"}, "groundTruth": {"Yes"}})
	s.post(t, ds+"/save", url.Values{"csrf": {token}})
	s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"Can I return old boots?"}, "groundTruth": {"Yes"}})

	t.Run("LinkedFromTheTable", func(t *testing.T) {
		wantText(t, s.get(t, ds), `href="`+ds+`/items/`+item+`"`)
	})
	p := s.get(t, ds+"/items/"+item)
	t.Run("Fields", func(t *testing.T) {
		wantText(t, p, "<h1>Can I return old boots?</h1>", "3 revisions")
	})
	t.Run("Timeline", func(t *testing.T) {
		// Newest first, each with what changed from the one before and
		// the versions that hold it.
		r3, r2, r1 := strings.Index(p.body, "Revision 3"), strings.Index(p.body, "Revision 2"), strings.Index(p.body, "Revision 1")
		if r3 < 0 || r2 < r3 || r1 < r2 {
			t.Fatalf("revisions out of order: %d %d %d", r3, r2, r1)
		}
		rev3, rev2, rev1 := p.body[r3:r2], p.body[r2:r1], p.body[r1:]
		wantText(t, page{url: "revision 3", body: rev3}, "unsaved edit, in no version yet", "<del>shoes</del><ins>boots</ins>")
		wantText(t, page{url: "revision 2", body: rev2}, `>version 3</a>`, "<ins>old</ins>", "<ins>Yes</ins>")
		wantText(t, page{url: "revision 1", body: rev1}, `>version 2</a>`, "Can I return shoes?")
		if strings.Contains(rev3, "Ground truth") {
			t.Error("revision 3 shows a field it did not change")
		}
	})
	t.Run("Deleted", func(t *testing.T) {
		// The draft (revision 3) goes; revision 2 is what the item last was.
		s.post(t, ds+"/items/"+item+"/delete", url.Values{"csrf": {token}})
		p := s.get(t, ds+"/items/"+item)
		wantText(t, p, "This item was deleted in the unsaved edits", "<h1>Can I return old shoes?</h1>", "2 revisions")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if p := s.get(t, ds+"/items/0190b3c1-0000-7000-8000-000000000000"); p.status != http.StatusNotFound {
			t.Fatalf("status = %d", p.status)
		}
	})
}

func TestItemPageResults(t *testing.T) {
	s, token := signedIn(t)
	ds, ids := evaluated(t, s, token)
	for i, want := range []string{
		`<span class="outcome outcome-pass">pass</span> <strong>Valid JSON</strong>`,
		`<span class="outcome outcome-fail">fail</span> <strong>Valid JSON</strong>`,
		`<span class="outcome outcome-unknown">unknown</span> <strong>Valid JSON</strong>`,
	} {
		wantText(t, s.get(t, ds+"/items/"+ids[i]), want)
	}
	wantText(t, s.get(t, ds+"/items/"+ids[1]), `<p class="reason">Output is not valid JSON`)
	// The output that is JSON is shown as code.
	wantText(t, s.get(t, ds+"/items/"+ids[0]), `<div class="full json">{&#34;ok&#34;:true}</div>`)
}

// TestItemPageLongHistory: the timeline shows the newest revisions only,
// and says so.
func TestItemPageLongHistory(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "edit 0")
	item := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
	for i := 1; i <= 24; i++ {
		s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {fmt.Sprintf("edit %d", i)}})
		s.post(t, ds+"/save", url.Values{"csrf": {token}})
	}
	p := s.get(t, ds+"/items/"+item)
	wantText(t, p, "25 revisions", "The newest 20 of 25 revisions are shown.", "Revision 25", "Revision 6<")
	if strings.Contains(p.body, "Revision 5<") {
		t.Fatal("the timeline shows more than the newest 20 revisions")
	}
}

// TestItemPageFields: the item page shows the item's splits, external id
// and metadata.
func TestItemPageFields(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "Is shipping free?")
	item := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
	s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"Is shipping free?"},
		"splits": {"test, train"}, "externalId": {"faq-7"}, "metadata": {`{"lang":"en"}`}})
	p := s.get(t, ds+"/items/"+item)
	wantText(t, p, `<span class="tag split">test</span>`, `<span class="tag split">train</span>`,
		"External id <code>faq-7</code>", `{&#34;lang&#34;:&#34;en&#34;}`)
}
