package rules

import "net/http"
import "net/url"

import "github.com/strata-eval/strata"

// CheckQueryText refuses a query whose names or values are not text
// (strata.CheckText: valid UTF-8, no NUL), as a validation error (422, as
// any other invalid query parameter), on the API and the pages alike: a
// search or filter of bytes that are no UTF-8 would match nothing, and one
// with a NUL everything. A malformed escape is refused too, for its
// parameter would be dropped: a filtered read would read everything, a
// write its default.
func CheckQueryText(r *http.Request) error {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return &strata.ValidationError{Issues: []strata.Issue{{Message: "The query string is malformed: " + err.Error()}}}
	}
	var issues []strata.Issue
	for key, values := range query {
		if err := strata.CheckText("Query parameter name", key); err != nil {
			issues = append(issues, strata.Issue{Message: strata.ErrorMessage(err)})
			continue
		}
		for _, value := range values {
			if err := strata.CheckText("Query parameter", value); err != nil {
				issues = append(issues, strata.Issue{Path: key, Message: strata.ErrorMessage(err)})
				break
			}
		}
	}
	if len(issues) > 0 {
		return &strata.ValidationError{Issues: issues}
	}
	return nil
}
