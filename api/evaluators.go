package api

import "encoding/json"
import "net/http"
import "strconv"
import "strings"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/eval"
import "github.com/strata-eval/strata/wire"

// Evaluators: /v1/evaluators, the evaluator slots of a dataset, runs, and
// generation. Runs go through an eval.Runner, LLM calls through the server's
// one eval.Client.

// Limits of the evaluator routes' fields, which the OpenAPI document
// declares (openapi_doc_test.go checks that they agree). Lengths count
// UTF-16 code units, as JavaScript does.
const (
	defaultRunsLimit      = 20    // GET .../evaluator-runs without limit
	maxRunsLimit          = 100   // GET .../evaluator-runs?limit
	maxRunNameLength      = 200   // PATCH .../evaluator-runs/{runId} {name}
	maxInstructionsLength = 10000 // POST .../generate {instructions}, once trimmed
)

func toEvaluatorJSON(e *strata.Evaluator) wire.Evaluator {
	return wire.Evaluator{
		ID: e.ID, CreatedAt: timestamp(e.CreatedAt), UpdatedAt: timestamp(e.UpdatedAt), ProjectID: e.ProjectID,
		OwnerID: e.OwnerID, Name: e.Name, Slug: e.Slug, Type: e.Type, Mode: e.Mode, Description: e.Description,
		Params: rawJSON(e.Params), Filters: rawJSON(e.Filters), Kind: e.Kind,
	}
}

func toRunJSON(r *strata.Run) wire.Run {
	return wire.Run{
		ID: r.ID, DatasetID: r.DatasetID, VersionID: r.VersionID, Name: r.Name, CreatedBy: r.CreatedBy,
		CreatedAt: timestamp(r.CreatedAt), UpdatedAt: timestamp(r.UpdatedAt), TotalItems: r.TotalItems,
		UpdatedItemCount: r.UpdatedItemCount, VersionNumber: r.VersionNumber,
		VersionCreatedAt: timestampPtr(r.VersionCreatedAt), CreatedByName: r.CreatedByName,
		CreatedByEmail: r.CreatedByEmail, Status: r.Status, ProcessedItems: r.ProcessedItems, Error: r.Error,
		Filter: r.Filter,
	}
}

func toRunWithSlotsJSON(r *strata.Run) wire.RunWithSlots {
	out := wire.RunWithSlots{Run: toRunJSON(r), Slots: []wire.RunSlot{}}
	for _, s := range r.Slots {
		out.Slots = append(out.Slots, wire.RunSlot{
			SlotCounts: wire.SlotCounts(s.SlotCounts),
			PassRate:   s.PassRate, Coverage: s.Coverage, Config: rawJSON(s.Config),
		})
	}
	return out
}

// initRunner gives a server without a Runner one, made once, which Close
// stops.
func (s *Server) initRunner() {
	if s.Runner == nil {
		s.Runner = eval.NewRunner(s.Store, s.LLM, s.logger())
		s.ownRunner = s.Runner
	}
}

// Close stops the background runs of the Runner that Handler made, marking
// them failed, and waits for them. A Runner the server was given is its
// giver's to close.
func (s *Server) Close() {
	if s.ownRunner != nil {
		s.ownRunner.Close()
	}
}

// streamDataset writes before, the dataset with the items of a version (0:
// working) as GET one dataset shows them, then after; all read in one
// snapshot and streamed.
func (s *Server) streamDataset(w http.ResponseWriter, r *request, status int, before []byte, datasetID string, version int, after string) error {
	scan, err := s.Store.OpenItems(r.ctx(), strata.ItemQuery{ProjectID: r.principal.ProjectID, DatasetID: datasetID, Version: version})
	if err != nil {
		return err
	}
	defer scan.Close()
	// The ETag of the dataset shown, as GET one dataset sends it; the
	// ETag a mutation of this request left takes its place (etagWriter).
	setETag(w, scan.Dataset())
	prefix, end, err := openDatasetWithItems(scan.Dataset())
	if err != nil {
		return err
	}
	st := newArrayStream(w, status, append(append([]byte{}, before...), prefix...))
	for it, err := range scan.Items() {
		if err != nil {
			return err
		}
		if err := st.add(toEmbeddedItemJSON(it)); err != nil {
			return err
		}
	}
	return st.finish(end + after)
}

