package web

import "testing"

func TestFormatText(t *testing.T) {
	long := `{"answer":"Yes","days":30,"conditions":["unworn","with receipt"]}`
	for _, tc := range []struct {
		name, in, want string
		json           bool
	}{
		{"Object", long, "{\n  \"answer\": \"Yes\",\n  \"days\": 30,\n  \"conditions\": [\n    \"unworn\",\n    \"with receipt\"\n  ]\n}", true},
		{"ShortStaysOnItsLine", ` [1, 2] `, ` [1, 2] `, true},
		{"Prose", "Hello {world}", "Hello {world}", false},
		{"Invalid", `{"a":` + long, `{"a":` + long, false},
		{"Empty", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, isJSON := formatText(tc.in)
			if got != tc.want {
				t.Fatalf("formatText(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if isJSON != tc.json {
				t.Fatalf("formatText(%q) says JSON %v", tc.in, isJSON)
			}
		})
	}
}

func TestHighlight(t *testing.T) {
	for _, tc := range []struct{ name, text, term, want string }{
		{"CaseInsensitive", "Return the Shoes, shoes", "shoes", "Return the <mark>Shoes</mark>, <mark>shoes</mark>"},
		{"Escaped", "<b>a</b> & b", "b", "&lt;<mark>b</mark>&gt;a&lt;/<mark>b</mark>&gt; &amp; <mark>b</mark>"},
		{"NoTerm", "a < b", "", "a &lt; b"},
		{"NotFound", "abc", "x", "abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(highlight(tc.text, tc.term)); got != tc.want {
				t.Fatalf("highlight = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestListingPosition(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    listing
		want string
	}{
		{"Middle", listing{Start: 51, End: 100, Shown: 50, Total: 2500}, "items 51–100 of 2,500"},
		{"Search", listing{Start: 1, End: 3, Shown: 3, Total: -1}, "matches 1–3"},
		{"Empty", listing{}, "no items"},
		{"StartUnknown", listing{Shown: 50, Total: 2500}, "50 of 2,500 items shown"},
		{"SearchStartUnknown", listing{Shown: 7, Total: -1}, "7 matches shown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.l.Position(); got != tc.want {
				t.Fatalf("Position() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
