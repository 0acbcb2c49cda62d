package importer

import "encoding/json"
import "fmt"

import "github.com/strata-eval/strata"

// Strata's item fields in files. A JSONL line may hold "id" (a string),
// "externalId" (a string or null), "metadata" (an object) and "splits" (an
// array of strings); a CSV file the columns id, externalId, metadata (JSON
// text) and splits (names separated by commas within the cell). Files
// without them (Lunary's) read as before: no id, no external id, {} and [].

// fieldColumns are the CSV columns of the item fields, -1 when absent.
type fieldColumns struct {
	id, externalID, metadata, splits int
}

// fieldColumnsOf finds the columns among a header's lowercased names.
func fieldColumnsOf(names map[string]int) fieldColumns {
	col := func(name string) int {
		if i, ok := names[name]; ok {
			return i
		}
		return -1
	}
	return fieldColumns{id: col("id"), externalID: col("externalid"), metadata: col("metadata"), splits: col("splits")}
}

// itemFieldKeys are the JSON keys of the item fields beyond Lunary's; CSV
// headers are the same names in any case.
var itemFieldKeys = []string{"id", "externalId", "metadata", "splits"}

// without drops the columns of the fields a mapping takes (plan.mappedFields).
func (c *fieldColumns) without(mapped map[string]bool) {
	for key, col := range map[string]*int{"id": &c.id, "externalId": &c.externalID, "metadata": &c.metadata, "splits": &c.splits} {
		if mapped[key] {
			*col = -1
		}
	}
}

// read fills in's fields from a record's trimmed cells (cell(-1) is ""). It
// reports whether the record's id went to its metadata (keepForeignID).
func (c fieldColumns) read(in *strata.ItemInput, cell func(int) string) (bool, error) {
	in.ExternalID = nilIfEmpty(cell(c.externalID))
	if err := readFieldCells(in, nilIfEmpty(cell(c.metadata)), nilIfEmpty(cell(c.splits))); err != nil {
		return false, err
	}
	raw, _ := json.Marshal(cell(c.id))
	return keepForeignID(in, raw)
}

// keepForeignID reads a record's id, as JSON: Strata's id of an item (a
// UUID), which a sync or upsert matches; any other, such as another tool's
// 7 or "case-12", names no item here, and goes to the item's metadata as
// "id", so that it is not lost (unless the record's own metadata has an
// "id"). It reports whether it went there.
func keepForeignID(in *strata.ItemInput, raw json.RawMessage) (bool, error) {
	id := stringify(raw)
	if id == "" || strata.IsID(id) {
		in.ID = id
		return false, nil
	}
	return true, addMetadata(in, map[string]json.RawMessage{"id": raw}, false)
}

// readFieldCells reads the metadata and splits cells of a CSV record (nil:
// empty).
func readFieldCells(in *strata.ItemInput, metadata, splits *string) error {
	if metadata != nil && *metadata != "null" { // as a JSON line's null
		m, err := strata.NormalizeMetadata(json.RawMessage(*metadata))
		if err != nil {
			return err
		}
		// Decoding keeps the last value of a key named twice: which one
		// the cell meant is a guess.
		if key, dup := DuplicateKey([]byte(*metadata)); dup {
			return strata.Errorf(strata.EINVALID, "metadata: %s", strata.ErrorMessage(errDuplicateKey(key)))
		}
		in.Metadata = m
	}
	if splits != nil {
		list, err := strata.ParseSplitList(*splits)
		if err != nil {
			return err
		}
		in.Splits = list
	}
	return nil
}

// readFieldKeys reads the item fields of a JSONL object, but those a
// mapping takes (plan.mappedFields). It reports whether the record's id went
// to its metadata (keepForeignID).
func readFieldKeys(in *strata.ItemInput, obj map[string]json.RawMessage, mapped map[string]bool) (bool, error) {
	field := func(key string) (json.RawMessage, bool) {
		raw, ok := obj[key]
		return raw, ok && !mapped[key] && string(raw) != "null"
	}
	if raw, ok := field("externalId"); ok {
		var s string
		if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
			return false, strata.Errorf(strata.EINVALID, "externalId must be a string or null")
		}
		in.ExternalID = &s
	}
	if raw, ok := field("metadata"); ok {
		if raw[0] != '{' {
			return false, strata.Errorf(strata.EINVALID, "metadata must be a JSON object")
		}
		m, err := strata.NormalizeMetadata(raw)
		if err != nil {
			return false, err
		}
		in.Metadata = m
	}
	if raw, ok := field("splits"); ok {
		var list []string
		if raw[0] != '[' || json.Unmarshal(raw, &list) != nil {
			return false, strata.Errorf(strata.EINVALID, "splits must be an array of strings")
		}
		list, err := strata.NormalizeSplits(list)
		if err != nil {
			return false, err
		}
		in.Splits = list
	}
	if err := strata.CheckExternalID(in.ExternalID); err != nil {
		return false, err
	}
	// An id is a string, or a number (some files number their lines).
	raw, ok := field("id")
	if !ok {
		return false, nil
	}
	if raw[0] == '{' || raw[0] == '[' || raw[0] == 't' || raw[0] == 'f' {
		return false, strata.Errorf(strata.EINVALID, "id must be a string")
	}
	return keepForeignID(in, raw)
}

// withUnmapped stores a record's columns that map to no field in its
// metadata, under their names (mapping.go reports them as unmapped); a key
// the record's own metadata has keeps its value there.
func withUnmapped(in *strata.ItemInput, unmapped map[string]json.RawMessage) error {
	own := len(in.Metadata)
	if err := addMetadata(in, unmapped, false); err != nil {
		return err
	}
	if len(in.Metadata) <= strata.MaxMetadataBytes || own > strata.MaxMetadataBytes {
		return nil // fits, or the record's own metadata is the one too large
	}
	// Too large: most often a long column the user never meant for
	// metadata (a RAG file's context). Name the largest.
	var col string
	for k, v := range unmapped {
		if col == "" || len(v) > len(unmapped[col]) {
			col = k
		}
	}
	return strata.Errorf(strata.EINVALID,
		"metadata is %d bytes encoded, more than %d: column %q maps to no field and its %d bytes went there; read it into a field (map.input, map.groundTruth, map.output) or leave it out with map.ignore=%s",
		len(in.Metadata), strata.MaxMetadataBytes, col, len(unmapped[col]), col)
}

// addMetadata adds values to in's metadata; replace says whether a value
// replaces a key the metadata already has.
func addMetadata(in *strata.ItemInput, values map[string]json.RawMessage, replace bool) error {
	if len(values) == 0 {
		return nil
	}
	meta := map[string]json.RawMessage{}
	if len(in.Metadata) > 0 {
		if err := json.Unmarshal(in.Metadata, &meta); err != nil {
			return strata.Errorf(strata.EINVALID, "metadata must be a JSON object")
		}
	}
	for k, v := range values {
		if _, ok := meta[k]; (replace || !ok) && v != nil {
			meta[k] = v
		}
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	in.Metadata = b
	return nil
}
