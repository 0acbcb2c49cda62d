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

// read fills in's fields from a record's trimmed cells (cell(-1) is "").
func (c fieldColumns) read(in *strata.ItemInput, cell func(int) string) error {
	in.ID = cell(c.id)
	in.ExternalID = nilIfEmpty(cell(c.externalID))
	return readFieldCells(in, nilIfEmpty(cell(c.metadata)), nilIfEmpty(cell(c.splits)))
}

// readFieldCells reads the metadata and splits cells of a CSV record (nil:
// empty).
func readFieldCells(in *strata.ItemInput, metadata, splits *string) error {
	if metadata != nil {
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

// readFieldKeys reads the item fields of a JSONL object.
func readFieldKeys(in *strata.ItemInput, obj map[string]json.RawMessage) error {
	// An id is Strata's item id; a number (some files number their lines)
	// is read as its text, and names no item.
	if raw, ok := obj["id"]; ok && string(raw) != "null" {
		if raw[0] == '{' || raw[0] == '[' || raw[0] == 't' || raw[0] == 'f' {
			return strata.Errorf(strata.EINVALID, "id must be a string")
		}
		in.ID = stringify(raw)
	}
	if raw, ok := obj["externalId"]; ok && string(raw) != "null" {
		var s string
		if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
			return strata.Errorf(strata.EINVALID, "externalId must be a string or null")
		}
		in.ExternalID = &s
	}
	if raw, ok := obj["metadata"]; ok && string(raw) != "null" {
		if raw[0] != '{' {
			return strata.Errorf(strata.EINVALID, "metadata must be a JSON object")
		}
		m, err := strata.NormalizeMetadata(raw)
		if err != nil {
			return err
		}
		in.Metadata = m
	}
	if raw, ok := obj["splits"]; ok && string(raw) != "null" {
		var list []string
		if raw[0] != '[' || json.Unmarshal(raw, &list) != nil {
			return strata.Errorf(strata.EINVALID, "splits must be an array of strings")
		}
		list, err := strata.NormalizeSplits(list)
		if err != nil {
			return err
		}
		in.Splits = list
	}
	return strata.CheckExternalID(in.ExternalID)
}

// withUnmapped stores a record's columns that map to no field in its
// metadata, under their names (mapping.go reports them as unmapped); a key
// the record's own metadata has keeps its value there.
func withUnmapped(in *strata.ItemInput, unmapped map[string]json.RawMessage) error {
	return addMetadata(in, unmapped, false)
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
