package api_test

import "net/http"
import "net/url"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/storetest"
import "github.com/strata-eval/strata/wire"

// diffBody is a diff as the client reads it.
type diffBody wire.Diff

// render shows a diff as storetest does, "+added -removed ~modified =unchanged [change:before>after ...]".
func (d diffBody) render() string {
	sd := &strata.Diff{Added: d.Counts.Added, Removed: d.Counts.Removed, Modified: d.Counts.Modified, Unchanged: d.Counts.Unchanged}
	for _, c := range d.Changes {
		sd.Changes = append(sd.Changes, &strata.Change{Kind: strata.ChangeKind(c.Change), Before: inputOnly(c.Before), After: inputOnly(c.After)})
	}
	return storetest.DiffSummary(sd)
}

// inputOnly is the part of a changed item that a rendered diff shows; nil
// for none.
func inputOnly(it *wire.Item) *strata.Item {
	if it == nil {
		return nil
	}
	return &strata.Item{Input: it.Input}
}

func TestDiff(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "diff")
	a := ts.createItem(t, id, "a")
	b := ts.createItem(t, id, "b")
	ts.createItem(t, id, "c")
	ts.snapshot(t, id) // 2
	wantStatus(t, ts.do(t, "PATCH", datasetsPath+"/"+id+"/items/"+a+"?skipVersion=true", ts.owner, `{"input":"A"}`), http.StatusOK)
	wantStatus(t, ts.do(t, "DELETE", datasetsPath+"/"+id+"/items/"+b+"?skipVersion=true", ts.owner, ""), http.StatusNoContent)
	ts.createItem(t, id, "d")
	ts.snapshot(t, id) // 3
	wantStatus(t, ts.do(t, "PUT", datasetsPath+"/"+id+"/versions/2/tags/before", ts.owner, ""), http.StatusOK)
	ts.createItem(t, id, "e") // working

	diff := func(t *testing.T, query string) diffBody {
		t.Helper()
		r := ts.do(t, "GET", datasetsPath+"/"+id+"/diff?"+query, ts.viewer, "")
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, r.Body, []string{"from", "to", "fromVersionNumber", "toVersionNumber", "counts", "changes", "nextCursor"})
		var d diffBody
		r.decode(t, &d)
		return d
	}
	for _, c := range []struct{ query, want string }{
		{"from=2&to=3", "+1 -1 ~1 =1 [modified:a>A removed:b added:d]"},
		{"from=before&to=latest", "+1 -1 ~1 =1 [modified:a>A removed:b added:d]"},
		{"from=3&to=2", "+1 -1 ~1 =1 [modified:A>a added:b removed:d]"},
		{"from=3&to=working", "+1 -0 ~0 =3 [added:e]"},
		{"from=working&to=before", "+1 -2 ~1 =1 [modified:A>a added:b removed:d removed:e]"},
		{"from=3&to=3", "+0 -0 ~0 =3 []"},
	} {
		if got := diff(t, c.query).render(); got != c.want {
			t.Errorf("diff?%s = %s, want %s", c.query, got, c.want)
		}
	}
	t.Run("Sides", func(t *testing.T) {
		d := diff(t, "from=before&to=working")
		if d.From == nil || d.From.VersionNumber != 2 || d.To != nil || d.FromVersionNumber != 2 || d.ToVersionNumber != 4 {
			t.Errorf("from %v to %v, numbers %d %d", d.From, d.To, d.FromVersionNumber, d.ToVersionNumber)
		}
		for _, c := range d.Changes {
			if (c.Before != nil && c.Before.ID != c.ItemID) || (c.After != nil && c.After.ID != c.ItemID) {
				t.Errorf("change of %s shows items %v %v", c.ItemID, c.Before, c.After)
			}
		}
	})
	t.Run("Pages", func(t *testing.T) {
		var got []string
		query := "from=1&to=working&limit=2"
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("no end to pages")
			}
			d := diff(t, query)
			if d.Counts.Added != 4 || len(d.Changes) > 2 {
				t.Fatalf("page: %s", d.render())
			}
			for _, c := range d.Changes {
				got = append(got, c.After.Input)
			}
			if d.NextCursor == nil {
				break
			}
			query = "from=1&to=working&limit=2&cursor=" + url.QueryEscape(*d.NextCursor)
		}
		if strings.Join(got, " ") != "A c d e" {
			t.Errorf("paged changes = %v", got)
		}
	})
	for _, c := range []struct{ name, query, message string }{
		{"ErrNoFrom", "to=2", `Validation error: Required at "from"`},
		{"ErrNoSides", "", `Validation error: Required at "from"; Required at "to"`},
		{"ErrCursor", "from=1&to=2&cursor=%21%21", `Validation error: Invalid cursor at "cursor"`},
		{"ErrCursorNotNumbers", "from=1&to=2&cursor=eHl6", `Validation error: Invalid cursor at "cursor"`},
		{"ErrLimit", "from=1&to=2&limit=1001", `Validation error: Number must be less than or equal to 1000 at "limit"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantValidation(t, ts.do(t, "GET", datasetsPath+"/"+id+"/diff?"+c.query, ts.owner, ""), c.message)
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, q := range []string{"from=9&to=2", "from=2&to=nope", "from=2&to=0"} {
			wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/diff?"+q, ts.owner, ""), http.StatusNotFound, "Dataset version not found")
		}
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/diff", ts.other, ""), http.StatusNotFound, "Dataset not found")
		wantError(t, ts.do(t, "GET", datasetsPath+"/00000000-0000-0000-0000-000000000000/diff?from=1&to=2", ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})
}
