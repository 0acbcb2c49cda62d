package api_test

import "context"
import "encoding/json"
import "fmt"
import "io"
import "log/slog"
import "net/http"
import "net/http/httptest"
import "reflect"
import "regexp"
import "slices"
import "strconv"
import "strings"
import "sync"
import "sync/atomic"
import "testing"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/eval"
import "github.com/strata-eval/strata/wire"

const evaluatorsPath = "/v1/evaluators"

var evaluatorKeys = []string{"id", "createdAt", "updatedAt", "projectId", "ownerId", "name", "slug", "type", "mode",
	"description", "params", "filters", "kind"}

var runKeys = []string{"id", "datasetId", "versionId", "name", "createdBy", "createdAt", "updatedAt", "totalItems",
	"updatedItemCount", "versionNumber", "versionCreatedAt", "createdByName", "createdByEmail", "status", "processedItems"}

// fakeLLM is an OpenAI-compatible server: it checks that each request has
// the shape of a Responses API call and answers like the real API, with
// whatever answer decides.
type fakeLLM struct {
	*httptest.Server
	t *testing.T
	// answer returns the text of the answer to a request, or an HTTP error
	// status (with Retry-After: 0 for 429).
	answer func(r *llmRequest) (text string, status int)

	calls, inFlight, most atomic.Int32
}

// llmRequest is a Responses API request as the fake reads it.
type llmRequest struct {
	Model        string          `json:"model"`
	Input        json.RawMessage `json:"input"`
	Instructions string          `json:"instructions"`
	Reasoning    *struct {
		Effort string `json:"effort"`
	} `json:"reasoning"`
	ctx context.Context
}

// prompt is the text of the request's input: a string, or one user message.
func (r *llmRequest) prompt() string {
	var s string
	if json.Unmarshal(r.Input, &s) == nil {
		return s
	}
	var msgs []struct{ Role, Content string }
	if json.Unmarshal(r.Input, &msgs) == nil && len(msgs) == 1 && msgs[0].Role == "user" {
		return msgs[0].Content
	}
	return ""
}

func newFakeLLM(t *testing.T, answer func(r *llmRequest) (string, int)) *fakeLLM {
	f := &fakeLLM{t: t, answer: answer}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeLLM) serve(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for m := f.most.Load(); n > m && !f.most.CompareAndSwap(m, n); m = f.most.Load() {
	}
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	var req llmRequest
	data, _ := io.ReadAll(r.Body)
	err := json.Unmarshal(data, &req)
	switch {
	case r.Method != "POST" || r.URL.Path != "/v1/responses":
		f.t.Errorf("LLM call %s %s", r.Method, r.URL.Path)
		reply(404, map[string]any{"error": map[string]any{"message": "no such route"}})
		return
	case r.Header.Get("Authorization") != "Bearer sk-test" || r.Header.Get("Content-Type") != "application/json":
		f.t.Errorf("LLM call headers %v", r.Header)
		reply(401, map[string]any{"error": map[string]any{"message": "Incorrect API key provided"}})
		return
	case err != nil || req.Model == "" || req.prompt() == "":
		f.t.Errorf("LLM call body %s", data)
		reply(400, map[string]any{"error": map[string]any{"message": "bad request"}})
		return
	}
	req.ctx = r.Context()
	text, status := f.answer(&req)
	if status != 0 {
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		reply(status, map[string]any{"error": map[string]any{"message": fmt.Sprintf("fake error %d", status), "type": "server_error"}})
		return
	}
	reply(200, map[string]any{
		"id": "resp_" + strconv.Itoa(int(f.calls.Load())), "object": "response", "created_at": 1761900000,
		"status": "completed", "model": req.Model,
		"output": []any{
			map[string]any{"id": "rs_1", "type": "reasoning", "summary": []any{}},
			map[string]any{"id": "msg_1", "type": "message", "status": "completed", "role": "assistant",
				"content": []any{map[string]any{"type": "output_text", "text": text, "annotations": []any{}}}},
		},
		"usage": map[string]any{"input_tokens": 10, "output_tokens": 2, "total_tokens": 12},
	})
}

// client is an LLM client of the fake, fast to retry.
func (f *fakeLLM) client(concurrency int) *eval.Client {
	return &eval.Client{BaseURL: f.URL + "/v1", APIKey: "sk-test", Concurrency: concurrency,
		Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, Models: []string{"gpt-5-mini", "local-judge"}}
}

// newEvalServer is a test server whose LLM is llm (nil: none configured),
// with a runner that records progress often.
func newEvalServer(t *testing.T, llm *eval.Client) *testServer {
	return newTestServerWith(t, func(s *api.Server) {
		s.LLM = llm
		s.Runner = &eval.Runner{Store: s.Store, LLM: llm, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			ProgressInterval: time.Millisecond}
		t.Cleanup(s.Runner.Close)
	})
}

// createEvaluator creates an evaluator with the owner key and returns its id.
func (ts *testServer) createEvaluator(t *testing.T, name, typ, params string) string {
	t.Helper()
	body := fmt.Sprintf(`{"name":%q,"slug":%q,"type":%q,"mode":"normal","params":%s,"filters":[]}`, name, name, typ, params)
	r := ts.do(t, "POST", evaluatorsPath, ts.owner, body)
	wantStatus(t, r, http.StatusOK)
	return r.object(t)["id"].(string)
}

// attach attaches an evaluator to a dataset and returns the response.
func (ts *testServer) attach(t *testing.T, datasetID, evaluatorID, config string) *response {
	t.Helper()
	body := fmt.Sprintf(`{"evaluatorId":%q}`, evaluatorID)
	if config != "" {
		body = fmt.Sprintf(`{"evaluatorId":%q,"config":%s}`, evaluatorID, config)
	}
	return ts.do(t, "POST", datasetsPath+"/"+datasetID+"/evaluators", ts.owner, body)
}

// importJSONL adds items to a dataset, without a version.
func (ts *testServer) importJSONL(t *testing.T, datasetID string, lines []string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"format": "jsonl", "content": strings.Join(lines, "\n")})
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+datasetID+"/import?skipVersion=true", ts.owner, string(body)), http.StatusOK)
}

// waitFor polls until cond holds; the deadline only keeps a broken test from
// hanging.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runResult is the answer of a run.
type runResult struct {
	UpdatedItemCount int `json:"updatedItemCount"`
	Dataset          struct {
		CurrentVersionNumber int              `json:"currentVersionNumber"`
		Items                []map[string]any `json:"items"`
	} `json:"dataset"`
	Version *struct {
		ID            string `json:"id"`
		VersionNumber int    `json:"versionNumber"`
	} `json:"version"`
	Run *wire.RunWithSlots `json:"run"`
}

func (ts *testServer) getRun(t *testing.T, datasetID, runID string) *wire.RunWithSlots {
	t.Helper()
	r := ts.do(t, "GET", datasetsPath+"/"+datasetID+"/evaluator-runs/"+runID, ts.owner, "")
	wantStatus(t, r, http.StatusOK)
	var body struct{ Run wire.RunWithSlots }
	r.decode(t, &body)
	return &body.Run
}

