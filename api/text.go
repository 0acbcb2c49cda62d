package api

import "net/http"
import "net/url"

import "github.com/strata-eval/strata"

// Every text a client sends passes strata.CheckText (valid UTF-8, no NUL):
// JSON bodies whole (body.go) and their strings in the store (400), raw
// imports as they stream (400), and query parameters here, before any
// handler reads them: 422, as any other invalid query parameter.

// checkQueryText refuses a query whose names or values are not text.
func checkQueryText(r *http.Request) error {
	var v validator
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		// A parameter whose escape is malformed would be dropped: a
		// filtered read would read everything, a write its default.
		v.add("", "The query string is malformed: "+err.Error())
		return v.err()
	}
	for key, values := range query {
		if err := strata.CheckText("Query parameter name", key); err != nil {
			v.add("", strata.ErrorMessage(err))
			continue
		}
		for _, value := range values {
			if err := strata.CheckText("Query parameter", value); err != nil {
				v.add(key, strata.ErrorMessage(err))
				break
			}
		}
	}
	return v.err()
}
