package api

import "maps"
import "slices"
import "sort"
import "strings"

import "github.com/strata-eval/strata"

// oneQueryValue returns an optional query parameter's value ("" when
// absent); given twice, it is a 400 (Lunary answers a 500).
func oneQueryValue(r *request, key string) (string, error) {
	vs := r.URL.Query()[key]
	if len(vs) > 1 {
		return "", strata.Errorf(strata.EINVALID, "%s must be given at most once", key)
	}
	if len(vs) == 0 {
		return "", nil
	}
	return vs[0], nil
}

// isTrue reports whether a flag's value sets it: true, 1 or yes in any case.
func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "1", "yes":
		return true
	}
	return false
}

// queryFlag reads a flag as Lunary reads skipVersion: set by true, 1 or yes,
// unset by anything else.
func queryFlag(r *request, key string) (bool, error) {
	v, err := oneQueryValue(r, key)
	return isTrue(v), err
}

// boolParam reads one of Strata's boolean query parameters: true, 1 or yes;
// false, 0 or no; absent is false; anything else is a 400, an empty value
// included (?dryRun= from an unset variable must not sync for real).
func boolParam(r *request, key string) (bool, error) {
	v, err := oneQueryValue(r, key)
	if err != nil || !r.URL.Query().Has(key) {
		return false, err
	}
	if isTrue(v) {
		return true, nil
	}
	switch strings.ToLower(v) {
	case "false", "0", "no":
		return false, nil
	}
	return false, strata.Errorf(strata.EINVALID, "%s must be true or false", key)
}

// onlyParams refuses a query that names a parameter other than names (a
// name ending in ".KEY" takes every name it starts with a key after it) or
// those Lunary's clients send (lunaryClientParams): where a misspelt one
// would be costly to ignore (an evaluator run over every item instead of
// those a filter names).
func onlyParams(r *request, names ...string) error {
	keys := make([]string, 0)
	for key := range r.URL.Query() {
		if !slices.Contains(lunaryClientParams, key) {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	for _, key := range keys {
		known := false
		for _, n := range names {
			prefix, ok := strings.CutSuffix(n, "KEY")
			known = known || key == n || (ok && strings.HasPrefix(key, prefix) && len(key) > len(prefix))
		}
		if !known {
			return &strata.ValidationError{Issues: []strata.Issue{{Path: key,
				Message: "Unknown query parameter: expected " + strings.Join(names, ", ")}}}
		}
	}
	return nil
}

// lunaryClientParams are query parameters Lunary's clients send that a
// route ignores, as Lunary does: its frontend adds projectId to every call
// (the key names the project here), and skipVersion flags go to every write.
var lunaryClientParams = []string{"projectId", "skipVersion", "skipVersioning"}

// queryFilter returns the request's item filter once the checks of its
// other query parameters passed (checked is their error): those are
// reported first. searched says whether the read takes search= too.
func queryFilter(r *request, checked error, searched bool) (strata.ItemFilter, error) {
	if checked != nil {
		return strata.ItemFilter{}, checked
	}
	return itemFilter(r, searched)
}

// itemFilter reads the filters of an item read: split=NAME (repeatable: any
// of), metadata.KEY=VALUE (repeatable: all of) and externalId=ID. A read
// that does not take search= (searched false) refuses it.
func itemFilter(r *request, searched bool) (strata.ItemFilter, error) {
	var f strata.ItemFilter
	q := r.URL.Query()
	f.Splits = q["split"]
	names := slices.Sorted(maps.Keys(q))
	// Near misses, and a search where none is made, would read every
	// item as if no filter were given.
	for _, key := range names {
		if want, ok := nearFilter(key); ok {
			return f, &strata.ValidationError{Issues: []strata.Issue{{Path: key, Message: "Unknown filter: a filter of items is " + want}}}
		}
		if key == "search" && !searched {
			return f, &strata.ValidationError{Issues: []strata.Issue{{Path: key,
				Message: "search is not taken here: it filters the paged item reads (GET .../items); filter with split, metadata.KEY or externalId"}}}
		}
	}
	for _, key := range names {
		if !strings.HasPrefix(key, "metadata.") {
			continue
		}
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

// separators are what nearFilter ignores in a parameter's name.
var separators = strings.NewReplacer("_", "", "-", "", ".", "")

// nearFilter returns the filter a query parameter that is not one looks
// meant as: one of their names in another case or with other separators
// (externalid, external_id, Split, splits, metadata_k, Metadata.k).
func nearFilter(key string) (want string, ok bool) {
	if key == "split" || key == "externalId" || strings.HasPrefix(key, "metadata.") {
		return "", false
	}
	norm := separators.Replace(strings.ToLower(key))
	switch {
	case norm == "split" || norm == "splits":
		return "split=NAME", true
	case norm == "externalid" || norm == "externalids":
		return "externalId=ID", true
	case strings.HasPrefix(norm, "metadata"):
		return "metadata.KEY=VALUE", true
	}
	return "", false
}

// noItemFilter refuses the item filters on a read that takes none (a
// dataset with all its items, Lunary's read): it would answer every item.
func noItemFilter(r *request, where string) error {
	for key := range r.URL.Query() {
		if key == "split" || key == "externalId" || key == "search" || strings.HasPrefix(key, "metadata.") {
			return &strata.ValidationError{Issues: []strata.Issue{{Path: key,
				Message: where + " answers every item: filter with GET /v1/datasets-v2/{datasetId}/items"}}}
		}
	}
	return nil
}
