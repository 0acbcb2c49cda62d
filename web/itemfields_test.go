package web_test

import "net/url"
import "regexp"
import "strings"
import "testing"

func TestItemFieldsPages(t *testing.T) {
	s, token := signedIn(t)
	p := s.post(t, "/datasets", url.Values{"csrf": {token}, "name": {"fields"}})
	ds := p.url
	p = s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"Is shipping free?"}, "splits": {"test, train"},
		"externalId": {"faq-7"}, "metadata": {`{"lang": "en"}`}})
	wantText(t, p, "Item added.", `<span class="tag split">test</span>`, `<span class="tag split">train</span>`, "faq-7",
		`<summary>metadata</summary><pre>{&#34;lang&#34;:&#34;en&#34;}</pre>`)
	s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"Do you ship abroad?"}, "splits": {"dev"}})

	// The filters keep what they name.
	p = s.get(t, ds+"?split=test")
	wantText(t, p, "Is shipping free?")
	if strings.Contains(p.body, "Do you ship abroad?") {
		t.Fatal("split filter kept an item of another split")
	}
	p = s.get(t, ds+"?meta=lang%3Dfr")
	if strings.Contains(p.body, "Is shipping free?") {
		t.Fatal("metadata filter kept an item of another language")
	}
	if p = s.get(t, ds+"?split=no%20good"); p.status != 400 {
		t.Fatalf("bad split filter: %d", p.status)
	}

	// The editor changes them, and compare shows the change.
	p = s.post(t, ds+"/save", url.Values{"csrf": {token}})
	item := regexp.MustCompile(`id="item-([0-9a-f-]{36})"`).FindStringSubmatch(p.body)[1]
	p = s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "input": {"Is shipping free?"}, "splits": {"test"},
		"externalId": {"faq-7"}, "metadata": {`{"lang":"fr"}`}})
	wantText(t, p, "Item saved.")
	p = s.get(t, ds+"/compare")
	wantText(t, p, "<strong>1</strong> modified", "test<del>,</del> <del>train</del>", "<del>en</del><ins>fr</ins>")
	if p = s.post(t, ds+"/items/"+item, url.Values{"csrf": {token}, "metadata": {"[1]"}}); p.status != 422 { // as the API: badinput_test.go
		t.Fatalf("metadata array: %d", p.status)
	}
}