func result(item map[string]any, slot int) map[string]any {
	m, _ := item["evaluatorResult"+strconv.Itoa(slot)].(map[string]any)
	return m
}

func TestEvaluatorsCRUD(t *testing.T) {
	ts := newTestServer(t)

	t.Run("ListBuiltins", func(t *testing.T) {
		r := ts.do(t, "GET", evaluatorsPath+"?kind=builtin", ts.viewer, "")
		wantStatus(t, r, http.StatusOK)
		list := r.array(t)
		var types []string
		for _, e := range list {
			types = append(types, e["type"].(string))
		}
		slices.Sort(types)
		if want := []string{"intent", "language", "pii", "topics", "toxicity"}; !slices.Equal(types, want) {
			t.Fatalf("builtin types = %v", types)
		}
		wantKeys(t, elements(t, r.Body)[0], evaluatorKeys)
		if got := ts.do(t, "GET", evaluatorsPath+"?kind=custom", ts.owner, "").Body; string(got) != "[]" {
			t.Fatalf("custom = %s", got)
		}
	})

	var id string
	t.Run("Create", func(t *testing.T) {
		r := ts.do(t, "POST", evaluatorsPath, ts.member, `{"ownerId":"ignored","name":"Judge","slug":"judge","description":"tone",
			"type":"model-labeler","mode":"normal","params":{"labels":["good","bad"]},"filters":[]}`)
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, r.Body, evaluatorKeys)
		e := r.object(t)
		for key, want := range map[string]any{"name": "Judge", "slug": "judge", "type": "model-labeler", "kind": "custom",
			"description": "tone", "mode": "normal"} {
			if e[key] != want {
				t.Errorf("%s = %v, want %v", key, e[key], want)
			}
		}
		if e["ownerId"] == nil || e["ownerId"] == "ignored" {
			t.Errorf("ownerId = %v, want the member's user", e["ownerId"])
		}
		id = e["id"].(string)
		if list := ts.do(t, "GET", evaluatorsPath, ts.owner, "").array(t); len(list) != 6 {
			t.Errorf("%d evaluators listed, want 6", len(list))
		}
	})
	t.Run("ErrCreate", func(t *testing.T) {
		wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, `{}`),
			`Validation error: Required at "name"; Required at "slug"; Required at "type"; Required at "mode"; Required at "params"; Required at "filters"`)
		wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, `{"ownerId":1,"name":"n","slug":"s","type":"bleu","mode":"m","params":[],"filters":{}}`),
			`Validation error: Expected string, received number at "ownerId"; Expected object, received array at "params"; Expected array, received object at "filters"`)
		wantValidation(t, ts.do(t, "POST", evaluatorsPath, ts.owner, `[]`), `Validation error: Expected object, received array`)
		wantError(t, ts.do(t, "POST", evaluatorsPath, ts.owner, `{"name":"n","slug":"s","type":"pii","mode":"m","params":{},"filters":[]}`),
			http.StatusBadRequest, "Builtin evaluators cannot be created manually.")
	})
	t.Run("Get", func(t *testing.T) {
		r := ts.do(t, "GET", evaluatorsPath+"/"+id, ts.viewer, "")
		wantStatus(t, r, http.StatusOK)
		if got := r.object(t)["name"]; got != "Judge" {
			t.Errorf("name = %v", got)
		}
		wantError(t, ts.do(t, "GET", evaluatorsPath+"/"+strata.NewID(), ts.owner, ""), http.StatusNotFound, "Evaluator not found")
		wantError(t, ts.do(t, "GET", evaluatorsPath+"/"+id, ts.other, ""), http.StatusNotFound, "Evaluator not found")
		wantValidation(t, ts.do(t, "GET", evaluatorsPath+"/nope", ts.owner, ""), `Validation error: Invalid uuid at "id"`)
	})
	t.Run("Update", func(t *testing.T) {
		r := ts.do(t, "PATCH", evaluatorsPath+"/"+id, ts.owner, `{"name":"Judge 2","type":"model-scorer","mode":"normal","params":{"minScore":1},"filters":["AND"]}`)
		wantStatus(t, r, http.StatusOK)
		e := r.object(t)
		if e["name"] != "Judge 2" || e["type"] != "model-scorer" || e["description"] != "tone" {
			t.Errorf("updated = %v", e)
		}
		wantValidation(t, ts.do(t, "PATCH", evaluatorsPath+"/"+id, ts.owner, `{"name":"x"}`),
			`Validation error: Required at "type"; Required at "mode"; Required at "params"; Required at "filters"`)
		body := `{"name":"x","type":"pii","mode":"m","params":{},"filters":[]}`
		wantError(t, ts.do(t, "PATCH", evaluatorsPath+"/"+id, ts.owner, body), http.StatusBadRequest,
			"Cannot convert a custom evaluator into a builtin evaluator.")
		wantError(t, ts.do(t, "PATCH", evaluatorsPath+"/"+strata.NewID(), ts.owner, body), http.StatusNotFound, "Evaluator not found")
	})
	t.Run("ViewerCannotWrite", func(t *testing.T) {
		body := `{"name":"n","slug":"s","type":"bleu","mode":"m","params":{},"filters":[]}`
		for _, c := range []struct{ method, path, body string }{
			{"POST", evaluatorsPath, body}, {"PATCH", evaluatorsPath + "/" + id, body}, {"DELETE", evaluatorsPath + "/" + id, ""},
		} {
			wantError(t, ts.do(t, c.method, c.path, ts.viewer, c.body), http.StatusForbidden, "You don't have access to this resource")
		}
	})
	t.Run("Delete", func(t *testing.T) {
		builtin := ts.do(t, "GET", evaluatorsPath+"?kind=builtin", ts.owner, "").array(t)[0]["id"].(string)
		wantError(t, ts.do(t, "DELETE", evaluatorsPath+"/"+builtin, ts.owner, ""), http.StatusBadRequest, "Builtin evaluators cannot be deleted.")
		r := ts.do(t, "DELETE", evaluatorsPath+"/"+id, ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if string(r.Body) != "{}" {
			t.Errorf("body = %s", r.Body)
		}
		wantError(t, ts.do(t, "DELETE", evaluatorsPath+"/"+id, ts.owner, ""), http.StatusNotFound, "Evaluator not found")
	})
}

