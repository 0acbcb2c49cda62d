package api_test

import "encoding/json"
import "fmt"
import "net/http"
import "regexp"
import "slices"
import "strings"
import "testing"

// snapshot creates a version of a dataset and returns its id.
func (ts *testServer) snapshot(t *testing.T, id string) string {
	t.Helper()
	r := ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, "")
	wantStatus(t, r, http.StatusCreated)
	return r.object(t)["version"].(map[string]any)["id"].(string)
}

var contentHashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestVersionRefs(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "refs")
	ts.createItem(t, id, "a")
	v2 := ts.snapshot(t, id)
	ts.createItem(t, id, "b")
	ts.snapshot(t, id) // 3
	wantStatus(t, ts.do(t, "PUT", datasetsPath+"/"+id+"/versions/2/tags/baseline", ts.owner, ""), http.StatusOK)

	number := func(r *response) int {
		t.Helper()
		wantStatus(t, r, http.StatusOK)
		var body struct{ Version struct{ VersionNumber int } }
		r.decode(t, &body)
		return body.Version.VersionNumber
	}
	for ref, want := range map[string]int{v2: 2, strings.ToUpper(v2): 2, "2": 2, "3": 3, "1": 1, "latest": 3, "baseline": 2} {
		if got := number(ts.do(t, "GET", datasetsPath+"/"+id+"/versions/"+ref, ts.owner, "")); got != want {
			t.Errorf("GET versions/%s = version %d, want %d", ref, got, want)
		}
		if got := number(ts.do(t, "GET", datasetsPath+"/"+id+"/versions/"+ref+"/items?limit=1", ts.owner, "")); got != 0 {
			t.Errorf("items page has a version: %d", got) // a page has no "version" key
		}
	}
	t.Run("VersionObject", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/"+id+"/versions/baseline", ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, member(t, r.Body, "version"), versionKeys)
		var body struct {
			Version struct {
				Tags        []string
				ContentHash string
			}
		}
		r.decode(t, &body)
		if !slices.Equal(body.Version.Tags, []string{"baseline"}) || !contentHashPattern.MatchString(body.Version.ContentHash) {
			t.Errorf("tags %q, contentHash %q", body.Version.Tags, body.Version.ContentHash)
		}
	})
	t.Run("RestoreByRef", func(t *testing.T) {
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/versions/baseline/restore", ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got, want := r.object(t)["currentVersionRestoredFromVersionId"], v2; got != want {
			t.Errorf("restored from %v, want %v", got, want)
		}
		// Restoring a version gives a version with its content hash.
		var list struct {
			Versions []struct {
				VersionNumber int
				ContentHash   string
			}
		}
		ts.do(t, "GET", datasetsPath+"/"+id+"/versions", ts.owner, "").decode(t, &list)
		hashes := map[int]string{}
		for _, v := range list.Versions {
			hashes[v.VersionNumber] = v.ContentHash
		}
		if hashes[4] != hashes[2] || hashes[3] == hashes[2] || hashes[1] == hashes[2] {
			t.Errorf("content hashes of versions 1-4: %v, want 4 = 2 only", hashes)
		}
	})
	for _, ref := range []string{"99", "0", "-1", "1.5", "nope", "working", "00000000-0000-0000-0000-000000000000", "a%20b", strings.Repeat("x", 65)} {
		t.Run("ErrNotFound/"+ref, func(t *testing.T) {
			for _, path := range []string{"/versions/" + ref, "/versions/" + ref + "/items", "/versions/" + ref + "/export"} {
				wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+path, ts.owner, ""), http.StatusNotFound, "Dataset version not found")
			}
			wantError(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions/"+ref+"/restore", ts.owner, ""), http.StatusNotFound, "Dataset version not found")
		})
	}
	t.Run("ErrOtherDataset", func(t *testing.T) {
		other := ts.createDataset(t, "other")
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+other+"/versions/baseline", ts.owner, ""), http.StatusNotFound, "Dataset version not found")
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/versions/baseline", ts.other, ""), http.StatusNotFound, "Dataset not found")
	})
}

