package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/strata-eval/strata"
)

// The wire forms of the domain types. Lunary's clients see JavaScript Dates:
// UTC with exactly three fraction digits, which time.Time's own JSON does not
// guarantee; and keys in Lunary's order, which differs between an item listed
// on its own and one embedded in a dataset.

// timestamp is a time in Lunary's JSON form, "2025-10-31T15:31:25.120Z".
type timestamp time.Time

const timestampLayout = "2006-01-02T15:04:05.000Z"

func (t timestamp) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(timestampLayout)+2)
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, timestampLayout)
	return append(b, '"'), nil
}

func timestampPtr(t *time.Time) *timestamp {
	if t == nil {
		return nil
	}
	ts := timestamp(*t)
	return &ts
}

// rawJSON is a stored JSON value, null when there is none.
func rawJSON(m json.RawMessage) json.RawMessage {
	if len(m) == 0 {
		return nil
	}
	return m
}

// datasetJSON is Lunary's DatasetMeta.
type datasetJSON struct {
	ID                                  string     `json:"id"`
	CreatedAt                           timestamp  `json:"createdAt"`
	UpdatedAt                           timestamp  `json:"updatedAt"`
	ProjectID                           string     `json:"projectId"`
	OwnerID                             *string    `json:"ownerId"`
	Name                                string     `json:"name"`
	Description                         *string    `json:"description"`
	CurrentVersionID                    *string    `json:"currentVersionId"`
	CurrentVersionNumber                int        `json:"currentVersionNumber"`
	EvaluatorSlot1ID                    *string    `json:"evaluatorSlot1Id"`
	EvaluatorSlot2ID                    *string    `json:"evaluatorSlot2Id"`
	EvaluatorSlot3ID                    *string    `json:"evaluatorSlot3Id"`
	EvaluatorSlot4ID                    *string    `json:"evaluatorSlot4Id"`
	EvaluatorSlot5ID                    *string    `json:"evaluatorSlot5Id"`
	ItemCount                           int        `json:"itemCount"`
	OwnerName                           *string    `json:"ownerName"`
	OwnerEmail                          *string    `json:"ownerEmail"`
	CurrentVersionCreatedAt             *timestamp `json:"currentVersionCreatedAt"`
	CurrentVersionCreatedBy             *string    `json:"currentVersionCreatedBy"`
	CurrentVersionRestoredFromVersionID *string    `json:"currentVersionRestoredFromVersionId"`
}

func toDatasetJSON(d *strata.Dataset) datasetJSON {
	return datasetJSON{
		ID:                                  d.ID,
		CreatedAt:                           timestamp(d.CreatedAt),
		UpdatedAt:                           timestamp(d.UpdatedAt),
		ProjectID:                           d.ProjectID,
		OwnerID:                             d.OwnerID,
		Name:                                d.Name,
		Description:                         d.Description,
		CurrentVersionID:                    d.CurrentVersionID,
		CurrentVersionNumber:                d.CurrentVersionNumber,
		EvaluatorSlot1ID:                    d.EvaluatorSlot1ID,
		EvaluatorSlot2ID:                    d.EvaluatorSlot2ID,
		EvaluatorSlot3ID:                    d.EvaluatorSlot3ID,
		EvaluatorSlot4ID:                    d.EvaluatorSlot4ID,
		EvaluatorSlot5ID:                    d.EvaluatorSlot5ID,
		ItemCount:                           d.ItemCount,
		OwnerName:                           d.OwnerName,
		OwnerEmail:                          d.OwnerEmail,
		CurrentVersionCreatedAt:             timestampPtr(d.CurrentVersionCreatedAt),
		CurrentVersionCreatedBy:             d.CurrentVersionCreatedBy,
		CurrentVersionRestoredFromVersionID: d.CurrentVersionRestoredFromVersionID,
	}
}

// datasetListJSON is a dataset in a list: DatasetMeta, then Strata's keys.
type datasetListJSON struct {
	datasetJSON
	Slug string `json:"slug"`
}

func toDatasetListJSON(d *strata.Dataset) datasetListJSON {
	return datasetListJSON{datasetJSON: toDatasetJSON(d), Slug: d.Slug}
}

