package strata

import "reflect"
import "testing"

// A run records its filter as String writes it; ParseItemFilter reads the
// same filter back, escapes included.
func TestParseItemFilterReadsString(t *testing.T) {
	ext := "faq 7&x=y"
	for _, f := range []ItemFilter{
		{},
		{Splits: []string{"test", "train"}},
		{Metadata: []MetadataMatch{{Key: "lang", Value: "en"}, {Key: "a b=&", Value: "c&d=e"}}},
		{Splits: []string{"dev"}, Metadata: []MetadataMatch{{Key: "turns", Value: "1"}}, ExternalID: &ext},
	} {
		got, err := ParseItemFilter(f.String())
		if err != nil {
			t.Fatalf("%q: %v", f.String(), err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Errorf("%q read back as %+v, want %+v", f.String(), got, f)
		}
	}
	for _, bad := range []string{"search=x", "split=%zz", "externalId=a&externalId=b"} {
		if _, err := ParseItemFilter(bad); err == nil {
			t.Errorf("%q: read, want an error", bad)
		}
	}
}
