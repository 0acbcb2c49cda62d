package client

import "context"
import "fmt"
import "net/http"
import "net/url"

// DatasetInput creates a dataset.
type DatasetInput struct {
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
}

// DatasetUpdate changes the fields that are set.
type DatasetUpdate struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	Slug        *string `json:"slug,omitempty"`
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

// ListDatasets lists the datasets of the key's project.
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
	var out Dataset
	err := c.callJSON(ctx, http.MethodPost, datasetsPath, nil, in, &out, http.StatusCreated)
	return &out, err
}

// UpdateDataset renames a dataset, changes its description or its slug.
func (c *Client) UpdateDataset(ctx context.Context, id string, u DatasetUpdate, o WriteOptions) (*Dataset, error) {
	var out Dataset
	err := c.callJSON(ctx, http.MethodPatch, datasetPath(id), o.query(), u, &out, http.StatusOK)
	return &out, err
}

// DeleteDataset deletes a dataset with its items and versions.
func (c *Client) DeleteDataset(ctx context.Context, id string) error {
	return c.callJSON(ctx, http.MethodDelete, datasetPath(id), nil, nil, nil, http.StatusNoContent)
}

// DuplicateDataset copies a dataset's working items into a new dataset.
func (c *Client) DuplicateDataset(ctx context.Context, id string) (*Dataset, error) {
	var out Dataset
	err := c.callJSON(ctx, http.MethodPost, datasetPath(id)+"/duplicate", nil, nil, &out, http.StatusCreated)
	return &out, err
}

// FindDataset returns the dataset that name names: its id, else its slug,
// else its name (exactly). It is a 404 *Error when none does.
func (c *Client) FindDataset(ctx context.Context, name string) (*Dataset, error) {
	list, err := c.ListDatasets(ctx, ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, match := range []func(d *Dataset) bool{
		func(d *Dataset) bool { return d.ID == name },
		func(d *Dataset) bool { return d.Slug == name },
		func(d *Dataset) bool { return d.Name == name },
	} {
		for i := range list {
			if match(&list[i]) {
				return &list[i], nil
			}
		}
	}
	return nil, &Error{Method: http.MethodGet, Path: datasetsPath, Status: http.StatusNotFound,
		Message: fmt.Sprintf("No dataset has the id, slug or name %q", name)}
}
