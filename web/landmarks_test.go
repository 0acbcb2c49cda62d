package web_test

import "fmt"
import "regexp"
import "testing"

var (
	navTag    = regexp.MustCompile(`<nav\b[^>]*>`)
	ariaLabel = regexp.MustCompile(`aria-label="([^"]*)"`)
)

// TestNavigationLandmarksNamed: the navigation landmarks of a page have
// names that tell them apart (axe's landmark-unique): at most one without
// a name, and no two with the same.
func TestNavigationLandmarksNamed(t *testing.T) {
	s, token := signedIn(t)
	var inputs []string
	for i := range 60 { // more than a page, so that the pagers show
		inputs = append(inputs, fmt.Sprintf("question %02d", i+1))
	}
	ds := newDataset(t, s, token, inputs...)
	item := itemRow.FindStringSubmatch(s.get(t, ds).body)[1]
	for _, tc := range []struct{ name, path string }{
		{"Datasets", "/datasets"}, {"Dataset", ds}, {"Versions", ds + "/versions"}, {"Version", ds + "/versions/2"},
		{"Compare", ds + "/compare?from=1&to=2"}, {"Evaluators", ds + "/evaluators"}, {"Item", ds + "/items/" + item},
	} {
		path := tc.path
		t.Run(tc.name, func(t *testing.T) {
			p := s.get(t, path)
			navs := navTag.FindAllString(p.body, -1)
			if len(navs) == 0 {
				t.Fatalf("%s has no navigation", path)
			}
			seen := map[string]bool{}
			for _, nav := range navs {
				name := ""
				if m := ariaLabel.FindStringSubmatch(nav); m != nil {
					name = m[1]
				}
				if seen[name] {
					t.Errorf("%s has two navigation landmarks named %q: %s", path, name, nav)
				}
				seen[name] = true
			}
		})
	}
}
