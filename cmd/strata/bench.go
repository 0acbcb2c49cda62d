package main

import "context"
import "database/sql"
import "errors"
import "flag"
import "fmt"
import "io"
import "os"
import "path/filepath"
import "runtime"
import "runtime/pprof"
import "strconv"
import "strings"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/bench"
import "github.com/strata-eval/strata/postgres"
import "github.com/strata-eval/strata/sqlite"

const benchUsage = `usage:
  strata bench [--db DSN] [--sizes 1000,100000,1000000] [--rounds 100] [--reps 100] [--cpuprofile FILE]
      store scenarios on a fresh database (default: a temporary SQLite file, removed after), beside a
      full-copy baseline; a --db must be empty (a new SQLite file, or a PostgreSQL database without
      tables) and keeps the benchmark's datasets afterwards: drop it when done
  strata bench --http URL --key KEY[,KEY...] [--concurrency 32] [--duration 30s] [--max-requests N] [--server-pid PID]
      mixed load against a running server on this machine: 70% reads, 25% item writes, 5% snapshots;
      prints the load generator's CPU per request and, with --server-pid, the server's
  strata bench --http URL --key KEY --import-bytes N [--item-bytes 1200] [--server-pid PID]
      one raw JSONL import of about N bytes, made as it is sent; with --server-pid, the server's peak memory
`

// runBench measures Strata: the store scenarios, or a running server.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchUsage); fs.PrintDefaults() }
	// Not dbFlag: the default must never be the database a server uses.
	dsn := fs.String("db", "", "an empty database to benchmark: a new SQLite file, or a postgres:// URL of an empty database (default: a temporary SQLite file)")
	sizes := fs.String("sizes", "1000,100000,1000000", "dataset sizes, in items, comma-separated")
	var sc bench.StoreConfig
	fs.IntVar(&sc.Rounds, "rounds", 100, "snapshots in the history scenario")
	fs.IntVar(&sc.Edits, "edits", 10, "item edits before each snapshot of the history")
	fs.IntVar(&sc.Reps, "reps", 100, "samples of each timed scenario")
	fs.IntVar(&sc.RestoreReps, "restore-reps", 20, "samples of the restore scenario")
	fs.Int64Var(&sc.MaxBaselineRows, "max-baseline-rows", 10_000_000, "most rows the baseline copies at one size")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	quiet := fs.Bool("quiet", false, "print no progress")

	var lc bench.LoadConfig
	fs.StringVar(&lc.URL, "http", "", "base URL of a running server on this machine (loopback only)")
	keys := fs.String("key", "", "API key(s) of the server, comma-separated, with write access; load spreads over them")
	fs.IntVar(&lc.Concurrency, "concurrency", 32, "requests in flight")
	fs.DurationVar(&lc.Duration, "duration", 30*time.Second, "how long the load runs")
	fs.IntVar(&lc.MaxRequests, "max-requests", 1_000_000, "most requests the load sends")
	fs.IntVar(&lc.Datasets, "datasets", 8, "datasets the load spreads over")
	fs.IntVar(&lc.Items, "items", 100, "items in each dataset of the load")
	var ic bench.ImportConfig
	fs.Int64Var(&ic.Bytes, "import-bytes", 0, "send one raw JSONL import of about this many bytes instead of the mixed load")
	fs.IntVar(&ic.ItemBytes, "item-bytes", 1200, "bytes of each line of the raw import")
	fs.IntVar(&ic.ServerPID, "server-pid", 0, "process id of the server, to read from /proc its CPU time during a load or its peak memory during an import")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	var log io.Writer = stderr
	if *quiet {
		log = nil
	}

	if lc.URL != "" {
		if *keys == "" {
			return errors.New("bench: --http needs --key")
		}
		if *dsn != "" {
			return errors.New("bench: --db and --http are exclusive")
		}
		lc.Keys = strings.Split(*keys, ",")
		lc.Log, lc.ServerPID = log, ic.ServerPID
		if ic.Bytes > 0 {
			ic.URL, ic.Key, ic.Log = lc.URL, lc.Keys[0], log
			r, err := bench.RunImport(ctx, ic)
			if err != nil {
				return err
			}
			return r.Print(stdout)
		}
		r, err := bench.RunLoad(ctx, lc)
		if err != nil {
			return err
		}
		if err := r.Print(stdout); err != nil {
			return err
		}
		// A load the server refused is no measure of it: status 1, as
		// the client commands' errors of the server, not 2 (usage).
		if err := r.Failed(); err != nil {
			return &exitError{code: 1, err: fmt.Errorf("bench: %w", err)}
		}
		return nil
	}

	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
		if err != nil || n <= 0 {
			return fmt.Errorf("bench: bad size %q", s)
		}
		sc.Sizes = append(sc.Sizes, n)
	}
	store, db, where, cleanup, err := openBenchStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	sc.Store, sc.DB, sc.Postgres, sc.Log = store, db, postgres.IsDSN(*dsn), log
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	r, err := bench.RunStore(ctx, sc)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	r.Title = fmt.Sprintf("strata bench on %s: %s, %d CPUs (%s), %s; %s", where, host, runtime.NumCPU(),
		runtime.GOARCH, runtime.Version(), time.Now().UTC().Format(time.DateOnly))
	r.Notes = append(r.Notes, fmt.Sprintf("run took %s", time.Since(start).Round(time.Second)))
	return r.Print(stdout)
}

// openBenchStore opens the store the benchmark runs on. It must be fresh: a
// PostgreSQL database with no table at all, or a SQLite file that does not
// exist yet; by default a SQLite file in a temporary directory, removed by
// cleanup.
func openBenchStore(ctx context.Context, dsn string) (s strata.Store, db *sql.DB, where string, cleanup func(), err error) {
	cleanup = func() {}
	switch {
	case postgres.IsDSN(dsn):
		if err := refuseNonEmptyPostgres(ctx, dsn); err != nil {
			return nil, nil, "", cleanup, err
		}
		ps, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, nil, "", cleanup, err
		}
		return ps, ps.DB, "PostgreSQL", func() { ps.Close() }, nil
	case dsn == "":
		dir, err := os.MkdirTemp("", "strata-bench-")
		if err != nil {
			return nil, nil, "", cleanup, err
		}
		ls, err := sqlite.Open(ctx, filepath.Join(dir, "bench.db"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, "", cleanup, err
		}
		return ls, ls.DB, "SQLite (temporary file)", func() { ls.Close(); os.RemoveAll(dir) }, nil
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
			return nil, nil, "", cleanup, fmt.Errorf("bench: %s exists: give a new file, the benchmark wants a fresh database", path)
		}
		ls, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, nil, "", cleanup, err
		}
		return ls, ls.DB, "SQLite " + path, func() { ls.Close() }, nil
	}
}

// refuseNonEmptyPostgres refuses a database that holds any table: the
// benchmark writes datasets and baseline tables, and must never touch data
// it did not make.
func refuseNonEmptyPostgres(ctx context.Context, dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_catalog.pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&n); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("bench: the database holds %d tables: give an empty one (CREATE DATABASE strata_bench)", n)
	}
	return nil
}