// evaluatorKinds are the values of GET /v1/evaluators?kind.
var evaluatorKinds = []string{strata.KindBuiltin, strata.KindCustom}

// GET /v1/evaluators[?kind=builtin|custom]: without kind, every evaluator.
// Another kind, or kind given twice, is a 422 as a bad sort is: ignored, it
// listed every evaluator as if it had been obeyed.
func (s *Server) listEvaluators(w http.ResponseWriter, r *request) error {
	var v validator
	kind := ""
	if raw := queryValue(r.URL.Query(), "kind"); raw != nil {
		kind = v.enum("kind", raw, evaluatorKinds, "")
	}
	if err := v.err(); err != nil {
		return err
	}
	// Streamed, an evaluator at a time: each may hold megabytes of params.
	st := newArrayStream(w, http.StatusOK, nil)
	err := s.Store.ListEvaluators(r.ctx(), r.principal.ProjectID, kind, func(e *strata.Evaluator) error {
		return st.add(toEvaluatorJSON(e))
	})
	if err != nil {
		return err
	}
	return st.finish("")
}

// GET /v1/evaluators/{id}
func (s *Server) getEvaluator(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "id")
	if err != nil {
		return err
	}
	e, err := s.Store.FindEvaluator(r.ctx(), r.principal.ProjectID, ids[0])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toEvaluatorJSON(e))
}

// record validates z.record(z.any()): a JSON object.
func (v *validator) record(path string, raw json.RawMessage) json.RawMessage {
	if typeOf(raw) != "object" {
		v.invalidType(path, "object", raw)
		return nil
	}
	return raw
}

// array validates z.array(z.any()).
func (v *validator) array(path string, raw json.RawMessage) json.RawMessage {
	if typeOf(raw) != "array" {
		v.invalidType(path, "array", raw)
		return nil
	}
	return raw
}

// evaluatorFields validates Lunary's evaluator body: {ownerId?, name, slug,
// description?, type, mode, params, filters} for a create, without ownerId
// and slug for an update. ownerId is checked and ignored: the owner is the
// key's user.
func evaluatorFields(v *validator, b jsonBody, create bool) (c strata.EvaluatorCreate) {
	obj, ok := v.object(b)
	if !ok {
		return c
	}
	// Lunary takes any string; a name, slug, type and mode are 1 to 1,000
	// characters here, a description at most 10,000, as a dataset's (a
	// name of 100,000 characters made every run page 500 KB).
	required := func(path string) string {
		s, _ := v.str(path, obj[path], stringRule{min: 1, max: strata.MaxNameLength})
		if s == nil {
			return ""
		}
		return *s
	}
	if create {
		v.str("ownerId", obj["ownerId"], stringRule{optional: true})
	}
	c.Name = required("name")
	if create {
		c.Slug = required("slug")
	}
	c.Description, _ = v.str("description", obj["description"], stringRule{optional: true, max: strata.MaxDescriptionLength})
	c.Type = required("type")
	c.Mode = required("mode")
	c.Params = v.record("params", obj["params"])
	c.Filters = v.array("filters", obj["filters"])
	switch c.Type {
	case "json":
		v.jsonSchema(c.Params)
	case "string":
		v.params(c.Params, eval.CheckStringParams)
	case "text-similarity":
		v.params(c.Params, eval.CheckTextSimilarityParams)
	}
	return c
}

// params refuses an evaluator's params that check, the eval package's rule
// of its type, finds would make every result wrong (eval.CheckStringParams,
// eval.CheckTextSimilarityParams): at the param check names.
func (v *validator) params(params json.RawMessage, check func(map[string]any) (string, error)) {
	var p map[string]any
	if params == nil || json.Unmarshal(params, &p) != nil {
		return
	}
	if param, err := check(p); err != nil {
		v.add("params."+param, err.Error())
	}
}

// jsonSchema bounds the cost of a json evaluator's params.schema: its size
// and depth (eval.CheckSchema).
func (v *validator) jsonSchema(params json.RawMessage) {
	var p struct{ Schema json.RawMessage }
	if params == nil || json.Unmarshal(params, &p) != nil || p.Schema == nil || string(p.Schema) == "null" {
		return
	}
	if err := eval.CheckSchema(p.Schema); err != nil {
		v.add("params.schema", err.Error())
	}
}

