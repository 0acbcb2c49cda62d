package api

import "encoding/json"
import "errors"
import "io"
import "math"
import "net/url"
import "regexp"
import "strconv"
import "strings"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/rules"

// Validation reproduces, for the few schemas the API has, what zod 3 and
// zod-validation-error answer in Lunary: the same checks in the same order and
// the same words, so that a client matching on messages keeps working.
//
// Values are JSON texts (json.RawMessage), nil when absent (zod's undefined);
// query parameters are turned into the same form, an array when repeated, as
// Koa's query parser does.

// A failed validation is a *strata.ValidationError: 422 with Lunary's
// message. The validator checks a request's shape (types, enums, numbers);
// the rules of the domain's inputs are their Validate methods, whose issues
// rules merges in.

// validator collects the issues of one request part (path, query or body).
type validator struct {
	issues []strata.Issue
}

// add records an issue at a path ("" for the value itself).
func (v *validator) add(path, message string) {
	v.issues = append(v.issues, strata.Issue{Path: path, Message: message})
}

// err returns the collected issues as one error, or nil.
func (v *validator) err() error {
	if len(v.issues) == 0 {
		return nil
	}
	return &strata.ValidationError{Issues: v.issues}
}

// rules adds the issues of err, the result of an input's Validate, in the
// order of fields, as zod lists them: field by field, a field that already
// has an issue (a wrong type) keeping only that one. An error that is not a
// validation error is returned, for the caller to report when the shape is
// right.
func (v *validator) rules(err error, fields ...string) error {
	verr, ok := errors.AsType[*strata.ValidationError](err)
	if !ok {
		return err
	}
	had := map[string]bool{}
	for _, is := range v.issues {
		had[is.Path] = true
	}
	if had[""] { // not an object: zod says that alone
		return nil
	}
	inFields := map[string]bool{}
	var merged []strata.Issue
	for _, f := range fields {
		inFields[f] = true
		for _, is := range v.issues {
			if is.Path == f {
				merged = append(merged, is)
			}
		}
		for _, is := range verr.Issues {
			if is.Path == f && !had[f] {
				merged = append(merged, is)
			}
		}
	}
	for _, is := range append(v.issues, verr.Issues...) {
		if !inFields[is.Path] {
			merged = append(merged, is)
		}
	}
	v.issues = merged
	return nil
}

// typeOf names a JSON value's type as zod does.
func typeOf(raw json.RawMessage) string { return rules.JSONType(raw) }

// invalidType adds zod's invalid_type issue: "Required" for a missing value.
func (v *validator) invalidType(path, expected string, raw json.RawMessage) {
	if raw == nil {
		v.add(path, "Required")
		return
	}
	v.add(path, "Expected "+expected+", received "+typeOf(raw))
}

// object checks that a body is a JSON object and returns its members. An
// absent or empty body is {}. When it is not an object, zod reports that
// alone: the caller must not look at the members.
func (v *validator) object(b jsonBody) (map[string]json.RawMessage, bool) {
	if b.array {
		v.add("", "Expected object, received array")
		return nil, false
	}
	if b.object == nil {
		return map[string]json.RawMessage{}, true
	}
	return b.object, true
}

// stringRule is a zod string schema: z.string(), then .trim(), .min(), .max()
// in that order, then .nullable() and .optional().
type stringRule struct {
	trim     bool
	min, max int // lengths in UTF-16 code units, as JavaScript counts; 0: no check
	nullable bool
	optional bool
}

// str validates a string. It returns the value (nil for null) and whether the
// value was given and valid.
func (v *validator) str(path string, raw json.RawMessage, rule stringRule) (*string, bool) {
	switch t := typeOf(raw); {
	case t == "undefined" && rule.optional:
		return nil, false
	case t == "null" && rule.nullable:
		return nil, true
	case t != "string":
		v.invalidType(path, "string", raw)
		return nil, false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		v.invalidType(path, "string", raw) // unreachable: the body was valid JSON
		return nil, false
	}
	if rule.trim {
		s = strata.JSTrim(s)
	}
	ok := true
	if n := strata.JSLength(s); rule.min > 0 && n < rule.min {
		v.add(path, "String must contain at least "+strconv.Itoa(rule.min)+" character(s)")
		ok = false
	} else if rule.max > 0 && n > rule.max {
		v.add(path, "String must contain at most "+strconv.Itoa(rule.max)+" character(s)")
		ok = false
	}
	return &s, ok
}

