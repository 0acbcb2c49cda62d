package web_test

import "html"
import "net/http"
import "net/url"
import "regexp"
import "strings"
import "testing"

// postForm is what the browser sends of the first form of a page whose
// action matches action and whose text holds text: its path and hidden
// fields.
func postForm(t *testing.T, p page, action, text string) (path string, form url.Values) {
	t.Helper()
	for _, m := range regexp.MustCompile(`<form method="post" action="(`+action+`)"[^>]*>((?s:.*?))</form>`).FindAllStringSubmatch(p.body, -1) {
		if !strings.Contains(m[2], text) {
			continue
		}
		form = url.Values{}
		for _, f := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(m[2], -1) {
			form.Add(f[1], html.UnescapeString(f[2]))
		}
		return html.UnescapeString(m[1]), form
	}
	t.Fatalf("%s has no form to %s with %q", p.url, action, text)
	return "", nil
}

// wantRefusedAsStale checks that a Restore or Discard form sent from a page
// older than the dataset was refused.
func wantRefusedAsStale(t *testing.T, p page, refused string) {
	t.Helper()
	wantStatus(t, p, http.StatusConflict, "The dataset changed since the page was shown")
	wantText(t, p, refused)
}

// TestDiscardFromStalePage: a Discard form sent after another tab edited
// the dataset is refused (409): it would drop an edit its page never
// counted. From a page shown after the edit, it discards.
func TestDiscardFromStalePage(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "first question")
	s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"second question"}})
	path, form := postForm(t, s.get(t, ds), ds+"/discard", "Discard")
	s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"third question"}}) // another tab

	wantRefusedAsStale(t, s.post(t, path, form), "Nothing was discarded")
	wantText(t, s.get(t, ds), ">third question<", "2 unsaved changes")

	path, form = postForm(t, s.get(t, ds), ds+"/discard", "Discard")
	wantText(t, s.post(t, path, form), "Discarded 2 unsaved changes")
}

// TestRestoreFromStalePage: a Restore form, from the versions list or a
// version's page, sent after the dataset changed (an unsaved edit, a
// version saved) is refused (409), and the change stays.
func TestRestoreFromStalePage(t *testing.T) {
	for _, tc := range []struct {
		name, page string
		change     func(t *testing.T, s *site, token, ds string)
	}{
		{"VersionsListAfterEdit", "/versions", addItem},
		{"VersionPageAfterEdit", "/versions/1", addItem},
		{"VersionsListAfterSave", "/versions", addItemAndSave},
		{"VersionPageAfterSave", "/versions/1", addItemAndSave},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, token := signedIn(t)
			ds := newDataset(t, s, token, "first question")
			path, form := postForm(t, s.get(t, ds+tc.page), `[^"]*/restore`, "Restore version 1<")
			tc.change(t, s, token, ds)
			wantRefusedAsStale(t, s.post(t, path, form), "Nothing was restored")
			wantText(t, s.get(t, ds), ">first question<", ">another question<")
		})
	}
}

func addItem(t *testing.T, s *site, token, ds string) {
	t.Helper()
	wantText(t, s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"another question"}}), "Item added.")
}

func addItemAndSave(t *testing.T, s *site, token, ds string) {
	t.Helper()
	addItem(t, s, token, ds)
	wantText(t, s.post(t, ds+"/save", url.Values{"csrf": {token}}), "Saved version 3.")
}

// TestVersionPageCountsItsOwnItems: a version's page numbers its rows in
// the version's items, not in the working items, however many those are.
func TestVersionPageCountsItsOwnItems(t *testing.T) {
	s, token := signedIn(t)
	ds := numberedDataset(t, s, token, 60)
	for _, input := range []string{"question 01", "question 02", "question 03"} {
		path, form := rowForm(t, s.get(t, ds), input, "/delete")
		wantText(t, s.post(t, path, form), "Item deleted.")
	}
	p := s.get(t, ds+"/versions/2?size=25")
	wantText(t, p, "items 1–25 of 60")
	p = nextPage(t, s, ds+"/versions/2", p)
	wantText(t, p, "items 26–50 of 60")
	p = nextPage(t, s, ds+"/versions/2", p)
	wantText(t, p, "items 51–60 of 60")
}

