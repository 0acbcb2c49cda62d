package api

import (
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
