package api

import "bufio"
import "encoding/json"
import "errors"
import "net/http"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/wire"

// The wire forms of the domain types are package wire's; here are the
// conversions to them. The item forms the streams send most are wrapped in
// types of this package that append their own JSON (encode_fast.go), the
// same bytes as their wire type's.

// timestamp is a time in Lunary's JSON form, "2025-10-31T15:31:25.120Z".
type timestamp = wire.Timestamp

const timestampLayout = wire.TimestampLayout

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

func toDatasetJSON(d *strata.Dataset) wire.Dataset {
	return wire.Dataset{
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

func toDatasetListJSON(d *strata.Dataset) wire.DatasetListEntry {
	return wire.DatasetListEntry{Dataset: toDatasetJSON(d), Slug: d.Slug}
}

func toDatasetDetailJSON(d *strata.Dataset) wire.DatasetDetail {
	return wire.DatasetDetail{LunaryDatasetDetail: toLunaryDatasetDetailJSON(d), Slug: d.Slug}
}

func toLunaryDatasetDetailJSON(d *strata.Dataset) wire.LunaryDatasetDetail {
	configs := make(map[string]json.RawMessage, len(d.EvaluatorConfigs))
	for slot, c := range d.EvaluatorConfigs {
		if c = rawJSON(c); c != nil {
			configs[slot] = c
		}
	}
	return wire.LunaryDatasetDetail{Dataset: toDatasetJSON(d), EvaluatorConfigs: configs}
}

// openDatasetWithItems returns the start of a dataset object whose items are
// streamed after it, `{...,"evaluatorConfigs":{...},"items":`, and the end
// that closes it with Strata's keys, `,"slug":"..."}`: the order of
// wire.DatasetWithItems.
func openDatasetWithItems(d *strata.Dataset) (prefix []byte, end string, err error) {
	if prefix, err = openWith(toLunaryDatasetDetailJSON(d), "items"); err != nil {
		return nil, "", err
	}
	slug, err := json.Marshal(d.Slug)
	return prefix, `,"slug":` + string(slug) + "}", err
}

// itemJSON is a wire.Item that appends its own JSON.
type itemJSON struct {
	wire.ItemRow
	itemFieldsJSON
}

// embeddedItemJSON is a wire.EmbeddedItem that appends its own JSON.
type embeddedItemJSON struct {
	wire.EmbeddedItemRow
	itemFieldsJSON
}

// versionItemJSON is a wire.VersionItem that appends its own JSON.
type versionItemJSON struct {
	wire.VersionItemRow
	itemFieldsJSON
}

// itemFieldsJSON is wire.ItemFields, appended by the item forms.
type itemFieldsJSON wire.ItemFields

func (it itemJSON) wire() wire.Item {
	return wire.Item{ItemRow: it.ItemRow, ItemFields: wire.ItemFields(it.itemFieldsJSON)}
}

func (it embeddedItemJSON) wire() wire.EmbeddedItem {
	return wire.EmbeddedItem{EmbeddedItemRow: it.EmbeddedItemRow, ItemFields: wire.ItemFields(it.itemFieldsJSON)}
}

func (it versionItemJSON) wire() wire.VersionItem {
	return wire.VersionItem{VersionItemRow: it.VersionItemRow, ItemFields: wire.ItemFields(it.itemFieldsJSON)}
}

func toItemJSON(it *strata.Item) itemJSON {
	return itemJSON{
		ItemRow: wire.ItemRow{
			ID:               it.ID,
			CreatedAt:        timestamp(it.CreatedAt),
			UpdatedAt:        timestamp(it.UpdatedAt),
			DatasetID:        it.DatasetID,
			ItemContent:      toContent(it),
			EvaluatorResults: toResults(it),
		},
		itemFieldsJSON: toItemFieldsJSON(it),
	}
}

// toItem is an item as the items endpoints show it, inside another object.
func toItem(it *strata.Item) *wire.Item {
	w := toItemJSON(it).wire()
	return &w
}

func toEmbeddedItemJSON(it *strata.Item) embeddedItemJSON {
	return embeddedItemJSON{
		EmbeddedItemRow: wire.EmbeddedItemRow{
			ID:               it.ID,
			DatasetID:        it.DatasetID,
			ItemContent:      toContent(it),
			CreatedAt:        timestamp(it.CreatedAt),
			UpdatedAt:        timestamp(it.UpdatedAt),
			EvaluatorResults: toResults(it),
		},
		itemFieldsJSON: toItemFieldsJSON(it),
	}
}

// toContent is an item's input, ground truth and output.
func toContent(it *strata.Item) wire.ItemContent {
	return wire.ItemContent{Input: it.Input, GroundTruth: it.GroundTruth, Output: it.Output}
}

// toResults are an item's five evaluator results.
func toResults(it *strata.Item) wire.EvaluatorResults {
	return wire.EvaluatorResults{
		EvaluatorResult1: rawJSON(it.EvaluatorResult1), EvaluatorResult2: rawJSON(it.EvaluatorResult2),
		EvaluatorResult3: rawJSON(it.EvaluatorResult3), EvaluatorResult4: rawJSON(it.EvaluatorResult4),
		EvaluatorResult5: rawJSON(it.EvaluatorResult5),
	}
}

func toItemFieldsJSON(it *strata.Item) itemFieldsJSON {
	m := it.Metadata
	if len(m) == 0 {
		m = strata.EmptyMetadata
	}
	return itemFieldsJSON{Metadata: m, Splits: nonNil(it.Splits), ExternalID: it.ExternalID}
}

func toVersionJSON(v *strata.Version) wire.Version {
	return wire.Version{
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

// toVersion is a version inside another object, nil for none.
func toVersion(v *strata.Version) *wire.Version {
	if v == nil {
		return nil
	}
	w := toVersionJSON(v)
	return &w
}

// nonNil is a list as JSON shows it: [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toVersionItemJSON(v *strata.Version, index int, it *strata.Item) versionItemJSON {
	return versionItemJSON{
		VersionItemRow: wire.VersionItemRow{
			ID:               it.RevisionID,
			VersionID:        v.ID,
			DatasetID:        it.DatasetID,
			ItemIndex:        index,
			ItemContent:      toContent(it),
			SourceItemID:     it.ID,
			SourceCreatedAt:  timestamp(it.CreatedAt),
			SourceUpdatedAt:  timestamp(it.UpdatedAt),
			EvaluatorResults: toResults(it),
		},
		itemFieldsJSON: toItemFieldsJSON(it),
	}
}

// marshal encodes v as JavaScript's JSON.stringify would (strata.EncodeJSON).
func marshal(v any) ([]byte, error) { return strata.EncodeJSON(v) }

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
