package web_test

import "os"
import "os/exec"
import "path/filepath"
import "testing"

import "github.com/chromedp/chromedp"
import "github.com/chromedp/chromedp/kb"

// chromium finds Debian's Chromium; the tests never download a browser.
func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("STRATA_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := exec.LookPath(p); err == nil {
				return p
			}
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is missing: .ci/run installs Debian's chromium package")
	}
	t.Skip("Chromium not found (apt-get install chromium): skipping the browser test")
	return ""
}

// artifacts is where screenshots go: $STRATA_ARTIFACTS, else artifacts/ at
// the top of the repository.
func artifacts(t *testing.T) string {
	dir := os.Getenv("STRATA_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "artifacts")
	}
	dir = filepath.Join(dir, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowser drives the pages in a real headless Chromium: sign in, create
// a dataset, import a file, edit an item, save a version, restore, and check
// what the page shows after each step. It writes screenshots of the main
// pages at 360 and 1440 pixels wide.
func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	file := filepath.Join(t.TempDir(), "cases.csv")
	if err := os.WriteFile(file, []byte("input,ground_truth,output\n\"Can I, maybe, return shoes?\",Yes,Sure\nWhere is my order?,In transit,\n\"Multi\nline\",,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run, text, shoot := b.run, b.text, b.shoot
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	xpath := func(s string) chromedp.Search { return chromedp.Search(s) }

	run("sign in",
		chromedp.Navigate(b.url+"/datasets"),
		chromedp.WaitVisible(css("#key")),
		chromedp.SendKeys(css("#key"), b.site.owner),
		chromedp.Submit(css("#key")),
		text("No dataset"))
	run("create a dataset",
		chromedp.Click(css("details.panel summary")),
		chromedp.SendKeys(css("#new-name"), "support bot"),
		chromedp.SendKeys(css("#new-description"), "refund questions"),
		chromedp.Submit(css("#new-name")),
		text("Dataset created."), text("0 items"))
	run("preview a file",
		chromedp.Click(xpath(`//summary[text()="Import"]`)),
		chromedp.SetUploadFiles(css("#file"), []string{file}),
		chromedp.Click(xpath(`//form[@data-upload]//button[text()="Preview"]`)),
		text("3 items would be imported."), text("Detected: input"),
		shoot("import-preview"))
	run("import it",
		chromedp.SetUploadFiles(css("#file"), []string{file}),
		chromedp.Click(xpath(`//form[@data-upload]//button[text()="Import"]`)),
		text("Imported 3 items."), text("Can I, maybe, return shoes?"), text("3 items"))
	run("save version 2",
		chromedp.Click(xpath(`//summary[text()="Save version"]`)),
		chromedp.SendKeys(css("#v-description"), "imported"),
		chromedp.Submit(css("#v-description")),
		text("Saved version 2."))
	run("edit an item",
		chromedp.Click(xpath(`//tbody/tr[1]//summary[text()="Edit"]`)),
		chromedp.SetValue(xpath(`//tbody/tr[1]//textarea[@name="input"]`), "Can I return boots?"),
		chromedp.Submit(xpath(`//tbody/tr[1]//textarea[@name="input"]`)),
		text("Item saved."), text("Can I return boots?"))
	run("save version 3",
		chromedp.Click(xpath(`//summary[text()="Save version"]`)),
		chromedp.Submit(css("#v-description")),
		text("Saved version 3."),
		shoot("dataset"))
	run("compare versions 2 and 3",
		chromedp.Click(xpath(`//nav[@class="tabs"]/a[text()="Compare"]`)),
		text("unchanged"),
		chromedp.SetValue(css("#from"), "2"),
		chromedp.SetValue(css("#to"), "3"),
		chromedp.Submit(css("#from")),
		text("1 modified"), text("2 unchanged"),
		shoot("compare"))
	run("the versions page",
		chromedp.Click(xpath(`//nav[@class="tabs"]/a[text()="Versions"]`)),
		text("Version 3"),
		shoot("versions"))
	// Restore asks first: its summary shows what it does and the button
	// that does it; Escape closes it again.
	restore := xpath(`//li[.//strong[text()="Version 2"]]//summary[starts-with(., "Restore")]`)
	run("open the restore of version 2",
		chromedp.Click(restore),
		chromedp.WaitVisible(xpath(`//button[text()="Restore version 2"]`)),
		text("The items become those of version 2 again"),
		chromedp.KeyEvent(kb.Escape))
	if got := b.eval(`document.activeElement.tagName + " " + document.activeElement.parentElement.open`); got != "SUMMARY false" {
		t.Fatalf("after Escape the focus is on %v", got)
	}
	run("restore version 2",
		chromedp.Click(restore),
		chromedp.Click(xpath(`//button[text()="Restore version 2"]`)),
		text("Restored: the dataset is now version 4."), text("Can I, maybe, return shoes?"))
	run("the version list shows where the restore came from",
		chromedp.Click(xpath(`//nav[@class="tabs"]/a[text()="Versions"]`)),
		text("restored from version 2"))
	run("the dataset list",
		chromedp.Navigate(b.url+"/datasets"),
		text("support bot"),
		shoot("datasets"))
}
