package main

import "flag"
import "fmt"
import "io"
import "log/slog"
import "net"
import "net/http"
import "net/http/pprof"
import "strings"
import "time"

import "github.com/strata-eval/strata/eval"
import "github.com/strata-eval/strata/internal/metrics"
import "github.com/strata-eval/strata/internal/reqinfo"
import "github.com/strata-eval/strata/postgres"
import "github.com/strata-eval/strata/sqlite"

// Operations: the logger, the metrics and where they are served, profiles.

// metricsOff is the --metrics-addr that turns the metrics off.
const metricsOff = "off"

// opsFlags registers the logging, metrics and profiling flags.
func (m *Main) opsFlags(fs *flag.FlagSet, env *envDefaults) {
	fs.StringVar(&m.LogFormat, "log-format", env.str("STRATA_LOG_FORMAT", "text"),
		"log format: text or json (env STRATA_LOG_FORMAT)")
	fs.StringVar(&m.LogLevel, "log-level", env.str("STRATA_LOG_LEVEL", "info"),
		"lowest level logged: debug, info, warn or error (env STRATA_LOG_LEVEL)")
	fs.StringVar(&m.MetricsAddr, "metrics-addr", env.str("STRATA_METRICS_ADDR", ""),
		"serve GET /metrics on this address instead of the main one, or off (env STRATA_METRICS_ADDR)")
	fs.BoolVar(&m.PProf, "pprof", env.bool("STRATA_PPROF", false),
		"serve net/http/pprof under /debug/pprof/ on the --metrics-addr listener (env STRATA_PPROF)")
}

// opsConfig checks the operations flags once parsed and makes the logger.
func (m *Main) opsConfig() error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(m.LogLevel)); err != nil {
		return fmt.Errorf("%s: want debug, info, warn or error, got %q", m.settingName("log-level"), m.LogLevel)
	}
	logger, err := newLogger(m.stderr, m.LogFormat, level)
	if err != nil {
		return fmt.Errorf("%s: %v", m.settingName("log-format"), err)
	}
	m.logger = logger
	if _, port, _ := net.SplitHostPort(m.Addr); m.MetricsAddr != "" && m.MetricsAddr == m.Addr && port != "0" { // port 0: two ports the system picks
		return fmt.Errorf("%s is %s's address: leave it out to serve /metrics there, or give it another", m.settingName("metrics-addr"), m.settingName("addr"))
	}
	if m.PProf && (m.MetricsAddr == "" || m.MetricsAddr == metricsOff) {
		return fmt.Errorf("%s needs %s ADDR: profiles are served on the metrics listener only, never on the main address",
			m.settingName("pprof"), m.settingName("metrics-addr"))
	}
	return nil
}

// newLogger returns a logger in format (text or json) from level up, whose
// records made with a request's context carry its request id.
func newLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch format {
	case "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("want text or json, got %q", format)
	}
	return slog.New(reqinfo.LogHandler{Handler: h}), nil
}

// observe creates the metrics, unless they are off, and connects the store,
// the LLM client and the runner to them.
func (m *Main) observe() {
	if m.MetricsAddr == metricsOff {
		return
	}
	m.metrics = metrics.New()
	switch st := m.Store.(type) {
	case *sqlite.Store:
		st.Observer = m.metrics
		m.metrics.WatchDatabase(metrics.Database{Ping: st.Ping, Stats: st.DB.Stats, WALSize: st.WALSize})
	case *postgres.Store:
		st.Observer = m.metrics
		m.metrics.WatchDatabase(metrics.Database{Ping: st.Ping, Stats: st.DB.Stats})
	}
	m.LLM.Observer = m.metrics
	models := m.LLM.Models
	if len(models) == 0 {
		models = []string{eval.DefaultModel}
	}
	m.metrics.LLMModels(models, eval.Outcomes)
	m.runner.Observer = m.metrics
}

// routeMetrics serves GET /metrics on the main address, when no other one
// is given.
func (m *Main) routeMetrics(mux *http.ServeMux) {
	if m.metrics != nil && m.MetricsAddr == "" {
		mux.Handle("GET /metrics", m.metrics.Handler())
		// Another method is 405, not the pages' 404 ("/" takes the rest).
		mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "GET /metrics", http.StatusMethodNotAllowed)
		})
	}
}

// serveMetrics starts the metrics listener of --metrics-addr, with the
// profiles when --pprof is given. Its requests are neither logged nor
// counted: it is the operator's, not the users'.
func (m *Main) serveMetrics() {
	if m.metrics == nil || m.MetricsListener == nil {
		return
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.metrics.Handler())
	if m.PProf {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	m.metricsServer = m.serveHTTP(m.MetricsListener, mux, "serve metrics", nil)
	m.logger.Info("metrics listening", "addr", "http://"+m.MetricsListener.Addr().String()+"/metrics", "pprof", m.PProf)
}

// bindMetrics binds the --metrics-addr listener, when there is one: with
// the main one, before the first key is made (Run).
func (m *Main) bindMetrics() (err error) {
	if m.MetricsAddr == "" || m.MetricsAddr == metricsOff {
		return nil
	}
	if m.MetricsListener, err = net.Listen("tcp", m.MetricsAddr); err != nil {
		return fmt.Errorf("metrics listener: %w", err)
	}
	return nil
}

// instrument gives every request an id (the client's X-Request-Id when it
// is sane, else a new one), echoed in the response and carried by the
// request's context into every log record made with it; and, once the
// response is written, logs one access line and records the metrics.
func (m *Main) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !reqinfo.SaneID(id) {
			id = reqinfo.NewID()
		}
		w.Header().Set("X-Request-Id", id)
		ctx, info := reqinfo.New(r.Context(), id)
		r = r.WithContext(ctx) // a copy: the mux sets its Pattern
		if m.metrics != nil {
			m.metrics.RequestStarted()
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			// A handler that aborts its response panics: log it too, then
			// let the server close the connection.
			v := recover()
			status := sw.status
			if status == 0 {
				status = http.StatusOK // nothing written: net/http sends 200
			}
			route := routeOf(info, r)
			took := time.Since(start)
			if m.metrics != nil {
				m.metrics.RequestDone(route, r.Method, status, took, info.TimedOut())
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.String("path", truncate(r.URL.Path, 1024)),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(took.Microseconds())/1000),
				slog.Int64("bytes", sw.bytes),
				slog.String("key_id", info.KeyID()),
				slog.String("remote", r.RemoteAddr),
			}
			// Every line of the header, in order, as one header would
			// carry them: a proxy may add its own line after the client's.
			if fwd := strings.Join(r.Header.Values("X-Forwarded-For"), ", "); fwd != "" {
				attrs = append(attrs, slog.String("forwarded_for", truncate(fwd, 256)))
			}
			if v != nil {
				attrs = append(attrs, slog.Bool("aborted", true))
			}
			m.logger.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
			if v != nil {
				panic(v)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// routeOf is the route label of a served request: the pattern a handler
// recorded (the API's, which dispatches on copies of the request), else the
// one the innermost mux set on r, without its method; "unmatched" when no
// pattern matched. Never the path: its values are the registered patterns.
func routeOf(info *reqinfo.Info, r *http.Request) string {
	route, ok := info.Route()
	if !ok {
		route = r.Pattern
	}
	if _, path, ok := strings.Cut(route, " "); ok {
		route = path
	}
	if route == "" {
		return metrics.UnmatchedRoute
	}
	return route
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// statusWriter records the status and the size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 && status >= 200 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (Flush, read
// deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