// POST /v1/evaluators: 200, as in Lunary.
func (s *Server) createEvaluator(w http.ResponseWriter, r *request) error {
	var v validator
	c := evaluatorFields(&v, r.body, true)
	if err := v.err(); err != nil {
		return err
	}
	e, err := s.Store.CreateEvaluator(r.ctx(), r.actor(), c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toEvaluatorJSON(e))
}

// PATCH /v1/evaluators/{id}: the body is validated before the lookup, as in
// Lunary.
func (s *Server) updateEvaluator(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "id")
	if err != nil {
		return err
	}
	var v validator
	c := evaluatorFields(&v, r.body, false)
	if err := v.err(); err != nil {
		return err
	}
	u := strata.EvaluatorUpdate{Name: c.Name, Type: c.Type, Mode: c.Mode, Description: c.Description, Params: c.Params, Filters: c.Filters}
	e, err := s.Store.UpdateEvaluator(r.ctx(), r.actor(), ids[0], u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toEvaluatorJSON(e))
}

// DELETE /v1/evaluators/{id}: 200 {}, as in Lunary.
func (s *Server) deleteEvaluator(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "id")
	if err != nil {
		return err
	}
	if err := s.Store.DeleteEvaluator(r.ctx(), r.actor(), ids[0]); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// evaluatorConfig validates Lunary's slot config, the zod union
// {type: "model-labeler", passLabels: string[]} | {type: "model-scorer",
// threshold: number}, and reports a failure as zod-validation-error does:
// each alternative's issues, the alternatives joined by ", or ".
func (v *validator) evaluatorConfig(raw json.RawMessage) *strata.EvaluatorConfig {
	if raw == nil {
		return nil
	}
	if typeOf(raw) != "object" {
		v.invalidType("config", "object", raw)
		return nil
	}
	var obj map[string]json.RawMessage
	json.Unmarshal(raw, &obj)
	literal := func(alt *validator, want string) {
		var got string
		if typeOf(obj["type"]) != "string" || json.Unmarshal(obj["type"], &got) != nil || got != want {
			alt.add("config.type", `Invalid literal value, expected "`+want+`"`)
		}
	}
	var labeler, scorer validator
	literal(&labeler, strata.TypeModelLabeler)
	var labels []string
	switch t := typeOf(obj["passLabels"]); t {
	case "array":
		var elems []json.RawMessage
		json.Unmarshal(obj["passLabels"], &elems)
		labels = []string{}
		for i, e := range elems {
			var s string
			if typeOf(e) != "string" || json.Unmarshal(e, &s) != nil {
				labeler.invalidType("config.passLabels["+strconv.Itoa(i)+"]", "string", e)
				continue
			}
			labels = append(labels, s)
		}
	default:
		labeler.invalidType("config.passLabels", "array", obj["passLabels"])
	}
	if labeler.issues == nil {
		return &strata.EvaluatorConfig{Type: strata.TypeModelLabeler, PassLabels: labels}
	}
	literal(&scorer, strata.TypeModelScorer)
	var threshold float64
	switch {
	case typeOf(obj["threshold"]) != "number":
		scorer.invalidType("config.threshold", "number", obj["threshold"])
	case json.Unmarshal(obj["threshold"], &threshold) != nil: // 1e400: beyond a float
		scorer.add("config.threshold", "Number must be finite")
	}
	if scorer.issues == nil {
		return &strata.EvaluatorConfig{Type: strata.TypeModelScorer, Threshold: &threshold}
	}
	alternatives := []string{strata.JoinIssues(labeler.issues)}
	if s := strata.JoinIssues(scorer.issues); s != alternatives[0] {
		alternatives = append(alternatives, s)
	}
	v.add("", strings.Join(alternatives, ", or "))
	return nil
}

