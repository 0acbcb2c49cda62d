package web_test

import "fmt"
import "html"
import "net/url"
import "regexp"
import "strings"
import "testing"

func TestItemsTable(t *testing.T) {
	s, token := signedIn(t)
	ds := numberedDataset(t, s, token, 60)

	t.Run("Position", func(t *testing.T) {
		wantText(t, s.get(t, ds), "items 1–50 of 60", `<option value="50" selected>`)
	})
	t.Run("PageSize", func(t *testing.T) {
		p := s.get(t, ds+"?size=25")
		wantText(t, p, "items 1–25 of 60", "question 25", `<option value="25" selected>`)
		if strings.Contains(p.body, "question 26") {
			t.Fatal("a page of 25 shows a 26th item")
		}
		next := regexp.MustCompile(`href="\?(after=[^"]+)" rel="next"`).FindStringSubmatch(p.body)
		if next == nil {
			t.Fatal("no next page")
		}
		p = s.get(t, ds+"?"+strings.ReplaceAll(next[1], "&amp;", "&"))
		wantText(t, p, "items 26–50 of 60", "question 26")
	})
	t.Run("ErrUnknownSizeIsDefault", func(t *testing.T) {
		wantText(t, s.get(t, ds+"?size=100000"), "items 1–50 of 60")
	})
	t.Run("SearchHighlighted", func(t *testing.T) {
		p := s.get(t, ds+"?search="+url.QueryEscape("STION 0"))
		wantText(t, p, "que<mark>stion 0</mark>1", "matches 1–9")
	})
	t.Run("JSONFormatted", func(t *testing.T) {
		s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {`{"question":"Can I return shoes?","tags":["refund","shoes","delivery"]}`}})
		wantText(t, s.get(t, ds+"?size=100"), `<div class="cell json" data-clip>{
  &#34;question&#34;: &#34;Can I return shoes?&#34;,`)
	})
	t.Run("LongCellClipped", func(t *testing.T) {
		// Every cell carries the clip; the script adds the control.
		if got := strings.Count(s.get(t, ds+"?size=25").body, "data-clip"); got != 75 {
			t.Fatalf("%d clipped cells, want 75", got)
		}
	})
}

// A page of large items ends once they hold about 2 MiB, whatever its size,
// and goes on from there: the server holds a page while it writes it.
func TestItemsTableBoundedByBytes(t *testing.T) {
	s, token := signedIn(t)
	var inputs []string
	for i := range 5 {
		inputs = append(inputs, fmt.Sprintf("big %d %s", i+1, strings.Repeat("x", 900_000)))
	}
	ds := newDataset(t, s, token, inputs...)
	p := s.get(t, ds+"?size=200")
	wantText(t, p, "items 1–3 of 5", "big 3 ")
	if strings.Contains(p.body, "big 4 ") {
		t.Fatal("the page goes on past 2 MiB of items")
	}
	next := regexp.MustCompile(`href="\?(after=[^"]+)" rel="next"`).FindStringSubmatch(p.body)
	if next == nil {
		t.Fatal("no next page")
	}
	wantText(t, s.get(t, ds+"?"+strings.ReplaceAll(next[1], "&amp;", "&")), "items 4–5 of 5", "big 5 ")
}

// TestItemsTablePositionFromTheCursor: a page read after a cursor shows
// where it starts only when the link that led to it says so, signed by the
// page before it for this session and this state of the dataset: a
// position in the URL as it is, or one made before a change, is not shown.
func TestItemsTablePositionFromTheCursor(t *testing.T) {
	s, token := signedIn(t)
	ds := numberedDataset(t, s, token, 60)
	nextLink := func(t *testing.T, p page) string {
		t.Helper()
		next := regexp.MustCompile(`href="\?(after=[^"]+)" rel="next"`).FindStringSubmatch(p.body)
		if next == nil {
			t.Fatal("no next page")
		}
		return ds + "?" + html.UnescapeString(next[1])
	}
	after := regexp.MustCompile(`after=(\d+)`).FindStringSubmatch(nextLink(t, s.get(t, ds+"?size=25")))[1]

	t.Run("FollowingTheNextLink", func(t *testing.T) {
		p := s.get(t, nextLink(t, s.get(t, ds+"?size=25")))
		wantText(t, p, "items 26–50 of 60", `aria-label="Open item 26">26</a>`)
		wantText(t, s.get(t, nextLink(t, p)), "items 51–60 of 60")
	})
	for _, tc := range []struct{ name, query string }{
		{"ErrCursorAlone", "?size=25&after=" + after},
		{"ErrStartInTheURL", "?size=25&after=" + after + "&start=500"},
		{"ErrForgedSignature", "?size=25&after=" + after + "&start=26&at=forged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := s.get(t, ds+tc.query)
			wantText(t, p, "question 26", "25 of 60 items shown", `">open</a>`)
			for _, wrong := range []string{"items 1–25", "items 500", "Open item 1\"", "Open item 500"} {
				if strings.Contains(p.body, wrong) {
					t.Errorf("the page shows %q", wrong)
				}
			}
		})
	}
	t.Run("ErrSignedBeforeAChange", func(t *testing.T) {
		link := nextLink(t, s.get(t, ds+"?size=25"))
		// The first item goes: the 26th item is now the 25th.
		first := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
		s.post(t, ds+"/items/"+first+"/delete", url.Values{"csrf": {token}})
		p := s.get(t, link)
		wantText(t, p, "25 of 59 items shown")
		if strings.Contains(p.body, "items 26–50") {
			t.Error("the page shows the position from before the delete")
		}
	})
}

