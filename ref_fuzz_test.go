package strata

import "strconv"
import "testing"

// FuzzParseRef parses arbitrary refs: a ref names exactly one kind of
// version, a tag ref is a valid tag name, and nothing panics.
func FuzzParseRef(f *testing.F) {
	for _, seed := range []string{"latest", "working", "1", "0", "007", "v1.2", "01a221b1-bbd3-7a7d-a312-ed0cd4285f83", "1e3", "..", "", "a/b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := ParseRef(s)
		if !ok {
			return
		}
		kinds := 0
		for _, set := range []bool{r.ID != "", r.Number != 0, r.Latest, r.Tag != ""} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			t.Fatalf("ParseRef(%q) = %+v: names %d kinds of version", s, r, kinds)
		}
		if r.Tag != "" && CheckTagName(r.Tag) != nil {
			t.Fatalf("ParseRef(%q) gives tag %q, which is no valid tag", s, r.Tag)
		}
		if r.Number < 0 || (r.Number > 0 && strconv.Itoa(r.Number) != trimZeros(s)) {
			t.Fatalf("ParseRef(%q) = number %d", s, r.Number)
		}
	})
}

func trimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}