// lunaryDatasetDetailJSON is what Lunary's single-dataset responses show:
// DatasetMeta and evaluatorConfigs.
type lunaryDatasetDetailJSON struct {
	datasetJSON
	EvaluatorConfigs map[string]json.RawMessage `json:"evaluatorConfigs"`
}

// datasetDetailJSON is a single dataset: Lunary's keys, then Strata's.
type datasetDetailJSON struct {
	lunaryDatasetDetailJSON
	Slug string `json:"slug"`
}

func toDatasetDetailJSON(d *strata.Dataset) datasetDetailJSON {
	return datasetDetailJSON{lunaryDatasetDetailJSON: toLunaryDatasetDetailJSON(d), Slug: d.Slug}
}

func toLunaryDatasetDetailJSON(d *strata.Dataset) lunaryDatasetDetailJSON {
	configs := make(map[string]json.RawMessage, len(d.EvaluatorConfigs))
	for slot, c := range d.EvaluatorConfigs {
		if c = rawJSON(c); c != nil {
			configs[slot] = c
		}
	}
	return lunaryDatasetDetailJSON{datasetJSON: toDatasetJSON(d), EvaluatorConfigs: configs}
}

// openDatasetWithItems returns the start of a dataset object whose items are
// streamed after it, `{...,"evaluatorConfigs":{...},"items":`, and the end
// that closes it with Strata's keys, `,"slug":"..."}`: Lunary's keys, items
// included, come first.
func openDatasetWithItems(d *strata.Dataset) (prefix []byte, end string, err error) {
	if prefix, err = openWith(toLunaryDatasetDetailJSON(d), "items"); err != nil {
		return nil, "", err
	}
	slug, err := json.Marshal(d.Slug)
	return prefix, `,"slug":` + string(slug) + "}", err
}

// itemJSON is an item as the items endpoints show it (Lunary's row order).
type itemJSON struct {
	ID               string          `json:"id"`
	CreatedAt        timestamp       `json:"createdAt"`
	UpdatedAt        timestamp       `json:"updatedAt"`
	DatasetID        string          `json:"datasetId"`
	Input            string          `json:"input"`
	GroundTruth      *string         `json:"groundTruth"`
	Output           *string         `json:"output"`
	EvaluatorResult1 json.RawMessage `json:"evaluatorResult1"`
	EvaluatorResult2 json.RawMessage `json:"evaluatorResult2"`
	EvaluatorResult3 json.RawMessage `json:"evaluatorResult3"`
	EvaluatorResult4 json.RawMessage `json:"evaluatorResult4"`
	EvaluatorResult5 json.RawMessage `json:"evaluatorResult5"`
	itemFieldsJSON
}

func toItemJSON(it *strata.Item) itemJSON {
	return itemJSON{
		ID:               it.ID,
		CreatedAt:        timestamp(it.CreatedAt),
		UpdatedAt:        timestamp(it.UpdatedAt),
		DatasetID:        it.DatasetID,
		Input:            it.Input,
		GroundTruth:      it.GroundTruth,
		Output:           it.Output,
		EvaluatorResult1: rawJSON(it.EvaluatorResult1),
		EvaluatorResult2: rawJSON(it.EvaluatorResult2),
		EvaluatorResult3: rawJSON(it.EvaluatorResult3),
		EvaluatorResult4: rawJSON(it.EvaluatorResult4),
		EvaluatorResult5: rawJSON(it.EvaluatorResult5),
		itemFieldsJSON:   toItemFieldsJSON(it),
	}
}

// embeddedItemJSON is an item inside a dataset (Lunary's embedded order).
type embeddedItemJSON struct {
	ID               string          `json:"id"`
	DatasetID        string          `json:"datasetId"`
	Input            string          `json:"input"`
	GroundTruth      *string         `json:"groundTruth"`
	Output           *string         `json:"output"`
	CreatedAt        timestamp       `json:"createdAt"`
	UpdatedAt        timestamp       `json:"updatedAt"`
	EvaluatorResult1 json.RawMessage `json:"evaluatorResult1"`
	EvaluatorResult2 json.RawMessage `json:"evaluatorResult2"`
	EvaluatorResult3 json.RawMessage `json:"evaluatorResult3"`
	EvaluatorResult4 json.RawMessage `json:"evaluatorResult4"`
	EvaluatorResult5 json.RawMessage `json:"evaluatorResult5"`
	itemFieldsJSON
}

