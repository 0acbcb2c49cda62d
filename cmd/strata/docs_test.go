package main

import "flag"
import "io"
import "os"
import "regexp"
import "strings"
import "testing"

// The operations guides name settings a deployment copies: each environment
// variable they name is one serve reads, and each flag of a `strata serve`
// line they show is one serve takes. The guide's reverse proxy is trusted,
// so that the per-address connection bound spares it.
func TestOperationsDocsNameRealSettings(t *testing.T) {
	m := NewMain(io.Discard, io.Discard)
	m.ParseFlags(nil)
	envs := map[string]bool{"STRATA_API_KEY": true, "STRATA_URL": true} // the client's
	m.flags.VisitAll(func(f *flag.Flag) {
		if sub := envName.FindStringSubmatch(f.Usage); sub != nil {
			envs[sub[1]] = true
		}
	})
	serveLine := regexp.MustCompile(`strata serve[^\n` + "`" + `]*`)
	flagName := regexp.MustCompile(`--([a-z0-9-]+)`)
	for _, file := range []string{"../../docs/deploy.md", "../../docs/scaling.md"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(data)
		for _, name := range regexp.MustCompile(`STRATA_[A-Z0-9_]+`).FindAllString(doc, -1) {
			if !envs[name] {
				t.Errorf("%s names %s, which serve does not read", file, name)
			}
		}
		for _, line := range serveLine.FindAllString(doc, -1) {
			for _, f := range flagName.FindAllStringSubmatch(line, -1) {
				if m.flags.Lookup(f[1]) == nil && f[1] != "help" {
					t.Errorf("%s: %q passes --%s, which serve does not take", file, line, f[1])
				}
			}
		}
		if strings.Contains(doc, "go build") && !strings.Contains(doc, "CGO_ENABLED=0 go build") {
			t.Errorf("%s builds the binary without CGO_ENABLED=0: it would need the build machine's libc", file)
		}
	}
	deploy, _ := os.ReadFile("../../docs/deploy.md")
	for _, want := range []string{"Environment=STRATA_TRUSTED_PROXIES=127.0.0.1", "keepalive 64;", "proxy_pass http://strata;"} {
		if !strings.Contains(string(deploy), want) {
			t.Errorf("deploy.md's proxy setup lacks %q", want)
		}
	}
}