// TestListEvaluatorsKind: a kind the list does not know, or two, is
// refused as a bad sort is, not ignored to list every evaluator.
func TestListEvaluatorsKind(t *testing.T) {
	ts := newTestServer(t)
	for _, c := range []struct{ name, query, want string }{
		{"ErrUnknown", "?kind=foo", `Validation error: Invalid enum value. Expected 'builtin' | 'custom', received 'foo' at "kind"`},
		{"ErrEmpty", "?kind=", `Validation error: Invalid enum value. Expected 'builtin' | 'custom', received '' at "kind"`},
		{"ErrTwice", "?kind=custom&kind=builtin", `Validation error: Expected 'builtin' | 'custom', received array at "kind"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantValidation(t, ts.do(t, "GET", evaluatorsPath+c.query, ts.viewer, ""), c.want)
		})
	}
	t.Run("All", func(t *testing.T) {
		// Without kind, and with what Lunary's frontend adds to every call.
		r := ts.do(t, "GET", evaluatorsPath+"?projectId="+strata.NewID(), ts.viewer, "")
		wantStatus(t, r, http.StatusOK)
		if got, want := len(r.array(t)), 5; got != want {
			t.Fatalf("%d evaluators listed, want the %d builtins", got, want)
		}
	})
}

func TestAttachDetach(t *testing.T) {
	ts := newEvalServer(t, nil)
	ds := ts.createDataset(t, "qa")
	ts.createItem(t, ds, "a")
	labeler := ts.createEvaluator(t, "labeler", "model-labeler", `{"labels":["good"]}`)
	scorer := ts.createEvaluator(t, "scorer", "model-scorer", `{}`)
	builtin := ts.do(t, "GET", evaluatorsPath+"?kind=builtin", ts.owner, "").array(t)[0]["id"].(string)
	version := ts.versionNumber(t, ds)

	t.Run("OK", func(t *testing.T) {
		r := ts.attach(t, ds, labeler, `{"type":"model-labeler","passLabels":["good"],"extra":1}`)
		d := wantDataset(t, r)
		if d["evaluatorSlot1Id"] != labeler || d["evaluatorSlot2Id"] != nil || len(d["items"].([]any)) != 1 {
			t.Fatalf("dataset = %s", r.Body)
		}
		if got, want := string(member(t, r.Body, "evaluatorConfigs")), `{"1":{"type":"model-labeler","passLabels":["good"]}}`; got != want {
			t.Errorf("evaluatorConfigs = %s, want %s", got, want)
		}
		if ts.versionNumber(t, ds) != version {
			t.Error("attach made a version")
		}
		// GET shows the slot and config too; attaching again changes nothing.
		if got := string(member(t, ts.do(t, "GET", datasetsPath+"/"+ds, ts.viewer, "").Body, "evaluatorConfigs")); !strings.Contains(got, "passLabels") {
			t.Errorf("GET evaluatorConfigs = %s", got)
		}
		r = ts.attach(t, ds, labeler, "")
		wantStatus(t, r, http.StatusOK)
		if d := r.object(t); d["evaluatorSlot2Id"] != nil || string(member(t, r.Body, "evaluatorConfigs")) == "{}" {
			t.Errorf("attaching again changed the dataset: %s", r.Body)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		wantValidation(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators", ts.owner, `{}`), `Validation error: Required at "evaluatorId"`)
		wantValidation(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators", ts.owner, `{"evaluatorId":"x"}`), `Validation error: Invalid uuid at "evaluatorId"`)
		for config, want := range map[string]string{
			`{}`: `Validation error: Invalid literal value, expected "model-labeler" at "config.type"; Required at "config.passLabels", or Invalid literal value, expected "model-scorer" at "config.type"; Required at "config.threshold"`,
			`{"type":"model-labeler","passLabels":[1]}`: `Validation error: Expected string, received number at "config.passLabels[0]", or Invalid literal value, expected "model-scorer" at "config.type"; Required at "config.threshold"`,
			`{"type":"model-scorer","threshold":"5"}`:   `Validation error: Invalid literal value, expected "model-labeler" at "config.type"; Required at "config.passLabels", or Expected number, received string at "config.threshold"`,
			`{"type":"model-scorer","threshold":1e400}`: `Validation error: Invalid literal value, expected "model-labeler" at "config.type"; Required at "config.passLabels", or Number must be finite at "config.threshold"`,
			`null`: `Validation error: Expected object, received null at "config"`,
		} {
			wantValidation(t, ts.attach(t, ds, scorer, config), want)
		}
		// The body is checked before the dataset is looked up.
		wantValidation(t, ts.do(t, "POST", datasetsPath+"/"+strata.NewID()+"/evaluators", ts.owner, `{}`), `Validation error: Required at "evaluatorId"`)
	})
	t.Run("ErrInLunarysOrder", func(t *testing.T) {
		wantError(t, ts.attach(t, strata.NewID(), strata.NewID(), ""), http.StatusNotFound, "Dataset not found")
		wantError(t, ts.attach(t, ds, strata.NewID(), ""), http.StatusNotFound, "Evaluator not found")
		wantError(t, ts.attach(t, ds, builtin, ""), http.StatusBadRequest, "Builtin evaluators cannot be attached to datasets")
		wantError(t, ts.attach(t, ds, scorer, `{"type":"model-labeler","passLabels":["x"]}`), http.StatusBadRequest, "Configuration does not match evaluator type")
		wantError(t, ts.attach(t, ds, labeler, `{"type":"model-labeler","passLabels":[]}`), http.StatusBadRequest, "Specify at least one passing label")
		judge := ts.createEvaluator(t, "judge", "model-scorer", `{"prompt":"Rate {{output}}","modelId":"gpt-4o"}`)
		wantError(t, ts.attach(t, ds, judge, ""), http.StatusBadRequest, "Model 'gpt-4o' is not allowed on this server (STRATA_LLM_MODELS)")
		other := ts.do(t, "POST", datasetsPath, ts.other, `{"name":"theirs"}`).object(t)["id"].(string)
		r := ts.do(t, "POST", datasetsPath+"/"+other+"/evaluators", ts.other, fmt.Sprintf(`{"evaluatorId":%q}`, labeler))
		wantError(t, r, http.StatusNotFound, "Evaluator not found")
	})
	t.Run("ErrSlotsFull", func(t *testing.T) {
		wantStatus(t, ts.attach(t, ds, scorer, `{"type":"model-scorer","threshold":5}`), http.StatusOK)
		for i := range 3 {
			wantStatus(t, ts.attach(t, ds, ts.createEvaluator(t, fmt.Sprint("m", i), "bleu", `{}`), ""), http.StatusOK)
		}
		wantError(t, ts.attach(t, ds, ts.createEvaluator(t, "sixth", "bleu", `{}`), ""), http.StatusBadRequest,
			"Maximum number of evaluators reached for this dataset")
	})
	t.Run("Detach", func(t *testing.T) {
		r := ts.do(t, "DELETE", datasetsPath+"/"+ds+"/evaluators/1", ts.owner, "")
		d := wantDataset(t, r)
		if d["evaluatorSlot1Id"] != nil || d["evaluatorSlot2Id"] != scorer {
			t.Fatalf("slots after detach: %s", r.Body)
		}
		if got := string(member(t, r.Body, "evaluatorConfigs")); got != `{"2":{"type":"model-scorer","threshold":5}}` {
			t.Errorf("evaluatorConfigs = %s", got)
		}
		wantStatus(t, ts.do(t, "DELETE", datasetsPath+"/"+ds+"/evaluators/1", ts.owner, ""), http.StatusOK)
		if ts.versionNumber(t, ds) != version {
			t.Error("detach made a version")
		}
	})
	t.Run("ErrDetach", func(t *testing.T) {
		for slot, want := range map[string]string{
			"abc": `Validation error: Expected number, received nan at "slot"`,
			"0":   `Validation error: Number must be greater than or equal to 1 at "slot"`,
			"6":   `Validation error: Number must be less than or equal to 5 at "slot"`,
			"1.5": `Validation error: Expected integer, received float at "slot"`,
		} {
			wantValidation(t, ts.do(t, "DELETE", datasetsPath+"/"+ds+"/evaluators/"+slot, ts.owner, ""), want)
		}
		wantValidation(t, ts.do(t, "DELETE", datasetsPath+"/nope/evaluators/9", ts.owner, ""),
			`Validation error: Number must be less than or equal to 5 at "slot"; Invalid uuid at "datasetId"`)
		wantError(t, ts.do(t, "DELETE", datasetsPath+"/"+strata.NewID()+"/evaluators/1", ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})
}

func TestRunDeterministic(t *testing.T) {
	ts := newEvalServer(t, nil)
	ds := ts.createDataset(t, "qa")
	ts.importJSONL(t, ds, []string{
		`{"input":"capital of France?","ground_truth":"Paris is the capital","output":"Paris is the capital"}`,
		`{"input":"2+2?","ground_truth":"4","output":"{\"answer\": 4}"}`,
		`{"input":"no output yet","ground_truth":"x"}`,
	})

	t.Run("ErrNoEvaluators", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run", ts.owner, ""), http.StatusBadRequest, "No evaluators attached to this dataset")
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+strata.NewID()+"/evaluators/run", ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})

	bleu := ts.createEvaluator(t, "overlap", "bleu", `{"threshold":0.9}`)
	contains := ts.createEvaluator(t, "mentions Paris", "string", `{"comparator":"contains_ignore_case","target":"paris"}`)
	isJSON := ts.createEvaluator(t, "json", "json", `{"schema":{"type":"object","required":["answer"]}}`)
	for _, e := range []string{bleu, contains, isJSON} {
		wantStatus(t, ts.attach(t, ds, e, ""), http.StatusOK)
	}
	before := ts.versionNumber(t, ds)

	var res runResult
	var runID string
	t.Run("Run", func(t *testing.T) {
		r := ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run", ts.member, "{}")
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, r.Body, []string{"updatedItemCount", "dataset", "version", "run"})
		wantKeys(t, member(t, r.Body, "dataset"), withItemsKeys)
		wantKeys(t, member(t, r.Body, "run"), append(slices.Clone(runKeys), "slots"))
		r.decode(t, &res)
		if res.UpdatedItemCount != 3 || res.Version.VersionNumber != before+1 || res.Dataset.CurrentVersionNumber != before+1 {
			t.Fatalf("result: %d items, version %d", res.UpdatedItemCount, res.Version.VersionNumber)
		}
		run := res.Run
		runID = run.ID
		if run.Status != "completed" || run.TotalItems != 3 || run.ProcessedItems != 3 || *run.VersionNumber != before+1 || len(run.Slots) != 3 {
			t.Fatalf("run = %+v", run)
		}
		items := res.Dataset.Items
		if got := result(items[0], 1); got["score"] != 1.0 || got["passed"] != true {
			t.Errorf("bleu of item 0 = %v", got)
		}
		if got := result(items[2], 1); got["error"] != "Item has no output" {
			t.Errorf("bleu of item 2 = %v", got)
		}
		if got := result(items[1], 3); got["passed"] != true {
			t.Errorf("json of item 1 = %v", got)
		}
		if got := result(items[0], 3); got["passed"] != false || got["reason"] == nil {
			t.Errorf("json of item 0 = %v", got)
		}
		// bleu: pass, fail (0/2), unknown; string: pass, fail, unknown; json: fail, pass, unknown.
		for i, s := range run.Slots {
			if s.Slot != i+1 || s.PassCount != 1 || s.FailCount != 1 || s.UnknownCount != 1 || s.EvaluatedCount != 2 ||
				*s.PassRate != 50 || *s.Coverage != 100 || string(s.Config) != "null" {
				t.Errorf("slot %d = %+v", i+1, s)
			}
		}
		if s := run.Slots[1]; s.EvaluatorName == nil || *s.EvaluatorName != "mentions Paris" {
			t.Errorf("slot 2's evaluator name = %v, want mentions Paris", s.EvaluatorName)
		}
		if s := run.Slots[1]; s.EvaluatorType == nil || *s.EvaluatorType != "string" {
			t.Errorf("slot 2's evaluator type = %v, want string", s.EvaluatorType)
		}
	})
	t.Run("ListGetRename", func(t *testing.T) {
		wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run", ts.owner, ""), http.StatusOK)
		r := ts.do(t, "GET", datasetsPath+"/"+ds+"/evaluator-runs", ts.viewer, "")
		wantStatus(t, r, http.StatusOK)
		var list struct {
			Runs      []wire.RunWithSlots
			Aggregate []map[string]any
		}
		r.decode(t, &list)
		if len(list.Runs) != 2 || list.Runs[1].ID != runID || len(list.Aggregate) != 3 {
			t.Fatalf("list = %s", r.Body)
		}
		wantKeys(t, elements(t, member(t, r.Body, "aggregate"))[0], []string{"slot", "evaluatorId", "evaluatorName",
			"evaluatorKind", "evaluatorType", "passCount", "failCount", "unknownCount", "evaluatedCount", "runCount", "passRate"})
		if a := list.Aggregate[0]; a["runCount"] != 2.0 || a["passCount"] != 2.0 || a["passRate"] != 50.0 {
			t.Errorf("aggregate = %v", a)
		}
		if got := ts.do(t, "GET", datasetsPath+"/"+ds+"/evaluator-runs?limit=1", ts.owner, "").object(t)["runs"].([]any); len(got) != 1 {
			t.Errorf("limit 1 gave %d runs", len(got))
		}
		wantValidation(t, ts.do(t, "GET", datasetsPath+"/"+ds+"/evaluator-runs?limit=101", ts.owner, ""),
			`Validation error: Number must be less than or equal to 100 at "limit"`)

		if got := ts.getRun(t, ds, runID); got.ID != runID || len(got.Slots) != 3 {
			t.Errorf("run = %+v", got)
		}
		r = ts.do(t, "PATCH", datasetsPath+"/"+ds+"/evaluator-runs/"+runID, ts.owner, `{"name":"  baseline  "}`)
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, member(t, r.Body, "run"), runKeys)
		if got := ts.getRun(t, ds, runID).Name; got == nil || *got != "baseline" {
			t.Errorf("name = %v", got)
		}
		wantStatus(t, ts.do(t, "PATCH", datasetsPath+"/"+ds+"/evaluator-runs/"+runID, ts.owner, `{"name":"   "}`), http.StatusOK)
		if got := ts.getRun(t, ds, runID).Name; got != nil {
			t.Errorf("blank name = %q, want null", *got)
		}
		runPath := datasetsPath + "/" + ds + "/evaluator-runs/"
		// If-Match guards a rename with the dataset's ETag, which the
		// rename leaves as it is and sends back.
		etag := ts.do(t, "GET", datasetsPath+"/"+ds, ts.owner, "").Header.Get("ETag")
		stale := http.Header{"Authorization": {"Bearer " + ts.owner}, "If-Match": {`"1"`}}
		wantStatus(t, ts.doWith(t, "PATCH", runPath+runID, stale, `{"name":"stale"}`), http.StatusPreconditionFailed)
		current := http.Header{"Authorization": {"Bearer " + ts.owner}, "If-Match": {etag}}
		r = ts.doWith(t, "PATCH", runPath+runID, current, `{"name":"current"}`)
		wantStatus(t, r, http.StatusOK)
		if got := r.Header.Get("ETag"); got != etag {
			t.Errorf("rename's ETag = %q, want the dataset's %q", got, etag)
		}
		if got := ts.getRun(t, ds, runID).Name; got == nil || *got != "current" {
			t.Errorf("name after a guarded rename = %v", got)
		}
		wantValidation(t, ts.do(t, "PATCH", runPath+runID, ts.owner, `{}`), `Validation error: Required at "name"`)
		wantValidation(t, ts.do(t, "PATCH", runPath+runID, ts.owner, `{"name":5}`),
			`Validation error: Expected string, received number at "name", or Expected null, received number at "name"`)
		wantValidation(t, ts.do(t, "PATCH", runPath+runID, ts.owner, `{"name":"`+strings.Repeat("x", 201)+`"}`),
			`Validation error: String must contain at most 200 character(s) at "name"`)
		wantError(t, ts.do(t, "PATCH", runPath+strata.NewID(), ts.owner, `{"name":null}`), http.StatusNotFound, "Evaluator run not found")
		wantError(t, ts.do(t, "GET", runPath+strata.NewID(), ts.owner, ""), http.StatusNotFound, "Evaluator run not found")
		wantValidation(t, ts.do(t, "GET", runPath+"nope", ts.owner, ""), `Validation error: Invalid uuid at "runId"`)
		other := ts.createDataset(t, "other")
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+other+"/evaluator-runs/"+runID, ts.owner, ""), http.StatusNotFound, "Evaluator run not found")
		if got := ts.do(t, "GET", datasetsPath+"/"+other+"/evaluator-runs", ts.owner, "").Body; string(got) != `{"runs":[],"aggregate":[]}` {
			t.Errorf("no runs = %s", got)
		}
	})
	t.Run("DetachKeepsVersions", func(t *testing.T) {
		wantStatus(t, ts.do(t, "DELETE", datasetsPath+"/"+ds+"/evaluators/1", ts.owner, ""), http.StatusOK)
		for _, it := range ts.dataset(t, ds)["items"].([]any) {
			if it.(map[string]any)["evaluatorResult1"] != nil {
				t.Fatalf("working item keeps result 1: %v", it)
			}
		}
		r := ts.do(t, "GET", datasetsPath+"/"+ds+"/versions/"+res.Version.ID, ts.owner, "")
		for _, it := range r.object(t)["items"].([]any) {
			if it.(map[string]any)["evaluatorResult1"] == nil {
				t.Fatalf("the run's version lost result 1: %v", it)
			}
		}
	})
	t.Run("ServiceTypes", func(t *testing.T) {
		// Types of Lunary's registry that need its ML service run, as in
		// Lunary: their results say why they have none, and the other
		// slots are scored.
		own := ts.createDataset(t, "service types")
		wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+own+"/items", ts.owner, `{"input":"q","output":"yes"}`), http.StatusCreated)
		wantStatus(t, ts.attach(t, own, ts.createEvaluator(t, "assert", "llm", `{"modelId":"","scoringType":"boolean","prompt":"","categories":[]}`), ""), http.StatusOK)
		wantStatus(t, ts.attach(t, own, ts.createEvaluator(t, "similar", "text-similarity", `{"method":null,"reference":"yes"}`), ""), http.StatusOK)
		r := ts.do(t, "POST", datasetsPath+"/"+own+"/evaluators/run", ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		it := ts.dataset(t, own)["items"].([]any)[0].(map[string]any)
		if got, want := it["evaluatorResult1"], map[string]any{"error": "Evaluator type 'llm' runs on Lunary's ML service, which Strata does not have"}; !reflect.DeepEqual(got, want) {
			t.Errorf("result of the llm slot = %v, want %v", got, want)
		}
		if got, _ := it["evaluatorResult2"].(map[string]any); got["method"] != "cosine" {
			t.Errorf("result of the text-similarity slot = %v, want cosine's", it["evaluatorResult2"])
		}
	})
	t.Run("ErrUnsupportedType", func(t *testing.T) {
		wantStatus(t, ts.attach(t, ds, ts.createEvaluator(t, "mood", "not-a-type", `{}`), ""), http.StatusOK)
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run", ts.owner, ""), http.StatusBadRequest,
			"Evaluator type 'not-a-type' is not supported for dataset testing")
	})
	t.Run("NoItems", func(t *testing.T) {
		empty := ts.createDataset(t, "empty")
		wantStatus(t, ts.attach(t, empty, bleu, ""), http.StatusOK)
		version := ts.versionNumber(t, empty)
		for _, q := range []string{"", "?async=true"} {
			r := ts.do(t, "POST", datasetsPath+"/"+empty+"/evaluators/run"+q, ts.owner, "")
			wantStatus(t, r, http.StatusOK)
			wantKeys(t, r.Body, []string{"updatedItemCount", "dataset"})
		}
		if ts.versionNumber(t, empty) != version {
			t.Error("a run over no item made a version")
		}
	})
	t.Run("ViewerCannotRun", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run", ts.viewer, ""), http.StatusForbidden, "You don't have access to this resource")
	})
}

var itemNumber = regexp.MustCompile(`q(\d+)`)

// TestRunLLM runs two LLM judges over 1,000 items against the fake: every
// call has the Responses API's shape, 429 and 500 answers are retried, the
// calls overlap within the pool, and the summaries count what the fake said.
func TestRunLLM(t *testing.T) {
	const items, pool = 1000, 8
	var (
		mu       sync.Mutex
		attempts = map[string]int{}
		arrived  = make(chan struct{})
		once     sync.Once
	)
	fake := newFakeLLM(t, func(r *llmRequest) (string, int) {
		prompt := r.prompt()
		m := itemNumber.FindStringSubmatch(prompt)
		if m == nil {
			t.Errorf("prompt without an item: %q", prompt)
			return "", 400
		}
		i, _ := strconv.Atoi(m[1])
		judge := strings.HasPrefix(prompt, "Judge")
		if r.Model != "gpt-5-mini" && r.Model != "local-judge" || r.Reasoning == nil || r.Reasoning.Effort != "medium" {
			t.Errorf("request model %q reasoning %+v", r.Model, r.Reasoning)
		}
		if judge && (prompt != fmt.Sprintf("Judge q%d: a%d (expected g%d)", i, i, i) ||
			r.Instructions != "Answer with exactly one of these labels, and nothing else: good, bad.") {
			t.Errorf("judge request %q / %q", prompt, r.Instructions)
		}
		if !judge && (prompt != fmt.Sprintf("Score q%d", i) || r.Instructions != "Answer with a single number from 0 to 10, and nothing else.") {
			t.Errorf("scorer request %q / %q", prompt, r.Instructions)
		}
		mu.Lock()
		key := prompt[:5] + m[1]
		attempts[key]++
		n := attempts[key]
		mu.Unlock()
		// The first call waits for a second one: calls must overlap.
		first := false
		once.Do(func() { first = true })
		if first {
			select {
			case <-arrived:
			case <-time.After(30 * time.Second):
				t.Error("no second LLM call arrived while the first was in flight: the calls do not overlap")
			}
		} else {
			select {
			case <-arrived:
			default:
				close(arrived)
			}
		}
		time.Sleep(time.Millisecond) // a slow model
		switch {
		case i%100 == 7 && n == 1:
			return "", http.StatusTooManyRequests
		case i%100 == 13 && n <= 2:
			return "", http.StatusInternalServerError
		case judge && i%4 == 0:
			return "  bad\n", 0
		case judge:
			return "good", 0
		default:
			return fmt.Sprintf("Score: %d/10", i%10), 0
		}
	})
	ts := newEvalServer(t, fake.client(pool))
	ds := ts.createDataset(t, "llm")
	lines := make([]string, items)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"input":"q%d","output":"a%d","ground_truth":"g%d"}`, i, i, i)
	}
	ts.importJSONL(t, ds, lines)
	judge := ts.createEvaluator(t, "judge", "model-labeler",
		`{"prompt":"Judge {{input}}: {{output}} (expected {{ground_truth}})","labels":["good","bad"],"modelId":"gpt-5-mini"}`)
	scorer := ts.createEvaluator(t, "scorer", "model-scorer", `{"prompt":"Score {{input}}","minScore":0,"maxScore":10,"model":"local-judge"}`)
	wantStatus(t, ts.attach(t, ds, judge, `{"type":"model-labeler","passLabels":["good"]}`), http.StatusOK)
	wantStatus(t, ts.attach(t, ds, scorer, `{"type":"model-scorer","threshold":5}`), http.StatusOK)

	r := ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run", ts.owner, "")
	wantStatus(t, r, http.StatusOK)
	var res runResult
	r.decode(t, &res)
	if res.UpdatedItemCount != items || len(res.Dataset.Items) != items {
		t.Fatalf("updated %d of %d items", res.UpdatedItemCount, len(res.Dataset.Items))
	}
	s1, s2 := res.Run.Slots[0], res.Run.Slots[1]
	if s1.PassCount != 750 || s1.FailCount != 250 || s1.UnknownCount != 0 || *s1.PassRate != 75 || *s1.Coverage != 100 {
		t.Errorf("judge slot = %+v", s1)
	}
	if s2.PassCount != 500 || s2.FailCount != 500 || *s2.PassRate != 50 || *s2.Coverage != 100 {
		t.Errorf("scorer slot = %+v", s2)
	}
	it := res.Dataset.Items[4]
	if got, want := fmt.Sprint(result(it, 1)), "map[model:gpt-5-mini output:bad reasoning:<nil>]"; got != want {
		t.Errorf("judge result of item 4 = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(result(it, 2)), "map[model:local-judge output:Score: 4/10 pass:false reasoning:<nil> score:4]"; got != want {
		t.Errorf("scorer result of item 4 = %s, want %s", got, want)
	}
	for _, i := range []int{7, 13, 507} {
		if res := result(res.Dataset.Items[i], 1); res["output"] == nil {
			t.Errorf("item %d (retried) = %v", i, res)
		}
	}
	if got, want := fake.calls.Load(), int32(2*items+2*10+2*2*10); got != want {
		t.Errorf("%d LLM calls, want %d (one each, plus the retries)", got, want)
	}
	if most := fake.most.Load(); most < 2 || most > pool {
		t.Errorf("at most %d calls in flight, want 2 to %d", most, pool)
	}
}

func TestRunLLMFailures(t *testing.T) {
	fake := newFakeLLM(t, func(r *llmRequest) (string, int) {
		switch p := r.prompt(); {
		case strings.Contains(p, "slow"):
			<-r.ctx.Done() // never answers in time
			return "", http.StatusGatewayTimeout
		case strings.Contains(p, "broken"):
			return "", http.StatusInternalServerError
		default:
			return "7", 0
		}
	})
	llm := fake.client(4)
	llm.Timeout, llm.MaxAttempts = 50*time.Millisecond, 3
	ts := newEvalServer(t, llm)
	ds := ts.createDataset(t, "failures")
	ts.importJSONL(t, ds, []string{`{"input":"fine"}`, `{"input":"slow"}`, `{"input":"broken"}`})
	judge := ts.createEvaluator(t, "judge", "model-scorer", `{"prompt":"Rate {{input}}"}`)
	wantStatus(t, ts.attach(t, ds, judge, `{"type":"model-scorer","threshold":5}`), http.StatusOK)

	r := ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run", ts.owner, "")
	wantStatus(t, r, http.StatusOK)
	var res runResult
	r.decode(t, &res)
	got := []any{result(res.Dataset.Items[0], 1)["score"], result(res.Dataset.Items[1], 1)["error"], result(res.Dataset.Items[2], 1)["error"]}
	if want := []any{7.0, "LLM request timed out after 50ms", "500 fake error 500"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("results = %v, want %v", got, want)
	}
	if s := res.Run.Slots[0]; s.PassCount != 1 || s.UnknownCount != 2 || *s.Coverage != 100 || res.UpdatedItemCount != 3 {
		t.Errorf("slot = %+v", s)
	}

	t.Run("ErrModelNotAllowed", func(t *testing.T) {
		wantStatus(t, ts.do(t, "PATCH", evaluatorsPath+"/"+judge, ts.owner,
			`{"name":"judge","type":"model-scorer","mode":"normal","params":{"prompt":"x","modelId":"gpt-4o"},"filters":[]}`), http.StatusOK)
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run", ts.owner, ""), http.StatusBadRequest,
			"Model 'gpt-4o' is not allowed on this server (STRATA_LLM_MODELS)")
	})
	t.Run("NoAPIKey", func(t *testing.T) {
		// As in Lunary, each item gets the error, and the run completes.
		ts := newEvalServer(t, nil)
		ds := ts.createDataset(t, "no key")
		ts.createItem(t, ds, "x")
		wantStatus(t, ts.attach(t, ds, ts.createEvaluator(t, "judge", "model-labeler", `{"prompt":"Label {{input}}"}`), ""), http.StatusOK)
		r := ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run", ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		r.decode(t, &res)
		if got := result(res.Dataset.Items[0], 1)["error"]; got != "OpenAI API key is not configured" {
			t.Errorf("result = %v", got)
		}
	})
}

