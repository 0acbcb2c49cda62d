package main

import "context"
import "errors"
import "flag"
import "fmt"
import "io"
import "log/slog"
import "net"
import "net/http"
import "net/netip"
import "os"
import "path"
import "strconv"
import "strings"
import "sync/atomic"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/api"
import "github.com/strata-eval/strata/eval"
import "github.com/strata-eval/strata/internal/metrics"
import "github.com/strata-eval/strata/internal/rules"
import "github.com/strata-eval/strata/web"

// Main is the server process: ParseFlags, Run, then Close. Tests build one
// with a temporary database and the address 127.0.0.1:0.
type Main struct {
	Addr         string
	DSN          string
	MaxBodyBytes int64
	Limits       api.Limits
	// ReadHeaderTimeout bounds how long a client may take to send headers.
	ReadHeaderTimeout time.Duration
	// LLM is the client of the evaluators' and generate's LLM calls.
	LLM *eval.Client
	// MaxAsyncRuns is how many asynchronous evaluator runs compute at once.
	MaxAsyncRuns int
	// MaxRunResultBytes bounds what one evaluator run holds of its
	// results until it writes them.
	MaxRunResultBytes int64

	// Operations (observe.go): logs, metrics and profiles.
	LogFormat       string // text or json
	LogLevel        string // debug, info, warn or error
	MetricsAddr     string // "": GET /metrics on Addr; "off": no metrics; else their own listener
	PProf           bool   // net/http/pprof on the metrics listener
	MetricsListener net.Listener
	metrics         *metrics.Metrics
	metricsServer   *http.Server
	stderr          io.Writer
	// TrustedProxies are the reverse proxies whose X-Forwarded-Proto the
	// pages believe; SecureCookies makes the session cookie Secure always.
	TrustedProxies []netip.Prefix
	SecureCookies  bool

	runner    *eval.Runner
	stopWatch context.CancelFunc
	watching  chan struct{}

	Store    strata.Store
	Listener net.Listener
	server   *http.Server
	// Shutdown (shutdown): the requests being served, how long they may
	// take to finish (drainTime when 0), and their context's end.
	active         atomic.Int64
	drain          time.Duration
	cancelRequests context.CancelCauseFunc
	stdout         io.Writer
	logger         *slog.Logger

	// Slow clients and CSV cells: serve_misc.go.
	BodyTimeout   time.Duration
	MinBodyRate   int64
	MaxConnsPerIP int
	SafeCSV       bool
	CacheBytes    int64 // api.Server.CacheBytes
	flags         *flag.FlagSet
}

// NewMain returns a Main with defaults from the environment.
func NewMain(stdout, stderr io.Writer) *Main {
	logger, _ := newLogger(stderr, "text", slog.LevelInfo)
	return &Main{stdout: stdout, stderr: stderr, logger: logger}
}

