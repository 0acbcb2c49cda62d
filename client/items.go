package client

import "context"
import "encoding/json"
import "net/http"
import "net/url"
import "strconv"

// ItemInput creates an item.
type ItemInput struct {
	Input       string          `json:"input"`
	GroundTruth *string         `json:"groundTruth,omitempty"`
	Output      *string         `json:"output,omitempty"`
	Metadata    json.RawMessage `json:"metadata,omitempty"`
	Splits      []string        `json:"splits,omitempty"`
	ExternalID  *string         `json:"externalId,omitempty"`
}

// ItemUpdate changes the fields that are set and leaves the others alone.
//
// A pointer set to a value sets its field; ClearGroundTruth, ClearOutput
// and ClearExternalID set theirs to null (the field's pointer must then be
// nil). Metadata, when not empty, replaces the item's metadata (`{}` empties
// it). Splits, when not nil, replaces the item's splits: []string{} removes
// them all.
type ItemUpdate struct {
	Input       *string
	GroundTruth *string
	Output      *string
	Metadata    json.RawMessage
	Splits      []string
	ExternalID  *string

	ClearGroundTruth bool
	ClearOutput      bool
	ClearExternalID  bool
}

// MarshalJSON writes u as the body of a PATCH: a field cleared is null,
// splits set to none are [].
func (u ItemUpdate) MarshalJSON() ([]byte, error) {
	gt, err := member("GroundTruth", u.GroundTruth, u.ClearGroundTruth)
	if err != nil {
		return nil, err
	}
	out, err := member("Output", u.Output, u.ClearOutput)
	if err != nil {
		return nil, err
	}
	ext, err := member("ExternalID", u.ExternalID, u.ClearExternalID)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Input       *string         `json:"input,omitempty"`
		GroundTruth nullable        `json:"groundTruth,omitzero"`
		Output      nullable        `json:"output,omitzero"`
		Metadata    json.RawMessage `json:"metadata,omitempty"`
		Splits      []string        `json:"splits,omitzero"` // nil: absent; empty: []
		ExternalID  nullable        `json:"externalId,omitzero"`
	}{u.Input, gt, out, u.Metadata, u.Splits, ext})
}

// nullable is a member of a PATCH body: absent (the zero value), null, or a
// string.
type nullable struct {
	set bool
	v   *string
}

func (n nullable) IsZero() bool { return !n.set }

func (n nullable) MarshalJSON() ([]byte, error) { return json.Marshal(n.v) }

// member is the member of a field that is set to v, cleared, or neither;
// both is an error.
func member(name string, v *string, clear bool) (nullable, error) {
	if clear && v != nil {
		return nullable{}, invalidf("%s is set and Clear%s too: set one", name, name)
	}
	return nullable{set: clear || v != nil, v: v}, nil
}

// ItemFilter selects the items a read lists: the working items, a
// version's items, a diff's changes. The zero ItemFilter selects them all.
type ItemFilter struct {
	// Splits keeps the items in any of these splits (split=NAME).
	Splits []string
	// Metadata keeps the items whose metadata has every key with its value,
	// compared with the value's text, so "1" matches the number 1
	// (metadata.KEY=VALUE).
	Metadata map[string]string
	// ExternalID keeps the item with this external id ("": any).
	ExternalID string
}

// IsZero reports whether f keeps every item.
func (f ItemFilter) IsZero() bool {
	return len(f.Splits) == 0 && len(f.Metadata) == 0 && f.ExternalID == ""
}

// addTo adds the filter's parameters to q.
func (f ItemFilter) addTo(q url.Values) {
	for _, split := range f.Splits {
		q.Add("split", split)
	}
	for key, value := range f.Metadata {
		q.Set("metadata."+key, value)
	}
	if f.ExternalID != "" {
		q.Set("externalId", f.ExternalID)
	}
}

// PageOptions ask for one page of a list.
//
// A page filtered by metadata may hold fewer items than Limit, or none, and
// still have a NextCursor: the server reads a bounded number of rows a page
// and checks the metadata of each. Read on while NextCursor is set (the
// iterators do).
type PageOptions struct {
	Limit  int    // 1-1000; 0: the server's default (100)
	Cursor string // from the previous page's NextCursor
	// Search keeps the items whose input, ground truth or output holds it,
	// in any case.
	Search string
	Filter ItemFilter
}

func (o PageOptions) query() url.Values {
	q := url.Values{}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	} else if o.Cursor == "" {
		q.Set("limit", "100")
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	if o.Search != "" {
		q.Set("search", o.Search)
	}
	o.Filter.addTo(q)
	return q
}

// ItemPage is a page of items.
type ItemPage struct {
	Items      []Item  `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// ListItems returns a page of a dataset's working items.
func (c *Client) ListItems(ctx context.Context, datasetID string, o PageOptions) (*ItemPage, error) {
	var out ItemPage
	err := c.callJSON(ctx, http.MethodGet, datasetPath(datasetID)+"/items", o.query(), nil, &out, http.StatusOK)
	return &out, err
}

func itemPath(datasetID, itemID string) string {
	return datasetPath(datasetID) + "/items/" + esc(itemID)
}

// GetItem returns one working item.
func (c *Client) GetItem(ctx context.Context, datasetID, itemID string) (*Item, error) {
	var out Item
	err := c.callJSON(ctx, http.MethodGet, itemPath(datasetID, itemID), nil, nil, &out, http.StatusOK)
	return &out, err
}

// CreateItem adds an item.
func (c *Client) CreateItem(ctx context.Context, datasetID string, in ItemInput, o WriteOptions) (*Item, error) {
	var out Item
	err := c.callJSON(ctx, http.MethodPost, datasetPath(datasetID)+"/items", o.query(), in, &out, http.StatusCreated)
	return &out, err
}

// UpdateItem changes the fields of an item that u sets or clears.
func (c *Client) UpdateItem(ctx context.Context, datasetID, itemID string, u ItemUpdate, o WriteOptions) (*Item, error) {
	var out Item
	if _, err := u.MarshalJSON(); err != nil {
		return &out, err // a usage error, not wrapped by encoding/json
	}
	err := c.callJSON(ctx, http.MethodPatch, itemPath(datasetID, itemID), o.query(), u, &out, http.StatusOK)
	return &out, err
}

// DeleteItem deletes an item.
func (c *Client) DeleteItem(ctx context.Context, datasetID, itemID string, o WriteOptions) error {
	return c.callJSON(ctx, http.MethodDelete, itemPath(datasetID, itemID), o.query(), nil, nil, 0)
}

// ItemHistory returns every revision of an item.
func (c *Client) ItemHistory(ctx context.Context, datasetID, itemID string) (*History, error) {
	var out History
	err := c.callJSON(ctx, http.MethodGet, itemPath(datasetID, itemID)+"/history", nil, nil, &out, http.StatusOK)
	return &out, err
}
