package web

import "bytes"
import "encoding/json"
import "fmt"
import "html/template"
import "strconv"
import "strings"
import "unicode/utf8"

import "github.com/strata-eval/strata"

// The items table: how a cell shows its text and where a page is.
//
// A cell shows its text whole, with JSON-looking text indented and the
// search term marked; the stylesheet clips it to a few lines and app.js adds
// a control to expand a clipped cell. Without JavaScript a clipped cell
// scrolls, and the item's own page shows every field in full.

// pageSizes are the page sizes the table offers; pageSize is the default.
var pageSizes = []int{25, 50, 100, 200}

// maxFormatBytes bounds the text that is parsed as JSON to be indented:
// longer text is shown as it is.
const maxFormatBytes = 256 << 10

// shortJSON is the length under which JSON stays on its line.
const shortJSON = 60

// formatText reports whether text is a JSON object or array, and indents
// it when it is longer than a short line; other text is returned as it is.
func formatText(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if len(t) < 2 || len(t) > maxFormatBytes || !(t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']') {
		return s, false
	}
	if len(t) <= shortJSON {
		return s, json.Valid([]byte(t))
	}
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(t), "", "  ") != nil {
		return s, false
	}
	return buf.String(), true
}

// highlight escapes text and marks each case-insensitive occurrence of term
// with <mark>.
func highlight(text, term string) template.HTML {
	if term == "" {
		return template.HTML(template.HTMLEscapeString(text))
	}
	var sb strings.Builder
	lower, lterm := strings.ToLower(text), strings.ToLower(term)
	// Lowercasing can change byte lengths (rarely): mark nothing rather
	// than cut a character in two.
	if len(lower) != len(text) || len(lterm) != len(term) {
		return template.HTML(template.HTMLEscapeString(text))
	}
	for {
		i := strings.Index(lower, lterm)
		if i < 0 {
			sb.WriteString(template.HTMLEscapeString(text))
			break
		}
		sb.WriteString(template.HTMLEscapeString(text[:i]))
		sb.WriteString("<mark>" + template.HTMLEscapeString(text[i:i+len(term)]) + "</mark>")
		text, lower = text[i+len(term):], lower[i+len(term):]
	}
	return template.HTML(sb.String())
}

// cellView is a field as a table cell or an item page shows it: indented
// when it is JSON, the search term marked.
type cellView struct {
	HTML template.HTML
	JSON bool
}

func cell(text, term string) cellView {
	f, isJSON := formatText(text)
	return cellView{HTML: highlight(f, term), JSON: isJSON}
}

// listing is where a page of items sits in its list.
type listing struct {
	Size       int   // items per page
	Start, End int   // 1-based positions of the first and last item shown
	Total      int   // items in the list; -1 when unknown (a search)
	Next       int64 // the seq to read after for the next page; 0 at the end
	Sizes      []int
}

// pageSizeOf reads the page size a request asks for, one of pageSizes.
func pageSizeOf(ss *session) int {
	n, _ := strconv.Atoi(ss.FormValue("size"))
	for _, s := range pageSizes {
		if n == s {
			return n
		}
	}
	return pageSize
}

// pageBytes bounds the content of the items a page of a table shows: the
// page ends sooner once they hold it (but one item), and its next link goes
// on from there. A page writes each text twice (its cell and its edit
// form), and the server holds the page while it writes it.
const pageBytes = 2 << 20

// itemBytes is about the bytes of an item's content.
func itemBytes(it *strata.Item) int {
	return len(it.Input) + len(it.Metadata) + len(deref(it.GroundTruth)) + len(deref(it.Output)) +
		len(it.EvaluatorResult1) + len(it.EvaluatorResult2) + len(it.EvaluatorResult3) + len(it.EvaluatorResult4) +
		len(it.EvaluatorResult5)
}

// newListing places a page of shown items that starts at the position the
// request carries (the link to the next page says where it starts).
func newListing(ss *session, size, shown, total int, next int64) listing {
	start, _ := strconv.Atoi(ss.FormValue("start"))
	if start < 1 || ss.FormValue("after") == "" {
		start = 1
	}
	if total >= 0 && start > total {
		start = max(total, 1)
	}
	l := listing{Size: size, Start: start, End: start + shown - 1, Total: total, Next: next, Sizes: pageSizes}
	if shown == 0 {
		l.Start, l.End = 0, 0
	}
	return l
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Position is what the pager says: "items 51–100 of 2,500".
func (l listing) Position() string {
	switch {
	case l.Start == 0:
		return "no items"
	case l.Total < 0:
		return fmt.Sprintf("matches %s–%s", thousands(l.Start), thousands(l.End))
	}
	return fmt.Sprintf("items %s–%s of %s", thousands(l.Start), thousands(l.End), thousands(l.Total))
}

// NextStart is the position of the first item of the next page.
func (l listing) NextStart() int { return l.End + 1 }

// short cuts text to n characters, for a summary line.
func short(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)
	return string(r[:n]) + "…"
}