func toEmbeddedItemJSON(it *strata.Item) embeddedItemJSON {
	return embeddedItemJSON{
		ID:               it.ID,
		DatasetID:        it.DatasetID,
		Input:            it.Input,
		GroundTruth:      it.GroundTruth,
		Output:           it.Output,
		CreatedAt:        timestamp(it.CreatedAt),
		UpdatedAt:        timestamp(it.UpdatedAt),
		EvaluatorResult1: rawJSON(it.EvaluatorResult1),
		EvaluatorResult2: rawJSON(it.EvaluatorResult2),
		EvaluatorResult3: rawJSON(it.EvaluatorResult3),
		EvaluatorResult4: rawJSON(it.EvaluatorResult4),
		EvaluatorResult5: rawJSON(it.EvaluatorResult5),
		itemFieldsJSON:   toItemFieldsJSON(it),
	}
}

// itemFieldsJSON are Strata's item fields, after Lunary's keys in every item
// form.
type itemFieldsJSON struct {
	Metadata   json.RawMessage `json:"metadata"`
	Splits     []string        `json:"splits"`
	ExternalID *string         `json:"externalId"`
}

func toItemFieldsJSON(it *strata.Item) itemFieldsJSON {
	m := it.Metadata
	if len(m) == 0 {
		m = strata.EmptyMetadata
	}
	return itemFieldsJSON{Metadata: m, Splits: nonNil(it.Splits), ExternalID: it.ExternalID}
}

// versionJSON is Lunary's DatasetV2Version.
type versionJSON struct {
	ID                    string    `json:"id"`
	DatasetID             string    `json:"datasetId"`
	VersionNumber         int       `json:"versionNumber"`
	CreatedAt             timestamp `json:"createdAt"`
	CreatedBy             *string   `json:"createdBy"`
	RestoredFromVersionID *string   `json:"restoredFromVersionId"`
	Name                  *string   `json:"name"`
	Description           *string   `json:"description"`
	ItemCount             int       `json:"itemCount"`
	// Strata's extensions follow Lunary's keys.
	Tags        []string `json:"tags"`
	ContentHash string   `json:"contentHash"`
}

func toVersionJSON(v *strata.Version) versionJSON {
	return versionJSON{
		ID:                    v.ID,
		DatasetID:             v.DatasetID,
		VersionNumber:         v.Number,
		CreatedAt:             timestamp(v.CreatedAt),
		CreatedBy:             v.CreatedBy,
		RestoredFromVersionID: v.RestoredFromVersionID,
		Name:                  v.Name,
		Description:           v.Description,
		ItemCount:             v.ItemCount,
		Tags:                  nonNil(v.Tags),
		ContentHash:           v.ContentHash,
	}
}

// nonNil is a list as JSON shows it: [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// versionItemJSON is an item of a version, as Lunary's snapshot rows show it:
// the row id is the revision's, the source ids and times the item's.
type versionItemJSON struct {
	ID               string          `json:"id"`
	VersionID        string          `json:"versionId"`
	DatasetID        string          `json:"datasetId"`
	ItemIndex        int             `json:"itemIndex"`
	Input            string          `json:"input"`
	GroundTruth      *string         `json:"groundTruth"`
	Output           *string         `json:"output"`
	SourceItemID     string          `json:"sourceItemId"`
	SourceCreatedAt  timestamp       `json:"sourceCreatedAt"`
	SourceUpdatedAt  timestamp       `json:"sourceUpdatedAt"`
	EvaluatorResult1 json.RawMessage `json:"evaluatorResult1"`
	EvaluatorResult2 json.RawMessage `json:"evaluatorResult2"`
	EvaluatorResult3 json.RawMessage `json:"evaluatorResult3"`
	EvaluatorResult4 json.RawMessage `json:"evaluatorResult4"`
	EvaluatorResult5 json.RawMessage `json:"evaluatorResult5"`
	itemFieldsJSON
}

