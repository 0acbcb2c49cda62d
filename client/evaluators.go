package client

import "context"
import "encoding/json"
import "net/http"
import "net/url"
import "strconv"

const evaluatorsPath = "/v1/evaluators"

// ListEvaluators lists the project's evaluators; kind "builtin" or "custom"
// narrows the list.
func (c *Client) ListEvaluators(ctx context.Context, kind string) ([]Evaluator, error) {
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	var out []Evaluator
	err := c.callJSON(ctx, http.MethodGet, evaluatorsPath, q, nil, &out, http.StatusOK)
	return out, err
}

// GetEvaluator returns an evaluator.
func (c *Client) GetEvaluator(ctx context.Context, id string) (*Evaluator, error) {
	var out Evaluator
	err := c.callJSON(ctx, http.MethodGet, evaluatorsPath+"/"+esc(id), nil, nil, &out, http.StatusOK)
	return &out, err
}

// CreateEvaluator creates an evaluator.
func (c *Client) CreateEvaluator(ctx context.Context, in EvaluatorInput) (*Evaluator, error) {
	var out Evaluator
	err := c.callJSON(ctx, http.MethodPost, evaluatorsPath, nil, in, &out, 0)
	return &out, err
}

// UpdateEvaluator changes the fields of in that are set.
func (c *Client) UpdateEvaluator(ctx context.Context, id string, in EvaluatorInput) (*Evaluator, error) {
	var out Evaluator
	err := c.callJSON(ctx, http.MethodPatch, evaluatorsPath+"/"+esc(id), nil, in, &out, http.StatusOK)
	return &out, err
}

// DeleteEvaluator deletes an evaluator.
func (c *Client) DeleteEvaluator(ctx context.Context, id string) error {
	return c.callJSON(ctx, http.MethodDelete, evaluatorsPath+"/"+esc(id), nil, nil, nil, 0)
}

// AttachEvaluator puts an evaluator in the dataset's first free slot, with an
// optional config (what passes for an LLM judge).
func (c *Client) AttachEvaluator(ctx context.Context, datasetID, evaluatorID string, config json.RawMessage) (*DatasetWithItems, error) {
	in := map[string]any{"evaluatorId": evaluatorID}
	if len(config) > 0 {
		in["config"] = config
	}
	var out DatasetWithItems
	err := c.callJSON(ctx, http.MethodPost, datasetPath(datasetID)+"/evaluators", nil, in, &out, 0)
	return &out, err
}

// DetachEvaluator empties a slot (1-5).
func (c *Client) DetachEvaluator(ctx context.Context, datasetID string, slot int) (*DatasetWithItems, error) {
	var out DatasetWithItems
	err := c.callJSON(ctx, http.MethodDelete, datasetPath(datasetID)+"/evaluators/"+strconv.Itoa(slot), nil, nil, &out, http.StatusOK)
	return &out, err
}

// RunOptions control a run of a dataset's evaluators.
type RunOptions struct {
	// Async answers at once with the run, computed in the background.
	Async bool
	// Filter scores only the items it matches; the run records it.
	Filter ItemFilter
}

// RunEvaluators runs the attached evaluators over the working items (those
// o.Filter matches). With o.Async, the server answers at once with the run (follow it with GetRun);
// Run.ID is empty when there was nothing to run.
func (c *Client) RunEvaluators(ctx context.Context, datasetID string, o RunOptions) (*RunResult, error) {
	q := url.Values{}
	if o.Async {
		q.Set("async", "true")
	}
	o.Filter.addTo(q)
	var out RunResult
	err := c.callJSON(ctx, http.MethodPost, datasetPath(datasetID)+"/evaluators/run", q, nil, &out, 0)
	return &out, err
}

func runPath(datasetID, runID string) string {
	return datasetPath(datasetID) + "/evaluator-runs/" + esc(runID)
}

// GetRun returns a run, with its progress while it runs.
func (c *Client) GetRun(ctx context.Context, datasetID, runID string) (*Run, error) {
	var out struct {
		Run Run `json:"run"`
	}
	err := c.callJSON(ctx, http.MethodGet, runPath(datasetID, runID), nil, nil, &out, http.StatusOK)
	return &out.Run, err
}

// ListRuns returns the newest runs of a dataset (limit 0: the server's
// default) and the pass rates of its evaluators.
func (c *Client) ListRuns(ctx context.Context, datasetID string, limit int) (*RunList, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out RunList
	err := c.callJSON(ctx, http.MethodGet, datasetPath(datasetID)+"/evaluator-runs", q, nil, &out, http.StatusOK)
	return &out, err
}

// RenameRun names a run.
func (c *Client) RenameRun(ctx context.Context, datasetID, runID, name string) (*Run, error) {
	var out struct {
		Run Run `json:"run"`
	}
	err := c.callJSON(ctx, http.MethodPatch, runPath(datasetID, runID), nil, map[string]string{"name": name}, &out, http.StatusOK)
	return &out.Run, err
}

// Generate asks the LLM for an item's output (not saved).
func (c *Client) Generate(ctx context.Context, datasetID, itemID string, in map[string]any) (string, error) {
	var out struct {
		Output string `json:"output"`
	}
	err := c.callJSON(ctx, http.MethodPost, itemPath(datasetID, itemID)+"/generate", nil, in, &out, http.StatusOK)
	return out.Output, err
}
