package web

import "encoding/json"
import "errors"
import "strings"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/rules"

// The pages' forms for metadata, splits and external ids: splits as one
// comma-separated field, metadata as JSON text, an empty external id as
// none. The rules are the domain's (itemfields.go).

// itemFieldsForm reads the item fields of an item form.
func itemFieldsForm(ss *session) (metadata json.RawMessage, splits []string, externalID *string, err error) {
	if splits, err = strata.ParseSplitList(ss.FormValue("splits")); err != nil {
		return nil, nil, nil, err
	}
	metadata = json.RawMessage(strings.TrimSpace(ss.FormValue("metadata")))
	if len(metadata) == 0 {
		metadata = strata.EmptyMetadata
	}
	if err = checkMetadataText(metadata); err != nil {
		return nil, nil, nil, err
	}
	if metadata, err = strata.NormalizeMetadata(metadata); err != nil {
		return nil, nil, nil, err
	}
	if id := strings.TrimSpace(ss.FormValue("externalId")); id != "" {
		externalID = &id
	}
	return metadata, splits, externalID, nil
}

// checkMetadataText checks the metadata a form sends as the API checks
// the body that holds it, in the API's order and with its statuses: not
// UTF-8 or a lone surrogate (400), a key named twice (400), JSON that is no
// object (422). Decoding would otherwise store it changed: U+FFFD for what
// is no character, the last value of a key named twice.
func checkMetadataText(metadata json.RawMessage) error {
	if err := rules.CheckJSONChars(metadata); err != nil {
		return metadataError(err)
	}
	if !json.Valid(metadata) {
		return nil // strata.NormalizeMetadata says so
	}
	if err := rules.CheckDuplicateKeys(metadata); err != nil {
		return metadataError(err)
	}
	return rules.CheckMetadataObject(metadata)
}

// metadataError names the metadata field in an error of the API's checks
// of a body: in a form, the metadata is one field among others, as the
// other fields' errors say.
func metadataError(err error) error {
	if errors.Is(err, rules.ErrNotUTF8) {
		return strata.Errorf(strata.ErrorCode(err), "metadata is not valid UTF-8")
	}
	return strata.Errorf(strata.ErrorCode(err), "metadata: %s", strings.TrimPrefix(strata.ErrorMessage(err), "Invalid JSON body: "))
}

// A browser sends a textarea's line breaks as CRLF whatever the text held
// (HTML's form encoding normalises every CR, LF and CRLF), so the item
// forms store text with LF line breaks, and leave a field whose text is
// the item's own up to its line breaks as it is: saving a form nobody
// edited changes nothing.

// textareaValue reads a textarea of an item form whose current value is
// current (nil for none, and for a new item): current itself when the two
// differ only in their line breaks, else the text with LF line breaks, nil
// when empty.
func textareaValue(ss *session, name string, current *string) *string {
	v := lineFeeds(ss.FormValue(name))
	if current != nil && lineFeeds(*current) == v {
		return current
	}
	if v == "" {
		return nil
	}
	return &v
}

// lineFeeds writes every line break of s as LF.
func lineFeeds(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// itemFilterForm reads the filters of an items table: split (names
// separated by commas: any of) and meta (KEY=VALUE, several separated by
// commas: all of).
func itemFilterForm(ss *session) (strata.ItemFilter, error) {
	var f strata.ItemFilter
	for _, s := range strings.Split(ss.FormValue("split"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			f.Splits = append(f.Splits, s)
		}
	}
	for _, term := range strings.Split(ss.FormValue("meta"), ",") {
		if term = strings.TrimSpace(term); term == "" {
			continue
		}
		key, value, ok := strings.Cut(term, "=")
		if !ok {
			return f, strata.Errorf(strata.EINVALID, "A metadata filter is KEY=VALUE, e.g. lang=en.")
		}
		f.Metadata = append(f.Metadata, strata.MetadataMatch{Key: strings.TrimSpace(key), Value: strings.TrimSpace(value)})
	}
	return f, f.Check()
}

// metadataText is an item's metadata as the table shows it: "" for none.
func metadataText(m json.RawMessage) string {
	if len(m) == 0 || string(m) == "{}" {
		return ""
	}
	return string(m)
}