// rowForm is what the browser sends of a form of the items table's row
// that shows text: its hidden fields, from the form whose action ends with
// action (an item's path: "" for Edit, "/delete").
func rowForm(t *testing.T, p page, text, action string) (path string, form url.Values) {
	t.Helper()
	for _, row := range strings.Split(p.body, `<tr id="item-`)[1:] {
		if !strings.Contains(row, ">"+text+"<") {
			continue
		}
		m := regexp.MustCompile(`<form method="post" action="([^"]*/items/[0-9a-f-]{36}` + action + `)"[^>]*>((?s:.*?))</form>`).FindStringSubmatch(row)
		if m == nil {
			t.Fatalf("the row of %q on %s has no form %q", text, p.url, action)
		}
		form = url.Values{}
		for _, f := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(m[2], -1) {
			form.Add(f[1], html.UnescapeString(f[2]))
		}
		return html.UnescapeString(m[1]), form
	}
	t.Fatalf("%s has no row of %q", p.url, text)
	return "", nil
}

// nextPage follows a page's Next page link.
func nextPage(t *testing.T, s *site, ds string, p page) page {
	t.Helper()
	next := regexp.MustCompile(`href="\?(after=[^"]+)" rel="next"`).FindStringSubmatch(p.body)
	if next == nil {
		t.Fatalf("%s has no next page", p.url)
	}
	return s.get(t, ds+"?"+html.UnescapeString(next[1]))
}

// TestItemsTableFormsKeepThePage: deleting or editing an item on a page of
// the table comes back to that page, of the same size, at the same
// position, not to the first page of the default size.
func TestItemsTableFormsKeepThePage(t *testing.T) {
	s, token := signedIn(t)
	ds := numberedDataset(t, s, token, 60)
	second := nextPage(t, s, ds, s.get(t, ds+"?size=25"))
	wantText(t, second, "items 26–50 of 60")

	t.Run("Delete", func(t *testing.T) {
		path, form := rowForm(t, second, "question 30", "/delete")
		p := s.post(t, path, form)
		wantText(t, p, "Item deleted.", "items 26–50 of 59", `<option value="25" selected>`, ">question 26<", ">question 50<")
		if strings.Contains(p.body, ">question 30<") {
			t.Error("the deleted item is still shown")
		}
		second = p
	})
	t.Run("Edit", func(t *testing.T) {
		path, form := rowForm(t, second, "question 31", "")
		form.Set("input", "question 31, edited")
		p := s.post(t, path, form)
		wantText(t, p, "Item saved.", "items 26–50 of 59", `<option value="25" selected>`, ">question 31, edited<")
	})
	t.Run("DeleteInSearch", func(t *testing.T) {
		matches := nextPage(t, s, ds, s.get(t, ds+"?size=25&search=quest"))
		wantText(t, matches, "matches 26–50")
		path, form := rowForm(t, matches, "<mark>quest</mark>ion 40", "/delete")
		p := s.post(t, path, form)
		wantText(t, p, "Item deleted.", "matches 26–50", `<option value="25" selected>`, `value="quest"`)
		if strings.Contains(p.body, "ion 40<") {
			t.Error("the deleted item is still shown")
		}
	})
	t.Run("ErrPositionOfOtherItems", func(t *testing.T) {
		// A position signed for the items before another change is not
		// carried over: the page comes back, without saying where it is.
		page := nextPage(t, s, ds, s.get(t, ds+"?size=25"))
		path, form := rowForm(t, page, "question 33", "/delete")
		wantText(t, s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"question 61"}}), "Item added.")
		p := s.post(t, path, form)
		wantText(t, p, "Item deleted.", `<option value="25" selected>`, "25 of 58 items shown")
	})
}
