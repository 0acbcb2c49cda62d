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
)

// Main is the server process: ParseFlags, Run, then Close. Tests build one
// with a temporary database and the address 127.0.0.1:0.
type Main struct {
	Addr         string
	DSN          string
	MaxBodyBytes int64

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

// ParseFlags reads the serve command line.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := os.Getenv("STRATA_ADDR")
	if addr == "" {
		addr = "127.0.0.1:3333"
	}
	fs.StringVar(&m.Addr, "addr", addr, "address to listen on (env STRATA_ADDR)")
	db := dbFlag(fs)
	maxBody := int64(api.DefaultMaxBodyBytes)
	if v := os.Getenv("STRATA_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("STRATA_MAX_BODY_BYTES: want a positive number of bytes, got %q", v)
		}
		maxBody = n
	}
	fs.Int64Var(&m.MaxBodyBytes, "max-body-bytes", maxBody, "largest request body accepted (env STRATA_MAX_BODY_BYTES)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	m.DSN = *db
	return nil
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
	srv := &api.Server{Store: m.Store, Logger: m.logger, MaxBodyBytes: m.MaxBodyBytes}
	m.server = &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
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
