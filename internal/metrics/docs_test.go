package metrics

import "context"
import "database/sql"
import "os"
import "os/exec"
import "path/filepath"
import "regexp"
import "strings"
import "testing"
import "time"

// The documentation's files, from this package's directory.
var (
	alertsFile     = filepath.Join("..", "..", "docs", "alerts.yml")
	alertTestsFile = filepath.Join("..", "..", "docs", "alerts_test.yml")
	promConfigFile = filepath.Join("..", "..", "docs", "prometheus.yml")
	readmeFile     = filepath.Join("..", "..", "README.md")
)

// exported returns the names of every metric family Strata exports, each
// vector given a series so that it shows.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	m := New()
	m.WatchDatabase(Database{
		Ping:    func(context.Context) error { return nil },
		Stats:   func() sql.DBStats { return sql.DBStats{} },
		WALSize: func() (int64, error) { return 0, nil },
	})
	m.RequestStarted()
	m.RequestDone("/healthz", "GET", 200, time.Millisecond, false)
	m.LLMCallStarted()
	m.LLMCallEnded("m", "ok", time.Second)
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range fams {
		names[f.GetName()] = true
	}
	return names
}

var metricName = regexp.MustCompile(`\bstrata_[a-z_]+[a-z]`)

// TestAlertRulesNameExportedMetrics catches a rule that watches a metric
// that does not exist, and so never fires.
func TestAlertRulesNameExportedMetrics(t *testing.T) {
	names := exported(t)
	for _, file := range []string{alertsFile, alertTestsFile} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range metricName.FindAllString(string(data), -1) {
			base := name
			for _, suffix := range []string{"_bucket", "_count", "_sum"} {
				base = strings.TrimSuffix(base, suffix)
			}
			if !names[base] {
				t.Errorf("%s names %s, which Strata does not export", file, name)
			}
		}
	}
}

// TestREADMEListsMetrics keeps the README's list of metrics whole.
func TestREADMEListsMetrics(t *testing.T) {
	data, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	for name := range exported(t) {
		if strings.HasPrefix(name, "strata_") && !strings.Contains(string(data), "`"+name+"`") {
			t.Errorf("README.md does not list %s", name)
		}
	}
}

// promtool returns the path of Prometheus' promtool, skipping the test
// without it (a failure under CI=true, where .ci/run installs it).
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool not found (Debian package prometheus): the alert rules cannot be checked")
		}
		t.Skip("promtool not found (Debian package prometheus): alert rules not checked")
	}
	return path
}

func TestAlertRulesPromtool(t *testing.T) {
	bin := promtool(t)
	for _, args := range [][]string{
		{"check", "rules", alertsFile},
		{"test", "rules", alertTestsFile},
		{"check", "config", promConfigFile},
	} {
		t.Run(strings.Join(args[:2], "-"), func(t *testing.T) {
			out, err := exec.Command(bin, args...).CombinedOutput()
			if err != nil {
				t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
}
