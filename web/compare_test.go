package web

import "testing"

func TestWordDiff(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"same", "same", "same"},
		{"return shoes?", "return boots?", "return <del>shoes</del><ins>boots</ins>?"},
		{"a b", "a x b", "a <ins>x</ins><ins> </ins>b"},
		{"<b>", "<i>", "&lt;<del>b</del><ins>i</ins>&gt;"},
		{"", "new", "<ins>new</ins>"},
	} {
		got, _ := wordDiff(tc.a, tc.b)
		if string(got) != tc.want {
			t.Errorf("wordDiff(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}
