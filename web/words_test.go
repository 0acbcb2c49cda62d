package web_test

import "fmt"
import "net/url"
import "regexp"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

// TestCountsInWords: the pages write a count as a person would, "1 item"
// and "1,000 items", the same way everywhere.
func TestCountsInWords(t *testing.T) {
	s, token := signedIn(t)
	p, d := s.ownerDataset(t, "counts")
	ds := "/datasets/" + d.ID
	imported := s.upload(t, ds+"/import", token, nil, "one.jsonl", `{"input":"q"}`+"\n")
	wantText(t, imported, "Imported 1 item.")
	s.post(t, ds+"/save", url.Values{"csrf": {token}})
	for _, page := range []page{
		s.get(t, ds),
		s.get(t, ds+"/versions"),
		s.get(t, ds+"/versions/2"),
		s.upload(t, ds+"/import/preview", token, nil, "one.jsonl", `{"input":"q"}`+"\n"),
		s.upload(t, ds+"/import/preview", token, nil, "bad.jsonl", `{"input":"q"}`+"\n{\n"),
	} {
		for _, wrong := range []string{"1 items", "1 records", "<strong>1</strong> items"} {
			if strings.Contains(page.body, wrong) {
				t.Errorf("%s says %q", page.url, wrong)
			}
		}
	}
	var items strata.ItemSlice
	for i := range 999 {
		items = append(items, strata.ItemInput{Input: fmt.Sprintf("case %d", i)})
	}
	if _, err := s.store.ImportItems(t.Context(), p.Actor(), d.ID, &items, strata.WriteOptions{SkipVersion: true}); err != nil {
		t.Fatal(err)
	}
	wantText(t, s.get(t, "/datasets"), `<td data-label="Items">1,000</td>`)
}

// TestDeleteDatasetAsksFirst: deleting a dataset takes a second step
// without JavaScript too: the button is in a disclosure.
func TestDeleteDatasetAsksFirst(t *testing.T) {
	s, _ := signedIn(t)
	_, d := s.ownerDataset(t, "kept")
	disclosed := regexp.MustCompile(`<details class="discard">\s*<summary>Delete dataset</summary>\s*<form method="post" action="/datasets/` + d.ID + `/delete">`)
	if !disclosed.MatchString(s.get(t, "/datasets/"+d.ID).body) {
		t.Fatal("the delete button is not in a disclosure")
	}
}