// ParseFlags reads the serve command line. Every flag has an environment
// variable that gives its default.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	m.flags = fs
	fs.SetOutput(m.stderr)
	fs.Usage = func() { serveUsage(m.stderr, fs) }
	env := envDefaults{}
	fs.StringVar(&m.Addr, "addr", env.str("STRATA_ADDR", "127.0.0.1:3333"), "address to listen on (env STRATA_ADDR)")
	db := dbFlag(fs)
	fs.Int64Var(&m.MaxBodyBytes, "max-body-bytes", env.int64("STRATA_MAX_BODY_BYTES", api.DefaultMaxBodyBytes),
		"largest request body, in bytes (env STRATA_MAX_BODY_BYTES)")
	l := &m.Limits
	fs.IntVar(&l.MaxImportItems, "max-import-items", int(env.int64("STRATA_MAX_IMPORT_ITEMS", api.DefaultMaxImportItems)),
		"most items one import may hold (env STRATA_MAX_IMPORT_ITEMS)")
	fs.Int64Var(&l.MaxImportBytes, "max-import-bytes", env.int64("STRATA_MAX_IMPORT_BYTES", api.DefaultMaxImportBytes),
		"largest raw import body (a CSV or JSONL file sent as itself), in bytes (env STRATA_MAX_IMPORT_BYTES)")
	fs.Int64Var(&l.MaxSyncBytes, "max-sync-bytes", env.int64("STRATA_MAX_SYNC_BYTES", api.DefaultMaxSyncBytes),
		"most bytes of items a sync or upsert holds in memory until it writes them; -1 for no limit (env STRATA_MAX_SYNC_BYTES)")
	fs.IntVar(&l.MaxFieldBytes, "max-field-bytes", int(env.int64("STRATA_MAX_FIELD_BYTES", api.DefaultMaxFieldBytes)),
		"largest input, ground truth or output of an item, in bytes (env STRATA_MAX_FIELD_BYTES)")
	fs.DurationVar(&l.RequestTimeout, "request-timeout", env.duration("STRATA_REQUEST_TIMEOUT", api.DefaultRequestTimeout),
		"longest a request may take (env STRATA_REQUEST_TIMEOUT)")
	fs.DurationVar(&m.ReadHeaderTimeout, "read-header-timeout", env.duration("STRATA_READ_HEADER_TIMEOUT", 10*time.Second),
		"longest a client may take to send the request headers (env STRATA_READ_HEADER_TIMEOUT)")
	fs.IntVar(&l.MaxConcurrentReads, "max-concurrent-reads", int(env.int64("STRATA_MAX_CONCURRENT_READS", 0)),
		"reads (GET) served at once, each for 10ms at most before the next may start; 0: one fewer than the processors, at least 1; -1 for no limit (env STRATA_MAX_CONCURRENT_READS)")
	fs.IntVar(&l.MaxConcurrentPerKey, "max-concurrent-per-key", int(env.int64("STRATA_MAX_CONCURRENT_PER_KEY", api.DefaultMaxConcurrentPerKey)),
		"requests of one key in flight at once; -1 for no limit (env STRATA_MAX_CONCURRENT_PER_KEY)")
	fs.IntVar(&l.MaxQueuedPerKey, "max-queued-per-key", int(env.int64("STRATA_MAX_QUEUED_PER_KEY", api.DefaultMaxQueuedPerKey)),
		"requests of one key that wait for a slot when all are in flight; -1 for none (env STRATA_MAX_QUEUED_PER_KEY)")
	fs.DurationVar(&l.MaxWaitPerKey, "max-wait-per-key", env.duration("STRATA_MAX_WAIT_PER_KEY", api.DefaultMaxWaitPerKey),
		"longest a request waits for a slot of its key before 429 (env STRATA_MAX_WAIT_PER_KEY)")
	fs.Float64Var(&l.RatePerKey, "rate-per-key", env.float("STRATA_RATE_PER_KEY", api.DefaultRatePerKey),
		"requests per second one key may send on average; 0 for no limit, the default (env STRATA_RATE_PER_KEY)")
	fs.IntVar(&l.BurstPerKey, "burst-per-key", int(env.int64("STRATA_BURST_PER_KEY", api.DefaultBurstPerKey)),
		"requests one key may send at once above its rate (env STRATA_BURST_PER_KEY)")
	fs.IntVar(&m.MaxAsyncRuns, "max-async-runs", int(env.int64("STRATA_MAX_ASYNC_RUNS", eval.DefaultMaxAsyncRuns)),
		"asynchronous evaluator runs this server computes at once; more: 429 (env STRATA_MAX_ASYNC_RUNS)")
	fs.Int64Var(&m.MaxRunResultBytes, "max-run-result-bytes", env.int64("STRATA_MAX_RUN_RESULT_BYTES", eval.DefaultMaxResultBytes),
		"bytes of results one evaluator run may hold in memory before it writes them; more: the run fails, 413 (env STRATA_MAX_RUN_RESULT_BYTES)")
	proxies := fs.String("trusted-proxies", env.str("STRATA_TRUSTED_PROXIES", ""),
		"comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-Proto is believed, for the session cookie's Secure flag, and whose connections --max-conns-per-ip does not bound (env STRATA_TRUSTED_PROXIES)")
	fs.BoolVar(&m.SecureCookies, "secure-cookies", env.bool("STRATA_SECURE_COOKIES", false),
		"always mark the session cookie Secure (HTTPS only): for a server reached only through HTTPS (env STRATA_SECURE_COOKIES)")
	llmModels := m.llmFlags(fs, &env)
	m.opsFlags(fs, &env)
	m.clientFlags(fs, &env)
	if env.err != nil {
		return env.err
	}
	err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	m.DSN = *db
	if err := m.opsConfig(); err != nil {
		return err
	}
	if m.MaxAsyncRuns <= 0 {
		return fmt.Errorf("%s: want a positive number, got %d", m.settingName("max-async-runs"), m.MaxAsyncRuns)
	}
	if m.MaxRunResultBytes <= 0 {
		return fmt.Errorf("%s: want a positive number, got %d", m.settingName("max-run-result-bytes"), m.MaxRunResultBytes)
	}
	if m.TrustedProxies, err = parsePrefixes(*proxies); err != nil {
		return fmt.Errorf("%s: %v", m.settingName("trusted-proxies"), err)
	}
	if err := m.llmConfig(*llmModels); err != nil {
		return err
	}
	return m.checkSettings()
}

