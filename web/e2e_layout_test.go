package web_test

import "strings"
import "testing"

import "github.com/chromedp/chromedp"

import "github.com/strata-eval/strata"

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
	b.run("sign in",
		chromedp.Navigate(b.url+"/datasets"),
		chromedp.WaitVisible(chromedp.CSS("#key")),
		chromedp.SendKeys(chromedp.CSS("#key"), b.site.owner),
		chromedp.Submit(chromedp.CSS("#key")),
		b.text("Datasets"))
	for _, width := range []int64{360, 1440} {
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
