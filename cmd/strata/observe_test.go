package main

import "bufio"
import "context"
import "encoding/json"
import "io"
import "net/http"
import "net/http/httptest"
import "strings"
import "sync"
import "testing"
import "time"

import dto "github.com/prometheus/client_model/go"
import "github.com/prometheus/common/expfmt"
import "github.com/prometheus/common/model"

import apiclient "github.com/strata-eval/strata/client"
import "github.com/strata-eval/strata/internal/openapitest"
import "github.com/strata-eval/strata/internal/testkit"

// opsServer is a server started with extra flags, its stderr captured.
type opsServer struct {
	m      *Main
	base   string
	key    string
	stderr *testkit.Buffer
	// client sends every request on one connection, so that a request is
	// sent only once the previous one was logged and counted.
	client *http.Client
	// api calls the API with the owner key on that connection, without
	// retries: every request is counted once.
	api *apiclient.Client
}

func startOps(t *testing.T, args ...string) *opsServer {
	t.Helper()
	m := runServe(t, testDSN(t), args...)
	s := &opsServer{
		m: m.Main, base: m.base(), key: m.ownerKey(t), stderr: &m.stderr,
		client: &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}},
	}
	s.api = apiclient.New(s.base, s.key)
	s.api.HTTP = &http.Client{Transport: openapitest.Transport(t, s.client.Transport, s.base)}
	s.api.MaxRetries = -1
	return s
}

