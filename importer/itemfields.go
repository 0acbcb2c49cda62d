package importer

import "encoding/json"
import "fmt"
import "strings"

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

// An item field's value that names nothing here goes to the item's metadata
// under its column's name, as a column that maps to no field does: an id
// that is not Strata's (a UUID), such as another tool's 7 or "case-12"
// (keptID); and, in a file sent in Lunary's body (lenient), any value its
// field does not take (a metadata column of plain text, splits "train set",
// an externalId 17), since Lunary reads such a file ignoring these columns,
// and its frontend can send no mapping. The record's own metadata keeps a
// key it has.

// keptID reports whether an id goes to the metadata: not empty, not Strata's.
func keptID(id string) bool { return id != "" && !strata.IsID(id) }

// fieldTaker reads the item fields of one record, and gathers the columns
// whose values go to the metadata instead.
type fieldTaker struct {
	lenient bool
	kept    []int // CSV columns
	keys    []string
}

// take runs read on the value of a field; a value it refuses is an error,
// or, lenient, kept (keep notes it) when it is text: one that is not (a
// NUL, say) is refused under its field's name, wherever it would go.
func (t *fieldTaker) take(field, value string, read func() error, keep func()) error {
	err := read()
	if err != nil && t.lenient && strata.ErrorCode(err) == strata.EINVALID {
		if terr := strata.CheckText(field, value); terr != nil {
			return terr
		}
		keep()
		return nil
	}
	return err
}

// read fills in's fields from a record's trimmed cells (cell(-1) is ""),
// and returns the columns whose values go to its metadata.
func (c fieldColumns) read(in *strata.ItemInput, cell func(int) string, lenient bool) ([]int, error) {
	t := fieldTaker{lenient: lenient}
	keep := func(col int) func() { return func() { t.kept = append(t.kept, col) } }
	if v := cell(c.metadata); v != "" {
		if err := t.take("metadata", v, func() error { return readMetadataCell(in, v) }, keep(c.metadata)); err != nil {
			return nil, err
		}
	}
	if v := cell(c.splits); v != "" {
		err := t.take("splits", v, func() error {
			list, err := strata.ParseSplitList(v)
			if err == nil {
				in.Splits = list
			}
			return err
		}, keep(c.splits))
		if err != nil {
			return nil, err
		}
	}
	if v := cell(c.externalID); v != "" {
		err := t.take("externalId", v, func() error {
			if err := strata.CheckExternalID(&v); err != nil {
				return err
			}
			in.ExternalID = &v
			return nil
		}, keep(c.externalID))
		if err != nil {
			return nil, err
		}
	}
	if id := cell(c.id); keptID(id) {
		t.kept = append(t.kept, c.id)
	} else {
		in.ID = id
	}
	return t.kept, nil
}

// readFieldCells reads the metadata and splits cells of a CSV record (nil:
// empty), as the export dialect writes them.
func readFieldCells(in *strata.ItemInput, metadata, splits *string) error {
	if metadata != nil {
		if err := readMetadataCell(in, *metadata); err != nil {
			return err
		}
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

// readMetadataCell reads a CSV cell of metadata: JSON text of an object, or
// null (none, as a JSON line's null).
func readMetadataCell(in *strata.ItemInput, cell string) error {
	if cell == "null" {
		return nil
	}
	m, err := strata.NormalizeMetadata(json.RawMessage(cell))
	if err != nil {
		return err
	}
	// Decoding keeps the last value of a key named twice: which one the
	// cell meant is a guess.
	if key, dup := DuplicateKey([]byte(cell)); dup {
		return strata.Errorf(strata.EINVALID, "metadata: %s", strata.ErrorMessage(errDuplicateKey(key)))
	}
	in.Metadata = m
	return nil
}

// readFieldKeys reads the item fields of a JSONL object, but those a
// mapping takes (plan.mappedFields), and returns the keys whose values go
// to its metadata.
func readFieldKeys(in *strata.ItemInput, obj map[string]json.RawMessage, mapped map[string]bool, lenient bool) ([]string, error) {
	t := fieldTaker{lenient: lenient}
	keep := func(key string) func() { return func() { t.keys = append(t.keys, key) } }
	fields := []struct {
		key  string
		read func(raw json.RawMessage) error
	}{
		{"metadata", func(raw json.RawMessage) error {
			if raw[0] != '{' {
				return strata.Errorf(strata.EINVALID, "metadata must be a JSON object")
			}
			m, err := strata.NormalizeMetadata(raw)
			if err == nil {
				in.Metadata = m
			}
			return err
		}},
		{"splits", func(raw json.RawMessage) error {
			var list []string
			if raw[0] != '[' || json.Unmarshal(raw, &list) != nil {
				return strata.Errorf(strata.EINVALID, "splits must be an array of strings")
			}
			list, err := strata.NormalizeSplits(list)
			if err == nil {
				in.Splits = list
			}
			return err
		}},
		{"externalId", func(raw json.RawMessage) error {
			var s string
			if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
				return strata.Errorf(strata.EINVALID, "externalId must be a string or null")
			}
			if err := strata.CheckExternalID(&s); err != nil {
				return err
			}
			in.ExternalID = &s
			return nil
		}},
		// An id is a string, or a number (some files number their lines).
		{"id", func(raw json.RawMessage) error {
			if raw[0] == '{' || raw[0] == '[' || raw[0] == 't' || raw[0] == 'f' {
				return strata.Errorf(strata.EINVALID, "id must be a string")
			}
			if id := stringify(raw); keptID(id) {
				t.keys = append(t.keys, "id")
			} else {
				in.ID = id
			}
			return nil
		}},
	}
	for _, f := range fields {
		raw, ok := obj[f.key]
		if !ok || mapped[f.key] || string(raw) == "null" {
			continue
		}
		if err := t.take(f.key, stringify(raw), func() error { return f.read(raw) }, keep(f.key)); err != nil {
			return nil, err
		}
	}
	return t.keys, nil
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
	ignore := col
	if strings.Contains(col, ",") || strings.HasPrefix(strings.TrimSpace(col), "[") {
		b, _ := json.Marshal([]string{col}) // map.ignore's form for such a name
		ignore = string(b)
	}
	return strata.Errorf(strata.EINVALID,
		"metadata is %d bytes encoded, more than %d: column %q maps to no field and its %d bytes went there; read it into a field (map.input, map.groundTruth, map.output) or leave it out with map.ignore=%s",
		len(in.Metadata), strata.MaxMetadataBytes, col, len(unmapped[col]), ignore)
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