func TestRunAsync(t *testing.T) {
	release := make(chan struct{})
	fake := newFakeLLM(t, func(r *llmRequest) (string, int) {
		if strings.Contains(r.prompt(), "hold") {
			select {
			case <-release:
			case <-r.ctx.Done():
				return "", http.StatusGatewayTimeout
			}
		}
		return "good", 0
	})
	ts := newEvalServer(t, fake.client(2))
	ds := ts.createDataset(t, "async")
	ts.importJSONL(t, ds, []string{`{"input":"a"}`, `{"input":"b"}`, `{"input":"c"}`, `{"input":"hold"}`})
	judge := ts.createEvaluator(t, "judge", "model-labeler", `{"prompt":"Label {{input}}"}`)
	wantStatus(t, ts.attach(t, ds, judge, `{"type":"model-labeler","passLabels":["good"]}`), http.StatusOK)
	version := ts.versionNumber(t, ds)

	r := ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run?async=true", ts.owner, "")
	wantStatus(t, r, http.StatusAccepted)
	wantKeys(t, member(t, r.Body, "run"), append(slices.Clone(runKeys), "slots"))
	var started struct{ Run wire.RunWithSlots }
	r.decode(t, &started)
	if run := started.Run; run.Status != "running" || run.TotalItems != 4 || run.VersionNumber != nil || len(run.Slots) != 0 {
		t.Fatalf("started run = %+v", run)
	}
	id := started.Run.ID
	waitFor(t, "3 items processed", func() bool { return ts.getRun(t, ds, id).ProcessedItems == 3 })
	if run := ts.getRun(t, ds, id); run.Status != "running" {
		t.Fatalf("run with an item held = %+v", run)
	}
	if list := ts.do(t, "GET", datasetsPath+"/"+ds+"/evaluator-runs", ts.viewer, "").object(t); len(list["aggregate"].([]any)) != 0 {
		t.Errorf("a running run counts in the aggregate: %v", list)
	}
	close(release)
	waitFor(t, "the run to complete", func() bool { return ts.getRun(t, ds, id).Status != "running" })
	run := ts.getRun(t, ds, id)
	if run.Status != "completed" || run.ProcessedItems != 4 || run.UpdatedItemCount != 4 || *run.VersionNumber != version+1 ||
		run.Slots[0].PassCount != 4 || run.Error != nil {
		t.Fatalf("completed run = %+v", run)
	}
	for _, it := range ts.dataset(t, ds)["items"].([]any) {
		if result(it.(map[string]any), 1)["output"] != "good" {
			t.Errorf("item = %v", it)
		}
	}
	t.Run("ErrBeforeStart", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+ts.createDataset(t, "bare")+"/evaluators/run?async=1", ts.owner, ""),
			http.StatusBadRequest, "No evaluators attached to this dataset")
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run?async=true&async=false", ts.owner, ""),
			http.StatusBadRequest, "async must be given at most once")
		// A misspelt parameter or flag would run every item: refused.
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run?async=maybe", ts.owner, ""),
			http.StatusBadRequest, "async must be true or false")
		wantValidation(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run?async=true&splits=test", ts.owner, ""),
			`Validation error: Unknown query parameter: expected async, split, metadata.KEY, externalId at "splits"`)
		// What Lunary's clients send with every call is not a filter: taken,
		// and ignored, as Lunary does (its frontend adds projectId).
		wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run?split=none&projectId=0190d7a1-0000-7000-8000-000000000001&skipVersion=true",
			ts.owner, ""), http.StatusOK)
		if list := ts.do(t, "GET", datasetsPath+"/"+ds+"/evaluator-runs", ts.viewer, "").object(t); len(list["runs"].([]any)) != 1 {
			t.Errorf("a refused run was recorded: %v", list["runs"])
		}
	})
	t.Run("NothingSelected", func(t *testing.T) {
		// As a synchronous run: nothing recorded, no version.
		r := ts.do(t, "POST", datasetsPath+"/"+ds+"/evaluators/run?async=true&split=none", ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got := r.object(t); got["updatedItemCount"] != 0.0 || got["version"] != nil || got["run"] != nil {
			t.Errorf("a run of no item = %v", got)
		}
		if got := ts.versionNumber(t, ds); got != version+1 {
			t.Errorf("version %d after a run of no item, want %d", got, version+1)
		}
	})
}

