package api_test

import "encoding/json"
import "net/http"
import "testing"

import "github.com/strata-eval/strata"

// TestNoEmailIsNull: a user without an email shows null, in a run as in a
// dataset, never "".
func TestNoEmailIsNull(t *testing.T) {
	ts := newTestServer(t)
	key := ts.createKey(t, "main", strata.RoleMember, "No Mail", "")
	r := ts.do(t, "POST", datasetsPath, key, `{"name":"no mail"}`)
	wantStatus(t, r, http.StatusCreated)
	ds := r.object(t)["id"].(string)
	if got := member(t, r.Body, "ownerEmail"); string(got) != "null" {
		t.Fatalf("ownerEmail = %s, want null", got)
	}
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/items", key, `{"input":"q","groundTruth":"a","output":"a"}`), http.StatusCreated)
	wantStatus(t, ts.attach(t, ds, ts.createEvaluator(t, "overlap", "bleu", `{}`), ""), http.StatusOK)
	r = ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run", key, "")
	wantStatus(t, r, http.StatusOK)
	var res struct{ Run map[string]json.RawMessage }
	r.decode(t, &res)
	if got := string(res.Run["createdByEmail"]); got != "null" {
		t.Fatalf("run createdByEmail = %s, want null", got)
	}
	if got := string(res.Run["createdByName"]); got != `"No Mail"` {
		t.Fatalf("run createdByName = %s", got)
	}
}