func toVersionItemJSON(v *strata.Version, index int, it *strata.Item) versionItemJSON {
	return versionItemJSON{
		ID:               it.RevisionID,
		VersionID:        v.ID,
		DatasetID:        it.DatasetID,
		ItemIndex:        index,
		Input:            it.Input,
		GroundTruth:      it.GroundTruth,
		Output:           it.Output,
		SourceItemID:     it.ID,
		SourceCreatedAt:  timestamp(it.CreatedAt),
		SourceUpdatedAt:  timestamp(it.UpdatedAt),
		EvaluatorResult1: rawJSON(it.EvaluatorResult1),
		EvaluatorResult2: rawJSON(it.EvaluatorResult2),
		EvaluatorResult3: rawJSON(it.EvaluatorResult3),
		EvaluatorResult4: rawJSON(it.EvaluatorResult4),
		EvaluatorResult5: rawJSON(it.EvaluatorResult5),
		itemFieldsJSON:   toItemFieldsJSON(it),
	}
}

// marshal encodes v as JavaScript's JSON.stringify would as far as it
// matters: no escaping of <, > and &.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// writeJSON writes a whole JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := marshal(v)
	if err != nil {
		return err // nothing was written: the caller reports it
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// openWith returns v's JSON object without its closing brace, so that a
// streamed member can follow: openWith(d, "items") is `{...,"items":`.
func openWith(v any, key string) ([]byte, error) {
	b, err := marshal(v)
	if err != nil {
		return nil, err
	}
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, &json.UnsupportedValueError{Str: "not an object"}
	}
	b = b[:len(b)-1]
	if len(b) > 1 {
		b = append(b, ',')
	}
	k, _ := json.Marshal(key)
	b = append(b, k...)
	return append(b, ':'), nil
}

// flushEvery is how many array elements a stream writes between flushes to
// the client.
const flushEvery = 256

// arrayStream writes a JSON array element by element, so that a list of any
// length is sent without being held in memory. Nothing is sent before the
// first element (or the end of an empty list), so an error met earlier can
// still become an error response.
type arrayStream struct {
	w      http.ResponseWriter
	status int
	prefix []byte // what comes before the array: `{"version":{...},"items":`
	buf    *bufio.Writer
	n      int
	// scratch holds the element being encoded, reused from one to the next.
	scratch []byte
}

// maxScratch is the largest element buffer a stream keeps for the next one.
const maxScratch = 64 << 10

func newArrayStream(w http.ResponseWriter, status int, prefix []byte) *arrayStream {
	return &arrayStream{w: w, status: status, prefix: prefix}
}

// start sends the status and the prefix, once.
func (s *arrayStream) start() error {
	if s.buf != nil {
		return nil
	}
	s.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	s.w.WriteHeader(s.status)
	s.buf = bufio.NewWriterSize(s.w, 32<<10)
	s.buf.Write(s.prefix)
	_, err := s.buf.WriteString("[")
	return err
}

// add writes one element.
func (s *arrayStream) add(v any) error {
	b, err := appendElement(s.scratch[:0], v) // encode_fast.go
	if err != nil {
		return err
	}
	if cap(b) <= maxScratch {
		s.scratch = b[:0]
	}
	if err := s.start(); err != nil {
		return err
	}
	if s.n > 0 {
		s.buf.WriteByte(',')
	}
	s.n++
	if _, err := s.buf.Write(b); err != nil {
		return err
	}
	if s.n%flushEvery == 0 {
		return s.flush()
	}
	return nil
}

// finish closes the array and writes suffix.
func (s *arrayStream) finish(suffix string) error {
	if err := s.start(); err != nil {
		return err
	}
	s.buf.WriteString("]")
	s.buf.WriteString(suffix)
	return s.flush()
}

func (s *arrayStream) flush() error {
	if err := s.buf.Flush(); err != nil {
		return err
	}
	if err := http.NewResponseController(s.w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}
