package api_test

import "net/http"
import "testing"

// TestVersionCaching checks the validators of a version's reads: a strong
// ETag fixed by the version, 304 for a client that has it, caching for a
// year only when the path names the version by number or id and the
// response holds no tags, and a new ETag when what the response holds
// changes (another version behind "latest", a tag added to the version
// object, the server's CSV escaping).
func TestVersionCaching(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "cached")
	ts.createItem(t, id, "a")
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, ""), http.StatusCreated) // version 2
	base := datasetsPath + "/" + id + "/versions/"
	get := func(path, etag string) *response {
		t.Helper()
		h := http.Header{"Authorization": {"Bearer " + ts.owner}}
		if etag != "" {
			h.Set("If-None-Match", etag)
		}
		return ts.doWith(t, "GET", path, h, "")
	}

	for _, c := range []struct{ path, cache string }{
		{base + "2", "no-cache"}, // the version object holds its tags, which move
		{base + "2/items?limit=10", "public, max-age=31536000, immutable"},
		{base + "2/export?format=csv", "public, max-age=31536000, immutable"},
	} {
		path := c.path
		t.Run(path, func(t *testing.T) {
			first := get(path, "")
			wantStatus(t, first, http.StatusOK)
			etag := first.Header.Get("ETag")
			if etag == "" || etag[0] != '"' {
				t.Fatalf("ETag = %q, want a strong one", etag)
			}
			if got, want := first.Header.Get("Cache-Control"), c.cache; got != want {
				t.Errorf("Cache-Control = %q, want %q", got, want)
			}
			if got, want := first.Header.Get("Vary"), "Authorization, X-API-Key"; got != want {
				t.Errorf("Vary = %q, want %q", got, want)
			}
			again := get(path, etag)
			wantStatus(t, again, http.StatusNotModified)
			if len(again.Body) != 0 {
				t.Errorf("304 has a body: %q", again.Body)
			}
			if got := again.Header.Get("ETag"); got != etag {
				t.Errorf("304 ETag = %q, want %q", got, etag)
			}
			wantStatus(t, get(path, `"something else"`), http.StatusOK)
		})
	}

	t.Run("LatestRevalidates", func(t *testing.T) {
		v2 := get(base+"2", "")
		latest := get(base+"latest", "")
		wantStatus(t, latest, http.StatusOK)
		if got, want := latest.Header.Get("Cache-Control"), "no-cache"; got != want {
			t.Errorf("Cache-Control of latest = %q, want %q", got, want)
		}
		if got, want := latest.Header.Get("ETag"), v2.Header.Get("ETag"); got != want {
			t.Errorf("latest ETag = %q, want version 2's %q", got, want)
		}
		ts.createItem(t, id, "b")
		wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, ""), http.StatusCreated) // version 3
		wantStatus(t, get(base+"latest", latest.Header.Get("ETag")), http.StatusOK)
		wantStatus(t, get(base+"2", v2.Header.Get("ETag")), http.StatusNotModified)
	})

	t.Run("TagChangesTheVersionObject", func(t *testing.T) {
		v2 := get(base+"2", "")
		page := get(base+"2/items?limit=10", "")
		wantStatus(t, ts.do(t, "PUT", base+"2/tags/baseline", ts.owner, ""), http.StatusOK)
		wantStatus(t, get(base+"2", v2.Header.Get("ETag")), http.StatusOK)
		wantStatus(t, get(base+"2/items?limit=10", page.Header.Get("ETag")), http.StatusNotModified)
	})

	t.Run("ExportVariants", func(t *testing.T) {
		csv, safe := get(base+"2/export?format=csv", ""), get(base+"2/export?format=csv&safe=true", "")
		jsonl := get(base+"2/export?format=jsonl", "")
		if a, b, c := csv.Header.Get("ETag"), safe.Header.Get("ETag"), jsonl.Header.Get("ETag"); a == b || a == c || b == c {
			t.Errorf("exports of other bytes share ETags: csv %s, safe csv %s, jsonl %s", a, b, c)
		}
	})

	t.Run("ErrorsAreNotCached", func(t *testing.T) {
		r := get(base+"99", "")
		wantStatus(t, r, http.StatusNotFound)
		if got := r.Header.Get("Cache-Control"); got != "" {
			t.Errorf("404 Cache-Control = %q", got)
		}
	})
}
