package web_test

import "net/url"
import "regexp"
import "strings"
import "testing"

// restoreForm finds the Restore forms of a page by the version number
// their button names.
func restoreForms(body string) []string {
	var numbers []string
	for _, m := range regexp.MustCompile(`<button type="submit">Restore version (\d+)</button>`).FindAllStringSubmatch(body, -1) {
		numbers = append(numbers, m[1])
	}
	return numbers
}

// TestRestoreOfferedWhereItChangesSomething: restoring the newest version
// without unsaved changes would make a version the same as it, so neither
// the versions list nor the version's page offers it, and a form sent from
// an older page changes nothing; once there are unsaved changes, it is a
// way to drop them, and offered.
func TestRestoreOfferedWhereItChangesSomething(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "first question") // versions 1 and 2

	t.Run("NotOnHeadWithoutChanges", func(t *testing.T) {
		if got, want := strings.Join(restoreForms(s.get(t, ds+"/versions").body), ","), "1"; got != want {
			t.Errorf("the versions page offers to restore versions %q, want %q", got, want)
		}
		p := s.get(t, ds+"/versions/2")
		if got := restoreForms(p.body); len(got) != 0 {
			t.Errorf("version 2's page, the newest without unsaved changes, offers to restore it")
		}
		wantText(t, p, "nothing to restore")
	})
	t.Run("ErrNothingToRestore", func(t *testing.T) {
		p := s.post(t, ds+"/versions/2/restore", url.Values{"csrf": {token}})
		wantText(t, p, "Nothing to restore: the items are those of version 2, with no unsaved changes.", "saved as version 2")
		if strings.Contains(s.get(t, ds+"/versions").body, "<strong>Version 3</strong>") {
			t.Error("restoring the newest version without changes made a version")
		}
	})
	t.Run("OnHeadWithChanges", func(t *testing.T) {
		s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"second question"}})
		if got, want := strings.Join(restoreForms(s.get(t, ds+"/versions").body), ","), "2,1"; got != want {
			t.Errorf("the versions page offers to restore versions %q, want %q", got, want)
		}
		if got, want := strings.Join(restoreForms(s.get(t, ds+"/versions/2").body), ","), "2"; got != want {
			t.Errorf("version 2's page offers to restore versions %q, want %q", got, want)
		}
	})
}

// TestVersionPageRestores: a version's own page restores it, as the
// versions list does.
func TestVersionPageRestores(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "first question")
	item := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
	s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"first question, edited"}})
	wantText(t, s.post(t, ds+"/save", url.Values{"csrf": {token}}), "Saved version 3.")

	p := s.get(t, ds+"/versions/2")
	if got, want := strings.Join(restoreForms(p.body), ","), "2"; got != want {
		t.Fatalf("version 2's page offers to restore versions %q, want %q", got, want)
	}
	action := formTag(`/versions/[0-9a-f-]{36}/restore`).FindString(p.body)
	path := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(action)[1]
	p = s.post(t, path, url.Values{"csrf": {csrf(t, p)}})
	wantText(t, p, "Restored: the dataset is now version 4.", "first question")
	if strings.Contains(p.body, "first question, edited") {
		t.Error("after restoring version 2, the items show version 3's edit")
	}
}

// TestViewerIsOfferedNoRestore: a key that may only read sees no Restore
// on a version's page.
func TestViewerIsOfferedNoRestore(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "first question")
	s.signin(t, s.viewer)
	if got := restoreForms(s.get(t, ds+"/versions/1").body); len(got) != 0 {
		t.Errorf("a viewer is offered to restore versions %q", got)
	}
}
