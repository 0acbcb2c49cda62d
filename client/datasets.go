package client

import "context"
import "encoding/json"
import "fmt"
import "net/http"
import "net/url"
import "strings"

import "github.com/strata-eval/strata"

// DatasetInput creates a dataset.
type DatasetInput struct {
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
}

// DatasetUpdate changes the fields that are set and leaves the others
// alone. ClearDescription sets the description to null (Description must
// then be nil).
type DatasetUpdate struct {
	Name        *string
	Description *string
	Slug        *string

	ClearDescription bool
}

// MarshalJSON writes u as the body of a PATCH: a description cleared is
// null.
func (u DatasetUpdate) MarshalJSON() ([]byte, error) {
	desc, err := member("Description", u.Description, u.ClearDescription)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Name        *string  `json:"name,omitempty"`
		Description nullable `json:"description,omitzero"`
		Slug        *string  `json:"slug,omitempty"`
	}{u.Name, desc, u.Slug})
}

// WriteOptions are the options of a change of items or names.
type WriteOptions struct {
	// SkipVersion leaves the change in the working version instead of
	// snapshotting it.
	SkipVersion bool
}

func (o WriteOptions) query() url.Values {
	q := url.Values{}
	if o.SkipVersion {
		q.Set("skipVersion", "true")
	}
	return q
}

// ListOptions narrow ListDatasets.
type ListOptions struct {
	Search string
	Sort   string // newest (default), alphabetical, items, updated
}

// ListDatasets lists the datasets of the key's project. The list, as
// Lunary's, carries no evaluator configs: each dataset's EvaluatorConfigs is
// nil.
func (c *Client) ListDatasets(ctx context.Context, o ListOptions) ([]Dataset, error) {
	q := url.Values{}
	if o.Search != "" {
		q.Set("search", o.Search)
	}
	if o.Sort != "" {
		q.Set("sort", o.Sort)
	}
	var out []Dataset
	err := c.callJSON(ctx, http.MethodGet, datasetsPath, q, nil, &out, http.StatusOK)
	return out, err
}

// GetDataset returns a dataset with its working items.
func (c *Client) GetDataset(ctx context.Context, id string) (*DatasetWithItems, error) {
	var out DatasetWithItems
	err := c.callJSON(ctx, http.MethodGet, datasetPath(id), nil, nil, &out, http.StatusOK)
	return &out, err
}

// CreateDataset creates a dataset at version 1, empty.
func (c *Client) CreateDataset(ctx context.Context, in DatasetInput) (*Dataset, error) {
	d, _, err := c.CreateDatasetETag(ctx, in)
	return d, err
}

// CreateDatasetETag is CreateDataset, and returns the new dataset's ETag
// too: a change sent with it as If-Match (DeleteDatasetIfMatch) applies only
// to the dataset as it was created.
func (c *Client) CreateDatasetETag(ctx context.Context, in DatasetInput) (*Dataset, string, error) {
	body, err := jsonBody(in)
	if err != nil {
		return nil, "", err
	}
	var out Dataset
	h, err := c.callHeader(ctx, &request{method: http.MethodPost, path: datasetsPath, body: body, want: http.StatusCreated}, &out)
	if err != nil {
		return &out, "", err
	}
	return &out, h.Get("ETag"), nil
}

// UpdateDataset renames a dataset, changes or clears its description, or
// changes its slug.
func (c *Client) UpdateDataset(ctx context.Context, id string, u DatasetUpdate, o WriteOptions) (*Dataset, error) {
	var out Dataset
	if _, err := u.MarshalJSON(); err != nil {
		return &out, err
	}
	err := c.callJSON(ctx, http.MethodPatch, datasetPath(id), o.query(), u, &out, http.StatusOK)
	return &out, err
}

// DeleteDataset deletes a dataset with its items and versions.
func (c *Client) DeleteDataset(ctx context.Context, id string) error {
	return c.callJSON(ctx, http.MethodDelete, datasetPath(id), nil, nil, nil, http.StatusNoContent)
}

// DeleteDatasetIfMatch deletes a dataset only if its ETag is still etag:
// one changed since is kept, and the answer is a 412 *Error.
func (c *Client) DeleteDatasetIfMatch(ctx context.Context, id, etag string) error {
	if etag == "" {
		return invalidf("delete dataset %s: no ETag to match", id)
	}
	return c.call(ctx, &request{method: http.MethodDelete, path: datasetPath(id),
		header: http.Header{"If-Match": {etag}}, want: http.StatusNoContent}, nil)
}

// DuplicateDataset copies a dataset's working items into a new dataset.
func (c *Client) DuplicateDataset(ctx context.Context, id string) (*Dataset, error) {
	var out Dataset
	err := c.callJSON(ctx, http.MethodPost, datasetPath(id)+"/duplicate", nil, nil, &out, http.StatusCreated)
	return &out, err
}

// FindDataset returns the dataset that name names. An id names its dataset,
// whatever the others are called. Otherwise name is a slug, or a name
// compared as the server stores names (trimmed, in NFC: strata.CleanName),
// so a name typed with a combining accent names the dataset it created.
// Slugs are unique and so are names, but a name may be another dataset's
// slug ("team-prod" and the slug of "team@prod"): then name names neither,
// and the answer is an *AmbiguousError, so that a push never goes to the
// one not meant. It is a 404 *Error when no dataset has the name. The
// dataset is read from the list (ListDatasets): its EvaluatorConfigs is nil.
func (c *Client) FindDataset(ctx context.Context, name string) (*Dataset, error) {
	list, err := c.ListDatasets(ctx, ListOptions{})
	if err != nil {
		return nil, err
	}
	stored, storable := storedName(name)
	var byName, bySlug *Dataset
	for i := range list {
		d := &list[i]
		if strings.EqualFold(d.ID, name) { // an id in any case, as the server reads it
			return d, nil
		}
		if d.Slug == name {
			bySlug = d
		}
		if n, ok := storedName(d.Name); storable && ok && n == stored {
			byName = d
		}
	}
	switch {
	case byName != nil && bySlug != nil && byName.ID != bySlug.ID:
		return nil, &AmbiguousError{Name: name, ByName: byName, BySlug: bySlug}
	case byName != nil:
		return byName, nil
	case bySlug != nil:
		return bySlug, nil
	}
	return nil, &Error{Method: http.MethodGet, Path: datasetsPath, Status: http.StatusNotFound,
		Message: fmt.Sprintf("No dataset has the id, slug or name %q", name)}
}

// storedName is name as the server would store it, and false when the
// server would refuse it.
func storedName(name string) (string, bool) {
	n, err := strata.CleanName(strata.JSTrim(name))
	return n, err == nil
}

// AmbiguousError is a name that is the name of one dataset and the slug of
// another: FindDataset takes neither, and an id says which is meant.
type AmbiguousError struct {
	Name           string
	ByName, BySlug *Dataset
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%q is the name of dataset %s and the slug of dataset %s (named %q): name the one you mean by its id",
		e.Name, e.ByName.ID, e.BySlug.ID, e.BySlug.Name)
}
