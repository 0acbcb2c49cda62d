package web_test

import "fmt"
import "strings"
import "testing"

import "github.com/chromedp/chromedp"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/eval"

// TestBrowserLongNames: a dataset named with one long word, as a slug or a
// path often is, keeps every page within the window at 360 and 1440
// pixels wide: the pages wrap the name rather than scroll sideways.
func TestBrowserLongNames(t *testing.T) {
	b := newBrowser(t)
	p := b.site.ownerPrincipal(t)
	var paths []string
	for _, name := range []string{strings.Repeat("n", 61), strings.Repeat("w", 960)} {
		d, err := b.site.store.CreateDataset(t.Context(), p.Actor(), strata.DatasetCreate{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		it, err := b.site.store.CreateItem(t.Context(), p.Actor(), d.ID, strata.ItemInput{Input: "q"}, strata.WriteOptions{SkipVersion: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.site.store.CreateVersion(t.Context(), p.Actor(), d.ID, strata.VersionCreate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		ds := "/datasets/" + d.ID
		paths = append(paths, ds, ds+"/versions", ds+"/versions/2", ds+"/items/"+it.ID, ds+"/compare", ds+"/evaluators")
	}
	paths = append(paths, "/datasets")
	b.fitsWindows(t, paths, 360, 1440)
}

// TestBrowserLongSplitsAndTags: a split and a tag named with one word of
// 64 characters, their longest, keep the pages that show them as chips (the
// dataset, version, item and versions pages) within the window at 360 and
// 1440 pixels wide: the chips wrap.
func TestBrowserLongSplitsAndTags(t *testing.T) {
	b := newBrowser(t)
	p := b.site.ownerPrincipal(t)
	ctx := t.Context()
	d, err := b.site.store.CreateDataset(ctx, p.Actor(), strata.DatasetCreate{Name: "long chips"})
	if err != nil {
		t.Fatal(err)
	}
	split, tag := strings.Repeat("s", 64), strings.Repeat("t", 64)
	it, err := b.site.store.CreateItem(ctx, p.Actor(), d.ID, strata.ItemInput{Input: "q", Splits: []string{split}}, strata.WriteOptions{SkipVersion: true})
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := b.site.store.CreateVersion(ctx, p.Actor(), d.ID, strata.VersionCreate{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.site.store.TagVersion(ctx, p.Actor(), d.ID, fmt.Sprint(v.Number), tag); err != nil {
		t.Fatal(err)
	}
	ds := "/datasets/" + d.ID
	b.fitsWindows(t, []string{ds, fmt.Sprintf("%s/versions/%d", ds, v.Number), ds + "/items/" + it.ID, ds + "/versions"}, 360, 1440)
}

// fitsWindows signs the owner in and opens each path in windows of each
// width: no page may be wider than its window.
func (b *browser) fitsWindows(t *testing.T, paths []string, widths ...int64) {
	t.Helper()
	b.signIn("Datasets")
	for _, width := range widths {
		b.run("resize", chromedp.EmulateViewport(width, 900))
		for _, path := range paths {
			b.run("open "+path, chromedp.Navigate(b.url+path), chromedp.WaitVisible(chromedp.CSS("main")))
			if got := b.eval(`document.documentElement.scrollWidth`).(float64); got > float64(width) {
				// The elements that reach past the window, to say what to wrap.
				past := b.eval(`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > innerWidth + 1)
					.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")).join(" ")`)
				t.Errorf("%s is %v pixels wide in a window %d pixels wide: %v", path, got, width, past)
			}
		}
	}
}

// TestBrowserLongEvaluatorNames: an evaluator named with one long word
// keeps the pages that show its results within the window at 360 and 1280
// pixels wide: the tables wrap or cut its name, and a cut name is whole in
// its title.
func TestBrowserLongEvaluatorNames(t *testing.T) {
	b := newBrowser(t)
	p := b.site.ownerPrincipal(t)
	ctx := t.Context()
	d, err := b.site.store.CreateDataset(ctx, p.Actor(), strata.DatasetCreate{Name: "long judges"})
	if err != nil {
		t.Fatal(err)
	}
	output := "not json"
	it, err := b.site.store.CreateItem(ctx, p.Actor(), d.ID, strata.ItemInput{Input: "q", Output: &output}, strata.WriteOptions{SkipVersion: true})
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("W", 200)
	for _, slug := range []string{"first", "second"} {
		e, err := b.site.store.CreateEvaluator(ctx, p.Actor(), strata.EvaluatorCreate{Name: name, Slug: slug, Type: "json", Mode: "normal",
			Params: []byte(`{}`), Filters: []byte(`[]`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.site.store.AttachEvaluator(ctx, p.Actor(), d.ID, strata.EvaluatorAttach{EvaluatorID: e.ID}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := eval.NewRunner(b.site.store, nil, nil).Run(ctx, p.Actor(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	ds := "/datasets/" + d.ID
	paths := []string{ds, fmt.Sprintf("%s/versions/%d", ds, out.Version.Number), ds + "/items/" + it.ID, ds + "/evaluators",
		ds + "/evaluators/runs/" + out.Run.ID + "?show=all"}
	b.fitsWindows(t, paths, 360, 1280)
	// The run's column headers name the evaluators in full, if only in
	// their title.
	b.run("open the run", chromedp.Navigate(b.url+paths[4]), chromedp.WaitVisible(chromedp.CSS("main")))
	if got := b.eval(`[...document.querySelectorAll("table.run-items th.c-verdict")].filter(th => th.title === "` + name + `").length`).(float64); got != 2 {
		t.Errorf("%v column headers of the run have the evaluator's full name as title, want 2", got)
	}
}
