package web_test

import "context"
import "encoding/json"
import "fmt"
import "net/http"
import "net/http/httptest"
import "os"
import "os/exec"
import "path/filepath"
import "strings"
import "testing"
import "time"

import "github.com/chromedp/chromedp"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/eval"
import "github.com/strata-eval/strata/web"

// browser is a headless Chromium on the pages of a site, with the steps the
// browser tests take.
type browser struct {
	t     *testing.T
	ctx   context.Context
	site  *site
	url   string
	shots string
}

type step = chromedp.Action[chromedp.Void]

func newBrowser(t *testing.T) *browser {
	t.Helper()
	exe := chromium(t)
	s := newSite(t)
	root := http.NewServeMux()
	root.Handle("/v1/", (&api.Server{Store: s.store}).Handler())
	root.Handle("/", (&web.Server{Store: s.store}).Handler())
	srv := httptest.NewServer(root)
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 1000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel)
	shots := artifacts(t)
	t.Logf("screenshots in %s", shots)
	return &browser{t: t, ctx: ctx, site: s, url: srv.URL, shots: shots}
}

// run takes steps, failing the test at the first that fails.
func (b *browser) run(name string, steps ...step) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
}

// signIn signs the owner in with the key form, and waits until the
// datasets page shows want.
func (b *browser) signIn(want string) {
	b.t.Helper()
	b.run("sign in",
		chromedp.Navigate(b.url+"/datasets"),
		chromedp.WaitVisible(chromedp.CSS("#key")),
		chromedp.SendKeys(chromedp.CSS("#key"), b.site.owner),
		chromedp.Submit(chromedp.CSS("#key")),
		b.text(want))
}

// text waits until the page shows want.
func (b *browser) text(want string) step {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		deadline := time.Now().Add(20 * time.Second)
		for {
			// While a form submission navigates, the old page's context
			// goes away: read again until the new page shows.
			body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			if err == nil && strings.Contains(body, want) {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("the page does not show %q (%v):\n%s", want, err, body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// eval runs a script and returns its value.
func (b *browser) eval(js string) any {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// shoot saves the page at 360 and 1440 pixels wide.
func (b *browser) shoot(name string) step {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		for _, width := range []int{360, 1440} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900)); err != nil {
				return err
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(b.shots, fmt.Sprintf("%s-%d.png", name, width)), png, 0o644); err != nil {
				return err
			}
		}
		return chromedp.Do(ctx, chromedp.EmulateViewport(1440, 1000))
	})
}

