// Command strata runs the Strata server and its administrative commands.
//
//	strata serve   [--addr 127.0.0.1:3333] [--db DSN] [flags]
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
// postgres:// URL. Every flag of serve has an environment variable that gives
// its default (strata serve --help lists them); STRATA_DB gives --db's
// everywhere.
package main

import "context"
import "errors"
import "flag"
import "fmt"
import "io"
import "os"
import "os/signal"
import "syscall"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) && !errors.Is(err, errUsage) && !errors.As(err, new(*flagError)) {
		fmt.Fprintln(os.Stderr, "strata:", err)
	}
	os.Exit(exitCode(err))
}

// flagError is an error of a command's flags, which the flag package has
// printed already, with the command's usage: main does not print it again.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

// parseFlags parses args with fs; its error, printed by fs, is a flagError
// (flag.ErrHelp as it is).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return &flagError{err: err}
}

// errUsage is a command line that names no command: the usage is printed,
// and the exit status says it failed.
var errUsage = errors.New("no command given")

// exitCode is the process's status after err: 0 for success and for --help
// (asked for, and given), the status an exitError carries (client_main.go:
// 1 for an API error), 2 for anything else.
func exitCode(err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 2
}

const usage = `usage:
  strata serve   [--addr 127.0.0.1:3333] [--db DSN] [flags]   (strata serve --help lists every flag)
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
Every command takes --help.
`

// run dispatches a command line; it is main without the process around it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage, serveEnvironment())
		return errUsage
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
		fmt.Fprint(stdout, usage, serveEnvironment(), "\n", clientUsage)
		return nil
	default:
		if _, ok := clientCommands[cmd]; ok { // client_main.go
			return runClient(ctx, cmd, rest, stdout, stderr)
		}
		fmt.Fprint(stderr, usage, serveEnvironment(), "\n", clientUsage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
