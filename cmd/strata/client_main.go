package main

// The client commands: datasets as code. They talk to a server through the
// client package, with --url and --key (env STRATA_URL, STRATA_API_KEY), name
// a dataset by its name, slug or id (DATASET@REF names a version), print one
// JSON document on stdout with --json, and exit 0 on success, 1 on an error
// of the API (its message on stderr) and 2 on a usage error.

import "context"
import "encoding/json"
import "errors"
import "flag"
import "fmt"
import "io"
import "net/http"
import neturl "net/url"
import "os"
import "strings"
import "time"

import apiclient "github.com/strata-eval/strata/client"
import "github.com/strata-eval/strata/wire"

// clientCommands maps each client command to its function.
var clientCommands = map[string]func(ctx context.Context, e *clientEnv, args []string) error{
	"datasets": runDatasets,
	"push":     runPush,
	"pull":     runPull,
	"log":      runLog,
	"diff":     runDiff,
	"tag":      runTag,
	"untag":    runUntag,
	"restore":  runRestore,
	"eval":     runEval,
}

const clientUsage = `client commands (--url URL, --key KEY, --json on each):
  strata datasets                                     list datasets
  strata push FILE --dataset DATASET [--message M] [--tag T] [--create] [--dry-run] [--format jsonl|csv|json]
    [--map FIELD=COLUMN] [--input-from lastUserMessage]   FIELD: input, groundTruth, output, metadata.KEY, splits, ignore
  strata pull DATASET[@REF] [-o FILE] [--format jsonl|csv|json] [FILTERS]
  strata log DATASET                                  versions, newest first
  strata diff DATASET FROM TO [--limit N] [FILTERS]   counts, then the changed items
  strata tag DATASET REF TAG | strata untag DATASET TAG | strata restore DATASET REF
  strata eval DATASET [--wait] [FILTERS]              run the dataset's evaluators
  FILTERS: --split S (any of), --metadata K=V (all of), --external-id ID: only the matching items

DATASET is a name, slug or id; REF a version number, latest, a tag or an id.
Environment: STRATA_URL (default http://127.0.0.1:3333), STRATA_API_KEY.
Exit status: 0 success, 1 error from the server, 2 usage error.
`

// exitError is an error with the process's exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usagef is a usage error: exit status 2.
func usagef(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// clientEnv is what every client command has: the server, the output
// streams, and --json.
type clientEnv struct {
	client         *apiclient.Client
	stdout, stderr io.Writer
	json           bool
	// progress reports whether progress bars are drawn: stderr is a
	// terminal and --json is not set.
	progress bool
}

// runClient runs a client command, mapping its errors to exit statuses.
func runClient(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	e := &clientEnv{stdout: stdout, stderr: stderr}
	err := clientCommands[cmd](ctx, e, args)
	var ee *exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp), errors.As(err, &ee):
		return err
	}
	var ambiguous *apiclient.AmbiguousError
	if errors.As(err, &ambiguous) || errors.Is(err, apiclient.ErrInvalidArgument) {
		return &exitError{code: 2, err: err} // what the command line named cannot be asked for
	}
	var apiErr *apiclient.Error
	if errors.As(err, &apiErr) {
		if apiErr.Message == "" { // an answer without a body: not Strata's, maybe not a Strata server
			return &exitError{code: 1, err: fmt.Errorf("%d %s from %s%s",
				apiErr.Status, http.StatusText(apiErr.Status), e.client.BaseURL, apiErr.Path)}
		}
		return &exitError{code: 1, err: fmt.Errorf("%s (%d)", apiErr.Message, apiErr.Status)}
	}
	return &exitError{code: 1, err: err}
}

// flags returns a flag set for a client command with --url, --key and
// --json; parse it with parse.
func (e *clientEnv) flags(name string) (*flag.FlagSet, *string, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	def := envOr("STRATA_URL", "http://127.0.0.1:3333")
	url := secretFlag(fs, "url", def, redactURL(def), "server `URL` (env STRATA_URL)")
	key := secretFlag(fs, "key", os.Getenv("STRATA_API_KEY"), "", "API `key` (env STRATA_API_KEY)")
	fs.BoolVar(&e.json, "json", false, "print one JSON document on stdout")
	return fs, url, key
}

// redactURL is u with the password of its user info hidden, as a usage
// shows it.
func redactURL(u string) string {
	parsed, err := neturl.Parse(u)
	if err != nil {
		return "(unreadable URL)"
	}
	return parsed.Redacted()
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// parse parses args, flags and positional arguments in any order, wants
// exactly n positional ones (named in usage; n < 0: any number), and makes
// the client.
func (e *clientEnv) parse(fs *flag.FlagSet, url, key *string, args []string, n int, usage string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &exitError{code: 2, err: err}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if n >= 0 && len(pos) != n {
		return nil, usagef("usage: strata %s", usage)
	}
	*key = strings.TrimSpace(*key) // pasted with a space, it is still the key
	if *key == "" {
		return nil, usagef("no API key: give --key or set STRATA_API_KEY")
	}
	if u, err := neturl.Parse(*url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("--url %q: want the server's address with its scheme, as in http://127.0.0.1:3333", *url)
	}
	e.client = apiclient.New(*url, *key)
	e.client.HTTP = &http.Client{Timeout: 0} // transfers take as long as they take; ctx stops them
	e.client.UserAgent = "strata-cli"
	e.progress = !e.json && isTerminal(e.stderr)
	return pos, nil
}

// dataset finds the dataset a DATASET argument names: its id, else the
// dataset whose slug or name it is. A name that is the name of one dataset
// and the slug of another names neither (apiclient.FindDataset): a usage
// error, which asks for the id.
func (e *clientEnv) dataset(ctx context.Context, name string) (*apiclient.Dataset, error) {
	if strings.TrimSpace(name) == "" {
		return nil, usagef("no dataset named: DATASET is a name, slug or id")
	}
	return e.client.FindDataset(ctx, name)
}

// splitRef splits DATASET@REF; ok reports whether arg has an @. Either side
// empty is a usage error.
func splitRef(arg string) (name, ref string, ok bool, err error) {
	name, ref, ok = strings.Cut(arg, "@")
	switch {
	case ok && name == "":
		err = usagef("%q: no dataset before @ (DATASET@REF)", arg)
	case ok && ref == "":
		err = usagef("%q: no ref after @ (DATASET@REF: a version number, latest, a tag or an id)", arg)
	}
	return name, ref, ok, err
}

// listedDataset prints a dataset with --json as the answer that gave it.
// A dataset found by its name comes from the list of datasets, which, as
// Lunary's, carries no evaluatorConfigs: it is printed without the key, not
// with a null that would say it has none. The one answer about a dataset
// that carries them and is only read, GET /v1/datasets-v2/{id}, streams
// every item.
type listedDataset struct{ *apiclient.Dataset }

func (d listedDataset) MarshalJSON() ([]byte, error) {
	if d.Dataset == nil || d.EvaluatorConfigs != nil { // a single-dataset answer's: {} when none
		return json.Marshal(d.Dataset)
	}
	return json.Marshal(wire.DatasetListEntry{Dataset: d.LunaryDatasetDetail.Dataset, Slug: d.Slug})
}

// printJSON writes v as the command's one JSON document.
func (e *clientEnv) printJSON(v any) error {
	return writeIndentedJSON(e.stdout, v)
}

// stamp is a time as the commands print it, in UTC.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }
