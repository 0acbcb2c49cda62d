// Package metrics owns Strata's Prometheus metrics: one registry with the
// HTTP, store, database, LLM and evaluator metrics and the Go runtime and
// process collectors, and the handler that serves it at /metrics. The rest of
// the code base knows nothing of Prometheus: the store (sqlstore.Observer)
// and the evaluators (eval.Observer) report through small interfaces that
// Metrics implements, and the HTTP middleware calls RequestStarted and
// RequestDone.
//
// Every label takes a bounded set of values: routes are registered patterns
// (or "unmatched"), methods the standard ones (or "other"), models the first
// maxModels seen (then "other").
package metrics

import "context"
import "database/sql"
import "net/http"
import "strconv"
import "sync"
import "time"

import "github.com/prometheus/client_golang/prometheus"
import "github.com/prometheus/client_golang/prometheus/collectors"
import "github.com/prometheus/client_golang/prometheus/promhttp"

// Metrics holds every metric of one server process.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	httpInFlight prometheus.Gauge
	httpRejected *prometheus.CounterVec

	versionsCreated prometheus.Counter
	itemsImported   prometheus.Counter
	importDuration  prometheus.Histogram
	restoreDuration prometheus.Histogram

	llmRequests *prometheus.CounterVec
	llmDuration prometheus.Histogram
	llmInFlight prometheus.Gauge
	runs        *prometheus.CounterVec

	models boundedLabel
}

// Reasons of strata_http_rejected_total: the refusals of the server's limits.
const (
	ReasonRateLimit = "rate_limit" // 429: a key over its rate or concurrency
	ReasonTooLarge  = "too_large"  // 413: a body, an import or a field over its limit
	ReasonTimeout   = "timeout"    // 408: a body that did not arrive in time; 503: a request over its time
)

// maxModels bounds the values of the model label: with STRATA_LLM_MODELS=*
// callers name the models.
const maxModels = 32

// New returns the metrics of a process, registered with the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: counterVec("strata_http_requests_total",
			"HTTP requests answered, by route pattern, method and status code.", "route", "method", "code"),
		httpDuration: histogramVec("strata_http_request_duration_seconds",
			"Time from a request's arrival to the end of its response, by route pattern and method.",
			[]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}, "route", "method"),
		httpInFlight: gauge("strata_http_requests_in_flight", "HTTP requests being served."),
		httpRejected: counterVec("strata_http_rejected_total",
			"Requests refused by a limit: rate_limit (429), too_large (413), timeout (408, 503).", "reason"),
		versionsCreated: counter("strata_versions_created_total",
			"Dataset versions committed: snapshots, auto-versions, restores, evaluator runs, new datasets."),
		itemsImported: counter("strata_items_imported_total", "Items inserted by committed imports."),
		importDuration: histogram("strata_import_duration_seconds",
			"Time of committed imports, parsing of a streamed file included.",
			prometheus.ExponentialBuckets(0.01, 4, 10)), // 10ms to 44min
		restoreDuration: histogram("strata_restore_duration_seconds", "Time of committed restores of a version.",
			prometheus.ExponentialBuckets(0.001, 4, 10)), // 1ms to 4min
		llmRequests: counterVec("strata_llm_requests_total",
			"Attempts of LLM calls (a retry is another attempt), by model and outcome.", "model", "outcome"),
		llmDuration: histogram("strata_llm_request_duration_seconds",
			"Time of one attempt of an LLM call, from taking a slot of the pool to its answer.",
			prometheus.ExponentialBuckets(0.1, 2, 12)), // 100ms to 3.4min
		llmInFlight: gauge("strata_llm_in_flight", "LLM calls holding a slot of the pool (--llm-concurrency)."),
		runs: counterVec("strata_evaluator_runs_total",
			"Evaluator runs this process computed, by how they ended: completed or failed.", "status"),
		models: boundedLabel{max: maxModels},
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration, m.httpInFlight, m.httpRejected,
		m.versionsCreated, m.itemsImported, m.importDuration, m.restoreDuration,
		m.llmRequests, m.llmDuration, m.llmInFlight, m.runs,
	)
	// Series that alerts divide or rate exist from the start, at zero.
	for _, reason := range []string{ReasonRateLimit, ReasonTooLarge, ReasonTimeout} {
		m.httpRejected.WithLabelValues(reason)
	}
	for _, status := range []string{"completed", "failed"} {
		m.runs.WithLabelValues(status)
	}
	return m
}

