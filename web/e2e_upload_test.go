package web_test

import "os"
import "path/filepath"
import "testing"

import "github.com/chromedp/chromedp"

// TestBrowserUpload drives the upload form in a real headless Chromium: the
// preview the upload answers replaces the page with the script running
// again, and while a file uploads no button of its form sends it again.
func TestBrowserUpload(t *testing.T) {
	b := newBrowser(t)
	_, d := b.site.ownerDataset(t, "uploads")
	file := filepath.Join(t.TempDir(), "cases.jsonl")
	if err := os.WriteFile(file, []byte(`{"input":"Where is my order?"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	xpath := func(s string) chromedp.Search { return chromedp.Search(s) }
	const buttons = `[...document.querySelectorAll("form[data-upload] button")]`

	b.signIn("uploads")
	// An upload is held: its request is kept, never sent.
	const hold = `window.sent = []; XMLHttpRequest.prototype.send = function () { window.sent.push(this); }`
	b.run("open the import form",
		chromedp.Navigate(b.url+"/datasets/"+d.ID),
		chromedp.Click(xpath(`//summary[text()="Import"]`)),
		chromedp.SetUploadFiles(css("#file"), []string{file}))
	b.eval(hold)
	b.run("import a file", chromedp.Click(xpath(`//form[@data-upload]//button[text()="Import"]`)))
	t.Run("ButtonsDisabledWhileUploading", func(t *testing.T) {
		if got := b.eval(buttons + `.filter(b => !b.disabled).map(b => b.textContent).join(", ")`); got != "" {
			t.Fatalf("clickable while the file uploads: %v", got)
		}
	})
	b.eval(`window.alert = () => {}; window.sent[0].dispatchEvent(new Event("error"))`)
	t.Run("ButtonsEnabledAfterAFailure", func(t *testing.T) {
		if got := b.eval(buttons + `.filter(b => b.disabled).map(b => b.textContent).join(", ")`); got != "" {
			t.Fatalf("still disabled after the upload failed: %v", got)
		}
	})

	b.run("preview a file",
		chromedp.Navigate(b.url+"/datasets/"+d.ID),
		chromedp.Click(xpath(`//summary[text()="Import"]`)),
		chromedp.SetUploadFiles(css("#file"), []string{file}),
		chromedp.Click(xpath(`//form[@data-upload]//button[text()="Preview"]`)),
		b.text("would be imported"))
	t.Run("ScriptRunsOnThePreview", func(t *testing.T) {
		if got := b.eval(`document.documentElement.classList.contains("js")`); got != true {
			t.Fatal("app.js did not run on the page the upload answered")
		}
	})
	b.eval(hold)
	b.run("import from the preview",
		chromedp.SetUploadFiles(css("#file"), []string{file}),
		chromedp.Click(xpath(`//form[@data-upload]//button[text()="Import"]`)))
	t.Run("SentOnceFromThePreview", func(t *testing.T) {
		if got := b.eval(`window.sent.length`); got != 1.0 {
			t.Fatalf("the file was sent %v times", got)
		}
	})
}
