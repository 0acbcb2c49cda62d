package web_test

import "context"
import "encoding/json"
import "fmt"
import "regexp"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

// TestDatasetListBounded: the datasets page shows at most 500 datasets,
// says so when there are more, and its search finds the others.
func TestDatasetListBounded(t *testing.T) {
	s, _ := signedIn(t)
	ctx := context.Background()
	p := s.ownerPrincipal(t)
	for i := range 501 {
		if _, err := s.store.CreateDataset(ctx, p.Actor(), strata.DatasetCreate{Name: fmt.Sprintf("ds-%04d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	rows := regexp.MustCompile(`<a href="/datasets/[0-9a-f-]{36}">ds-\d{4}</a>`)

	page := s.get(t, "/datasets?sort=alphabetical")
	if got := len(rows.FindAllString(page.body, -1)); got != 500 {
		t.Fatalf("the page lists %d datasets, want 500", got)
	}
	wantText(t, page, "ds-0000", "ds-0499", "Only the first 500 datasets in this order are shown: search to find the others.")
	if strings.Contains(page.body, "ds-0500") {
		t.Fatal("the page lists the 501st dataset")
	}

	page = s.get(t, "/datasets?search=ds-0500")
	if got := len(rows.FindAllString(page.body, -1)); got != 1 {
		t.Fatalf("the search lists %d datasets, want 1", got)
	}
	wantText(t, page, "ds-0500")
	if strings.Contains(page.body, "Only the first") {
		t.Fatal("a search of one dataset says the list was cut")
	}
}

// TestEvaluatorChoiceBounded: the evaluators page offers at most 500
// custom evaluators to attach, and says how to attach the others.
func TestEvaluatorChoiceBounded(t *testing.T) {
	s, _ := signedIn(t)
	ctx := context.Background()
	p, d := s.ownerDataset(t, "judged")
	for i := range 501 {
		name := fmt.Sprintf("judge-%04d", i)
		_, err := s.store.CreateEvaluator(ctx, p.Actor(), strata.EvaluatorCreate{Name: name, Slug: name, Type: "rouge", Mode: "normal",
			Params: json.RawMessage(`{}`), Filters: json.RawMessage(`[]`)})
		if err != nil {
			t.Fatal(err)
		}
	}
	page := s.get(t, "/datasets/"+d.ID+"/evaluators")
	options := regexp.MustCompile(`<option value="[0-9a-f-]{36}">judge-\d{4} \(rouge\)</option>`)
	if got := len(options.FindAllString(page.body, -1)); got != 500 {
		t.Fatalf("the page offers %d evaluators, want 500", got)
	}
	wantText(t, page, "judge-0499", "Only the project's first 500 custom evaluators are offered here")
	if strings.Contains(page.body, "judge-0500") {
		t.Fatal("the page offers the 501st evaluator")
	}
}
