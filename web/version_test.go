package web_test

import "fmt"
import "net/url"
import "strings"
import "testing"

func TestVersionPage(t *testing.T) {
	s, token := signedIn(t)
	ds := newDataset(t, s, token, "keep me", "change me", "remove me")
	body := s.get(t, ds).body
	rows := itemRow.FindAllStringSubmatch(body, -1)
	s.post(t, ds+"/items/"+rows[1][1], url.Values{"csrf": {token}, "input": {"changed me"}})
	s.post(t, ds+"/items/"+rows[2][1]+"/delete", url.Values{"csrf": {token}})
	s.post(t, ds+"/items", url.Values{"csrf": {token}, "input": {"new one"}})
	s.post(t, ds+"/save", url.Values{"csrf": {token}, "description": {"the second round"}})
	s.post(t, ds+"/versions/3/tags", url.Values{"csrf": {token}, "tag": {"candidate"}})

	p := s.get(t, ds+"/versions/3")
	t.Run("ChangeSummary", func(t *testing.T) {
		wantText(t, p, "What changed from version 2", "<strong>1</strong> added · <strong>1</strong> removed · <strong>1</strong> modified · 1 unchanged",
			"<del>change</del><ins>changed</ins>", "remove me", "new one",
			`href="`+ds+`/compare?from=2&amp;to=3"`)
	})
	t.Run("EveryColumnHeaded", func(t *testing.T) {
		table := p.body[strings.Index(p.body, `class="items changes-table"`):]
		table = table[:strings.Index(table, "</table>")]
		head, body, _ := strings.Cut(table, "</thead>")
		row := body[:strings.Index(body, "</tr>")]
		if got, want := strings.Count(head, "<th "), strings.Count(row, "<td "); got != want {
			t.Fatalf("%d column headers for rows of %d cells", got, want)
		}
	})
	t.Run("ChangesFirst", func(t *testing.T) {
		if strings.Index(p.body, "What changed") > strings.Index(p.body, "Items of version 3") {
			t.Fatal("the items come before the changes")
		}
	})
	t.Run("TagsAndAuthor", func(t *testing.T) {
		wantText(t, p, `<span class="tag">candidate</span>`, "by Olivia", "the second round")
	})
	t.Run("FirstChangesOnly", func(t *testing.T) {
		var inputs []string
		for i := range 7 {
			inputs = append(inputs, fmt.Sprintf("bulk %d", i))
		}
		ds := newDataset(t, s, token, inputs...)
		p := s.get(t, ds+"/versions/2")
		wantText(t, p, "<strong>7</strong> added", "See all 7 changes", "bulk 4")
		if strings.Contains(strings.SplitN(p.body, "Items of version 2", 2)[0], "bulk 5") {
			t.Fatal("the summary shows more than the first changes")
		}
	})
	t.Run("FirstVersion", func(t *testing.T) {
		wantText(t, s.get(t, ds+"/versions/1"), "The first version", "The history of the dataset starts here")
	})
}