func TestTags(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "tags")
	ts.snapshot(t, id) // 2
	ts.snapshot(t, id) // 3
	tagPath := func(ref, tag string) string { return datasetsPath + "/" + id + "/versions/" + ref + "/tags/" + tag }
	type tagResult struct {
		Version struct {
			VersionNumber int
			Tags          []string
		}
		MovedFrom *int
	}
	put := func(t *testing.T, ref, tag string) tagResult {
		t.Helper()
		r := ts.do(t, "PUT", tagPath(ref, tag), ts.member, "")
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, r.Body, []string{"version", "movedFrom"})
		wantKeys(t, member(t, r.Body, "version"), versionKeys)
		if r.Header.Get("ETag") == "" {
			t.Errorf("no ETag")
		}
		var res tagResult
		r.decode(t, &res)
		return res
	}
	t.Run("CreateMoveList", func(t *testing.T) {
		if res := put(t, "2", "prod"); res.MovedFrom != nil || res.Version.VersionNumber != 2 || !slices.Equal(res.Version.Tags, []string{"prod"}) {
			t.Fatalf("new tag: %+v", res)
		}
		if res := put(t, "2", "candidate-1.0_b"); !slices.Equal(res.Version.Tags, []string{"candidate-1.0_b", "prod"}) {
			t.Fatalf("second tag: %+v", res)
		}
		before := ts.do(t, "GET", datasetsPath+"/"+id, ts.viewer, "").Header.Get("ETag")
		if res := put(t, "2", "prod"); res.MovedFrom != nil || !slices.Equal(res.Version.Tags, []string{"candidate-1.0_b", "prod"}) {
			t.Fatalf("tag already there: %+v", res)
		}
		// A tag takes no body, but one it is sent must be JSON, as any.
		h415 := http.Header{"Authorization": {"Bearer " + ts.member}, "Content-Type": {"application/xml"}}
		wantStatus(t, ts.doWith(t, "PUT", tagPath("2", "prod"), h415, "<x/>"), http.StatusUnsupportedMediaType)
		wantStatus(t, ts.do(t, "PUT", tagPath("2", "prod"), ts.member, "{garbage"), http.StatusBadRequest)
		wantStatus(t, ts.do(t, "PUT", tagPath("2", "prod"), ts.member, "{}"), http.StatusOK)
		// Tagging where the tag is changes nothing: the ETag stays, and an
		// If-Match with it still holds.
		h := http.Header{"Authorization": {"Bearer " + ts.member}, "If-Match": {before}}
		r := ts.doWith(t, "PUT", tagPath("2", "prod"), h, "")
		wantStatus(t, r, http.StatusOK)
		if got := r.Header.Get("ETag"); got != before {
			t.Fatalf("ETag after tagging where the tag is = %s, want %s", got, before)
		}
		if res := put(t, "latest", "prod"); res.MovedFrom == nil || *res.MovedFrom != 2 || res.Version.VersionNumber != 3 {
			t.Fatalf("moved tag: %+v", res)
		}
		r = ts.do(t, "GET", datasetsPath+"/"+id+"/tags", ts.viewer, "")
		wantStatus(t, r, http.StatusOK)
		var list struct {
			Tags []struct {
				Name          string
				VersionNumber int
			}
		}
		r.decode(t, &list)
		if got := fmt.Sprint(list.Tags); got != "[{candidate-1.0_b 2} {prod 3}]" {
			t.Fatalf("tags = %s", got)
		}
		var versions struct{ Versions []struct{ Tags []string } }
		ts.do(t, "GET", datasetsPath+"/"+id+"/versions", ts.owner, "").decode(t, &versions)
		if got := fmt.Sprint(versions.Versions); got != "[{[prod]} {[candidate-1.0_b]} {[]}]" {
			t.Fatalf("versions' tags = %s", got)
		}
	})
	for _, c := range []struct{ name, tag, message string }{
		{"ErrTagChars", "a%20b", `Validation error: A tag is 1 to 64 letters, digits, '-', '_' or '.' at "tag"`},
		{"ErrTagLong", strings.Repeat("t", 65), `Validation error: A tag is 1 to 64 letters, digits, '-', '_' or '.' at "tag"`},
		{"ErrTagNumber", "12", `Validation error: A tag may not be a number, a UUID, '.', '..', 'latest' or 'working' at "tag"`},
		{"ErrTagLatest", "Latest", `Validation error: A tag may not be a number, a UUID, '.', '..', 'latest' or 'working' at "tag"`},
		{"ErrTagWorking", "working", `Validation error: A tag may not be a number, a UUID, '.', '..', 'latest' or 'working' at "tag"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantValidation(t, ts.do(t, "PUT", tagPath("2", c.tag), ts.owner, ""), c.message)
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "PUT", tagPath("9", "x"), ts.owner, ""), http.StatusNotFound, "Dataset version not found")
		wantError(t, ts.do(t, "PUT", datasetsPath+"/00000000-0000-0000-0000-000000000000/versions/1/tags/12", ts.owner, ""), http.StatusNotFound, "Dataset not found")
		wantError(t, ts.do(t, "PUT", tagPath("1", "x"), ts.other, ""), http.StatusNotFound, "Dataset not found")
		wantError(t, ts.do(t, "GET", datasetsPath+"/00000000-0000-0000-0000-000000000000/tags", ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrViewer", func(t *testing.T) {
		wantStatus(t, ts.do(t, "PUT", tagPath("1", "x"), ts.viewer, ""), http.StatusForbidden)
		wantStatus(t, ts.do(t, "DELETE", datasetsPath+"/"+id+"/tags/prod", ts.viewer, ""), http.StatusForbidden)
	})
	t.Run("Delete", func(t *testing.T) {
		wantError(t, ts.do(t, "DELETE", tagPath("2", "prod"), ts.owner, ""), http.StatusNotFound, "Tag not found")
		wantStatus(t, ts.do(t, "DELETE", tagPath("latest", "prod"), ts.owner, ""), http.StatusNoContent)
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/versions/prod", ts.owner, ""), http.StatusNotFound, "Dataset version not found")
		wantStatus(t, ts.do(t, "DELETE", datasetsPath+"/"+id+"/tags/candidate-1.0_b", ts.owner, ""), http.StatusNoContent)
		wantError(t, ts.do(t, "DELETE", datasetsPath+"/"+id+"/tags/candidate-1.0_b", ts.owner, ""), http.StatusNotFound, "Tag not found")
		wantError(t, ts.do(t, "DELETE", datasetsPath+"/"+id+"/tags/12", ts.owner, ""), http.StatusNotFound, "Tag not found")
	})
}

func TestItemHistory(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "history")
	item := ts.createItem(t, id, "first")
	ts.snapshot(t, id) // 2
	// Version 3:
	wantStatus(t, ts.do(t, "PATCH", datasetsPath+"/"+id+"/items/"+item, ts.owner,
		`{"input":"second","output":"o","metadata":{"lang":"en"},"splits":["test"],"externalId":"q-1"}`), http.StatusOK)
	wantStatus(t, ts.do(t, "PATCH", datasetsPath+"/"+id+"/items/"+item+"?skipVersion=true", ts.owner, `{"input":"third"}`), http.StatusOK)

	type history struct {
		ItemID    string
		Deleted   bool
		Revisions []struct {
			RevisionID   string
			FirstVersion int
			LastVersion  *int
			Input        string
			Output       *string
			Metadata     json.RawMessage
			Splits       []string
			ExternalID   *string
		}
	}
	get := func(t *testing.T) (history, string) {
		t.Helper()
		r := ts.do(t, "GET", datasetsPath+"/"+id+"/items/"+item+"/history", ts.viewer, "")
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, r.Body, []string{"itemId", "revisions", "deleted"})
		var h history
		r.decode(t, &h)
		var s []string
		for _, rev := range h.Revisions {
			last := "open"
			if rev.LastVersion != nil {
				last = fmt.Sprint(*rev.LastVersion)
			}
			ext := "-"
			if rev.ExternalID != nil {
				ext = *rev.ExternalID
			}
			s = append(s, fmt.Sprintf("%s%s%v%s[%d,%s)", rev.Input, rev.Metadata, rev.Splits, ext, rev.FirstVersion, last))
		}
		return h, strings.Join(s, " ")
	}
	h, got := get(t)
	if want := `first{}[]-[2,3) second{"lang":"en"}[test]q-1[3,4) third{"lang":"en"}[test]q-1[4,open)`; got != want || h.Deleted || h.ItemID != item {
		t.Fatalf("history = %s (deleted %v), want %s", got, h.Deleted, want)
	}
	// The version's items show the revision ids.
	var v3 struct{ Items []struct{ ID string } }
	ts.do(t, "GET", datasetsPath+"/"+id+"/versions/3", ts.owner, "").decode(t, &v3)
	if v3.Items[0].ID != h.Revisions[1].RevisionID {
		t.Errorf("version 3 shows revision %s, history %s", v3.Items[0].ID, h.Revisions[1].RevisionID)
	}
	// Deleting it snapshots version 4 without it; its draft "third" was in
	// no version, and leaves no trace.
	wantStatus(t, ts.do(t, "DELETE", datasetsPath+"/"+id+"/items/"+item, ts.owner, ""), http.StatusNoContent) // 4
	if h, got := get(t); got != `first{}[]-[2,3) second{"lang":"en"}[test]q-1[3,4)` || !h.Deleted {
		t.Fatalf("after delete: %s (deleted %v)", got, h.Deleted)
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		gone := ts.createItem(t, id, "never snapshotted")
		wantStatus(t, ts.do(t, "DELETE", datasetsPath+"/"+id+"/items/"+gone+"?skipVersion=true", ts.owner, ""), http.StatusNoContent)
		for _, itemID := range []string{gone, "00000000-0000-0000-0000-000000000000"} {
			wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/items/"+itemID+"/history", ts.owner, ""), http.StatusNotFound, "Dataset item not found")
		}
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/items/"+item+"/history", ts.other, ""), http.StatusNotFound, "Dataset not found")
		wantValidation(t, ts.do(t, "GET", datasetsPath+"/"+id+"/items/x/history", ts.owner, ""), `Validation error: Invalid uuid at "itemId"`)
	})
}