// llmFlags registers the LLM settings. The API key comes from the
// environment only (OPENAI_API_KEY), never from a flag that ps would show.
func (m *Main) llmFlags(fs *flag.FlagSet, env *envDefaults) *string {
	m.LLM = &eval.Client{APIKey: os.Getenv("OPENAI_API_KEY")}
	fs.StringVar(&m.LLM.BaseURL, "llm-base-url", env.str("OPENAI_BASE_URL", eval.DefaultBaseURL),
		"OpenAI-compatible server whose Responses API (POST {url}/responses) evaluators and generate call (env OPENAI_BASE_URL)")
	fs.IntVar(&m.LLM.Concurrency, "llm-concurrency", int(env.int64("STRATA_LLM_CONCURRENCY", eval.DefaultConcurrency)),
		"LLM calls in flight at once, over all runs and requests (env STRATA_LLM_CONCURRENCY)")
	fs.DurationVar(&m.LLM.Timeout, "llm-timeout", env.duration("STRATA_LLM_TIMEOUT", eval.DefaultTimeout),
		"longest one LLM call may take (env STRATA_LLM_TIMEOUT)")
	fs.IntVar(&m.LLM.MaxPromptBytes, "llm-max-prompt-bytes", int(env.int64("STRATA_LLM_MAX_PROMPT_BYTES", eval.DefaultMaxPromptBytes)),
		"largest prompt one LLM call sends, in bytes: an evaluator's filled prompt (larger: an error result) or generate's input (larger: 413) (env STRATA_LLM_MAX_PROMPT_BYTES)")
	return fs.String("llm-models", env.str("STRATA_LLM_MODELS", eval.DefaultModel),
		"comma-separated models that evaluators and generate may call, * for any (env STRATA_LLM_MODELS)")
}

// llmConfig checks the LLM settings once parsed.
func (m *Main) llmConfig(models string) error {
	for _, model := range strings.Split(models, ",") {
		if model = strings.TrimSpace(model); model != "" {
			m.LLM.Models = append(m.LLM.Models, model)
		}
	}
	if len(m.LLM.Models) == 0 {
		return fmt.Errorf("%s: no model given", m.settingName("llm-models"))
	}
	if m.LLM.Concurrency <= 0 {
		return fmt.Errorf("%s: want a positive number, got %d", m.settingName("llm-concurrency"), m.LLM.Concurrency)
	}
	if m.LLM.MaxPromptBytes <= 0 {
		return fmt.Errorf("%s: want a positive number, got %d", m.settingName("llm-max-prompt-bytes"), m.LLM.MaxPromptBytes)
	}
	if m.LLM.Timeout <= 0 {
		return fmt.Errorf("%s: want a positive duration, got %s", m.settingName("llm-timeout"), m.LLM.Timeout)
	}
	return nil
}

// settingName names, for an error, where the value of the serve flag name
// came from: "--name" when the command line gave it, else its environment
// variable when that is set (the one named in the flag's usage), else
// "--name" (a default).
func (m *Main) settingName(name string) string {
	set := false
	m.flags.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	if f := m.flags.Lookup(name); !set && f != nil {
		if sub := envName.FindStringSubmatch(f.Usage); sub != nil && os.Getenv(sub[1]) != "" {
			return sub[1]
		}
	}
	return "--" + name
}

