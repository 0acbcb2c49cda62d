package api

import (
	"sort"
	"strings"

	"github.com/strata-eval/strata"
)

// boolParam reads an optional boolean query parameter: true, 1 or yes;
// false, 0 or no; absent is false.
func boolParam(r *request, key string) (bool, error) {
	vs, ok := r.URL.Query()[key]
	if !ok {
		return false, nil
	}
	if len(vs) > 1 {
		return false, strata.Errorf(strata.EINVALID, "%s must be given at most once", key)
	}
	switch strings.ToLower(vs[0]) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no", "":
		return false, nil
	}
	return false, strata.Errorf(strata.EINVALID, "%s must be true or false", key)
}

// itemFilter reads the filters of an item read: split=NAME (repeatable: any
// of), metadata.KEY=VALUE (repeatable: all of) and externalId=ID.
func itemFilter(r *request) (strata.ItemFilter, error) {
	var f strata.ItemFilter
	q := r.URL.Query()
	f.Splits = q["split"]
	keys := make([]string, 0)
	for key := range q {
		if strings.HasPrefix(key, "metadata.") {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	for _, key := range keys {
		for _, v := range q[key] {
			f.Metadata = append(f.Metadata, strata.MetadataMatch{Key: strings.TrimPrefix(key, "metadata."), Value: v})
		}
	}
	if vs, ok := q["externalId"]; ok {
		if len(vs) > 1 {
			return f, &strata.ValidationError{Issues: []strata.Issue{{Path: "externalId", Message: "externalId must be given at most once"}}}
		}
		f.ExternalID = &vs[0]
	}
	// A bad filter is a bad query: 422, as a bad limit or search is.
	if err := f.Check(); err != nil {
		return f, &strata.ValidationError{Issues: []strata.Issue{{Message: strata.ErrorMessage(err)}}}
	}
	return f, nil
}
