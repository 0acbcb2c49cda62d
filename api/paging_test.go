package api_test

import "fmt"
import "net/http"
import "net/url"
import "slices"
import "testing"

func TestPagedItems(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "pages")
	var want []string
	for i := range 25 {
		in := fmt.Sprintf("question %02d", i)
		if i%5 == 0 {
			in += " about refunds"
		}
		ts.createItem(t, id, in)
		want = append(want, in)
	}
	ts.snapshot(t, id) // 2
	ts.createItem(t, id, "after the snapshot")

	type page struct {
		Items []struct {
			Input     string
			ItemIndex int
		}
		NextCursor *string
	}
	// all follows the cursors from path (with its query) to the last page.
	all := func(t *testing.T, path string) (inputs []string, indexes []int, pages int) {
		t.Helper()
		next := path
		for pages = 1; ; pages++ {
			r := ts.do(t, "GET", next, ts.viewer, "")
			wantStatus(t, r, http.StatusOK)
			wantKeys(t, r.Body, []string{"items", "nextCursor"})
			var p page
			r.decode(t, &p)
			for _, it := range p.Items {
				inputs, indexes = append(inputs, it.Input), append(indexes, it.ItemIndex)
			}
			if p.NextCursor == nil {
				return inputs, indexes, pages
			}
			if pages > 30 {
				t.Fatal("no end to pages")
			}
			next = path + "&cursor=" + url.QueryEscape(*p.NextCursor)
		}
	}
	t.Run("Working", func(t *testing.T) {
		got, _, pages := all(t, datasetsPath+"/"+id+"/items?limit=10")
		if w := append(slices.Clone(want), "after the snapshot"); !slices.Equal(got, w) || pages != 3 {
			t.Errorf("%d pages: %q", pages, got)
		}
		r := ts.do(t, "GET", datasetsPath+"/"+id+"/items?limit=1", ts.viewer, "")
		wantKeys(t, elements(t, member(t, r.Body, "items"))[0], itemKeys)
		// Without limit or cursor, Lunary's shape.
		if got := len(ts.do(t, "GET", datasetsPath+"/"+id+"/items", ts.viewer, "").array(t)); got != 26 {
			t.Errorf("whole list: %d items", got)
		}
	})
	t.Run("Version", func(t *testing.T) {
		got, indexes, pages := all(t, datasetsPath+"/"+id+"/versions/2/items?limit=7")
		if !slices.Equal(got, want) || pages != 4 {
			t.Errorf("%d pages: %q", pages, got)
		}
		for i, n := range indexes {
			if n != i+1 {
				t.Fatalf("itemIndex = %v", indexes)
			}
		}
		r := ts.do(t, "GET", datasetsPath+"/"+id+"/versions/latest/items?limit=1", ts.viewer, "")
		wantKeys(t, elements(t, member(t, r.Body, "items"))[0], versionItemKeys)
		whole := ts.do(t, "GET", datasetsPath+"/"+id+"/versions/2/items", ts.viewer, "")
		wantStatus(t, whole, http.StatusOK)
		if got := len(whole.array(t)); got != 25 {
			t.Errorf("whole version: %d items", got)
		}
		if got, _, _ := all(t, datasetsPath+"/"+id+"/versions/1/items?limit=5"); len(got) != 0 {
			t.Errorf("version 1 = %q", got)
		}
	})
	t.Run("Search", func(t *testing.T) {
		got, _, _ := all(t, datasetsPath+"/"+id+"/items?limit=2&search=REFUNDS")
		if len(got) != 5 || got[0] != "question 00 about refunds" {
			t.Errorf("search = %q", got)
		}
		got, indexes, _ := all(t, datasetsPath+"/"+id+"/versions/2/items?limit=3&search=refunds")
		if len(got) != 5 || !slices.Equal(indexes, []int{1, 2, 3, 4, 5}) {
			t.Errorf("version search = %q %v", got, indexes)
		}
		if got := len(ts.do(t, "GET", datasetsPath+"/"+id+"/items?search=refunds", ts.viewer, "").array(t)); got != 5 {
			t.Errorf("search without paging: %d items", got)
		}
		if got := len(ts.do(t, "GET", datasetsPath+"/"+id+"/items?limit=5&search=%25", ts.viewer, "").object(t)["items"].([]any)); got != 0 {
			t.Errorf("%% matched %d items", got)
		}
	})
	for _, c := range []struct{ name, query, message string }{
		{"ErrLimitZero", "?limit=0", `Validation error: Number must be greater than or equal to 1 at "limit"`},
		{"ErrLimitLarge", "?limit=1001", `Validation error: Number must be less than or equal to 1000 at "limit"`},
		{"ErrCursor", "?limit=5&cursor=%2A", `Validation error: Invalid cursor at "cursor"`},
		{"ErrCursorEmpty", "?cursor=", `Validation error: Invalid cursor at "cursor"`},
		{"ErrCursorNegative", "?limit=5&cursor=LTEuMA", `Validation error: Invalid cursor at "cursor"`},
		{"ErrSearchEmpty", "?limit=5&search=", `Validation error: String must contain at least 1 character(s) at "search"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range []string{"/items", "/versions/2/items"} {
				wantValidation(t, ts.do(t, "GET", datasetsPath+"/"+id+path+c.query, ts.owner, ""), c.message)
			}
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/items?limit=0", ts.other, ""), http.StatusNotFound, "Dataset not found")
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/versions/9/items?limit=5", ts.owner, ""), http.StatusNotFound, "Dataset version not found")
	})
}
