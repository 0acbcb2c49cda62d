package web_test

import "bytes"
import "image/png"
import "testing"

import "github.com/chromedp/chromedp"

import "github.com/strata-eval/strata"

// TestBrowserChartOfOneRun: the Evaluators tab after a first run shows the
// run's pass rate as a dot of the evaluator's colour, and a legend whose
// swatches are the size they say.
func TestBrowserChartOfOneRun(t *testing.T) {
	b := newBrowser(t)
	p, d := b.site.ownerDataset(t, "one run")
	out := `{"ok":true}`
	if _, err := b.site.store.CreateItem(t.Context(), p.Actor(), d.ID, strata.ItemInput{Input: "q", Output: &out}, strata.WriteOptions{SkipVersion: true}); err != nil {
		t.Fatal(err)
	}
	runJSONEvaluator(t, b.site, d.ID)
	b.signIn("one run")
	b.run("open the Evaluators tab",
		chromedp.Navigate(b.url+"/datasets/"+d.ID+"/evaluators"),
		chromedp.WaitVisible(chromedp.CSS(".chart")))

	t.Run("Swatch", func(t *testing.T) {
		if got := b.eval(`(r => r.width + "x" + r.height)(document.querySelector(".chart .swatch").getBoundingClientRect())`); got != "10x10" {
			t.Fatalf("a legend swatch is %v pixels", got)
		}
	})
	t.Run("Dot", func(t *testing.T) {
		shot, err := chromedp.Run(b.ctx, chromedp.Screenshot(chromedp.CSS(".chart > svg")))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		// Slot 1's colour, #2456c8.
		colored := 0
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
				if r, g, bl, _ := img.At(x, y).RGBA(); r>>8 == 0x24 && g>>8 == 0x56 && bl>>8 == 0xc8 {
					colored++
				}
			}
		}
		if colored < 16 {
			t.Fatalf("the chart shows %d pixels of the evaluator's colour", colored)
		}
	})
}
