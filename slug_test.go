package strata_test

import "fmt"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

func TestMakeSlug(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"Support bot", "support-bot"},
		{"  QA: refunds (v2)  ", "qa-refunds-v2"},
		{"Été à Paris", "ete-a-paris"},
		{"Ünïcode Name!", "unicode-name"},
		{"Crème brûlée", "creme-brulee"},
		{"Straße, Ærø", "strasse-aero"},
		{"ﬁle №1", "file-no1"},
		{"日本語", "dataset"},
		{"--", "dataset"},
		{"ABC123", "abc123"},
		{"0190d6a1-2b3c-7def-8123-456789abcdef", "dataset"},
		{strings.Repeat("a", 70), strings.Repeat("a", 64)},
		{strings.Repeat("a", 63) + " b", strings.Repeat("a", 63)},
	} {
		if got := strata.MakeSlug(tc.name); got != tc.want {
			t.Errorf("MakeSlug(%q) = %q, want %q", tc.name, got, tc.want)
		}
		if got := strata.MakeSlug(tc.name); !strata.ValidSlug(got) {
			t.Errorf("MakeSlug(%q) = %q, not a valid slug", tc.name, got)
		}
	}
}

func TestValidSlug(t *testing.T) {
	for s, want := range map[string]bool{
		"qa": true, "qa-2": true, "a": true, "": false, "-qa": false, "qa-": false, "q--a": false,
		"QA": false, "q_a": false, "q a": false, "qa@1": false, strings.Repeat("a", 65): false,
		"0190d6a1-2b3c-7def-8123-456789abcdef": false,
	} {
		if got := strata.ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestSlugMalformedNamesTheLimit(t *testing.T) {
	if want := fmt.Sprintf("1 to %d ", strata.MaxSlugLength); !strings.Contains(strata.ErrSlugMalformed.Message, want) {
		t.Fatalf("message %q does not say %q", strata.ErrSlugMalformed.Message, want)
	}
}

func TestSlugCandidate(t *testing.T) {
	if got, want := strata.SlugCandidate("qa", 1), "qa"; got != want {
		t.Errorf("candidate 1 = %q, want %q", got, want)
	}
	if got, want := strata.SlugCandidate("qa", 3), "qa-3"; got != want {
		t.Errorf("candidate 3 = %q, want %q", got, want)
	}
	long := strings.Repeat("a", 64)
	if got := strata.SlugCandidate(long, 12); len(got) != 64 || !strings.HasSuffix(got, "-12") {
		t.Errorf("candidate 12 of a full-length base = %q", got)
	}
}