// TestRestoreNotOfferedForSameItems: a version whose items are the newest
// version's (restored since) is not offered for restore when there are no
// unsaved changes, and a form sent for it changes nothing.
func TestRestoreNotOfferedForSameItems(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "first question")
	item := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
	s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"first question, edited"}})
	wantText(t, s.post(t, ds+"/save", url.Values{"csrf": {token}}), "Saved version 3.")
	path, form := postForm(t, s.get(t, ds+"/versions/2"), `[^"]*/restore`, "Restore version 2<")
	wantText(t, s.post(t, path, form), "Restored: the dataset is now version 4.")

	if got, want := strings.Join(restoreForms(s.get(t, ds+"/versions").body), ","), "3,1"; got != want {
		t.Errorf("the versions page offers to restore versions %q, want %q", got, want)
	}
	p := s.get(t, ds+"/versions/2")
	if got := restoreForms(p.body); len(got) != 0 {
		t.Errorf("version 2's page offers to restore it, with version 4's items")
	}
	p = s.post(t, path, url.Values{"csrf": {token}})
	wantText(t, p, "Nothing to restore")
	if strings.Contains(s.get(t, ds+"/versions").body, "<strong>Version 5</strong>") {
		t.Error("restoring a version with the newest version's items made a version")
	}
}

// TestDeleteItemTwice: a Delete form sent again (Enter pressed twice) finds
// the item deleted already: that is done, not an error.
func TestDeleteItemTwice(t *testing.T) {
	s, token := signedIn(t)
	ds := numberedDataset(t, s, token, 30)
	for _, tc := range []struct{ name, page, input string }{
		{"FirstPage", ds, "question 01"},
		{"LaterPage", "", "question 28"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := s.get(t, ds+"?size=25")
			if tc.page == "" {
				p = nextPage(t, s, ds, p)
			}
			path, form := rowForm(t, p, tc.input, "/delete")
			wantText(t, s.post(t, path, form), "Item deleted.")
			again := s.post(t, path, form)
			wantStatus(t, again, http.StatusOK, "Item deleted.")
		})
	}
}

// TestDeleteOnlyItemOfLastPage: deleting the one item of the table's last
// page lands on a page with items, not on an empty one.
func TestDeleteOnlyItemOfLastPage(t *testing.T) {
	s, token := signedIn(t)
	ds := numberedDataset(t, s, token, 26)
	last := nextPage(t, s, ds, s.get(t, ds+"?size=25"))
	wantText(t, last, "items 26–26 of 26")
	path, form := rowForm(t, last, "question 26", "/delete")
	p := s.post(t, path, form)
	wantText(t, p, "Item deleted.", `<option value="25" selected>`, "items 1–25 of 25", ">question 25<")
}

// TestEditConflictKeepsThePage: the form an Edit conflict shows again
// sends on where in the table the edit was made, so saving it lands on
// that page, of that size.
func TestEditConflictKeepsThePage(t *testing.T) {
	s, token := signedIn(t)
	ds := numberedDataset(t, s, token, 60)
	second := nextPage(t, s, ds, s.get(t, ds+"?size=25"))
	path, form := rowForm(t, second, "question 30", "")
	other := url.Values{}
	for k, v := range form {
		other[k] = v
	}
	other.Set("input", "question 30, another tab")
	wantText(t, s.post(t, path, other), "Item saved.")

	form.Set("input", "question 30, mine")
	conflict := s.post(t, path, form)
	wantStatus(t, conflict, http.StatusConflict, "this item changed since you opened it")
	path, again := postForm(t, conflict, regexp.QuoteMeta(path), "Save my text over it")
	for _, name := range []string{"size", "after", "start", "at"} {
		if got, want := again.Get(name), form.Get(name); got != want {
			t.Errorf("the conflict's form sends %s %q, want %q", name, got, want)
		}
	}
	again.Set("input", "question 30, mine")
	p := s.post(t, path, again)
	wantText(t, p, "Item saved.", `<option value="25" selected>`, ">question 26<", ">question 30, mine<")
}
