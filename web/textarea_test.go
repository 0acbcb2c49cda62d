package web_test

import "html"
import "net/url"
import "regexp"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

var (
	formInput    = regexp.MustCompile(`<input[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"`)
	formTextarea = regexp.MustCompile(`(?s)<textarea[^>]*\bname="([^"]+)"[^>]*>(.*?)</textarea>`)
)

// editForm is what a browser sends when an item's Edit form is saved
// untouched: its fields as the HTML parser reads them (a textarea's first
// line feed dropped, character references decoded), with a textarea's line
// breaks sent as CRLF, as HTML's form encoding sends them.
func editForm(t *testing.T, p page, datasetID, itemID string) url.Values {
	t.Helper()
	start := strings.Index(p.body, `action="/datasets/`+datasetID+`/items/`+itemID+`"`)
	if start < 0 {
		t.Fatalf("%s has no Edit form for item %s", p.url, itemID)
	}
	form := p.body[start : start+strings.Index(p.body[start:], "</form>")]
	values := url.Values{}
	for _, m := range formInput.FindAllStringSubmatch(form, -1) {
		values.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range formTextarea.FindAllStringSubmatch(form, -1) {
		text := html.UnescapeString(strings.TrimPrefix(m[2], "\n"))
		text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
		values.Set(m[1], strings.ReplaceAll(text, "\n", "\r\n"))
	}
	return values
}

// TestEditFormUnchanged: saving an item's Edit form that nobody edited
// leaves the item as it was, whatever line breaks its fields hold.
func TestEditFormUnchanged(t *testing.T) {
	for _, tc := range []struct {
		name        string
		input       string
		groundTruth string
	}{
		{"LineBreaks", "line1\nline2", "a\nb\n"},
		{"LeadingNewline", "\n  indented", "\n\nfirst lines empty"},
		{"CRLF", "sent by the API\r\nwith CRLF", "lone\rCR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := signedIn(t)
			p, d := s.ownerDataset(t, "edits")
			it, err := s.store.CreateItem(t.Context(), p.Actor(), d.ID, strata.ItemInput{Input: tc.input, GroundTruth: &tc.groundTruth}, strata.WriteOptions{SkipVersion: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.store.CreateVersion(t.Context(), p.Actor(), d.ID, strata.VersionCreate{}); err != nil {
				t.Fatal(err)
			}
			ds := "/datasets/" + d.ID
			wantText(t, s.post(t, ds+"/items/"+it.ID, editForm(t, s.get(t, ds), d.ID, it.ID)), "Item saved.")
			after, err := s.store.FindItem(t.Context(), p.ProjectID, d.ID, it.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := after.Input, tc.input; got != want {
				t.Errorf("input = %q, want %q", got, want)
			}
			if got, want := deref(after.GroundTruth), tc.groundTruth; got != want {
				t.Errorf("ground truth = %q, want %q", got, want)
			}
			if page := s.get(t, ds); strings.Contains(page.body, `class="unsaved"`) {
				t.Error("the dataset shows an unsaved change")
			}
		})
	}
}

// TestFormTextLineFeeds: text typed into the item forms is stored with LF
// line breaks, as the API's clients send it.
func TestFormTextLineFeeds(t *testing.T) {
	s, token := signedIn(t)
	p, d := s.ownerDataset(t, "typed")
	ds := "/datasets/" + d.ID
	wantText(t, s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"typed\r\ntext"}, "output": {"a\r\nb"}}), "Item added.")
	item := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
	t.Run("Create", func(t *testing.T) {
		it, err := s.store.FindItem(t.Context(), p.ProjectID, d.ID, item)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := it.Input, "typed\ntext"; got != want {
			t.Errorf("input = %q, want %q", got, want)
		}
		if got, want := deref(it.Output), "a\nb"; got != want {
			t.Errorf("output = %q, want %q", got, want)
		}
	})
	// Descriptions too: of the dataset, and of a version saved.
	t.Run("Descriptions", func(t *testing.T) {
		s.post(t, ds+"/rename", url.Values{"csrf": {token}, "name": {"typed"}, "description": {"one\r\ntwo"}})
		s.post(t, ds+"/save", url.Values{"csrf": {token}, "description": {"three\r\nfour"}})
		got, err := s.store.FindDataset(t.Context(), p.ProjectID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if deref(got.Description) != "one\ntwo" {
			t.Errorf("dataset description = %q, want LF line breaks", deref(got.Description))
		}
		v, err := s.store.ResolveVersion(t.Context(), p.ProjectID, d.ID, "latest")
		if err != nil {
			t.Fatal(err)
		}
		if deref(v.Description) != "three\nfour" {
			t.Errorf("version description = %q, want LF line breaks", deref(v.Description))
		}
	})
	t.Run("Edit", func(t *testing.T) {
		wantText(t, s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"edited\r\ntext"}}), "Item saved.")
		it, err := s.store.FindItem(t.Context(), p.ProjectID, d.ID, item)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := it.Input, "edited\ntext"; got != want {
			t.Errorf("input = %q, want %q", got, want)
		}
	})
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
