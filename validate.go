package strata

import "strconv"
import "strings"
import "unicode"
import "unicode/utf16"

// Validation: the rules an input must follow, whoever sends it (the API, the
// pages, the command line). Each input type has a Validate method; the HTTP
// layers check only that the request has the right shape (a string where a
// string belongs) and leave the rules to it.
//
// Lengths count UTF-16 code units, as JavaScript does, and the words of each
// issue are those of Lunary's validation (zod), so that a client matching on
// messages keeps working.

// Limits of names and descriptions: a name is shown in lists and compared on
// every create, and no person types more.
const (
	MaxNameLength        = 1000
	MaxDescriptionLength = 10000
)

// Issue is one broken rule: the field and what is wrong with it.
type Issue struct {
	Path    string // the field, "" for the input as a whole
	Message string
}

// ValidationError is an input that breaks rules, one issue each. The HTTP
// layers answer it 422 with its message.
type ValidationError struct {
	Issues []Issue
}

func (e *ValidationError) Error() string { return "Validation error: " + JoinIssues(e.Issues) }

// JoinIssues writes issues as zod-validation-error does: each message with
// its path, separated by "; ".
func JoinIssues(issues []Issue) string {
	parts := make([]string, len(issues))
	for i, is := range issues {
		parts[i] = is.Message
		if is.Path != "" {
			parts[i] += ` at "` + is.Path + `"`
		}
	}
	return strings.Join(parts, "; ")
}

// issues collects the issues of one input.
type issues []Issue

// length checks that s is between min and max characters (0: no bound), as
// zod's .min().max() does. Values come trimmed where the input trims them.
func (is *issues) length(path, s string, min, max int) {
	n := JSLength(s)
	if min > 0 && n < min {
		*is = append(*is, Issue{path, "String must contain at least " + strconv.Itoa(min) + " character(s)"})
	} else if max > 0 && n > max {
		*is = append(*is, Issue{path, "String must contain at most " + strconv.Itoa(max) + " character(s)"})
	}
}

func (is issues) err() error {
	if len(is) == 0 {
		return nil
	}
	return &ValidationError{Issues: is}
}

// Validate checks a new dataset's name (1 to MaxNameLength characters, once
// trimmed) and description (at most MaxDescriptionLength), and that both are
// text every store can keep.
func (c DatasetCreate) Validate() error {
	var is issues
	is.length("name", c.Name, 1, MaxNameLength)
	if c.Description != nil {
		is.length("description", *c.Description, 0, MaxDescriptionLength)
	}
	if err := is.err(); err != nil {
		return err
	}
	return checkTexts(text{"name", &c.Name}, text{"description", c.Description})
}

// Validate checks the fields an update sets by DatasetCreate's rules.
func (u DatasetUpdate) Validate() error {
	var is issues
	if u.Name != nil {
		is.length("name", *u.Name, 1, MaxNameLength)
	}
	if u.SetDescription && u.Description != nil {
		is.length("description", *u.Description, 0, MaxDescriptionLength)
	}
	if err := is.err(); err != nil {
		return err
	}
	return checkTexts(text{"name", u.Name}, text{"description", u.Description})
}

// Validate checks that a new item's fields are text every store can keep.
func (in ItemInput) Validate() error {
	return checkTexts(text{"input", &in.Input}, text{"groundTruth", in.GroundTruth}, text{"output", in.Output})
}

// Validate checks that the fields an item update sets are text every store
// can keep.
func (u ItemUpdate) Validate() error {
	return checkTexts(text{"input", u.Input}, text{"groundTruth", u.GroundTruth}, text{"output", u.Output})
}

// Validate checks a version's name (at most MaxNameLength characters) and
// description (at most MaxDescriptionLength), and that both are text every
// store can keep. Either may be nil: the dataset's own is taken.
func (c VersionCreate) Validate() error {
	var is issues
	if c.Name != nil {
		is.length("name", *c.Name, 0, MaxNameLength)
	}
	if c.Description != nil {
		is.length("description", *c.Description, 0, MaxDescriptionLength)
	}
	if err := is.err(); err != nil {
		return err
	}
	return checkTexts(text{"name", c.Name}, text{"description", c.Description})
}

type text struct {
	field string
	value *string
}

func checkTexts(ts ...text) error {
	for _, t := range ts {
		if t.value != nil {
			if err := CheckText(t.field, *t.value); err != nil {
				return err
			}
		}
	}
	return nil
}

// JSTrim removes what JavaScript's String.prototype.trim removes.
func JSTrim(s string) string { return strings.TrimFunc(s, isJSSpace) }

// isJSSpace differs from unicode.IsSpace in two runes: JavaScript counts
// U+FEFF as space, and not U+0085.
func isJSSpace(r rune) bool { return r == '\uFEFF' || (r != '\u0085' && unicode.IsSpace(r)) }

// JSCut returns the longest prefix of s, whole runes, at most max UTF-16
// units long (JSLength).
func JSCut(s string, max int) string {
	n := 0
	for i, r := range s {
		if n += utf16.RuneLen(r); n > max {
			return s[:i]
		}
	}
	return s
}

// JSLength is a string's length as JavaScript counts it, in UTF-16 units.
func JSLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
