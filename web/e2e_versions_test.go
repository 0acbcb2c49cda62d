package web_test

import "context"
import "fmt"
import "sync"
import "testing"

import "github.com/chromedp/chromedp"

import "github.com/strata-eval/strata"

// consoleSentinel is a message the test writes to the console to know that
// the browser has sent every message written before it.
const consoleSentinel = "strata: console read"

// watchConsole starts collecting the errors the page writes to its console
// (console.error, uncaught exceptions, the browser's own errors, such as a
// pattern it cannot compile). The func it returns writes a sentinel, waits
// for it, and returns the errors seen until then.
func (b *browser) watchConsole() func() []string {
	b.t.Helper()
	ctx, cancel := context.WithCancel(b.ctx)
	var (
		mu     sync.Mutex
		errors []string
	)
	sentinel := make(chan struct{})
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Text == consoleSentinel {
				close(sentinel)
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				errors = append(errors, m.String())
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		b.t.Helper()
		defer cancel()
		b.eval(fmt.Sprintf("console.info(%q)", consoleSentinel))
		select {
		case <-sentinel:
		case <-b.ctx.Done():
			b.t.Fatal("the console's messages did not arrive")
		}
		mu.Lock()
		defer mu.Unlock()
		return errors
	}
}

// TestBrowserTagPattern: the versions page's tag field checks a tag as the
// server does (Chromium compiles its pattern with the v flag, where an
// unescaped "-" in a class is an error and the pattern is ignored), and the
// page writes no error to the console.
func TestBrowserTagPattern(t *testing.T) {
	b := newBrowser(t)
	p, d := b.site.ownerDataset(t, "tagged")
	if _, err := b.site.store.CreateItem(t.Context(), p.Actor(), d.ID, strata.ItemInput{Input: "q"}, strata.WriteOptions{SkipVersion: true}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.site.store.CreateVersion(t.Context(), p.Actor(), d.ID, strata.VersionCreate{}); err != nil {
		t.Fatal(err)
	}
	b.signIn("tagged")
	consoleErrors := b.watchConsole()
	b.run("open the versions page", chromedp.Navigate(b.url+"/datasets/"+d.ID+"/versions"), chromedp.WaitVisible(chromedp.CSS("#tag-2")))
	valid := func(tag string) bool {
		t.Helper()
		return b.eval(fmt.Sprintf(`(i => { i.value = %q; return i.checkValidity(); })(document.querySelector("#tag-2"))`, tag)) == true
	}
	t.Run("ErrBadTag", func(t *testing.T) {
		if valid("bad tag!") {
			t.Error(`the tag field takes "bad tag!"`)
		}
	})
	t.Run("GoodTag", func(t *testing.T) {
		if !valid("release-1.0_rc") {
			t.Error(`the tag field refuses "release-1.0_rc"`)
		}
	})
	t.Run("NoConsoleError", func(t *testing.T) {
		for _, e := range consoleErrors() {
			t.Errorf("the versions page wrote %s", e)
		}
	})
}
