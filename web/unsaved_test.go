package web_test

import "context"
import "fmt"
import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

var itemRow = regexp.MustCompile(`id="item-([0-9a-f-]{36})"`)

// newDataset creates a dataset with the items' inputs, saved as version 2,
// and returns its path.
func newDataset(t *testing.T, s *site, token string, inputs ...string) string {
	t.Helper()
	ds := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {t.Name()}}).url
	for _, in := range inputs {
		if p := s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {in}}); p.status != http.StatusOK {
			t.Fatalf("add item: %d", p.status)
		}
	}
	wantText(t, s.post(t, ds+"/save", url.Values{"csrf": {token}}), "Saved version 2.")
	return ds
}

// numberedDataset makes a dataset of n items, "question 01" and on, saved.
func numberedDataset(t *testing.T, s *site, token string, n int) string {
	t.Helper()
	inputs := make([]string, n)
	for i := range inputs {
		inputs[i] = fmt.Sprintf("question %02d", i+1)
	}
	return newDataset(t, s, token, inputs...)
}

func TestUnsavedChanges(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "first question", "second question")

	t.Run("NoneAfterSave", func(t *testing.T) {
		if p := s.get(t, ds); strings.Contains(p.body, `class="unsaved"`) {
			t.Fatal("a saved dataset shows unsaved changes")
		}
	})
	t.Run("CountAfterEdits", func(t *testing.T) {
		p := s.get(t, ds)
		item := itemRow.FindStringSubmatch(p.body)[1]
		s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"first question, edited"}})
		p = s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"third question"}})
		wantText(t, p, "<strong>2 unsaved changes</strong>", "1 added · 1 modified",
			`href="/datasets/`+strings.TrimPrefix(ds, "/datasets/")+`/compare?from=latest&amp;to=working"`)
	})
	t.Run("ErrStaleVersion", func(t *testing.T) {
		p := s.post(t, ds+"/discard", url.Values{"csrf": {token}, "version": {"1"}})
		if got, want := p.status, http.StatusConflict; got != want {
			t.Fatalf("status = %d, want %d", got, want)
		}
		wantText(t, s.get(t, ds), "2 unsaved changes")
	})
	t.Run("Discard", func(t *testing.T) {
		p := s.post(t, ds+"/discard", url.Values{"csrf": {token}, "version": {"2"}})
		wantText(t, p, "Discarded 2 unsaved changes: the items are those of version 2 again.", "first question")
		for _, gone := range []string{`class="unsaved"`, "third question", "first question, edited"} {
			if strings.Contains(p.body, gone) {
				t.Errorf("after discarding, the page shows %q", gone)
			}
		}
	})
	t.Run("NothingToDiscard", func(t *testing.T) {
		p := s.get(t, ds)
		head := regexp.MustCompile(`saved as version (\d+)`).FindStringSubmatch(p.body)[1]
		p = s.post(t, ds+"/discard", url.Values{"csrf": {token}, "version": {head}})
		wantText(t, p, "Nothing to discard")
		wantText(t, p, "saved as version "+head)
	})
	t.Run("ViewerCannotDiscard", func(t *testing.T) {
		s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"fourth question"}})
		s.signin(t, s.viewer)
		p := s.get(t, ds)
		wantText(t, p, "1 unsaved change")
		if strings.Contains(p.body, "Discard changes") {
			t.Fatal("a viewer is offered to discard")
		}
		if p := s.post(t, ds+"/discard", url.Values{"csrf": {csrf(t, p)}, "version": {"3"}}); p.status != http.StatusForbidden {
			t.Fatalf("viewer discarded: %d", p.status)
		}
		s.signin(t, s.owner)
	})
}

// TestManyChanges: past maxCountedChanges, the header and the version page
// say how many changes the item counts show, without reading them.
func TestManyChanges(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token)
	ctx := context.Background()
	owner, err := s.store.Authenticate(ctx, s.owner)
	if err != nil {
		t.Fatal(err)
	}
	var items strata.ItemSlice
	for i := range 5001 {
		items = append(items, strata.ItemInput{Input: fmt.Sprintf("case %d", i)})
	}
	if _, err := s.store.ImportItems(ctx, owner.Actor(), strings.TrimPrefix(ds, "/datasets/"), &items, strata.WriteOptions{SkipVersion: true}); err != nil {
		t.Fatal(err)
	}
	t.Run("Header", func(t *testing.T) {
		wantText(t, s.get(t, ds), "<strong>5,001+ unsaved changes</strong>", "at least 5,001 added", "items 1–50 of 5,001")
	})
	t.Run("VersionPage", func(t *testing.T) {
		s.post(t, ds+"/save", url.Values{"csrf": {token}})
		wantText(t, s.get(t, ds+"/versions/3"), "too many changes to summarise here", `compare?from=2&amp;to=3"`)
	})
}

// TestDiscardDropsTheEdits: discarding drops the unsaved edits, from the
// items and from their histories, and its confirmation says so.
func TestDiscardDropsTheEdits(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "first question")
	item := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
	s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"first question, edited"}})
	body := s.get(t, ds).body
	at := formTag(`/discard`).FindStringIndex(body)
	if at == nil {
		t.Fatal("no Discard form")
	}
	confirmation := body[at[1] : at[1]+strings.Index(body[at[1]:], "</form>")]
	t.Run("ConfirmationSaysDropped", func(t *testing.T) {
		wantText(t, page{url: "the Discard confirmation", body: confirmation}, "The unsaved changes are dropped")
		if strings.Contains(confirmation, "stay in the history") {
			t.Errorf("the confirmation says the edits stay in the history: %s", confirmation)
		}
	})
	t.Run("HistoryHasNoEdit", func(t *testing.T) {
		wantText(t, s.post(t, ds+"/discard", url.Values{"csrf": {token}, "version": {"2"}}), "Discarded 1 unsaved change")
		p := s.get(t, ds+"/items/"+item)
		wantText(t, p, "first question")
		if strings.Contains(p.body, "first question, edited") {
			t.Error("the item's history still shows the discarded edit")
		}
	})
}

// A page names its dataset by an id in any case, as the API does.
func TestDatasetIDInAnyCase(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "the question")
	upper := "/datasets/" + strings.ToUpper(strings.TrimPrefix(ds, "/datasets/"))
	for _, path := range []string{upper, upper + "/versions", upper + "/evaluators"} {
		if p := s.get(t, path); p.status != http.StatusOK {
			t.Errorf("GET %s: %d", path, p.status)
		}
	}
	wantText(t, s.get(t, upper), "the question")
}
