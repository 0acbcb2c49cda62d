package web_test

import "context"
import "net/http"
import "net/url"
import "regexp"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/web"

// formVersion reads the version an edit form of a page carries: the form
// whose action is action.
func formVersion(t *testing.T, p page, action string) string {
	t.Helper()
	m := regexp.MustCompile(`action="` + regexp.QuoteMeta(action) + `"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]*"><input type="hidden" name="version" value="([^"]+)">`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("%s has no form to %s with a version", p.url, action)
	}
	return m[1]
}

// TestEditInTwoTabs: an item's Edit form saved from a page older than the
// item's last edit (another tab's) is refused with 409, shows the user's
// text again beside the item as it is now, and leaves the other edit in
// place; the form it shows saves knowingly. Editing another item of the
// dataset in between refuses nothing.
func TestEditInTwoTabs(t *testing.T) {
	s, token := signedIn(t)
	p, d := s.ownerDataset(t, "two tabs")
	ds := "/datasets/" + d.ID
	var items []*strata.Item
	for _, input := range []string{"old input", "other item"} {
		it, err := s.store.CreateItem(t.Context(), p.Actor(), d.ID, strata.ItemInput{Input: input}, strata.WriteOptions{SkipVersion: true})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	it, other := items[0], items[1]
	tab := s.get(t, ds) // tabs A and B show the same page
	action := ds + "/items/" + it.ID
	version := formVersion(t, tab, action)

	// Another item's edit does not make this one stale.
	s.post(t, ds+"/items/"+other.ID, url.Values{"csrf": {token}, "input": {"other, edited"}, "version": {formVersion(t, tab, ds+"/items/"+other.ID)}})
	a := s.post(t, action, url.Values{"csrf": {token}, "input": {"new input"}, "version": {version}})
	wantText(t, a, "Item saved.")

	b := s.post(t, action, url.Values{"csrf": {token}, "input": {"old input"}, "output": {"B's output"}, "version": {version}})
	if b.status != http.StatusConflict {
		t.Fatalf("a stale save: %d, want 409", b.status)
	}
	wantText(t, b, "this item changed since you opened it", "B&#39;s output", "Input now:", "new input", `href="`+ds+`#item-`+it.ID+`"`)
	now, err := s.store.FindItem(t.Context(), p.ProjectID, d.ID, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if now.Input != "new input" || now.Output != nil {
		t.Fatalf("the stale save changed the item: input %q, output %v", now.Input, now.Output)
	}
	// The form shown again saves B's text over the item as it is now.
	again := s.post(t, action, url.Values{"csrf": {token}, "input": {"new input"}, "output": {"B's output"}, "version": {formVersion(t, b, action)}})
	wantText(t, again, "Item saved.")
	if now, _ = s.store.FindItem(t.Context(), p.ProjectID, d.ID, it.ID); now.Input != "new input" || deref(now.Output) != "B's output" {
		t.Fatalf("after saving again: input %q, output %q", now.Input, deref(now.Output))
	}

	// An item deleted since: the text is kept, to add as a new item.
	tab = s.get(t, ds)
	version = formVersion(t, tab, action)
	s.post(t, action+"/delete", url.Values{"csrf": {token}})
	gone := s.post(t, action, url.Values{"csrf": {token}, "input": {"my text"}, "version": {version}})
	if gone.status != http.StatusConflict {
		t.Fatalf("a save of a deleted item: %d, want 409", gone.status)
	}
	wantText(t, gone, "deleted since you opened it", "my text", `action="`+ds+`/items"`)
}

// TestRenameInTwoTabs: the Dataset form saved from a page older than the
// dataset's last rename is refused with 409 and its text shown again.
func TestRenameInTwoTabs(t *testing.T) {
	s, token := signedIn(t)
	p, d := s.ownerDataset(t, "first name")
	ds := "/datasets/" + d.ID
	version := formVersion(t, s.get(t, ds), ds+"/rename")
	wantText(t, s.post(t, ds+"/rename", url.Values{"csrf": {token}, "name": {"A's name"}, "version": {version}}), "Saved.")
	b := s.post(t, ds+"/rename", url.Values{"csrf": {token}, "name": {"first name"}, "description": {"B's words"}, "version": {version}})
	if b.status != http.StatusConflict {
		t.Fatalf("a stale rename: %d, want 409", b.status)
	}
	wantText(t, b, "changed since you opened it", "B&#39;s words", "A&#39;s name")
	now, err := s.store.FindDataset(t.Context(), p.ProjectID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if now.Name != "A's name" || now.Description != nil {
		t.Fatalf("the stale rename changed the dataset: %q, %v", now.Name, now.Description)
	}
	// A's form sent twice: its text is there, so it is saved, not refused.
	wantText(t, s.post(t, ds+"/rename", url.Values{"csrf": {token}, "name": {"A's name"}, "version": {version}}), "Saved.")
}

// TestDetachAnotherEvaluator: a Detach form of a slot that another
// evaluator took since the page was shown is refused (409).
func TestDetachAnotherEvaluator(t *testing.T) {
	s, token := signedIn(t)
	p, d := s.ownerDataset(t, "slots")
	ds := "/datasets/" + d.ID
	var ids []string
	for _, slug := range []string{"first", "second"} {
		e, err := s.store.CreateEvaluator(t.Context(), p.Actor(), strata.EvaluatorCreate{Name: slug, Slug: slug, Type: "string", Mode: "normal",
			Params: []byte(`{"comparator":"equals"}`), Filters: []byte(`[]`)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if _, err := s.store.AttachEvaluator(t.Context(), p.Actor(), d.ID, strata.EvaluatorAttach{EvaluatorID: ids[0]}); err != nil {
		t.Fatal(err)
	}
	wantText(t, s.get(t, ds+"/evaluators"), `name="evaluator" value="`+ids[0]+`"`)
	s.post(t, ds+"/evaluators/1/detach", url.Values{"csrf": {token}, "evaluator": {ids[0]}})
	if _, err := s.store.AttachEvaluator(t.Context(), p.Actor(), d.ID, strata.EvaluatorAttach{EvaluatorID: ids[1]}); err != nil {
		t.Fatal(err)
	}
	if r := s.post(t, ds+"/evaluators/1/detach", url.Values{"csrf": {token}, "evaluator": {ids[0]}}); r.status != http.StatusConflict {
		t.Fatalf("detaching a slot another evaluator took: %d, want 409", r.status)
	}
	if now, _ := s.store.FindDataset(t.Context(), p.ProjectID, d.ID); now.EvaluatorSlot1ID == nil || *now.EvaluatorSlot1ID != ids[1] {
		t.Fatal("the other evaluator was detached")
	}
}

// TestNoStore: every signed-in page, its errors and the sign-in page are
// kept by no cache, so that Back after signing out does not show them; an
// export of a numbered version keeps the API's caching, privately.
func TestNoStore(t *testing.T) {
	s, token := signedIn(t)
	_, d := s.ownerDataset(t, "cached")
	ds := "/datasets/" + d.ID
	s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"q"}})
	for _, path := range []string{"/datasets", ds, ds + "/versions", ds + "/versions/1", ds + "/compare", ds + "/evaluators", ds + "/nothing", "/datasets/none", "/signin"} {
		res, err := s.client.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s (%d): Cache-Control %q, want no-store", path, res.StatusCode, got)
		}
	}
	for path, want := range map[string]string{
		ds + "/versions/1/export?format=jsonl":      "private, max-age=31536000, immutable",
		ds + "/versions/latest/export?format=jsonl": "private, no-cache",
		ds + "/versions/9/export?format=jsonl":      "no-store", // an error
	} {
		res, err := s.client.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Cache-Control"); got != want {
			t.Errorf("%s (%d): Cache-Control %q, want %q", path, res.StatusCode, got, want)
		}
	}
}

// beatenStore is a store in which, before each of an item's first n
// updates, another write of the dataset commits: the update's If-Match no
// longer matches, as when saves are released together behind an import.
type beatenStore struct {
	strata.Store
	n int
}

func (b *beatenStore) UpdateItem(ctx context.Context, a strata.Actor, datasetID, itemID string, u strata.ItemUpdate, o strata.WriteOptions) (*strata.Item, error) {
	if b.n > 0 {
		b.n--
		if _, err := b.Store.CreateItem(context.Background(), a, datasetID, strata.ItemInput{Input: "meanwhile"}, strata.WriteOptions{SkipVersion: true}); err != nil {
			return nil, err
		}
	}
	return b.Store.UpdateItem(ctx, a, datasetID, itemID, u, o)
}

// TestSaveBeatenByOtherWrites: a save whose item is unchanged is written
// however many other writes of the dataset come between its check and its
// write; and a form sent twice is saved, not refused as stale.
func TestSaveBeatenByOtherWrites(t *testing.T) {
	var beaten *beatenStore
	s := newSiteWith(t, func(ws *web.Server) {
		beaten = &beatenStore{Store: ws.Store, n: 20}
		ws.Store = beaten
	})
	token := s.signinOwner(t)
	p, d := s.ownerDataset(t, "busy")
	it, err := s.store.CreateItem(t.Context(), p.Actor(), d.ID, strata.ItemInput{Input: "q"}, strata.WriteOptions{SkipVersion: true})
	if err != nil {
		t.Fatal(err)
	}
	ds := "/datasets/" + d.ID
	action := ds + "/items/" + it.ID
	form := url.Values{"csrf": {token}, "input": {"q, edited"}, "version": {formVersion(t, s.get(t, ds), action)}}
	wantText(t, s.post(t, action, form), "Item saved.")
	if beaten.n != 0 {
		t.Fatalf("%d other writes left: the save did not meet them", beaten.n)
	}
	// The same form again: its text is there, so it is saved.
	again := s.post(t, action, form)
	if again.status != http.StatusOK {
		t.Fatalf("the form sent twice: %d, want the dataset page", again.status)
	}
	wantText(t, again, "Item saved.")
	if now, _ := s.store.FindItem(t.Context(), p.ProjectID, d.ID, it.ID); now.Input != "q, edited" {
		t.Fatalf("input %q after the saves", now.Input)
	}
}
