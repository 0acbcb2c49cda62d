// Command strata runs the Strata server and its administrative commands.
//
//	strata serve   [--addr 127.0.0.1:3333] [--db DSN]
//	strata migrate [--db DSN]
//	strata keys create --project NAME --role ROLE [--user-name N] [--user-email E] [--db DSN]
//	strata keys list   [--project NAME] [--db DSN]
//	strata keys revoke ID [--db DSN]
//	strata keys rotate ID [--db DSN]
//	strata check  [--db DSN]
//	strata backup --out FILE [--db DSN]
//	strata bench  [--db DSN] [--sizes 1000,100000,1000000] | --http URL --key KEY
//
// DSN is a SQLite file (a bare path or sqlite:PATH; default strata.db) or a
// postgres:// URL. The environment variables STRATA_DB and STRATA_ADDR give
// the defaults of --db and --addr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "strata:", err)
		}
		os.Exit(exitCode(err)) // client_main.go
	}
}

const usage = `usage:
  strata serve   [--addr 127.0.0.1:3333] [--db DSN]
  strata migrate [--db DSN]
  strata keys create --project NAME --role owner|admin|member|viewer [--user-name N] [--user-email E] [--db DSN]
  strata keys list   [--project NAME] [--db DSN]
  strata keys revoke ID [--db DSN]
  strata keys rotate ID [--db DSN]
  strata check   [--db DSN]               verify the invariants of the versioning model
  strata backup  --out FILE [--db DSN]    consistent copy of a SQLite database, while serving
  strata bench   [--db DSN] [--sizes N,N] measure a fresh database beside a full-copy baseline
  strata bench   --http URL --key KEY     load-test a running server (strata bench --help)

DSN: a SQLite file (path or sqlite:PATH, default strata.db) or a postgres:// URL.
Environment: STRATA_DB, STRATA_ADDR, STRATA_MAX_BODY_BYTES; for LLM calls OPENAI_API_KEY,
OPENAI_BASE_URL, STRATA_LLM_MODELS, STRATA_LLM_CONCURRENCY, STRATA_LLM_TIMEOUT.
`

// run dispatches a command line; it is main without the process around it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		m := NewMain(stdout, stderr)
		if err := m.ParseFlags(rest); err != nil {
			return err
		}
		if err := m.Run(ctx); err != nil {
			return err
		}
		<-ctx.Done()
		return m.Close()
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, stdout, stderr)
	case "check":
		return runCheck(ctx, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage+"\n"+clientUsage)
		return nil
	default:
		if _, ok := clientCommands[cmd]; ok { // client_main.go
			return runClient(ctx, cmd, rest, stdout, stderr)
		}
		fmt.Fprint(stderr, usage+"\n"+clientUsage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