// The constructors of New's metrics: a name, its help and, for vectors,
// the labels.
func counter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
}

func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

func gauge(name, help string) prometheus.Gauge {
	return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
}

func histogram(name, help string, buckets []float64) prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
}

func histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
}

// Registry is the registry that Handler serves.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus' text format (or OpenMetrics,
// when the scraper asks for it), a few scrapes at once, each bounded in time.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
		EnableOpenMetrics:   true,
	})
}

// UnmatchedRoute is the route label of a request that matched no pattern.
const UnmatchedRoute = "unmatched"

// RequestStarted counts a request in flight; RequestDone ends it.
func (m *Metrics) RequestStarted() { m.httpInFlight.Inc() }

// RequestDone records an answered request. route is the pattern it matched
// (UnmatchedRoute for none), never its path.
// timedOut says the request ran over its time limit (reqinfo).
func (m *Metrics) RequestDone(route, method string, status int, took time.Duration, timedOut bool) {
	m.httpInFlight.Dec()
	method = methodLabel(method)
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(took.Seconds())
	if reason := rejectReason(status, timedOut); reason != "" {
		m.httpRejected.WithLabelValues(reason).Inc()
	}
}

// rejectReason reads a limit's refusal from the status, so that no limit
// needs to report to the metrics: 429 is only the key limiter's (and the
// async runs' limit), 413 only a size limit's, 408 a body that did not
// arrive within the request timeout, and a 503 a timeout only when the
// request ran over its limit (timedOut): the database unavailable, the
// server stopping and the readiness check's "not ready" are 503 too.
func rejectReason(status int, timedOut bool) string {
	switch status {
	case http.StatusTooManyRequests:
		return ReasonRateLimit
	case http.StatusRequestEntityTooLarge:
		return ReasonTooLarge
	case http.StatusRequestTimeout:
		return ReasonTimeout
	case http.StatusServiceUnavailable:
		if timedOut {
			return ReasonTimeout
		}
	}
	return ""
}

// methodLabel bounds the method label: a client may send any token.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// VersionsCreated counts committed versions (sqlstore.Observer).
func (m *Metrics) VersionsCreated(n int) { m.versionsCreated.Add(float64(n)) }

// ItemsImported records a committed import (sqlstore.Observer).
func (m *Metrics) ItemsImported(n int, took time.Duration) {
	m.itemsImported.Add(float64(n))
	m.importDuration.Observe(took.Seconds())
}

// Restored records a committed restore (sqlstore.Observer).
func (m *Metrics) Restored(took time.Duration) { m.restoreDuration.Observe(took.Seconds()) }

// LLMModels makes the series of the models the server may call exist from
// the start, at zero for every outcome, as the others alerts divide: a
// model's error rate is known before its first call fails. "*" (any model)
// names none.
func (m *Metrics) LLMModels(models, outcomes []string) {
	for _, model := range models {
		if model == "*" {
			continue
		}
		for _, outcome := range outcomes {
			m.llmRequests.WithLabelValues(m.models.value(model), outcome)
		}
	}
}

// LLMCallStarted counts an LLM call in flight (eval.Observer).
func (m *Metrics) LLMCallStarted() { m.llmInFlight.Inc() }

