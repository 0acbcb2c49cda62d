package web_test

import "context"
import "net/url"
import "regexp"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

// formTag finds a form's opening tag by the end of its action.
func formTag(action string) *regexp.Regexp {
	return regexp.MustCompile(`<form [^>]*action="[^"]*` + action + `"[^>]*>`)
}

// TestConfirmationsWithoutJavaScript: a form that cannot be taken back
// lightly (restore a version, delete an item or a dataset, detach a slot,
// discard changes) asks first without JavaScript: it is behind the summary
// of a <details> disclosure, with nothing but its button to send it, and
// leans on no script's confirm().
func TestConfirmationsWithoutJavaScript(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "first question", "second question")
	s.post(t, ds+"/items/"+itemRow.FindStringSubmatch(s.get(t, ds).body)[1], url.Values{"csrf": {token}, "input": {"edited question"}})
	owner := s.ownerPrincipal(t)
	e, err := s.store.CreateEvaluator(context.Background(), owner.Actor(), strata.EvaluatorCreate{Name: "Exact", Slug: "exact", Type: "string", Mode: "normal",
		Params: []byte(`{"comparator":"equals"}`), Filters: []byte(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, s.post(t, ds+"/evaluators", url.Values{"csrf": {token}, "evaluatorId": {e.ID}}), "Evaluator attached.")

	for _, tc := range []struct {
		name, path string
		form       *regexp.Regexp
		want       int // forms on the page
	}{
		{"Restore", ds + "/versions", formTag(`/versions/[0-9a-f-]{36}/restore`), 2},
		{"RestoreVersionPage", ds + "/versions/1", formTag(`/versions/[0-9a-f-]{36}/restore`), 1},
		{"DeleteItem", ds, formTag(`/items/[0-9a-f-]{36}/delete`), 2},
		{"DeleteDataset", ds, formTag(`/datasets/[0-9a-f-]{36}/delete`), 1},
		{"Discard", ds, formTag(`/discard`), 1},
		{"Detach", ds + "/evaluators", formTag(`/evaluators/1/detach`), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := s.get(t, tc.path).body
			found := tc.form.FindAllStringIndex(body, -1)
			if len(found) != tc.want {
				t.Fatalf("%d such forms on %s, want %d", len(found), tc.path, tc.want)
			}
			for _, at := range found {
				form := body[at[0]:at[1]]
				if strings.Contains(form, "data-confirm") {
					t.Errorf("%s confirms with a script", form)
				}
				// The nearest disclosure before the form is still open
				// there, and its summary comes before the form.
				before := body[:at[0]]
				open := strings.LastIndex(before, "<details")
				if open < 0 || strings.LastIndex(before, "</details>") > open || !strings.Contains(before[open:], "<summary>") {
					t.Errorf("%s is not behind a disclosure's summary", form)
				}
			}
		})
	}
}
