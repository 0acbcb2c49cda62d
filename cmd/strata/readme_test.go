package main

import "net/http"
import "net/http/httptest"
import "os"
import "os/exec"
import "path/filepath"
import "regexp"
import "strings"
import "testing"

// TestREADMEWalkthrough runs the README's shell examples (the sections
// Walk-through, Beyond Lunary and Evaluators, in order) against a server,
// as a reader would paste them: every curl must succeed.
func TestREADMEWalkthrough(t *testing.T) {
	needShellTools(t)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	script := readmeScript(t, string(readme), "Walk-through", "Beyond Lunary", "Evaluators")

	// An LLM that answers every call, for generate.
	llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"Yes."}]}]}`))
	}))
	defer llm.Close()
	script = readmeServer(t, script, "--llm-base-url", llm.URL)
	// A curl that fails on an HTTP error, so that every step must work.
	prelude := "set -euo pipefail\ncurl() { command curl --fail-with-body \"$@\"; }\n"
	cmd := exec.Command("bash", "-c", prelude+script)
	cmd.Dir = t.TempDir()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README's walk-through failed: %v\n%s", err, out)
	}
}

// readmeScript returns the ```sh blocks of the named sections, joined.
func readmeScript(t *testing.T, readme string, sections ...string) string {
	t.Helper()
	var script strings.Builder
	for _, name := range sections {
		start := strings.Index(readme, "\n## "+name+"\n")
		if start < 0 {
			t.Fatalf("README has no section %q", name)
		}
		body := readme[start+1:]
		if end := strings.Index(body[3:], "\n## "); end >= 0 {
			body = body[:end+3]
		}
		blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(body, -1)
		if len(blocks) == 0 {
			t.Fatalf("README section %q has no sh block", name)
		}
		for _, b := range blocks {
			script.WriteString(b[1])
		}
	}
	return script.String()
}

// TestREADMESections runs the shell examples of the README's sections on
// files, metadata, Lunary's SDKs and datasets as code, after the
// walk-through's first block (which sets KEY, H, J, API and DS), with the
// strata binary built from this package on the PATH. Some examples show an
// error on purpose, so curl is not made to fail on one; the strata
// commands' exit statuses and every jq must succeed.
func TestREADMESections(t *testing.T) {
	needShellTools(t)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	walk := readmeScript(t, string(readme), "Walk-through")
	start := walk[:strings.Index(walk, "# Add items.")]
	script := start + readmeScript(t, string(readme), "Bringing your files", "Metadata, splits and external ids",
		"Using Lunary's SDKs", "Datasets as code")

	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "strata"), ".").CombinedOutput(); err != nil {
		t.Fatalf("build strata: %v\n%s", err, out)
	}
	script = readmeServer(t, script)
	// The binary is built above; the CI example names a git commit.
	script = strings.ReplaceAll(script, "go build -o strata ./cmd/strata && export PATH=$PWD:$PATH", "export PATH="+bin+":$PATH")
	script = strings.ReplaceAll(script, "$(git rev-parse --short HEAD)", "abc1234")
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+script)
	cmd.Dir = t.TempDir()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README's examples failed: %v\n%s", err, out)
	}
}

// needShellTools skips a test that runs the README's shell examples where
// bash, curl or jq is missing, except in CI, where .ci/run installs them.
func needShellTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed to run the README's examples", tool)
			}
			t.Skipf("%s is not installed: the README's examples are not run", tool)
		}
	}
}

// readmeServer starts a server with flags, closed when the test ends, and
// points script at it: its address, and the owner key it printed as KEY.
func readmeServer(t *testing.T, script string, flags ...string) string {
	t.Helper()
	m := runServeWith(t, filepath.Join(t.TempDir(), "strata.db"), func(m *Main) {
		m.LLM.APIKey = "sk-test" // generate's example reaches the test's LLM, when it gives one
	}, flags...)
	script = strings.ReplaceAll(script, "http://127.0.0.1:3333", m.base())
	return regexp.MustCompile(`(?m)^KEY=strata_\.\.\..*$`).ReplaceAllString(script, "KEY="+m.ownerKey(t))
}