// pagesFixture is a dataset as a user has it after a first import: sixty
// cases, one with a long input, one with JSON output, judged once by an
// evaluator that wants JSON, and saved.
func pagesFixture(t *testing.T, s *site) (datasetID string) {
	t.Helper()
	ctx := context.Background()
	owner, err := s.store.Authenticate(ctx, s.owner)
	if err != nil {
		t.Fatal(err)
	}
	a := owner.Actor()
	desc := "refund and delivery questions"
	d, err := s.store.CreateDataset(ctx, a, strata.DatasetCreate{Name: "support bot", Description: &desc})
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	long := "My order arrived yesterday but the box was damaged. " + strings.Repeat("I would like to know whether I can return the shoes inside, which I have not worn, and whether the refund covers shipping. ", 30)
	items := strata.ItemSlice{
		{Input: "Can I return shoes I bought last week?", GroundTruth: str("Yes, within 30 days, unworn."), Output: str(`{"answer":"Yes","days":30,"conditions":["unworn","with receipt"]}`)},
		{Input: long, GroundTruth: str("Yes: refunds cover return shipping for damaged parcels."), Output: str("Yes, you can return them.")},
		{Input: "Where is my order?", GroundTruth: str("Give the tracking link.")},
	}
	for i := range 57 {
		items = append(items, strata.ItemInput{Input: fmt.Sprintf("Question %d about delivery times to region %d", i+4, i%7),
			GroundTruth: str("Two to five working days."), Output: str(fmt.Sprintf(`{"answer":"%d days"}`, 2+i%4))})
	}
	if _, err := s.store.ImportItems(ctx, a, d.ID, &items, strata.WriteOptions{SkipVersion: true}); err != nil {
		t.Fatal(err)
	}
	e, err := s.store.CreateEvaluator(ctx, a, strata.EvaluatorCreate{Name: "Valid JSON", Slug: "valid-json", Type: "json", Mode: "normal",
		Params: []byte(`{}`), Filters: []byte(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.AttachEvaluator(ctx, a, d.ID, strata.EvaluatorAttach{EvaluatorID: e.ID}); err != nil {
		t.Fatal(err)
	}
	// The run saves its results as version 2.
	if _, err := eval.NewRunner(s.store, nil, nil).Run(ctx, a, d.ID); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// TestBrowserPages drives the item, version and run pages and the dataset
// header in a real headless Chromium, writes their screenshots, and checks
// the main pages with axe-core.
func TestBrowserPages(t *testing.T) {
	b := newBrowser(t)
	id := pagesFixture(t, b.site)
	ds := b.url + "/datasets/" + id
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	xpath := func(s string) chromedp.Search { return chromedp.Search(s) }
	firstInput := xpath(`//tbody/tr[1]//textarea[@name="input"]`)

	b.signIn("support bot")

	b.run("an edit shows as an unsaved change",
		chromedp.Navigate(ds),
		b.text("items 1–50 of 60"),
		chromedp.Click(xpath(`//tbody/tr[1]//summary[text()="Edit"]`)),
		chromedp.SetValue(firstInput, "Can I return boots I bought last week?"),
		chromedp.Submit(firstInput),
		b.text("Item saved."), b.text("1 unsaved change"), b.text("Review changes"),
		b.shoot("dataset-unsaved"))
	b.run("discarding the change, confirmed, brings the saved items back",
		chromedp.Click(xpath(`//summary[text()="Discard changes"]`)),
		b.text("The items go back to those of version 2"),
		chromedp.Click(xpath(`//button[text()="Discard 1 unsaved change"]`)),
		b.text("Discarded 1 unsaved change"), b.text("Can I return shoes I bought last week?"))
	if strings.Contains(b.eval(`document.body.innerText`).(string), "Review changes") {
		t.Fatal("the header still shows unsaved changes after the discard")
	}

	t.Run("ClippedCellExpands", func(t *testing.T) {
		// The second item's input is long.
		const button = `tbody tr:nth-child(2) td[data-label="Input"] button.expand`
		const cell = `document.querySelector("tbody tr:nth-child(2) td[data-label='Input'] .cell")`
		before := b.eval(cell + `.clientHeight`).(float64)
		b.run("expand", chromedp.Click(css(button)))
		if got := b.eval(`document.querySelector('` + button + `').getAttribute("aria-expanded")`); got != "true" {
			t.Fatalf("aria-expanded = %v after a click", got)
		}
		if after := b.eval(cell + `.clientHeight`).(float64); after <= before*2 {
			t.Fatalf("the cell is %v pixels high expanded, %v clipped", after, before)
		}
		if got := b.eval(cell + `.innerText.includes("whether the refund covers shipping")`); got != true {
			t.Fatal("the expanded cell does not show the end of the text")
		}
	})

	b.run("edit, save a version, edit again",
		chromedp.Navigate(ds),
		chromedp.Click(xpath(`//tbody/tr[1]//summary[text()="Edit"]`)),
		chromedp.SetValue(firstInput, "Can I return boots I bought last week?"),
		chromedp.Submit(firstInput),
		b.text("Item saved."),
		chromedp.Click(xpath(`//summary[text()="Save version"]`)),
		chromedp.SendKeys(css("#v-description"), "boots"),
		chromedp.Submit(css("#v-description")),
		b.text("Saved version 4."),
		chromedp.Click(xpath(`//tbody/tr[1]//summary[text()="Edit"]`)),
		chromedp.SetValue(firstInput, "Can I return the boots I bought last month?"),
		chromedp.Submit(firstInput),
		b.text("Item saved."))
	b.run("the item page shows the history",
		chromedp.Click(xpath(`//tbody/tr[1]/td[@class="num"]/a`)),
		b.text("History"), b.text("Revision 3"), b.text("unsaved edit, in no version yet"),
		b.text("Revision 2"), b.text("version 4"), b.text("pass"),
		b.shoot("item"))
	if got := b.eval(`[...document.querySelectorAll(".revisions > li:first-child ins")].map(e => e.textContent).join("")`); got != "the month" {
		t.Fatalf("the newest revision marks %q as inserted", got)
	}

	b.run("the version page starts with what changed",
		chromedp.Navigate(ds+"/versions/4"),
		b.text("What changed from version 3"), b.text("1 modified"), b.text("59 unchanged"),
		b.shoot("version"))
	if got := b.eval(`document.querySelector(".changes-table ins").textContent`); got != "boots" {
		t.Fatalf("the change summary marks %q", got)
	}

	b.run("a run opens from the runs table, failing items first",
		chromedp.Navigate(ds+"/evaluators"),
		chromedp.Click(xpath(`//table//a[contains(@href, "/evaluators/runs/")]`)),
		b.text("Failing or unknown"), b.text("Output is not valid JSON"), b.text("Item has no output"),
		b.shoot("run"))
	if got := b.eval(`document.querySelector(".run-items tbody tr").className`); got != "row-fail" {
		t.Fatalf("the first row of the run is %q", got)
	}
	if got := b.eval(`document.querySelectorAll(".run-items tbody tr").length`); got != 2.0 {
		t.Fatalf("the run lists %v items that did not pass, want 2", got)
	}
	// A second run draws the chart's lines.
	if _, err := eval.NewRunner(b.site.store, nil, nil).Run(t.Context(), b.site.ownerPrincipal(t).Actor(), id); err != nil {
		t.Fatal(err)
	}
	b.run("the Evaluators page shows the slots, the chart and the runs",
		chromedp.Navigate(ds+"/evaluators"),
		b.text("Slots"), b.text("Valid JSON"), b.text("Pass rate, 0–100%, over the last 2 runs"),
		b.shoot("evaluators"))
	b.run("the chart links to the run",
		chromedp.Click(css(`.chart a`)),
		b.text("Failing or unknown"))

	t.Run("Accessibility", func(t *testing.T) {
		axe := axeCore(t)
		for _, path := range []string{"/datasets", "", "/versions", "/versions/4", "/compare", "/evaluators"} {
			if path != "/datasets" {
				path = "/datasets/" + id + path
			}
			b.checkAccessibility(t, axe, path)
		}
		b.run("open the item page", chromedp.Navigate(ds), chromedp.Click(xpath(`//tbody/tr[1]/td[@class="num"]/a`)), b.text("History"))
		b.checkAccessibility(t, axe, "")
		b.run("open the run page", chromedp.Navigate(ds+"/evaluators"), chromedp.Click(css(`.chart a`)), b.text("Failing or unknown"))
		b.checkAccessibility(t, axe, "")
	})
}

// axeCore installs axe-core from npm into a temporary folder and returns
// its script; without npm the check is skipped.
func axeCore(t *testing.T) string {
	t.Helper()
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm not found (apt-get install npm): skipping the accessibility check")
	}
	dir := t.TempDir()
	cmd := exec.Command(npm, "install", "--prefix", dir, "--no-audit", "--no-fund", "--silent", "axe-core@4")
	cmd.Env = append(os.Environ(), "npm_config_cache="+filepath.Join(dir, ".npm"))
	if out, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("npm install axe-core: %v\n%s", err, out)
		}
		t.Skipf("npm install axe-core failed (%v): skipping the accessibility check\n%s", err, out)
	}
	src, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// checkAccessibility opens path (the current page when empty), runs axe-core
// in it, and fails on any serious or critical violation, and on navigation
// landmarks that cannot be told apart (landmark-unique, moderate).
func (b *browser) checkAccessibility(t *testing.T, axe, path string) {
	b.t.Helper()
	if path != "" {
		b.run("open "+path, chromedp.Navigate(b.url+path), chromedp.WaitVisible(chromedp.CSS("main")))
	}
	b.eval(axe)
	report, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`axe.run(document).then(r => JSON.stringify(
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical" || v.id === "landmark-unique")
			.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html)}))))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", path, err)
	}
	var violations []map[string]any
	if err := json.Unmarshal([]byte(report), &violations); err != nil {
		b.t.Fatalf("axe on %s: %v", path, err)
	}
	where := b.eval(`location.pathname`)
	for _, v := range violations {
		t.Errorf("%s: %s (%s): %s %v", where, v["id"], v["impact"], v["help"], v["nodes"])
	}
}
