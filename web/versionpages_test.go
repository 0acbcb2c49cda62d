package web_test

import "fmt"
import "net/http"
import "net/url"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

// TestVersionsPageOlder: the versions page lists the newest 100 versions
// and links to the older ones (?before=N), which link back to the newest.
func TestVersionsPageOlder(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	p, d := s.ownerDataset(t, "many versions") // version 1
	for range 129 {
		if _, _, err := s.store.CreateVersion(ctx, p.Actor(), d.ID, strata.VersionCreate{}); err != nil {
			t.Fatal(err)
		}
	}
	// Version 131 restores version 5, which the first page does not list.
	v5, err := s.store.ResolveVersion(ctx, p.ProjectID, d.ID, "5")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.store.RestoreVersion(ctx, p.Actor(), d.ID, v5.ID); err != nil {
		t.Fatal(err)
	}
	s.signin(t, s.owner)
	ds := "/datasets/" + d.ID
	version := func(n int) string { return fmt.Sprintf("<strong>Version %d</strong>", n) }

	first := s.get(t, ds+"/versions")
	older := fmt.Sprintf(`href="%s/versions?before=32" rel="next">Older versions</a>`, ds)
	// The list's numbers are the versions'.
	wantText(t, first, `<ol class="timeline" reversed start="131">`, version(131), version(32), older, "restored from version 5")
	for _, absent := range []string{version(31), version(1), "Newest versions"} {
		if strings.Contains(first.body, absent) {
			t.Errorf("the first page shows %q", absent)
		}
	}

	next := s.get(t, ds+"/versions?before=32")
	wantText(t, next, `reversed start="31"`, version(31), version(1), fmt.Sprintf(`href="%s/versions">Newest versions</a>`, ds))
	for _, absent := range []string{version(131), version(32), "Older versions"} {
		if strings.Contains(next.body, absent) {
			t.Errorf("the older page shows %q", absent)
		}
	}
	// A page of older versions that is full still links further back.
	wantText(t, s.get(t, ds+"/versions?before=120"), version(119), version(20),
		fmt.Sprintf(`href="%s/versions?before=20" rel="next">Older versions</a>`, ds))
	// A bound beyond every version is no bound.
	wantText(t, s.get(t, ds+"/versions?before=99999999999999999999"), version(131), older)

	for _, bad := range []string{"0", "-3", "1.5", "abc", "+7", " 7"} {
		wantStatus(t, s.get(t, ds+"/versions?before="+strings.ReplaceAll(bad, " ", "%20")), http.StatusUnprocessableEntity,
			"Expected a version number (a whole number of at least 1)")
	}

	// Compare, from a version of an older page, keeps it picked.
	cmp := s.get(t, ds+"/compare?from=5&to=working")
	wantText(t, cmp, `<option value="5" selected>version 5</option>`, `<option value="131">version 131</option>`)
	if strings.Contains(cmp.body, `<option value="4"`) {
		t.Error("compare offers a version that is neither new nor picked")
	}
	wantText(t, s.get(t, ds+"/compare?from=1&to=2"), `<option value="1" selected>version 1</option>`, `<option value="2" selected>version 2</option>`)
	wantText(t, s.get(t, ds+"/compare"), `<option value="latest" selected>latest version</option>`, `<option value="32">version 32</option>`)
	wantStatus(t, s.get(t, ds+"/compare?from=999"), http.StatusNotFound, "")
}

// TestTagFromOlderVersions: tagging or untagging a version on a page of
// older versions lands back on that page, with the notice.
func TestTagFromOlderVersions(t *testing.T) {
	s := newSite(t)
	p, d := s.ownerDataset(t, "tagged long ago") // version 1
	for range 129 {
		if _, _, err := s.store.CreateVersion(t.Context(), p.Actor(), d.ID, strata.VersionCreate{}); err != nil {
			t.Fatal(err)
		}
	}
	token := s.signinOwner(t)
	ds := "/datasets/" + d.ID
	older := s.get(t, ds+"/versions?before=31")
	// Each form of the page says which page it was sent from.
	wantText(t, older, `<input type="hidden" name="before" value="31">`)
	onOlderPage := func(t *testing.T, p page, notice string) {
		t.Helper()
		wantText(t, p, `reversed start="30"`, notice)
		if strings.Contains(p.body, "<strong>Version 130</strong>") {
			t.Fatal("landed on the newest versions")
		}
	}
	t.Run("Tag", func(t *testing.T) {
		p := s.post(t, ds+"/versions/5/tags", url.Values{"csrf": {token}, "tag": {"old-baseline"}, "before": {"31"}})
		onOlderPage(t, p, `Tagged version 5 &#34;old-baseline&#34;.`)
		wantText(t, p, `<span class="tag">old-baseline`)
	})
	t.Run("Untag", func(t *testing.T) {
		p := s.post(t, ds+"/versions/5/tags/old-baseline/delete", url.Values{"csrf": {token}, "before": {"31"}})
		onOlderPage(t, p, `Removed the tag &#34;old-baseline&#34;.`)
	})
	t.Run("Newest", func(t *testing.T) {
		p := s.post(t, ds+"/versions/130/tags", url.Values{"csrf": {token}, "tag": {"head"}})
		wantText(t, p, `reversed start="130"`, `Tagged version 130 &#34;head&#34;.`)
	})
}
