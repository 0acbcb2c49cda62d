package strata_test

import "strings"
import "testing"

import "github.com/strata-eval/strata"

func TestValidate(t *testing.T) {
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name  string
		input interface{ Validate() error }
		want  string // "" for valid
	}{
		{"DatasetOK", strata.DatasetCreate{Name: "a", Description: str("d")}, ""},
		{"DatasetNameMissing", strata.DatasetCreate{}, `Validation error: String must contain at least 1 character(s) at "name"`},
		{"DatasetNameAtLimit", strata.DatasetCreate{Name: strings.Repeat("é", 1000)}, ""},
		{"DatasetNameTooLong", strata.DatasetCreate{Name: strings.Repeat("n", 1001), Description: str(strings.Repeat("d", 10001))},
			`Validation error: String must contain at most 1000 character(s) at "name"; String must contain at most 10000 character(s) at "description"`},
		{"DatasetNameInUTF16", strata.DatasetCreate{Name: strings.Repeat("😀", 501)}, `Validation error: String must contain at most 1000 character(s) at "name"`},
		{"DatasetNUL", strata.DatasetCreate{Name: "a\x00b"}, "strata error: code=invalid message=name contains a NUL character"},
		{"UpdateNothing", strata.DatasetUpdate{}, ""},
		{"UpdateNameBlank", strata.DatasetUpdate{Name: str("")}, `Validation error: String must contain at least 1 character(s) at "name"`},
		{"UpdateDescriptionIgnoredUnlessSet", strata.DatasetUpdate{Description: str(strings.Repeat("d", 10001))}, ""},
		{"UpdateDescriptionTooLong", strata.DatasetUpdate{Description: str(strings.Repeat("d", 10001)), SetDescription: true},
			`Validation error: String must contain at most 10000 character(s) at "description"`},
		{"VersionOK", strata.VersionCreate{}, ""},
		{"VersionNameTooLong", strata.VersionCreate{Name: str(strings.Repeat("v", 1001))}, `Validation error: String must contain at most 1000 character(s) at "name"`},
		{"ItemOK", strata.ItemInput{Input: "q", Output: str("a")}, ""},
		{"ItemInvalidUTF8", strata.ItemInput{Input: "q", GroundTruth: str("\xff")}, "strata error: code=invalid message=groundTruth is not valid UTF-8"},
		{"ItemUpdateNUL", strata.ItemUpdate{Output: str("\x00")}, "strata error: code=invalid message=output contains a NUL character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.input.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Validate() = %q, want %q", got, tc.want)
			}
		})
	}
}