// LLMCallEnded records one attempt of an LLM call (eval.Observer).
func (m *Metrics) LLMCallEnded(model, outcome string, took time.Duration) {
	m.llmInFlight.Dec()
	m.llmRequests.WithLabelValues(m.models.value(model), outcome).Inc()
	m.llmDuration.Observe(took.Seconds())
}

// RunEnded counts an evaluator run that ended (eval.Observer).
func (m *Metrics) RunEnded(status string) { m.runs.WithLabelValues(status).Inc() }

// boundedLabel passes the first max values it sees and maps the others to
// "other".
type boundedLabel struct {
	mu   sync.Mutex
	seen map[string]bool
	max  int
}

func (b *boundedLabel) value(v string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen[v] {
		return v
	}
	if len(b.seen) >= b.max {
		return "other"
	}
	if b.seen == nil {
		b.seen = map[string]bool{}
	}
	b.seen[v] = true
	return v
}

// Database is what the database metrics read: whether it answers, the
// pool's statistics and, for SQLite, the size of the write-ahead log.
type Database struct {
	// Ping is the readiness check of GET /readyz: strata_ready is 1 while
	// it succeeds within pingTimeout.
	Ping  func(context.Context) error
	Stats func() sql.DBStats
	// WALSize returns the size of SQLite's -wal file in bytes; nil for
	// PostgreSQL, whose WAL is the server's.
	WALSize func() (int64, error)
}

// WatchDatabase adds the database metrics, read at each scrape.
func (m *Metrics) WatchDatabase(db Database) {
	m.reg.MustRegister(newDBCollector(db))
}

// pingTimeout bounds the readiness check of a scrape, as /readyz's.
const pingTimeout = 2 * time.Second

// dbCollector pings the database and reads sql.DBStats (and the WAL size)
// when scraped.
type dbCollector struct {
	db                                         Database
	ready                                      *prometheus.Desc
	open, inUse, idle, maxOpen, waits, waitDur *prometheus.Desc
	wal                                        *prometheus.Desc
}

func newDBCollector(db Database) *dbCollector {
	desc := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &dbCollector{
		db:      db,
		ready:   desc("strata_ready", "1 while the database answers (the check of GET /readyz), else 0."),
		open:    desc("strata_db_open_connections", "Connections to the database, in use or idle."),
		inUse:   desc("strata_db_in_use_connections", "Connections running a statement or transaction."),
		idle:    desc("strata_db_idle_connections", "Idle connections of the pool."),
		maxOpen: desc("strata_db_max_open_connections", "Most connections the pool opens; 0 for no limit."),
		waits:   desc("strata_db_wait_count_total", "Times a request waited for a connection of the pool."),
		waitDur: desc("strata_db_wait_duration_seconds_total", "Time spent waiting for a connection of the pool."),
		wal:     desc("strata_sqlite_wal_bytes", "Size of SQLite's write-ahead log (the -wal file next to the database)."),
	}
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.ready, c.open, c.inUse, c.idle, c.maxOpen, c.waits, c.waitDur} {
		ch <- d
	}
	if c.db.WALSize != nil {
		ch <- c.wal
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	ready := 0.0
	if c.db.Ping(ctx) == nil {
		ready = 1
	}
	ch <- prometheus.MustNewConstMetric(c.ready, prometheus.GaugeValue, ready)
	s := c.db.Stats()
	ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(s.OpenConnections))
	ch <- prometheus.MustNewConstMetric(c.inUse, prometheus.GaugeValue, float64(s.InUse))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.Idle))
	ch <- prometheus.MustNewConstMetric(c.maxOpen, prometheus.GaugeValue, float64(s.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(c.waits, prometheus.CounterValue, float64(s.WaitCount))
	ch <- prometheus.MustNewConstMetric(c.waitDur, prometheus.CounterValue, s.WaitDuration.Seconds())
	if c.db.WALSize != nil {
		n, err := c.db.WALSize()
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.wal, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(c.wal, prometheus.GaugeValue, float64(n))
	}
}
