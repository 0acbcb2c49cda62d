package strata

import "testing"

// Every item an import prepares carries the metadata the importer already
// normalized, {} for most: taking it as it is allocates nothing, where
// decoding it again was a tenth of the import's parsing.
func TestNormalizeMetadataTakesNoneAsItIs(t *testing.T) {
	for _, raw := range []string{``, `  `, `{}`} {
		got, err := NormalizeMetadata([]byte(raw))
		if err != nil || string(got) != `{}` {
			t.Fatalf("NormalizeMetadata(%q) = %s, %v; want {}", raw, got, err)
		}
	}
	raw := []byte(`{}`)
	if n := testing.AllocsPerRun(100, func() { NormalizeMetadata(raw) }); n != 0 {
		t.Fatalf("NormalizeMetadata({}) allocates %v times", n)
	}
	// Anything else is decoded and written in canonical form.
	got, err := NormalizeMetadata([]byte(`{ "b": 1, "a": "x" }`))
	if err != nil || string(got) != `{"a":"x","b":1}` {
		t.Fatalf("NormalizeMetadata = %s, %v", got, err)
	}
}