// strReader validates a string of at least one character, as str with
// stringRule{min: 1} does, and returns a reader of its value.
func (v *validator) strReader(path string, raw json.RawMessage) io.Reader {
	if typeOf(raw) != "string" {
		v.invalidType(path, "string", raw)
		return nil
	}
	if string(raw) == `""` {
		v.add(path, "String must contain at least 1 character(s)")
		return nil
	}
	return newJSONStringReader(raw)
}

// enum validates z.enum(options).default(def): an absent value is def.
func (v *validator) enum(path string, raw json.RawMessage, options []string, def string) string {
	if raw == nil && def != "" {
		return def
	}
	quoted := make([]string, len(options))
	for i, o := range options {
		quoted[i] = "'" + o + "'"
	}
	expected := strings.Join(quoted, " | ")
	if typeOf(raw) != "string" {
		v.invalidType(path, expected, raw)
		return ""
	}
	var s string
	json.Unmarshal(raw, &s)
	for _, o := range options {
		if s == o {
			return s
		}
	}
	v.add(path, "Invalid enum value. Expected "+expected+", received '"+s+"'")
	return ""
}

// integer validates z.coerce.number().int().min(min).max(max).default(def).
// Lunary has no .int(), and a fraction then failed in PostgreSQL with a 500;
// here it is zod's int issue instead.
func (v *validator) integer(path string, raw json.RawMessage, min, max, def int) int {
	if raw == nil {
		return def
	}
	n := math.NaN()
	switch typeOf(raw) {
	case "string":
		var s string
		json.Unmarshal(raw, &s)
		n = jsNumber(s)
	case "number":
		n, _ = strconv.ParseFloat(string(raw), 64)
	}
	if math.IsNaN(n) {
		v.add(path, "Expected number, received nan")
		return 0
	}
	ok := true
	if n != math.Trunc(n) || math.IsInf(n, 0) {
		v.add(path, "Expected integer, received float")
		ok = false
	}
	if n < float64(min) {
		v.add(path, "Number must be greater than or equal to "+strconv.Itoa(min))
		ok = false
	}
	if n > float64(max) {
		v.add(path, "Number must be less than or equal to "+strconv.Itoa(max))
		ok = false
	}
	if !ok {
		return 0
	}
	return int(n)
}

// uuidPattern is zod 3.25's uuid check: any 8-4-4-4-12 hex string, in any
// case, the nil UUID included.
var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// pathIDs validates the named path parameters as UUIDs, all of them at once as
// zod does, and returns them in lower case, the form the store keeps.
func pathIDs(r *request, names ...string) ([]string, error) {
	var v validator
	ids := make([]string, len(names))
	for i, name := range names {
		id := r.PathValue(name)
		if !uuidPattern.MatchString(id) {
			v.add(name, "Invalid uuid")
		}
		ids[i] = strings.ToLower(id)
	}
	return ids, v.err()
}

// queryValue returns a query parameter as Koa's parser gives it: absent (nil),
// a string, or an array of strings when repeated.
func queryValue(q url.Values, key string) json.RawMessage {
	vs, ok := q[key]
	if !ok {
		return nil
	}
	var b []byte
	if len(vs) == 1 {
		b, _ = json.Marshal(vs[0])
	} else {
		b, _ = json.Marshal(vs)
	}
	return b
}

// decimalNumber is the syntax of a decimal number that JavaScript's Number()
// accepts.
var decimalNumber = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// jsNumber converts a string as JavaScript's Number() does: blank is 0,
// "Infinity" and 0x/0o/0b integers are accepted, anything else not a decimal
// number is NaN.
func jsNumber(s string) float64 {
	s = strata.JSTrim(s)
	switch s {
	case "":
		return 0
	case "Infinity", "+Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			n, err := strconv.ParseUint(s[2:], base, 64)
			if err != nil {
				if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
					return math.MaxFloat64 // only its size matters to the checks
				}
				return math.NaN()
			}
			return float64(n)
		}
	}
	if !decimalNumber.MatchString(s) {
		return math.NaN()
	}
	n, _ := strconv.ParseFloat(s, 64) // out of range gives ±Inf, as in JavaScript
	return n
}