// POST /v1/datasets-v2/{datasetId}/evaluators: attach an evaluator to the
// first free slot. The body is validated before the lookup, as in Lunary.
func (s *Server) attachEvaluator(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	var v validator
	var at strata.EvaluatorAttach
	if obj, ok := v.object(r.body); ok {
		if id, ok := v.str("evaluatorId", obj["evaluatorId"], stringRule{}); ok {
			if !uuidPattern.MatchString(*id) {
				v.add("evaluatorId", "Invalid uuid")
			}
			at.EvaluatorID = strings.ToLower(*id)
		}
		at.Config = v.evaluatorConfig(obj["config"])
	}
	if err := v.err(); err != nil {
		return err
	}
	// An LLM judge must name an allowed model: checked once Lunary's own
	// checks pass, which the store makes under the dataset's lock.
	if e, err := s.Store.FindEvaluator(r.ctx(), r.principal.ProjectID, at.EvaluatorID); err == nil && strata.CheckAttach(e, at.Config) == nil {
		if model, ok := eval.LLMModel(e); ok {
			if err := s.LLM.CheckModel(model); err != nil {
				return s.afterLookup(r, ids[0], err)
			}
		}
	}
	if _, err := s.Store.AttachEvaluator(r.ctx(), r.actor(), ids[0], at); err != nil {
		return err
	}
	return s.streamDataset(w, r, http.StatusOK, nil, ids[0], 0, "")
}

// DELETE /v1/datasets-v2/{datasetId}/evaluators/{slot}
func (s *Server) detachEvaluator(w http.ResponseWriter, r *request) error {
	var v validator
	// Lunary's schema is {slot}.merge({datasetId}): the slot is checked first.
	raw, _ := json.Marshal(r.PathValue("slot"))
	slot := v.integer("slot", raw, 1, strata.MaxEvaluatorSlots, 0)
	datasetID := r.PathValue("datasetId")
	if !uuidPattern.MatchString(datasetID) {
		v.add("datasetId", "Invalid uuid")
	}
	if err := v.err(); err != nil {
		return err
	}
	datasetID = strings.ToLower(datasetID)
	if _, err := s.Store.DetachEvaluator(r.ctx(), r.actor(), datasetID, slot); err != nil {
		return err
	}
	return s.streamDataset(w, r, http.StatusOK, nil, datasetID, 0, "")
}

// POST /v1/datasets-v2/{datasetId}/evaluators/run[?async=true]: Lunary's
// {updatedItemCount, dataset, version, run}; with async, 202 {run} at once.
func (s *Server) runEvaluators(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	err = onlyParams(r, "async", "split", "metadata.KEY", "externalId")
	var async bool
	if err == nil {
		async, err = boolParam(r, "async")
	}
	filter, err := queryFilter(r, err, false)
	if err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	var res *eval.RunResult
	if async {
		var run *strata.Run
		if run, res, err = s.Runner.RunAsyncFiltered(r.ctx(), r.actor(), ids[0], filter); err != nil {
			return err
		}
		if run != nil {
			// Recording the run left the dataset's ETag as it was (its
			// results change it when they are written): the dataset's
			// ETag now, as every answer about a dataset has one.
			if d, err := s.Store.FindDataset(r.ctx(), r.principal.ProjectID, ids[0]); err == nil {
				setETag(w, d)
			}
			return writeJSON(w, http.StatusAccepted, map[string]wire.RunWithSlots{"run": toRunWithSlotsJSON(run)})
		}
	} else if res, err = s.Runner.RunFiltered(r.ctx(), r.actor(), ids[0], filter); err != nil {
		return err
	}
	before, _ := marshal(map[string]int{"updatedItemCount": res.UpdatedItemCount})
	before = append(before[:len(before)-1], `,"dataset":`...)
	if res.Version == nil {
		// No item: nothing ran, and Lunary answers without version and run.
		return s.streamDataset(w, r, http.StatusOK, before, res.DatasetID, 0, "}")
	}
	after, err := marshal(struct {
		Version wire.Version      `json:"version"`
		Run     wire.RunWithSlots `json:"run"`
	}{toVersionJSON(res.Version), toRunWithSlotsJSON(res.Run)})
	if err != nil {
		return err
	}
	after[0] = ','
	// The items are those of the version the run made: its results.
	return s.streamDataset(w, r, http.StatusOK, before, res.DatasetID, res.Version.Number, string(after))
}

// GET /v1/datasets-v2/{datasetId}/evaluator-runs
func (s *Server) listRuns(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId")
	if err != nil {
		return err
	}
	var v validator
	limit := v.integer("limit", queryValue(r.URL.Query(), "limit"), 1, maxRunsLimit, defaultRunsLimit)
	if err := v.err(); err != nil {
		return err
	}
	runs, err := s.Store.ListRuns(r.ctx(), r.principal.ProjectID, ids[0], limit)
	if err != nil {
		return err
	}
	out := wire.RunList{Runs: []wire.RunWithSlots{}, Aggregate: []wire.Aggregate{}}
	for _, run := range runs {
		out.Runs = append(out.Runs, toRunWithSlotsJSON(run))
	}
	for _, a := range strata.AggregateRuns(runs) {
		out.Aggregate = append(out.Aggregate, wire.Aggregate{
			SlotCounts: wire.SlotCounts(a.SlotCounts),
			RunCount:   a.RunCount, PassRate: a.PassRate,
		})
	}
	return writeJSON(w, http.StatusOK, out)
}