// envDefaults reads flag defaults from the environment, keeping the first
// malformed value's error.
type envDefaults struct{ err error }

func (e *envDefaults) str(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (e *envDefaults) parse(name string, parse func(string) error) {
	if v := os.Getenv(name); v != "" {
		if err := parse(v); err != nil && e.err == nil {
			e.err = fmt.Errorf("%s=%q: %v", name, v, err)
		}
	}
}

func (e *envDefaults) int64(name string, def int64) int64 {
	e.parse(name, func(v string) (err error) { def, err = strconv.ParseInt(v, 10, 64); return err })
	return def
}

// parsePrefixes reads a comma-separated list of addresses (each its own
// range) and CIDR ranges.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (e *envDefaults) float(name string, def float64) float64 {
	e.parse(name, func(v string) (err error) { def, err = strconv.ParseFloat(v, 64); return err })
	return def
}

func (e *envDefaults) duration(name string, def time.Duration) time.Duration {
	e.parse(name, func(v string) (err error) { def, err = time.ParseDuration(v); return err })
	return def
}

// Run opens the store, gives a fresh database its first key, and starts
// serving in the background.
func (m *Main) Run(ctx context.Context) (err error) {
	// Bind first (the metrics address too): a server that cannot listen
	// must not hand out the one-time owner key, which would then be lost.
	if m.Listener, err = net.Listen("tcp", m.Addr); err != nil {
		return err
	}
	m.Listener = limitConnsPerIP(m.Listener, m.MaxConnsPerIP, m.TrustedProxies)
	closeListeners := func() {
		m.Listener.Close()
		if m.MetricsListener != nil {
			m.MetricsListener.Close()
		}
	}
	if err := m.bindMetrics(); err != nil {
		m.Listener.Close()
		return err
	}
	if m.Store, err = openStore(ctx, m.DSN); err != nil {
		closeListeners()
		return err
	}
	if err := m.bootstrap(ctx); err != nil {
		closeListeners()
		return err
	}
	if m.LLM == nil {
		m.LLM = &eval.Client{}
	}
	// The runner computes asynchronous runs; its watch marks failed the runs
	// of servers that stopped, this one's previous life included.
	m.runner = eval.NewRunner(m.Store, m.LLM, m.logger)
	m.observe()
	m.serveMetrics()
	m.runner.MaxAsyncRuns = m.MaxAsyncRuns
	m.runner.MaxResultBytes = m.MaxRunResultBytes
	watchCtx, stop := context.WithCancel(context.Background())
	m.stopWatch, m.watching = stop, make(chan struct{})
	go func() {
		defer close(m.watching)
		m.runner.Watch(watchCtx)
	}()
	srv := &api.Server{Store: m.Store, Logger: m.logger, MaxBodyBytes: m.MaxBodyBytes, Limits: m.Limits,
		LLM: m.LLM, Runner: m.runner,
		BodyTimeout: m.BodyTimeout, MinBodyRate: m.MinBodyRate, SafeCSV: m.SafeCSV, CacheBytes: m.CacheBytes}
	// The API answers under /v1/ and the health checks; the pages, everything
	// else.
	root := http.NewServeMux()
	apiHandler := srv.Handler()
	pages := (&web.Server{Store: m.Store, Runner: m.runner, Logger: m.logger, API: srv, SafeCSV: m.SafeCSV,
		TrustedProxies: m.TrustedProxies, SecureCookies: m.SecureCookies}).Handler()
	root.Handle("/v1/", apiHandler)
	root.Handle("/healthz", apiHandler)
	root.Handle("/readyz", apiHandler)
	root.Handle("/", pages)
	m.routeMetrics(root)
	// Every request's context derives from requests, which shutdown cancels
	// (rules.ErrStopping). The server takes it before it serves: set after
	// Serve has begun, it could be missed, and a request the stop cut off
	// would be recorded as its client's leaving (499).
	var requests context.Context
	requests, m.cancelRequests = context.WithCancelCause(context.Background())
	m.server = m.serveHTTP(m.Listener, m.track(m.instrument(noRedirects(root, apiHandler, pages))), "serve", requests)
	m.logger.Info("strata listening", "addr", "http://"+m.Listener.Addr().String(), "db", redactDSN(m.DSN))
	return nil
}