// do sends a request with the owner key and returns the status and body:
// for what the API client does not send (unknown routes, a trailing slash,
// X-Request-Id) and answers it does not expose (headers).
func (s *opsServer) do(t *testing.T, method, path, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

// scrape reads the metrics a URL serves.
func scrape(t *testing.T, client *http.Client, url string) metricSet {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", url, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type = %q, want Prometheus' text format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// scrapeSettled scrapes once every earlier request has been counted: a
// client has its whole response before the server's middleware records the
// request, so a scrape right after it may run ahead of the counters. It
// scrapes until the scrape is the one request in flight (a bounded number
// of times), and returns how many scrapes it made before that one.
func scrapeSettled(t *testing.T, client *http.Client, url string) (metricSet, int) {
	t.Helper()
	for n := range 200 {
		ms := scrape(t, client, url)
		if ms.value("strata_http_requests_in_flight") == 1 {
			return ms, n
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("requests still in flight after 200 scrapes")
	return nil, 0
}

type metricSet map[string]*dto.MetricFamily

// value is the value of the series of name whose labels include labels:
// a counter's or gauge's value, a histogram's count; 0 when there is none.
func (ms metricSet) value(name string, labels ...string) float64 {
	f := ms[name]
	if f == nil {
		return 0
	}
	var sum float64
	for _, m := range f.Metric {
		if !hasLabels(m, labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, l := range m.Label {
			if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// move is how far the series of name with labels should move between two
// scrapes.
type move struct {
	name   string
	labels []string
	want   float64
}

// wantMoved checks how far each series moved from before to after.
func wantMoved(t *testing.T, before, after metricSet, moves []move) {
	t.Helper()
	for _, m := range moves {
		if got := after.value(m.name, m.labels...) - before.value(m.name, m.labels...); got != m.want {
			t.Errorf("%s%v moved by %v, want %v", m.name, m.labels, got, m.want)
		}
	}
}

// labelValues lists the values a label takes in the series of name.
func (ms metricSet) labelValues(name, label string) []string {
	var out []string
	if f := ms[name]; f != nil {
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if l.GetName() == label {
					out = append(out, l.GetValue())
				}
			}
		}
	}
	return out
}

func TestMetricsHTTP(t *testing.T) {
	s := startOps(t, "--max-body-bytes", "4096")
	before := scrape(t, s.client, s.base+"/metrics")
	// The configured model's LLM series exist before any call, at zero.
	llm := before["strata_llm_requests_total"]
	if llm == nil {
		t.Fatalf("strata_llm_requests_total is not served before an LLM call")
	}
	for _, outcome := range []string{"ok", "server_error", "rate_limited"} {
		found := false
		for _, m := range llm.Metric {
			found = found || (hasLabels(m, []string{"model", "gpt-5-mini", "outcome", outcome}) && m.Counter.GetValue() == 0)
		}
		if !found {
			t.Errorf("no strata_llm_requests_total{model=\"gpt-5-mini\",outcome=%q} at 0 before an LLM call", outcome)
		}
	}

	ctx := t.Context()
	d, err := s.api.CreateDataset(ctx, apiclient.DatasetInput{Name: "metrics"})
	if err != nil {
		t.Fatal(err)
	}
	ds := d.ID
	if _, err := s.api.GetDataset(ctx, ds); err != nil {
		t.Fatal(err)
	}
	// The trailing slash is the same route.
	if status, _, data := s.do(t, "GET", "/v1/datasets-v2/"+ds+"/", ""); status != 200 {
		t.Fatalf("GET with a trailing slash = %d %s, want 200", status, data)
	}
	for _, p := range []string{"/v1/nope-1234", "/v1/datasets-v2/" + ds + "/nope/5678"} {
		if status, _, _ := s.do(t, "GET", p, ""); status != 404 {
			t.Fatalf("GET %s = %d, want 404", p, status)
		}
	}
	if status, _, _ := s.do(t, "POST", "/v1/datasets-v2", `{"name":"`+strings.Repeat("x", 5000)+`"}`); status != 413 {
		t.Fatalf("large body = %d, want 413", status)
	}
	after, earlier := scrapeSettled(t, s.client, s.base+"/metrics")

	wantMoved(t, before, after, []move{
		{"strata_http_requests_total", []string{"route", "/v1/datasets-v2", "method", "POST", "code", "201"}, 1},
		{"strata_http_requests_total", []string{"route", "/v1/datasets-v2/{datasetId}", "method", "GET", "code", "200"}, 2},
		{"strata_http_request_duration_seconds", []string{"route", "/v1/datasets-v2/{datasetId}", "method", "GET"}, 2},
		{"strata_http_requests_total", []string{"route", "unmatched", "method", "GET", "code", "404"}, 2},
		{"strata_http_requests_total", []string{"route", "/v1/datasets-v2", "method", "POST", "code", "413"}, 1},
		{"strata_http_rejected_total", []string{"reason", "too_large"}, 1},
		{"strata_http_rejected_total", []string{"reason", "rate_limit"}, 0},
		// The scrape before, and those scrapeSettled made before its last.
		{"strata_http_requests_total", []string{"route", "/metrics", "method", "GET", "code", "200"}, 1 + float64(earlier)},
	})
	// The scrape itself is the one request in flight.
	if got, want := after.value("strata_http_requests_in_flight"), 1.0; got != want {
		t.Errorf("in flight = %v, want %v", got, want)
	}
	for _, route := range after.labelValues("strata_http_requests_total", "route") {
		if strings.Contains(route, "nope") || strings.Contains(route, ds) {
			t.Errorf("route label %q is a path, not a pattern", route)
		}
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "strata_db_open_connections",
		"strata_db_wait_duration_seconds_total", "strata_llm_in_flight", "strata_evaluator_runs_total"} {
		if after[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if got, want := after.value("strata_ready"), 1.0; got != want {
		t.Errorf("strata_ready = %v, want %v", got, want)
	}
	if _, wal := s.m.Store.(interface{ WALSize() (int64, error) }); wal {
		if got := after.value("strata_sqlite_wal_bytes"); got <= 0 {
			t.Errorf("strata_sqlite_wal_bytes = %v after writes, want > 0", got)
		}
	} else if after["strata_sqlite_wal_bytes"] != nil {
		t.Error("strata_sqlite_wal_bytes on PostgreSQL")
	}
}

func TestMetricsStore(t *testing.T) {
	s := startOps(t)
	before := scrape(t, s.client, s.base+"/metrics")
	ctx := t.Context()
	d, err := s.api.CreateDataset(ctx, apiclient.DatasetInput{Name: "store"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.api.Import(ctx, d.ID, apiclient.FormatJSONL, strings.NewReader("{\"input\":\"a\"}\n{\"input\":\"b\"}\n{\"input\":\"c\"}\n"), apiclient.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	// A failed import commits nothing, and counts nothing.
	_, err = s.api.Import(ctx, d.ID, apiclient.FormatJSONL, strings.NewReader("{\"input\":\"d\"}\nnot json\n"), apiclient.ImportOptions{})
	if got, want := apiclient.StatusOf(err), 400; got != want {
		t.Fatalf("import of a bad line = %d (%v), want %d", got, err, want)
	}
	if _, err := s.api.CreateItem(ctx, d.ID, apiclient.ItemInput{Input: "e"}, apiclient.WriteOptions{SkipVersion: true}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.api.CreateVersion(ctx, d.ID, apiclient.VersionInput{}); err != nil {
		t.Fatal(err)
	}
	restored, err := s.api.RestoreVersion(ctx, d.ID, "2")
	if err != nil {
		t.Fatal(err)
	}
	head := float64(restored.CurrentVersionNumber)
	// An upsert through the import route is an import: its items written
	// count (added and modified); its dry run counts nothing.
	upsert := "{\"externalId\":\"f\",\"input\":\"f\"}\n{\"externalId\":\"g\",\"input\":\"g\"}\n"
	if _, err := s.api.Upsert(ctx, d.ID, apiclient.FormatJSONL, strings.NewReader(upsert), apiclient.ImportOptions{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if r, err := s.api.Upsert(ctx, d.ID, apiclient.FormatJSONL, strings.NewReader(upsert), apiclient.ImportOptions{SkipVersion: true}); err != nil || r.Added != 2 {
		t.Fatalf("upsert = %+v, %v", r, err)
	}
	after, _ := scrapeSettled(t, s.client, s.base+"/metrics")

	wantMoved(t, before, after, []move{
		{"strata_versions_created_total", nil, head}, // the dataset's versions
		{"strata_items_imported_total", nil, 3 + 2},
		{"strata_import_duration_seconds", nil, 2},
		{"strata_restore_duration_seconds", nil, 1},
	})
}

func TestMetricsEvaluatorsAndLLM(t *testing.T) {
	var calls sync.Mutex
	n := 0
	llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Lock()
		n++
		first := n == 1
		calls.Unlock()
		if first { // one refusal, retried at once
			w.Header().Set("Retry-After-Ms", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"error":{"message":"slow down"}}`)
			return
		}
		io.WriteString(w, `{"status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"good"}]}]}`)
	}))
	defer llm.Close()
	t.Setenv("OPENAI_API_KEY", "sk-test")
	s := startOps(t, "--llm-base-url", llm.URL)
	before := scrape(t, s.client, s.base+"/metrics")

	ctx := t.Context()
	d, err := s.api.CreateDataset(ctx, apiclient.DatasetInput{Name: "runs"})
	if err != nil {
		t.Fatal(err)
	}
	output := "a"
	if _, err := s.api.CreateItem(ctx, d.ID, apiclient.ItemInput{Input: "q", Output: &output}, apiclient.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	judge, err := s.api.CreateEvaluator(ctx, apiclient.EvaluatorInput{Name: "Judge", Slug: "judge", Type: "model-labeler", Mode: "normal",
		Params: json.RawMessage(`{"prompt":"Is {{output}} good?","labels":["good","bad"]}`), Filters: json.RawMessage(`[]`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.api.AttachEvaluator(ctx, d.ID, judge.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.api.RunEvaluators(ctx, d.ID, apiclient.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	after, _ := scrapeSettled(t, s.client, s.base+"/metrics")

	wantMoved(t, before, after, []move{
		{"strata_llm_requests_total", []string{"model", "gpt-5-mini", "outcome", "rate_limited"}, 1},
		{"strata_llm_requests_total", []string{"model", "gpt-5-mini", "outcome", "ok"}, 1},
		{"strata_llm_request_duration_seconds", nil, 2},
		{"strata_llm_in_flight", nil, 0},
		{"strata_evaluator_runs_total", []string{"status", "completed"}, 1},
		{"strata_evaluator_runs_total", []string{"status", "failed"}, 0},
	})
}

// logLines decodes the JSON log lines whose msg is msg.
func logLines(t *testing.T, log, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		if line["msg"] == msg {
			out = append(out, line)
		}
	}
	return out
}

func TestRequestID(t *testing.T) {
	s := startOps(t, "--log-format", "json")
	keys, err := s.m.Store.ListKeys(context.Background(), "default")
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys = %v, %v", keys, err)
	}

	t.Run("Echoed", func(t *testing.T) {
		_, h, _ := s.do(t, "GET", "/v1/datasets-v2", "", "X-Request-Id", "trace-42.a:b")
		if got, want := h.Get("X-Request-Id"), "trace-42.a:b"; got != want {
			t.Errorf("X-Request-Id = %q, want %q", got, want)
		}
	})
	t.Run("Created", func(t *testing.T) {
		seen := map[string]bool{}
		for _, sent := range []string{"", "two words", strings.Repeat("x", 129), "new\tline"} {
			_, h, _ := s.do(t, "GET", "/healthz", "", "X-Request-Id", sent)
			got := h.Get("X-Request-Id")
			if got == "" || got == sent || seen[got] {
				t.Errorf("X-Request-Id for %q = %q, want a new id", sent, got)
			}
			seen[got] = true
		}
	})
	t.Run("AccessLog", func(t *testing.T) {
		s.do(t, "GET", "/v1/datasets-v2?limit=5", "", "X-Request-Id", "log-me-1")
		var line map[string]any
		for _, l := range logLines(t, s.stderr.String(), "request") {
			if l["request_id"] == "log-me-1" {
				line = l
			}
		}
		if line == nil {
			t.Fatalf("no access line with the request id in:\n%s", s.stderr.String())
		}
		for field, want := range map[string]any{"level": "INFO", "method": "GET", "route": "/v1/datasets-v2",
			"path": "/v1/datasets-v2", "status": 200.0, "key_id": keys[0].ID} {
			if got := line[field]; got != want {
				t.Errorf("%s = %v, want %v", field, got, want)
			}
		}
		for _, field := range []string{"duration_ms", "bytes", "remote"} {
			if _, ok := line[field]; !ok {
				t.Errorf("no %s in %v", field, line)
			}
		}
		if strings.Contains(s.stderr.String(), s.key) {
			t.Error("the log holds the key")
		}
	})
	t.Run("ErrorLog", func(t *testing.T) {
		// A database that no longer answers: readiness logs a warning with
		// the request's id.
		if err := s.m.Store.Close(); err != nil {
			t.Fatal(err)
		}
		status, _, _ := s.do(t, "GET", "/readyz", "", "X-Request-Id", "not-ready-7")
		if status != http.StatusServiceUnavailable {
			t.Fatalf("readyz = %d, want 503", status)
		}
		var found bool
		for _, l := range logLines(t, s.stderr.String(), "not ready") {
			found = found || (l["request_id"] == "not-ready-7" && l["level"] == "WARN")
		}
		if !found {
			t.Errorf("no warning with the request id in:\n%s", s.stderr.String())
		}
	})
}

// A proxy that adds its own X-Forwarded-For line after the client's (as
// HAProxy does) has both logged, in order, comma-joined as one header would
// carry them.
func TestForwardedForLines(t *testing.T) {
	s := startOps(t, "--log-format", "json")
	req, err := http.NewRequest("GET", s.base+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Request-Id", "fwd-1")
	req.Header.Add("X-Forwarded-For", "198.51.100.7, 10.1.1.1")
	req.Header.Add("X-Forwarded-For", "203.0.113.9")
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s.m.Close()
	for _, l := range logLines(t, s.stderr.String(), "request") {
		if l["request_id"] == "fwd-1" {
			if got, want := l["forwarded_for"], "198.51.100.7, 10.1.1.1, 203.0.113.9"; got != want {
				t.Errorf("forwarded_for = %v, want %q", got, want)
			}
			return
		}
	}
	t.Fatalf("no access line with the request id in:\n%s", s.stderr.String())
}

func TestLogFlags(t *testing.T) {
	t.Run("Level", func(t *testing.T) {
		s := startOps(t, "--log-level", "warn")
		if err := s.api.Health(t.Context()); err != nil {
			t.Fatal(err)
		}
		s.m.Close()
		if log := s.stderr.String(); strings.Contains(log, "msg=request") || strings.Contains(log, "strata listening") {
			t.Errorf("info lines logged at --log-level warn:\n%s", log)
		}
	})
	t.Run("Text", func(t *testing.T) {
		s := startOps(t)
		s.do(t, "GET", "/healthz", "", "X-Request-Id", "text-1")
		s.m.Close()
		if log := s.stderr.String(); !strings.Contains(log, "msg=request method=GET route=/healthz") || !strings.Contains(log, "request_id=text-1") {
			t.Errorf("no text access line:\n%s", log)
		}
	})
	for _, args := range [][]string{{"--log-format", "xml"}, {"--log-level", "loud"}} {
		t.Run("Err"+args[0], func(t *testing.T) {
			if err := NewMain(io.Discard, io.Discard).ParseFlags(args); err == nil {
				t.Errorf("%v accepted", args)
			}
		})
	}
	t.Run("Environment", func(t *testing.T) {
		t.Setenv("STRATA_LOG_FORMAT", "json")
		t.Setenv("STRATA_METRICS_ADDR", "off")
		m := NewMain(io.Discard, io.Discard)
		if err := m.ParseFlags(nil); err != nil {
			t.Fatal(err)
		}
		if m.LogFormat != "json" || m.MetricsAddr != "off" {
			t.Errorf("format %q, metrics %q", m.LogFormat, m.MetricsAddr)
		}
	})
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestMetricsAddr(t *testing.T) {
	t.Run("Off", func(t *testing.T) {
		s := startOps(t, "--metrics-addr", "off")
		if got, want := get(t, s.base+"/metrics"), 404; got != want {
			t.Errorf("GET /metrics = %d, want %d", got, want)
		}
		if s.m.MetricsListener != nil {
			t.Error("a metrics listener with --metrics-addr off")
		}
		// Request ids and access lines do not depend on the metrics.
		if _, h, _ := s.do(t, "GET", "/healthz", ""); h.Get("X-Request-Id") == "" {
			t.Error("no X-Request-Id")
		}
	})
	t.Run("OwnListener", func(t *testing.T) {
		s := startOps(t, "--metrics-addr", "127.0.0.1:0")
		if got, want := get(t, s.base+"/metrics"), 404; got != want {
			t.Errorf("GET /metrics on the main address = %d, want %d", got, want)
		}
		maddr := "http://" + s.m.MetricsListener.Addr().String()
		if err := s.api.Health(t.Context()); err != nil {
			t.Fatal(err)
		}
		ms := scrape(t, http.DefaultClient, maddr+"/metrics")
		if got := ms.value("strata_http_requests_total", "route", "/healthz"); got != 1 {
			t.Errorf("healthz counted %v times, want 1", got)
		}
		// Profiles are off by default.
		if got, want := get(t, maddr+"/debug/pprof/cmdline"), 404; got != want {
			t.Errorf("GET /debug/pprof/cmdline = %d, want %d", got, want)
		}
	})
	t.Run("PProf", func(t *testing.T) {
		s := startOps(t, "--metrics-addr", "127.0.0.1:0", "--pprof")
		maddr := "http://" + s.m.MetricsListener.Addr().String()
		if got, want := get(t, maddr+"/debug/pprof/cmdline"), 200; got != want {
			t.Errorf("GET /debug/pprof/cmdline on the metrics listener = %d, want %d", got, want)
		}
		if got, want := get(t, s.base+"/debug/pprof/cmdline"), 404; got != want {
			t.Errorf("GET /debug/pprof/cmdline on the main address = %d, want %d", got, want)
		}
	})
	t.Run("ErrPProfWithoutListener", func(t *testing.T) {
		for _, args := range [][]string{{"--pprof"}, {"--pprof", "--metrics-addr", "off"}} {
			if err := NewMain(io.Discard, io.Discard).ParseFlags(args); err == nil {
				t.Errorf("%v accepted", args)
			}
		}
	})
}

func TestMetricsReady(t *testing.T) {
	s := startOps(t)
	if got := scrape(t, s.client, s.base+"/metrics").value("strata_ready"); got != 1 {
		t.Fatalf("strata_ready = %v, want 1", got)
	}
	if err := s.m.Store.Close(); err != nil {
		t.Fatal(err)
	}
	if got := scrape(t, s.client, s.base+"/metrics").value("strata_ready"); got != 0 {
		t.Errorf("strata_ready = %v with the database closed, want 0", got)
	}
}

// /metrics on the main address takes GET and HEAD; another method is 405
// with Allow, not the pages' 404.
func TestMetricsOtherMethod(t *testing.T) {
	s := startOps(t)
	status, h, _ := s.do(t, "POST", "/metrics", "")
	if status != http.StatusMethodNotAllowed || h.Get("Allow") != "GET, HEAD" {
		t.Fatalf("POST /metrics = %d, Allow %q; want 405 and GET, HEAD", status, h.Get("Allow"))
	}
	if status, _, _ := s.do(t, "GET", "/metrics", ""); status != http.StatusOK {
		t.Fatalf("GET /metrics = %d", status)
	}
}