// TestRunInterrupted stops a server while a run computes, and starts
// another: the run ends failed either way, and makes no version.
func TestRunInterrupted(t *testing.T) {
	fake := newFakeLLM(t, func(r *llmRequest) (string, int) {
		<-r.ctx.Done() // a model that never answers
		return "", http.StatusGatewayTimeout
	})
	llm := fake.client(2)
	ts := newTestServerWith(t, func(s *api.Server) { s.LLM = llm })
	ds := ts.createDataset(t, "interrupted")
	ts.createItem(t, ds, "x")
	wantStatus(t, ts.attach(t, ds, ts.createEvaluator(t, "judge", "model-labeler", `{"prompt":"Label {{input}}"}`), ""), http.StatusOK)
	version := ts.versionNumber(t, ds)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	startOn := func(s *api.Server) string {
		t.Helper()
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		req, _ := http.NewRequest("POST", srv.URL+datasetsPath+"/"+ds+"/evaluators/run?async=true", nil)
		req.Header.Set("Authorization", "Bearer "+ts.owner)
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct{ Run wire.RunWithSlots }
		json.NewDecoder(res.Body).Decode(&body)
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("run: %d", res.StatusCode)
		}
		return body.Run.ID
	}
	start := func(runner *eval.Runner) string {
		t.Helper()
		return startOn(&api.Server{Store: ts.store, LLM: llm, Runner: runner, Logger: quiet})
	}

	t.Run("ServerStops", func(t *testing.T) {
		runner := &eval.Runner{Store: ts.store, LLM: llm, Logger: quiet}
		id := start(runner)
		runner.Close()
		run := ts.getRun(t, ds, id)
		if run.Status != "failed" || run.Error == nil || *run.Error != "Interrupted: the server stopped before the run completed" {
			t.Fatalf("run = %+v", run)
		}
	})
	t.Run("ServerWithoutRunnerStops", func(t *testing.T) {
		// The runner the server made for itself stops with it.
		s := &api.Server{Store: ts.store, LLM: llm, Logger: quiet}
		id := startOn(s)
		s.Close()
		run := ts.getRun(t, ds, id)
		if got, want := run.Status, "failed"; got != want {
			t.Fatalf("status = %q, want %q", got, want)
		}
		if run.Error == nil {
			t.Fatal("no error")
		}
		if got, want := *run.Error, "Interrupted: the server stopped before the run completed"; got != want {
			t.Fatalf("error = %q, want %q", got, want)
		}
	})
	t.Run("ServerDies", func(t *testing.T) {
		// The first server's heartbeat is too rare to be seen: it looks dead
		// to the second one, which marks its run failed.
		dead := &eval.Runner{Store: ts.store, LLM: llm, Logger: quiet, ProgressInterval: time.Hour}
		defer dead.Close()
		id := start(dead)
		next := &eval.Runner{Store: ts.store, LLM: llm, Logger: quiet, StaleAfter: time.Millisecond}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go next.Watch(ctx)
		waitFor(t, "the sweep", func() bool { return ts.getRun(t, ds, id).Status == "failed" })
		if run := ts.getRun(t, ds, id); *run.Error != "Interrupted: the server running it stopped" {
			t.Fatalf("run = %+v", run)
		}
	})
	if got := ts.versionNumber(t, ds); got != version {
		t.Errorf("interrupted runs made version %d", got)
	}
}

