package web

import "bytes"
import "encoding/json"
import "fmt"
import "html/template"
import "net/url"
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
	Size       int    // items per page
	Start, End int    // 1-based positions of the first and last item shown; 0 when unknown
	Shown      int    // items shown
	Total      int    // items in the list; -1 when unknown (a search)
	Next       int64  // the seq to read after for the next page; 0 at the end
	NextAt     string // the signed position of the next page (positionSig), "" when unknown
	Sizes      []int
	// After is the cursor the page was read after (0: the first page),
	// and At the signature of its Start ("" when unknown): what a form of
	// one of its rows sends back (tablePlace).
	After int64
	At    string
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

// Where a page of a table starts. A page is read after a cursor (the seq of
// the item before it), and the cursor does not tell how many items come
// before it: counting them would read them all. So the link to the next
// page carries its position, signed for the session (positionSig) with the
// list it counts in (the dataset, the version, the search and filter, and
// for the working version the dataset's ETag, which every change moves) and
// the cursor. A page shows a position only when its link holds such a
// signature: a position taken from the URL as it is could be anything, and
// one signed before a change could be out of date. Otherwise it says how
// many items it shows, not where they are.

// positionLabel starts the message of a position's signature, so that it
// is no other token of the session.
const positionLabel = "strata position\x00"

// positionSig signs that the page of list after cursor starts at start.
func positionSig(ss *session, list string, after int64, start int) string {
	return ss.mac(positionLabel + list + "\x00" + strconv.FormatInt(after, 10) + "\x00" + strconv.Itoa(start))
}

// newListing places a page of shown items of list (as positionSig names
// it), read after the cursor after: at the start when after is none, else
// where its link's signed position says, if it does.
func newListing(ss *session, list string, after int64, size, shown, total int, next int64) listing {
	start := 1
	if after > 0 {
		start = 0
		n, err := strconv.Atoi(ss.FormValue("start"))
		if err == nil && n > 1 && ss.FormValue("at") == positionSig(ss, list, after, n) {
			start = n
		}
	}
	l := listing{Size: size, Shown: shown, Total: total, Next: next, Sizes: pageSizes, After: after}
	if shown == 0 || start == 0 || total >= 0 && start+shown-1 > total {
		return l
	}
	l.Start, l.End = start, start+shown-1
	if after > 0 {
		l.At = positionSig(ss, list, after, start)
	}
	if next != 0 {
		l.NextAt = positionSig(ss, list, next, l.End+1)
	}
	return l
}

// itemList names the list a page of a version's items (0: the working
// version) counts in, for positionSig: the dataset, the version, the search
// and filter, and for the working version the dataset's ETag, for its
// items change.
func itemList(datasetID string, version int, search string, filter strata.ItemFilter, etag string) string {
	list := strings.Join([]string{datasetID, strconv.Itoa(version), search, filter.String()}, "\x00")
	if version == 0 {
		list += "\x00" + etag
	}
	return list
}

// The forms of a row of the working items' table (Edit, Delete) send back
// where its page is: its size, search and filter, cursor and signed
// position, so that the browser comes back to that page, not to the first
// page of the default size. The position was signed for the items as they
// were; it still holds after the form's change when that change cannot
// move it (the item changed comes after the cursor) and nothing else
// changed in between: the change is written under the ETag the signature
// was checked with (writeShown). It is then signed for the items as the
// change left them.

// tablePlace is where in the working items' table a form was sent from.
type tablePlace struct {
	size                int
	search, split, meta string
	after               int64
	start               int
	at                  string // start's signature, as sent
	held                bool   // the position holds after the change (hold)
}

// tablePlaceOf reads the place a form of the table sent back.
func tablePlaceOf(ss *session) tablePlace {
	p := tablePlace{size: pageSizeOf(ss), search: strings.TrimSpace(ss.PostFormValue("search")),
		split: ss.PostFormValue("split"), meta: ss.PostFormValue("meta"), at: ss.PostFormValue("at")}
	p.after, _ = strconv.ParseInt(ss.PostFormValue("after"), 10, 64)
	p.start, _ = strconv.Atoi(ss.PostFormValue("start"))
	return p
}

// positioned reports whether the form sent a position to keep.
func (p *tablePlace) positioned() bool { return p.after > 0 && p.start > 1 && p.at != "" }

// hold checks, before a change of the item with seq in the working items
// of d (as they are before it), that the place's position was signed for
// them and that the change leaves it where it is.
func (p *tablePlace) hold(ss *session, d *strata.Dataset, seq int64) {
	filter, err := itemFilterForm(ss)
	p.held = err == nil && p.positioned() && seq > p.after &&
		p.at == positionSig(ss, itemList(d.ID, 0, p.search, filter, d.ETag), p.after, p.start)
}

// url is the dataset's page at the place, its position signed for the
// working items as the change left them (etag, the dataset's ETag after
// it) if it holds.
func (p *tablePlace) url(ss *session, datasetID, etag string) string {
	q := url.Values{}
	if p.size != pageSize {
		q.Set("size", strconv.Itoa(p.size))
	}
	for name, value := range map[string]string{"search": p.search, "split": p.split, "meta": p.meta} {
		if value != "" {
			q.Set(name, value)
		}
	}
	if p.after > 0 {
		q.Set("after", strconv.FormatInt(p.after, 10))
		if filter, err := itemFilterForm(ss); err == nil && p.held && etag != "" {
			q.Set("start", strconv.Itoa(p.start))
			q.Set("at", positionSig(ss, itemList(datasetID, 0, p.search, filter, etag), p.after, p.start))
		}
	}
	path := "/datasets/" + datasetID
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return path
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

// Position is what the pager says: "items 51–100 of 2,500", or without a
// known start "50 of 2,500 items shown".
func (l listing) Position() string {
	switch {
	case l.Shown == 0:
		return "no items"
	case l.Start == 0 && l.Total < 0 && l.Shown == 1:
		return "1 match shown"
	case l.Start == 0 && l.Total < 0:
		return thousands(l.Shown) + " matches shown"
	case l.Start == 0:
		return fmt.Sprintf("%s of %s items shown", thousands(l.Shown), thousands(l.Total))
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
