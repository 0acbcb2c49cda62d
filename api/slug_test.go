package api_test

import "net/http"
import "testing"

func TestDatasetSlug(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "Support bot")
	other := ts.createDataset(t, "support bot")

	t.Run("MadeFromName", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/"+other, ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got, want := r.object(t)["slug"], "support-bot-2"; got != want {
			t.Fatalf("slug = %v, want %v", got, want)
		}
	})
	t.Run("Change", func(t *testing.T) {
		r := ts.do(t, "PATCH", datasetsPath+"/"+id, ts.member, `{"slug":"refunds"}`)
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, r.Body, detailKeys)
		if got, want := r.object(t)["slug"], "refunds"; got != want {
			t.Fatalf("slug = %v, want %v", got, want)
		}
		wantStatus(t, ts.do(t, "GET", "/v1/datasets/refunds", ts.viewer, ""), http.StatusOK)
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		for _, body := range []string{`{"slug":"Not A Slug"}`, `{"slug":""}`, `{"slug":7}`, `{"slug":null}`,
			`{"slug":"0190d6a1-2b3c-7def-8123-456789abcdef"}`} {
			wantStatus(t, ts.do(t, "PATCH", datasetsPath+"/"+id, ts.owner, body), http.StatusUnprocessableEntity)
		}
	})
	t.Run("ErrTaken", func(t *testing.T) {
		wantError(t, ts.do(t, "PATCH", datasetsPath+"/"+other, ts.owner, `{"slug":"refunds"}`), http.StatusConflict,
			"Dataset slug already exists in this project")
	})
	t.Run("ErrViewer", func(t *testing.T) {
		wantStatus(t, ts.do(t, "PATCH", datasetsPath+"/"+id, ts.viewer, `{"slug":"mine"}`), http.StatusForbidden)
	})
}