// GET /v1/datasets-v2/{datasetId}/evaluator-runs/{runId}
func (s *Server) getRun(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId", "runId")
	if err != nil {
		return err
	}
	run, err := s.Store.FindRun(r.ctx(), r.principal.ProjectID, ids[0], ids[1])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]wire.RunWithSlots{"run": toRunWithSlotsJSON(run)})
}

// PATCH /v1/datasets-v2/{datasetId}/evaluator-runs/{runId}: body
// {name: string (at most 200) | null}; a blank name clears it.
func (s *Server) renameRun(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId", "runId")
	if err != nil {
		return err
	}
	var v validator
	var name *string
	if obj, ok := v.object(r.body); ok {
		switch raw := obj["name"]; typeOf(raw) {
		case "null":
		case "string":
			name, _ = v.str("name", raw, stringRule{max: maxRunNameLength})
		case "undefined":
			v.add("name", "Required")
		default:
			t := typeOf(raw)
			v.add("", `Expected string, received `+t+` at "name", or Expected null, received `+t+` at "name"`)
		}
	}
	if err := v.err(); err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	if name != nil {
		if trimmed := strata.JSTrim(*name); trimmed == "" {
			name = nil
		} else {
			name = &trimmed
		}
	}
	run, err := s.Store.RenameRun(r.ctx(), r.actor(), ids[0], ids[1], name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]wire.Run{"run": toRunJSON(run)})
}

// POST /v1/datasets-v2/{datasetId}/items/{itemId}/generate: the model's
// answer to the item's input (or the body's), not saved. An upstream failure
// is a 502 whatever its status: an upstream 401 passed on would sign
// Lunary's frontend out.
func (s *Server) generate(w http.ResponseWriter, r *request) error {
	ids, err := pathIDs(r, "datasetId", "itemId")
	if err != nil {
		return err
	}
	var v validator
	model, instructions, input := eval.DefaultModel, "", (*string)(nil)
	if obj, ok := v.object(r.body); ok {
		if m, _ := v.str("model", obj["model"], stringRule{trim: true, min: 1, optional: true}); m != nil {
			model = *m
		}
		if in, _ := v.str("instructions", obj["instructions"], stringRule{trim: true, max: maxInstructionsLength, optional: true}); in != nil {
			instructions = *in
		}
		input, _ = v.str("input", obj["input"], stringRule{optional: true})
	}
	if err := v.err(); err != nil {
		return s.afterLookup(r, ids[0], err)
	}
	it, err := s.Store.FindItem(r.ctx(), r.principal.ProjectID, ids[0], ids[1])
	if err != nil {
		return err
	}
	if !s.LLM.Configured() {
		return eval.ErrNotConfigured
	}
	if err := s.LLM.CheckModel(model); err != nil {
		return err
	}
	if input == nil {
		input = &it.Input
	}
	if limit := s.LLM.PromptLimit(); len(*input) > limit {
		return strata.Errorf(strata.ETOOLARGE, "input is %d bytes, more than the limit of %d for a prompt", len(*input), limit)
	}
	resp, err := s.LLM.Respond(r.ctx(), eval.Request{Model: model, Input: *input, Instructions: instructions})
	if err != nil {
		if r.ctx().Err() != nil {
			return err
		}
		// The model's server failed, not this one: a warning, and a 502.
		// The client's own errors name the LLM ("LLM request timed out
		// after 2m", "LLM response is not JSON: ..."); the server's answer
		// is its status and message, which this says came from the LLM.
		s.logger().WarnContext(r.ctx(), "LLM request failed", "model", model, "err", err)
		msg := err.Error()
		if !strings.HasPrefix(msg, "LLM ") {
			msg = "LLM request failed: " + msg
		}
		return strata.Errorf(strata.EUPSTREAM, "%s", msg)
	}
	return writeJSON(w, http.StatusOK, map[string]string{"output": strings.TrimSpace(resp.Text)})
}
