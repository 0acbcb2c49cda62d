package rules

import "encoding/json"
import "strings"

import "github.com/strata-eval/strata"

// The rules of a few request values that the API reads from its path or its
// JSON body and the pages from a form: each face answers a value that breaks
// them with the same validation error (422, the same message).

// CheckTag checks a tag named by a request: strata.CheckTagName's rule, as
// the validation error of the value "tag" (zod's wording).
func CheckTag(name string) error {
	if err := strata.CheckTagName(name); err != nil {
		return &strata.ValidationError{Issues: []strata.Issue{{Path: "tag", Message: strata.ErrorMessage(err)}}}
	}
	return nil
}

// JSONType names the type of a JSON text as zod does: "undefined" for none
// (nil), "string", "object", "array", "boolean", "null" or "number".
func JSONType(raw json.RawMessage) string {
	s := strings.TrimLeft(string(raw), " \t\r\n")
	if s == "" {
		return "undefined"
	}
	switch s[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// CheckMetadataObject checks that an item's metadata, valid JSON, is an
// object: else the validation error the API gives a body whose "metadata"
// is not one ("Expected object, received array").
func CheckMetadataObject(raw json.RawMessage) error {
	if t := JSONType(raw); t != "object" && json.Valid(raw) {
		return &strata.ValidationError{Issues: []strata.Issue{{Path: "metadata", Message: "Expected object, received " + t}}}
	}
	return nil
}
