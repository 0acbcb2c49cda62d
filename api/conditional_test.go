package api_test

import "net/http"
import "testing"

func TestETag(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "etag")
	item := ts.createItem(t, id, "a")
	dsPath := datasetsPath + "/" + id

	etag := func(t *testing.T) string {
		t.Helper()
		r := ts.do(t, "GET", dsPath, ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		e := r.Header.Get("ETag")
		if e == "" || e[0] != '"' {
			t.Fatalf("ETag = %q", e)
		}
		return e
	}
	send := func(t *testing.T, method, path, ifMatch, body string) *response {
		t.Helper()
		h := http.Header{"Authorization": {"Bearer " + ts.owner}}
		if ifMatch != "" {
			h.Set("If-Match", ifMatch)
		}
		return ts.doWith(t, method, path, h, body)
	}

	t.Run("ChangesWithEveryMutation", func(t *testing.T) {
		seen := map[string]string{etag(t): "start"}
		for _, m := range []struct{ method, path, body string }{
			{"PATCH", dsPath + "?skipVersion=true", `{"description":"d"}`},
			{"POST", dsPath + "/items?skipVersion=true", `{"input":"b"}`},
			{"PATCH", dsPath + "/items/" + item + "?skipVersion=true", `{"input":"a2"}`},
			{"POST", dsPath + "/import?skipVersion=true", `{"format":"jsonl","content":"{\"input\":\"c\"}"}`},
			{"POST", dsPath + "/versions", ""},
			{"PUT", dsPath + "/versions/latest/tags/t", ""},
			{"DELETE", dsPath + "/tags/t", ""},
			{"POST", dsPath + "/versions/1/restore", ""},
		} {
			r := send(t, m.method, m.path, "", m.body)
			if r.Status >= 300 {
				t.Fatalf("%s %s: %d %s", m.method, m.path, r.Status, r.Body)
			}
			now := etag(t)
			if by, ok := seen[now]; ok {
				t.Fatalf("%s %s left the ETag %s it had after %s", m.method, m.path, now, by)
			}
			if got := r.Header.Get("ETag"); got != now {
				t.Errorf("%s %s answered ETag %q, the dataset has %q", m.method, m.path, got, now)
			}
			seen[now] = m.method + " " + m.path
		}
		// Reads and a duplicate change nothing.
		before := etag(t)
		ts.do(t, "GET", dsPath+"/items", ts.owner, "")
		wantStatus(t, ts.do(t, "POST", dsPath+"/duplicate", ts.owner, ""), http.StatusCreated)
		if got := etag(t); got != before {
			t.Errorf("ETag %s became %s without a change", before, got)
		}
	})

	t.Run("IfMatch", func(t *testing.T) {
		item := ts.createItem(t, id, "a") // the restore above removed the first
		stale := etag(t)
		wantStatus(t, send(t, "POST", dsPath+"/items", stale, `{"input":"fresh"}`), http.StatusCreated)
		current := etag(t)
		before := ts.contents(t, id)
		versions := ts.versionNumber(t, id)
		for _, m := range []struct{ method, path, body string }{
			{"PATCH", dsPath, `{"name":"lost"}`},
			{"DELETE", dsPath, ""},
			{"POST", dsPath + "/items", `{"input":"lost"}`},
			{"PATCH", dsPath + "/items/" + item, `{"input":"lost"}`},
			{"DELETE", dsPath + "/items/" + item, ""},
			{"POST", dsPath + "/import", `{"format":"jsonl","content":"{\"input\":\"lost\"}"}`},
			{"POST", dsPath + "/versions", ""},
			{"POST", dsPath + "/versions/1/restore", ""},
			{"PUT", dsPath + "/versions/1/tags/lost", ""},
		} {
			wantError(t, send(t, m.method, m.path, stale, m.body), http.StatusPreconditionFailed,
				"The dataset has changed: its ETag no longer matches If-Match")
			wantError(t, send(t, m.method, m.path, `W/`+current, m.body), http.StatusPreconditionFailed,
				"The dataset has changed: its ETag no longer matches If-Match")
		}
		if got := ts.contents(t, id); got != before {
			t.Errorf("refused changes changed the items: %s", got)
		}
		if got := etag(t); got != current || ts.versionNumber(t, id) != versions {
			t.Errorf("refused changes changed the dataset")
		}
		// The current ETag, in a list or as *, lets a change through, and
		// the answer carries the next one to send.
		r := send(t, "PATCH", dsPath+"/items/"+item, `"0", `+current, `{"input":"kept"}`)
		wantStatus(t, r, http.StatusOK)
		next := r.Header.Get("ETag")
		wantStatus(t, send(t, "PATCH", dsPath+"/items/"+item, next, `{"input":"kept again"}`), http.StatusOK)
		wantStatus(t, send(t, "PATCH", dsPath+"/items/"+item, "*", `{"input":"any"}`), http.StatusOK)
		// A missing dataset is still 404.
		wantError(t, send(t, "DELETE", datasetsPath+"/00000000-0000-0000-0000-000000000000", stale, ""), http.StatusNotFound, "Dataset not found")
	})

	t.Run("EvaluatorRuns", func(t *testing.T) {
		stale := etag(t)
		ts.createItem(t, id, "changed")
		current := etag(t)
		ev := ts.createEvaluator(t, "has-input", "string", `{"substring":"a"}`)
		wantStatus(t, ts.attach(t, id, ev, ""), http.StatusOK)
		attached := etag(t)
		if attached == current {
			t.Fatal("attaching an evaluator left the ETag")
		}
		for _, q := range []string{"", "?async=true"} {
			runs := len(ts.do(t, "GET", dsPath+"/evaluator-runs", ts.owner, "").object(t)["runs"].([]any))
			wantError(t, send(t, "POST", dsPath+"/evaluators/run"+q, stale, ""), http.StatusPreconditionFailed,
				"The dataset has changed: its ETag no longer matches If-Match")
			if got := len(ts.do(t, "GET", dsPath+"/evaluator-runs", ts.owner, "").object(t)["runs"].([]any)); got != runs {
				t.Errorf("run%s with a stale If-Match: %d runs, want %d", q, got, runs)
			}
		}
		r := send(t, "POST", dsPath+"/evaluators/run?async=true", etag(t), "")
		wantStatus(t, r, http.StatusAccepted)
	})
}
