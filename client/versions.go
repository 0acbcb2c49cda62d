package client

import "context"
import "net/http"
import "net/url"
import "strconv"

import "github.com/strata-eval/strata/wire"

// A ref names a version: its id, its number ("3"), "latest" or a tag; diff
// also takes "working".

func versionPath(datasetID, ref string) string {
	return datasetPath(datasetID) + "/versions/" + esc(ref)
}

// ListVersions returns every version of a dataset, newest first, read 100
// at a time.
func (c *Client) ListVersions(ctx context.Context, datasetID string) ([]Version, error) {
	var all []Version
	for before := 0; ; {
		page, err := c.ListVersionsBefore(ctx, datasetID, before, 100)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 100 {
			return all, nil
		}
		before = page[len(page)-1].VersionNumber
	}
}

// ListRecentVersions returns the limit newest versions of a dataset, newest
// first. limit is 1-100; 0 means the server's default (50).
func (c *Client) ListRecentVersions(ctx context.Context, datasetID string, limit int) ([]Version, error) {
	return c.ListVersionsBefore(ctx, datasetID, 0, limit)
}

// ListVersionsBefore returns the limit newest versions of a dataset numbered
// below before (0: all), newest first: the pages of a long history.
func (c *Client) ListVersionsBefore(ctx context.Context, datasetID string, before, limit int) ([]Version, error) {
	q := url.Values{}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if before != 0 {
		q.Set("before", strconv.Itoa(before))
	}
	var out wire.VersionList
	err := c.callJSON(ctx, http.MethodGet, datasetPath(datasetID)+"/versions", q, nil, &out, http.StatusOK)
	return out.Versions, err
}

// GetVersion returns a version with its items.
func (c *Client) GetVersion(ctx context.Context, datasetID, ref string) (*VersionWithItems, error) {
	var out VersionWithItems
	err := c.callJSON(ctx, http.MethodGet, versionPath(datasetID, ref), nil, nil, &out, http.StatusOK)
	return &out, err
}

// VersionItemPage is a page of a version's items; each item names its
// version (VersionID).
type VersionItemPage struct {
	Items      []VersionItem `json:"items"`
	NextCursor *string       `json:"nextCursor"`
}

// ListVersionItems returns a page of a version's items.
func (c *Client) ListVersionItems(ctx context.Context, datasetID, ref string, o PageOptions) (*VersionItemPage, error) {
	var out VersionItemPage
	err := c.callJSON(ctx, http.MethodGet, versionPath(datasetID, ref)+"/items", o.query(), nil, &out, http.StatusOK)
	return &out, err
}

// VersionInput names a new version; both are optional.
type VersionInput struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// CreateVersion snapshots the working version.
func (c *Client) CreateVersion(ctx context.Context, datasetID string, in VersionInput) (*Version, *Dataset, error) {
	var out wire.VersionCreated
	err := c.callJSON(ctx, http.MethodPost, datasetPath(datasetID)+"/versions", nil, in, &out, http.StatusCreated)
	return &out.Version, &out.Dataset, err
}

// RestoreVersion makes the working items those of the version ref names and
// snapshots them; it returns the dataset with its items.
func (c *Client) RestoreVersion(ctx context.Context, datasetID, ref string) (*DatasetWithItems, error) {
	var out DatasetWithItems
	err := c.callJSON(ctx, http.MethodPost, versionPath(datasetID, ref)+"/restore", nil, nil, &out, http.StatusOK)
	return &out, err
}

// TagVersion points tag at the version ref names, creating or moving it.
// movedFrom is the version number it pointed at before, if it moved.
func (c *Client) TagVersion(ctx context.Context, datasetID, ref, tag string) (v *Version, movedFrom *int, err error) {
	var out wire.Tagged
	err = c.callJSON(ctx, http.MethodPut, versionPath(datasetID, ref)+"/tags/"+esc(tag), nil, nil, &out, http.StatusOK)
	return &out.Version, out.MovedFrom, err
}

// DeleteTag removes a tag of the dataset.
func (c *Client) DeleteTag(ctx context.Context, datasetID, tag string) error {
	return c.callJSON(ctx, http.MethodDelete, datasetPath(datasetID)+"/tags/"+esc(tag), nil, nil, nil, http.StatusNoContent)
}

// ListTags returns the tags of a dataset.
func (c *Client) ListTags(ctx context.Context, datasetID string) ([]Tag, error) {
	var out wire.TagList
	err := c.callJSON(ctx, http.MethodGet, datasetPath(datasetID)+"/tags", nil, nil, &out, http.StatusOK)
	return out.Tags, err
}

// DiffOptions page and filter a diff.
type DiffOptions struct {
	Limit  int // 1-1000; 0: the server's default
	Cursor string
	// Filter keeps the changes of the items it selects on either side;
	// the counts are of those items too (Unchanged: those of the newer
	// side that did not change).
	Filter ItemFilter
}

// Diff compares two versions (refs, or "working").
func (c *Client) Diff(ctx context.Context, datasetID, from, to string, o DiffOptions) (*Diff, error) {
	q := url.Values{"from": {from}, "to": {to}}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	o.Filter.addTo(q)
	var out Diff
	err := c.callJSON(ctx, http.MethodGet, datasetPath(datasetID)+"/diff", q, nil, &out, http.StatusOK)
	return &out, err
}
