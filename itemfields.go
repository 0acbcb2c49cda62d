package strata

import "bytes"
import "encoding/json"
import "errors"
import "fmt"
import "net/url"
import "sort"
import "strings"
import "unicode"
import "unicode/utf8"

// Metadata, splits and external ids.
//
// Besides Lunary's three strings an item carries:
//
//   - metadata: a JSON object, kept in a canonical form (keys sorted,
//     compact, numbers as written), so that two equal objects are the same
//     bytes, hash alike and compare equal in a diff;
//   - splits: a sorted set of names ("train", "test", ...), each named as a
//     tag is;
//   - an external id: the caller's own name for the item, unique among the
//     live items of its dataset, so that a script can upsert by it.
//
// They live in the revision like the other fields: a change opens a
// revision, they are part of the content hash, and every version keeps the
// values it had.

// Limits of the item fields.
const (
	MaxMetadataBytes    = 64 << 10
	MaxSplits           = 16
	MaxExternalIDLength = 255
)

// maxMetadataSent bounds metadata as sent, before it is decoded: four times
// what it may take encoded compactly.
const maxMetadataSent = 4 * MaxMetadataBytes

// EmptyMetadata is the metadata of an item that has none.
var EmptyMetadata = json.RawMessage(`{}`)

// NormalizeMetadata checks that raw is a JSON object of at most
// MaxMetadataBytes and returns its canonical form. Nil (or empty) is {}.
func NormalizeMetadata(raw json.RawMessage) (json.RawMessage, error) {
	// No metadata, or the canonical none: every item an import prepares
	// comes here with {} (the importer normalized it), and decoding it
	// again was a tenth of the import's parsing.
	if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "{}" {
		return EmptyMetadata, nil
	}
	// Decoded, a few megabytes of tiny values take hundreds: what is far
	// over the limit as sent is refused unread (white space may shrink it
	// a few times, not more).
	if len(raw) > maxMetadataSent {
		return nil, Errorf(EINVALID, "metadata is %d bytes, more than %d", len(raw), MaxMetadataBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, Errorf(EINVALID, "metadata is not valid JSON")
	}
	if dec.More() {
		return nil, Errorf(EINVALID, "metadata is not valid JSON")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, Errorf(EINVALID, "metadata must be a JSON object")
	}
	if hasNUL(obj) {
		return nil, Errorf(EINVALID, "metadata contains a NUL character")
	}
	b, err := EncodeJSON(obj)
	if err != nil {
		return nil, Errorf(EINVALID, "metadata is not valid JSON")
	}
	if len(b) > MaxMetadataBytes {
		return nil, Errorf(EINVALID, "metadata is %d bytes encoded, more than %d", len(b), MaxMetadataBytes)
	}
	if err := CheckText("metadata", string(b)); err != nil {
		return nil, err
	}
	return b, nil
}

// hasNUL reports whether a decoded JSON value holds a NUL in a key or a
// string: the escape \u0000 is valid JSON, but no store keeps it as text.
func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.IndexByte(v, 0) >= 0
	case []any:
		for _, e := range v {
			if hasNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(e) {
				return true
			}
		}
	}
	return false
}

