package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/api"
	"github.com/strata-eval/strata/web"
)

// Main is the server process: ParseFlags, Run, then Close. Tests build one
// with a temporary database and the address 127.0.0.1:0.
type Main struct {
	Addr         string
	DSN          string
	MaxBodyBytes int64
	Limits       api.Limits
	// ReadHeaderTimeout bounds how long a client may take to send headers.
	ReadHeaderTimeout time.Duration

	Store    strata.Store
	Listener net.Listener
	server   *http.Server
	stdout   io.Writer
	logger   *slog.Logger
}

// NewMain returns a Main with defaults from the environment.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{stdout: stdout, logger: slog.New(slog.NewTextHandler(stderr, nil))}
}

// ParseFlags reads the serve command line. Every flag has an environment
// variable that gives its default.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	env := envDefaults{}
	fs.StringVar(&m.Addr, "addr", env.str("STRATA_ADDR", "127.0.0.1:3333"), "address to listen on (env STRATA_ADDR)")
	db := dbFlag(fs)
	fs.Int64Var(&m.MaxBodyBytes, "max-body-bytes", env.int64("STRATA_MAX_BODY_BYTES", api.DefaultMaxBodyBytes),
		"largest request body, in bytes (env STRATA_MAX_BODY_BYTES)")
	l := &m.Limits
	fs.IntVar(&l.MaxImportItems, "max-import-items", int(env.int64("STRATA_MAX_IMPORT_ITEMS", api.DefaultMaxImportItems)),
		"most items one import may hold (env STRATA_MAX_IMPORT_ITEMS)")
	fs.IntVar(&l.MaxFieldBytes, "max-field-bytes", int(env.int64("STRATA_MAX_FIELD_BYTES", api.DefaultMaxFieldBytes)),
		"largest input, ground truth or output of an item, in bytes (env STRATA_MAX_FIELD_BYTES)")
	fs.DurationVar(&l.RequestTimeout, "request-timeout", env.duration("STRATA_REQUEST_TIMEOUT", api.DefaultRequestTimeout),
		"longest a request may take (env STRATA_REQUEST_TIMEOUT)")
	fs.DurationVar(&m.ReadHeaderTimeout, "read-header-timeout", env.duration("STRATA_READ_HEADER_TIMEOUT", 10*time.Second),
		"longest a client may take to send the request headers (env STRATA_READ_HEADER_TIMEOUT)")
	fs.IntVar(&l.MaxConcurrentPerKey, "max-concurrent-per-key", int(env.int64("STRATA_MAX_CONCURRENT_PER_KEY", api.DefaultMaxConcurrentPerKey)),
		"requests of one key in flight at once; -1 for no limit (env STRATA_MAX_CONCURRENT_PER_KEY)")
	fs.Float64Var(&l.RatePerKey, "rate-per-key", env.float("STRATA_RATE_PER_KEY", api.DefaultRatePerKey),
		"requests per second one key may send on average; -1 for no limit (env STRATA_RATE_PER_KEY)")
	fs.IntVar(&l.BurstPerKey, "burst-per-key", int(env.int64("STRATA_BURST_PER_KEY", api.DefaultBurstPerKey)),
		"requests one key may send at once above its rate (env STRATA_BURST_PER_KEY)")
	if env.err != nil {
		return env.err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	m.DSN = *db
	return nil
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
	if m.Store, err = openStore(ctx, m.DSN); err != nil {
		return err
	}
	if err := m.bootstrap(ctx); err != nil {
		return err
	}
	if m.Listener, err = net.Listen("tcp", m.Addr); err != nil {
		return err
	}
	srv := &api.Server{Store: m.Store, Logger: m.logger, MaxBodyBytes: m.MaxBodyBytes, Limits: m.Limits}
	// The API answers under /v1/ and the health checks; the pages, everything
	// else.
	root := http.NewServeMux()
	apiHandler := srv.Handler()
	root.Handle("/v1/", apiHandler)
	root.Handle("/healthz", apiHandler)
	root.Handle("/", (&web.Server{Store: m.Store, Logger: m.logger}).Handler())
	m.server = &http.Server{
		Handler:           root,
		ReadHeaderTimeout: m.ReadHeaderTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := m.server.Serve(m.Listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.logger.Error("serve", "err", err)
		}
	}()
	m.logger.Info("strata listening", "addr", "http://"+m.Listener.Addr().String(), "db", m.DSN)
	return nil
}

// bootstrap creates project "default" with an owner key on a database that
// has never had a key, and prints the key: it is shown only this once.
func (m *Main) bootstrap(ctx context.Context) error {
	n, err := m.Store.CountKeys(ctx)
	if err != nil || n > 0 {
		return err
	}
	_, secret, err := m.Store.CreateKey(ctx, strata.KeyCreate{ProjectName: "default", Role: strata.RoleOwner, UserName: "owner"})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.stdout, "Created project \"default\" with an owner API key (shown only once):\n\n    %s\n\n", secret)
	return nil
}

// Close stops accepting requests, lets those in flight finish (up to 30s),
// and closes the store.
func (m *Main) Close() error {
	var err error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err = m.server.Shutdown(ctx)
	}
	if m.Store != nil {
		err = errors.Join(err, m.Store.Close())
	}
	return err
}