func TestGenerate(t *testing.T) {
	var last *llmRequest
	var mu sync.Mutex
	fake := newFakeLLM(t, func(r *llmRequest) (string, int) {
		mu.Lock()
		last = r
		mu.Unlock()
		if r.Instructions == "fail" {
			return "", http.StatusUnauthorized
		}
		return "  Answer to " + r.prompt() + "\n", 0
	})
	ts := newEvalServer(t, fake.client(2))
	ds := ts.createDataset(t, "gen")
	item := ts.createItem(t, ds, "What is 2+2?")
	path := datasetsPath + "/" + ds + "/items/" + item + "/generate"

	r := ts.do(t, "POST", path, ts.member, `{}`)
	wantStatus(t, r, http.StatusOK)
	if got := string(r.Body); got != `{"output":"Answer to What is 2+2?"}` {
		t.Errorf("body = %s", got)
	}
	if last.Model != "gpt-5-mini" || last.Instructions != "" || string(last.Input) != `"What is 2+2?"` || last.Reasoning != nil {
		t.Errorf("request = %+v", last)
	}
	r = ts.do(t, "POST", path, ts.owner, `{"model":" local-judge ","instructions":" be brief ","input":"other"}`)
	wantStatus(t, r, http.StatusOK)
	if last.Model != "local-judge" || last.Instructions != "be brief" || string(last.Input) != `"other"` {
		t.Errorf("request = %+v", last)
	}
	if got := ts.do(t, "GET", datasetsPath+"/"+ds+"/items/"+item, ts.owner, "").object(t)["output"]; got != nil {
		t.Errorf("generate saved the output: %v", got)
	}

	t.Run("ErrUpstream", func(t *testing.T) {
		// An upstream 401 is no 401 here: Lunary's frontend would sign out.
		wantError(t, ts.do(t, "POST", path, ts.owner, `{"instructions":"fail"}`), http.StatusBadGateway, "LLM request failed: 401 fake error 401")
	})
	t.Run("ErrModelNotAllowed", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", path, ts.owner, `{"model":"gpt-4o"}`), http.StatusBadRequest, "Model 'gpt-4o' is not allowed on this server (STRATA_LLM_MODELS)")
	})
	t.Run("ErrUpstreamUnreachable", func(t *testing.T) {
		// The message says "LLM request failed" once, whatever the client
		// already said.
		closed := fake.client(1)
		closed.BaseURL, closed.MaxAttempts = "http://127.0.0.1:1/v1", 1
		ts := newEvalServer(t, closed)
		ds := ts.createDataset(t, "gen")
		item := ts.createItem(t, ds, "q")
		r := ts.do(t, "POST", datasetsPath+"/"+ds+"/items/"+item+"/generate", ts.owner, `{}`)
		wantStatus(t, r, http.StatusBadGateway)
		if got := string(r.Body); strings.Count(got, "LLM request failed") != 1 {
			t.Errorf("body = %s, want the failure said once", got)
		}
	})
	t.Run("ErrUpstreamSlow", func(t *testing.T) {
		// The client's own words name the LLM already: said as they are.
		slow := newFakeLLM(t, func(r *llmRequest) (string, int) {
			<-r.ctx.Done()
			return "", http.StatusGatewayTimeout
		})
		c := slow.client(1)
		c.Timeout = 20 * time.Millisecond
		ts := newEvalServer(t, c)
		ds := ts.createDataset(t, "gen")
		item := ts.createItem(t, ds, "q")
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/items/"+item+"/generate", ts.owner, `{}`),
			http.StatusBadGateway, "LLM request timed out after 20ms")
	})
	t.Run("ErrValidation", func(t *testing.T) {
		wantValidation(t, ts.do(t, "POST", path, ts.owner, `{"model":"  ","input":1}`),
			`Validation error: String must contain at least 1 character(s) at "model"; Expected string, received number at "input"`)
		wantValidation(t, ts.do(t, "POST", path, ts.owner, `{"instructions":"`+strings.Repeat("x", 10001)+`"}`),
			`Validation error: String must contain at most 10000 character(s) at "instructions"`)
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+strata.NewID()+"/items/"+item+"/generate", ts.owner, `{"model":""}`), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/items/"+strata.NewID()+"/generate", ts.owner, `{}`), http.StatusNotFound, "Dataset item not found")
		wantError(t, ts.do(t, "POST", path, ts.other, `{}`), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrNoKey", func(t *testing.T) {
		ts := newEvalServer(t, nil)
		ds := ts.createDataset(t, "gen")
		item := ts.createItem(t, ds, "x")
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+ds+"/items/"+item+"/generate", ts.owner, `{}`), http.StatusBadRequest, "OpenAI API key is not configured")
	})
}