// EncodeJSON encodes v as JavaScript's JSON.stringify does, as far as
// Strata's values go: compactly, without escaping <, > and &, without a
// trailing newline. A map's keys come sorted and json.Number as written, so
// it is also the canonical form of a metadata object. The API writes every
// body with it.
func EncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// MergeMetadata returns base with the keys of patch set (a null value
// removes the key), canonical. Both must be objects.
func MergeMetadata(base, patch json.RawMessage) (json.RawMessage, error) {
	var b, p map[string]json.RawMessage
	if err := json.Unmarshal(base, &b); err != nil || b == nil {
		b = map[string]json.RawMessage{}
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, Errorf(EINVALID, "metadata must be a JSON object")
	}
	for k, v := range p {
		if string(v) == "null" {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	merged, err := json.Marshal(b)
	if err != nil {
		return nil, Errorf(EINVALID, "metadata is not valid JSON")
	}
	return NormalizeMetadata(merged)
}

// ErrSplitName is the error for a split name that breaks the naming rule.
var ErrSplitName = &Error{Code: EINVALID, Message: "A split is 1 to 64 letters, digits, '-', '_' or '.'"}

// NormalizeSplits checks split names (the rule of tag names) and returns
// them sorted without duplicates; nil is [].
func NormalizeSplits(splits []string) ([]string, error) {
	out := make([]string, 0, len(splits))
	for _, s := range splits {
		if !tagName.MatchString(s) {
			return nil, ErrSplitName
		}
		out = append(out, s)
	}
	sort.Strings(out)
	n := 0
	for i, s := range out {
		if i == 0 || s != out[n-1] {
			out[n] = s
			n++
		}
	}
	out = out[:n]
	if len(out) > MaxSplits {
		return nil, Errorf(EINVALID, "an item belongs to at most %d splits, not %d", MaxSplits, len(out))
	}
	return out, nil
}

// ParseSplitList reads splits written as one comma-separated text (a CSV
// cell): "test, train" is [test train]; "" is none.
func ParseSplitList(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return NormalizeSplits(out)
}

// CheckExternalID checks an external id: nil, or 1 to 255 printable
// characters.
func CheckExternalID(id *string) error {
	if id == nil {
		return nil
	}
	s := *id
	if !utf8.ValidString(s) || s == "" || utf8.RuneCountInString(s) > MaxExternalIDLength {
		return Errorf(EINVALID, "externalId is 1 to %d printable characters", MaxExternalIDLength)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return Errorf(EINVALID, "externalId is 1 to %d printable characters", MaxExternalIDLength)
		}
	}
	return nil
}

// ErrExternalIDTaken is the conflict of an external id another live item of
// the dataset has.
func ErrExternalIDTaken(externalID, itemID string) error {
	return Errorf(ECONFLICT, "externalId %q is already used by item %s", externalID, itemID)
}

// NormalizeInput checks the fields of a new item and puts metadata and
// splits in their canonical form.
func NormalizeInput(in *ItemInput) error {
	var err error
	if in.Metadata, err = NormalizeMetadata(in.Metadata); err != nil {
		return err
	}
	if in.Splits, err = NormalizeSplits(in.Splits); err != nil {
		return err
	}
	return CheckExternalID(in.ExternalID)
}

// ItemFilter selects items by their Strata fields. The zero value selects
// every item.
type ItemFilter struct {
	// Splits keeps the items in any of them.
	Splits []string
	// Metadata keeps the items whose metadata has every key with the value
	// given (MetadataText).
	Metadata []MetadataMatch
	// ExternalID, when not nil, keeps the item with this external id.
	ExternalID *string
}

// MetadataMatch is one metadata.KEY=VALUE condition.
type MetadataMatch struct {
	Key, Value string
}

// Empty reports whether f selects every item.
func (f ItemFilter) Empty() bool {
	return len(f.Splits) == 0 && len(f.Metadata) == 0 && f.ExternalID == nil
}

// MaxFilterTerms bounds the conditions of one filter.
const MaxFilterTerms = 16

// Check validates f's names.
func (f ItemFilter) Check() error {
	if len(f.Splits) > MaxFilterTerms || len(f.Metadata) > MaxFilterTerms {
		return Errorf(EINVALID, "a filter has at most %d splits and %d metadata conditions", MaxFilterTerms, MaxFilterTerms)
	}
	for _, s := range f.Splits {
		if !tagName.MatchString(s) {
			return ErrSplitName
		}
	}
	for _, m := range f.Metadata {
		if m.Key == "" {
			return Errorf(EINVALID, "a metadata filter names a key: metadata.KEY=VALUE")
		}
	}
	return CheckExternalID(f.ExternalID)
}

// Matches reports whether an item's fields pass f.
func (f ItemFilter) Matches(metadata json.RawMessage, splits []string, externalID *string) bool {
	if f.ExternalID != nil && (externalID == nil || *externalID != *f.ExternalID) {
		return false
	}
	if len(f.Splits) > 0 {
		found := false
		for _, want := range f.Splits {
			for _, s := range splits {
				if s == want {
					found = true
				}
			}
		}
		if !found {
			return false
		}
	}
	if len(f.Metadata) > 0 {
		var obj map[string]json.RawMessage
		if json.Unmarshal(metadata, &obj) != nil {
			return false
		}
		for _, m := range f.Metadata {
			v, ok := obj[m.Key]
			if !ok || MetadataText(v) != m.Value {
				return false
			}
		}
	}
	return true
}

// MetadataText is the text a metadata filter compares a value with: a
// string's characters, and any other JSON value as written (3, true, null,
// compact objects and arrays).
func MetadataText(v json.RawMessage) string {
	var s string
	if len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return string(v)
	}
	return buf.String()
}

// SplitsText is the stored form of a normalized split list: the names
// joined by commas (no name holds one).
func SplitsText(splits []string) string { return strings.Join(splits, ",") }

// SplitsOf reads SplitsText back.
func SplitsOf(text string) []string {
	if text == "" {
		return []string{}
	}
	return strings.Split(text, ",")
}

// String is f as the query string that selects it, as a run records it.
func (f ItemFilter) String() string {
	var parts []string
	for _, s := range f.Splits {
		parts = append(parts, "split="+url.QueryEscape(s))
	}
	for _, m := range f.Metadata {
		parts = append(parts, url.QueryEscape("metadata."+m.Key)+"="+url.QueryEscape(m.Value))
	}
	if f.ExternalID != nil {
		parts = append(parts, "externalId="+url.QueryEscape(*f.ExternalID))
	}
	return strings.Join(parts, "&")
}

// ParseItemFilter reads back what String wrote (a run records its filter
// so): "" is the zero filter, every item.
func ParseItemFilter(s string) (ItemFilter, error) {
	var f ItemFilter
	if s == "" {
		return f, nil
	}
	for _, part := range strings.Split(s, "&") {
		k, v, _ := strings.Cut(part, "=")
		key, kerr := url.QueryUnescape(k)
		value, verr := url.QueryUnescape(v)
		if err := errors.Join(kerr, verr); err != nil {
			return ItemFilter{}, fmt.Errorf("item filter %q: %w", s, err)
		}
		switch {
		case key == "split":
			f.Splits = append(f.Splits, value)
		case key == "externalId" && f.ExternalID == nil:
			f.ExternalID = &value
		case strings.HasPrefix(key, "metadata."):
			f.Metadata = append(f.Metadata, MetadataMatch{Key: strings.TrimPrefix(key, "metadata."), Value: value})
		default:
			return ItemFilter{}, fmt.Errorf("item filter %q: unknown key %q", s, key)
		}
	}
	return f, nil
}