// serveHTTP serves h on l in the background, with the server's timeouts and
// its logger, and logs what ends it other than Shutdown (as what). The
// requests' contexts derive from base, when not nil.
func (m *Main) serveHTTP(l net.Listener, h http.Handler, what string, base context.Context) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: m.ReadHeaderTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
	}
	if base != nil {
		srv.BaseContext = func(net.Listener) context.Context { return base }
	}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.logger.Error(what, "err", err)
		}
	}()
	return srv
}

// track counts the requests h is serving, for shutdown.
func (m *Main) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.active.Add(1)
		defer m.active.Add(-1)
		h.ServeHTTP(w, r)
	})
}

// shutdown stops the server: it drains, then cancels what is left
// (rules.ErrStopping: each answers 503 and its writes roll back), lets
// those answer, and closes the connections of any that did not end (a
// handler waiting for its client's upload), then waits for them.
func (m *Main) shutdown() error {
	drain := m.drain
	if drain == 0 {
		drain = drainTime
	}
	m.logger.Info("stopping: draining the requests in flight", "requests", m.active.Load(), "drain", drain.String())
	ctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := m.server.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	m.logger.Warn("shutdown: requests still running after the drain are canceled",
		"requests", m.active.Load(), "drain", drain.String())
	m.cancelRequests(rules.ErrStopping)
	m.waitRequests(drain / 6)
	m.server.Close() // its listeners are closed already, which it would report
	if !m.waitRequests(drain) {
		return fmt.Errorf("shutdown: %d requests did not end %s after they were canceled", m.active.Load(), drain)
	}
	return nil
}

// waitRequests waits up to d for the requests being served to end, and
// reports whether they did.
func (m *Main) waitRequests(d time.Duration) bool {
	for until := time.Now().Add(d); m.active.Load() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(until) {
			return false
		}
	}
	return true
}

// bootstrap creates project "default" with an owner key on a database that
// has never had a key, and prints the key: it is shown only this once.
func (m *Main) bootstrap(ctx context.Context) error {
	_, secret, err := m.Store.CreateKey(ctx, strata.KeyCreate{ProjectName: "default", Role: strata.RoleOwner, UserName: "owner", First: true})
	if err != nil || secret == "" { // a key exists: this is no first start
		return err
	}
	fmt.Fprintf(m.stdout, "Created project \"default\" with an owner API key (shown only once):\n\n    %s\n\n", secret)
	return nil
}

// drainTime is how long Close lets the requests in flight finish before it
// cancels them.
const drainTime = 30 * time.Second

// Close stops accepting requests, lets those in flight finish (up to
// drainTime), cancels those still running then (an upload, a long export:
// their transactions roll back, nothing they did was acknowledged), and
// closes the store. A stop that had to cancel requests is still a clean
// one; Close fails only when a canceled request does not end.
func (m *Main) Close() error {
	var err error
	if m.server != nil {
		err = m.shutdown()
	}
	if m.metricsServer != nil {
		err = errors.Join(err, m.metricsServer.Close())
	}
	if m.runner != nil {
		// Background runs stop, recorded failed: their results would come
		// too late to write.
		m.stopWatch()
		<-m.watching
		m.runner.Close()
	}
	if m.Store != nil {
		err = errors.Join(err, m.Store.Close())
	}
	return err
}

// noRedirects serves root, but a path that is not clean (rules.CleanPath)
// goes as it is to the handler of its prefix, which answers 404, where
// ServeMux would redirect it.
func noRedirects(root, api, pages http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case rules.CleanPath(p) || r.Method == http.MethodConnect || p == "*":
			root.ServeHTTP(w, r)
		case strings.HasPrefix(p, "/v1/") || strings.HasPrefix(path.Clean(p), "/v1/"):
			api.ServeHTTP(w, r)
		default:
			pages.ServeHTTP(w, r)
		}
	})
}