// A run whose results would hold more than the runner's bytes fails with
// 413, and writes nothing.
func TestRunResultsTooLarge(t *testing.T) {
	ts := newTestServerWith(t, func(s *api.Server) {
		s.Runner = &eval.Runner{Store: s.Store, LLM: &eval.Client{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			MaxResultBytes: 2_000}
		t.Cleanup(s.Runner.Close)
	})
	ds := ts.createDataset(t, "qa")
	var lines []string
	for i := range 40 {
		lines = append(lines, fmt.Sprintf(`{"input":"q%d","output":"{}"}`, i))
	}
	ts.importJSONL(t, ds, lines)
	wantStatus(t, ts.attach(t, ds, ts.createEvaluator(t, "shape", "json", `{}`), ""), http.StatusOK)
	path := datasetsPath + "/" + ds
	before := ts.do(t, "GET", path, ts.owner, "").Header.Get("ETag")
	r := ts.do(t, "POST", path+"/evaluators/run", ts.owner, "")
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	if msg := r.object(t)["message"]; !strings.Contains(fmt.Sprint(msg), "STRATA_MAX_RUN_RESULT_BYTES") {
		t.Errorf("message %q, want one naming the setting", msg)
	}
	if after := ts.do(t, "GET", path, ts.owner, "").Header.Get("ETag"); after != before {
		t.Errorf("ETag %s after the refused run, want %s: it wrote", after, before)
	}
}
