package main

import "bytes"
import "context"
import "encoding/json"
import "errors"
import "fmt"
import "io"
import "io/fs"
import "maps"
import "math/rand/v2"
import "net/http"
import neturl "net/url"
import "os"
import "path/filepath"
import "slices"
import "strings"
import "time"

import "github.com/strata-eval/strata"
import apiclient "github.com/strata-eval/strata/client"
import "github.com/strata-eval/strata/importer"

// formatOf is the format of a file: --format when given, else its extension
// (.jsonl, .ndjson, .csv, .json: a JSON array of items), else def ("" :
// none).
func formatOf(flagValue, path, def string) (string, error) {
	switch flagValue {
	case apiclient.FormatJSONL, apiclient.FormatCSV, apiclient.FormatJSON:
		return flagValue, nil
	case "":
	default:
		return "", usagef("--format must be jsonl, csv or json, not %q", flagValue)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		return apiclient.FormatJSONL, nil
	case ".csv":
		return apiclient.FormatCSV, nil
	case ".json":
		return apiclient.FormatJSON, nil
	}
	if def != "" {
		return def, nil
	}
	return "", usagef("cannot tell the format of %q from its extension: give --format jsonl, csv or json", path)
}

// mapFlags gathers the --map FIELD=COLUMN flags into the map.FIELD
// parameters the server reads (importer.ParseMapping), each of which it
// takes once: a field given twice is a usage error, and the columns of every
// --map ignore= are left out together.
type mapFlags struct {
	columns map[string]string
	ignore  []string
}

// set reads one --map flag.
func (m *mapFlags) set(v string) error {
	field, column, ok := strings.Cut(v, "=")
	if !ok || field == "" {
		return fmt.Errorf("want FIELD=COLUMN, as in input=question or metadata.lang=language")
	}
	// The server's own reading of map.FIELD, so that a field it does not
	// take is a usage error before anything is sent.
	read, err := importer.ParseMapping(neturl.Values{"map." + field: {column}})
	if err != nil {
		return errors.New(strata.ErrorMessage(err))
	}
	if field == "ignore" {
		m.ignore = append(m.ignore, read.Ignore...)
		return nil
	}
	if prev, dup := m.columns[field]; dup {
		return fmt.Errorf("%s is given twice (%s=%s): it is read from one column", field, field, prev)
	}
	if m.columns == nil {
		m.columns = map[string]string{}
	}
	m.columns[field] = column
	return nil
}

// query returns the flags as the keys of an ImportOptions' or
// SyncOptions' Map. The columns ignored go as names separated by commas, or
// as a JSON array when the server would not read the names given back from
// those (a comma in one).
func (m *mapFlags) query() (map[string]string, error) {
	if len(m.ignore) == 0 {
		return m.columns, nil
	}
	ignore := strings.Join(m.ignore, ",")
	read, err := importer.ParseMapping(neturl.Values{"map.ignore": {ignore}})
	if err != nil || !slices.Equal(read.Ignore, m.ignore) {
		names, _ := json.Marshal(m.ignore) // strings always encode
		ignore = string(names)
		// Each flag's names were checked; all of them together may be
		// too many.
		if _, err := importer.ParseMapping(neturl.Values{"map.ignore": {ignore}}); err != nil {
			return nil, usagef("--map ignore=: %s", strata.ErrorMessage(err))
		}
	}
	out := maps.Clone(m.columns)
	if out == nil {
		out = map[string]string{}
	}
	out["ignore"] = ignore
	return out, nil
}

// pushResult is what push prints with --json.
type pushResult struct {
	Dataset listedDataset `json:"dataset"`
	Created bool          `json:"created"`
	DryRun  bool          `json:"dryRun"`
	*apiclient.SyncResult
	Tag *string `json:"tag"`
}

// strata push FILE --dataset DATASET [--message M] [--tag T] [--create] [--dry-run] [--format F]
// [--map FIELD=COLUMN] [--input-from lastUserMessage]
func runPush(ctx context.Context, e *clientEnv, args []string) error {
	fs, url, key := e.flags("push")
	name := fs.String("dataset", "", "the dataset to sync to the file (name, slug or id)")
	message := fs.String("message", "", "description of the version the push makes")
	tag := fs.String("tag", "", "tag the version that holds the file (the head, when it already did)")
	create := fs.Bool("create", false, "create the dataset when it does not exist")
	dryRun := fs.Bool("dry-run", false, "report what would change, change nothing")
	format := fs.String("format", "", "jsonl, csv or json (default: from the file's extension)")
	var columns mapFlags
	fs.Func("map", "FIELD=COLUMN: read FIELD from the file's COLUMN, where FIELD is input, groundTruth or output, "+
		"metadata.KEY (the metadata key KEY) or splits (names in a JSON array or separated by commas), each once; "+
		"ignore=COL,COL leaves columns out; repeatable", columns.set)
	inputFrom := ""
	fs.Func("input-from", importer.InputFromLastUserMessage+": read the input from the last user message of a chat "+
		"(OpenAI evals' files)", func(v string) error {
		if _, err := importer.ParseMapping(neturl.Values{"inputFrom": {v}}); err != nil {
			return errors.New(strata.ErrorMessage(err))
		}
		inputFrom = v
		return nil
	})
	const usage = "push FILE --dataset DATASET [--message M] [--tag T] [--create] [--dry-run] [--format jsonl|csv|json] " +
		"[--map FIELD=COLUMN] [--input-from lastUserMessage] [--json]"
	pos, err := e.parse(fs, url, key, args, 1, usage)
	if err != nil {
		return err
	}
	if *name == "" {
		return usagef("usage: strata %s", usage)
	}
	if *dryRun && *tag != "" {
		return usagef("--tag changes the dataset: it cannot go with --dry-run")
	}
	mapping, err := columns.query()
	if err != nil {
		return err
	}
	if *tag != "" { // checked before the push writes anything
		if err := strata.CheckTagName(*tag); err != nil {
			return usagef("--tag %q: %s", *tag, strata.ErrorMessage(err))
		}
	}
	f, err := formatOf(*format, pos[0], "")
	if err != nil {
		return err
	}
	file := os.Stdin // "-": the file is read from stdin (not retried: it cannot be read again)
	if pos[0] != "-" {
		if file, err = os.Open(pos[0]); err != nil {
			return usagef("%v", err)
		}
		defer file.Close()
	}
	info, err := file.Stat()
	if err != nil {
		return err
	}
	if info.IsDir() { // checked before anything is sent, --create's dataset included
		return usagef("%s is a directory: push takes a file", pos[0])
	}
	if f == apiclient.FormatJSON && info.Mode().IsRegular() {
		if err := checkJSONArray(file, pos[0]); err != nil {
			return err
		}
	}

	out := pushResult{DryRun: *dryRun}
	createdETag := "" // the ETag of the dataset this push created, as created
	d, err := e.dataset(ctx, *name)
	if apiclient.IsNotFound(err) && *create && !*dryRun {
		var created *apiclient.Dataset
		created, createdETag, err = e.client.CreateDatasetETag(ctx, apiclient.DatasetInput{Name: *name})
		switch {
		case err == nil:
			d, out.Created = created, true
		case apiclient.StatusOf(err) == http.StatusConflict:
			// Another push created it since the lookup: push into that one.
			if found, lookupErr := e.dataset(ctx, *name); !apiclient.IsNotFound(lookupErr) {
				d, err = found, lookupErr
			}
		}
	}
	if err != nil {
		return err
	}
	out.Dataset = listedDataset{d}
	size := info.Size()
	if !info.Mode().IsRegular() {
		size = -1 // a pipe: its length is not known
	}
	bar := e.newProgress(size, "push "+filepath.Base(pos[0]), true)
	out.SyncResult, err = e.client.Sync(ctx, d.ID, f, &countingReader{r: file, bar: bar},
		apiclient.SyncOptions{DryRun: *dryRun, Description: *message, Map: mapping, InputFrom: inputFrom})
	finish(bar)
	if err != nil {
		if out.Created {
			e.removeCreated(ctx, d, createdETag)
		}
		return err
	}
	if *tag != "" {
		ref := "latest"
		if out.Version != nil {
			ref = fmt.Sprint(out.Version.VersionNumber)
		}
		if _, _, err := e.client.TagVersion(ctx, d.ID, ref, *tag); err != nil {
			return err
		}
		out.Tag = tag
	}
	if e.json {
		return e.printJSON(out)
	}
	r := out.SyncResult
	verb := ""
	if *dryRun {
		verb = "would be "
	}
	fmt.Fprintf(e.stdout, "%s: %d %sadded, %d %smodified, %d %sremoved, %d unchanged\n", d.Slug,
		r.Added, verb, r.Modified, verb, r.Removed, verb, r.Unchanged)
	switch {
	case *dryRun:
		for _, ch := range r.Changes {
			writeChange(e, ch)
		}
		if shown, total := len(r.Changes), r.Added+r.Modified+r.Removed; shown < total {
			fmt.Fprintf(e.stdout, "... and %d more not listed (a dry run lists the first %d changes: modified and added, then removed)\n",
				total-shown, shown)
		}
	case r.Version != nil:
		fmt.Fprintf(e.stdout, "version %d\n", r.Version.VersionNumber)
	default:
		fmt.Fprintln(e.stdout, "no changes: no new version")
	}
	if out.Tag != nil {
		fmt.Fprintf(e.stdout, "tagged %s\n", *out.Tag)
	}
	return nil
}

// checkJSONArray refuses a JSON file that is not an array of items before
// it is sent: the server would read an object as Lunary's {format, content}
// body and answer about fields the file never had.
func checkJSONArray(file *os.File, name string) error {
	head := make([]byte, 4096)
	n, err := file.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return err
	}
	rest := bytes.TrimLeft(bytes.TrimPrefix(head[:n], []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(rest) == 0 || rest[0] == '[' {
		return nil // empty: the server says so
	}
	return usagef("%s is not a JSON array of items (it starts with %q): a .json file holds [{...}, ...]; for one item per line, use .jsonl or --format jsonl",
		name, rest[:1])
}

// removeCreated deletes the dataset a push --create made when its sync
// failed, so that a failed push leaves nothing behind. The delete carries the
// ETag of the creation: a dataset changed since (another push went into it,
// or the sync was written after all) is kept, and stderr says so.
func (e *clientEnv) removeCreated(ctx context.Context, d *apiclient.Dataset, etag string) {
	// Also after an interrupt, which is what failed the sync.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := e.client.DeleteDatasetIfMatch(ctx, d.ID, etag); err != nil {
		fmt.Fprintf(e.stderr, "strata: the dataset %s (%s) this push created is kept: %v\n", d.Slug, d.ID, err)
	}
}

// strata pull DATASET[@REF] [-o FILE] [--format jsonl|csv|json]
func runPull(ctx context.Context, e *clientEnv, args []string) error {
	fs, url, key := e.flags("pull")
	output := fs.String("o", "", "write to FILE (default, or -: stdout)")
	format := fs.String("format", "", "jsonl, csv or json (default: from -o's extension, else jsonl)")
	filter := filterFlags(fs)
	const usage = "pull DATASET[@REF] [-o FILE] [--format jsonl|csv|json] " + filterUsage + " [--json]"
	pos, err := e.parse(fs, url, key, args, 1, usage)
	if err != nil {
		return err
	}
	if e.json && (*output == "" || *output == "-") {
		return usagef("--json describes the file written: give -o FILE (without --json, pull writes the items to stdout)")
	}
	f, err := formatOf(*format, *output, apiclient.FormatJSONL)
	if err != nil {
		return err
	}
	name, ref, ok, err := splitRef(pos[0])
	if err != nil {
		return err
	}
	if !ok {
		ref = "latest"
	}
	if strings.EqualFold(ref, strata.RefWorking) {
		return usagef("pull reads a version, and working is none: push or snapshot the edits first, or read them with the API (GET /v1/datasets-v2/{id}/items)")
	}
	dst := e.stdout
	var out *outputFile
	if *output != "" && *output != "-" {
		if out, err = openOutput(*output); err != nil {
			return usagef("%v", err)
		}
		defer out.abort()
		dst = out
	}
	d, err := e.dataset(ctx, name)
	if err != nil {
		return err
	}
	bar := e.newProgress(-1, "pull "+d.Slug+"@"+ref, true)
	n, err := e.client.Export(ctx, d.ID, ref, f, &countingWriter{w: dst, bar: bar}, apiclient.ExportOptions{Filter: *filter})
	finish(bar)
	if err != nil {
		return err
	}
	if out != nil {
		if err := out.commit(); err != nil {
			return err
		}
	}
	if e.json {
		return e.printJSON(map[string]any{"dataset": listedDataset{d}, "ref": ref, "format": f, "file": *output, "bytes": n})
	}
	if out != nil {
		fmt.Fprintf(e.stderr, "wrote %d bytes of %s@%s to %s\n", n, d.Slug, ref, *output)
	}
	return nil
}

// outputFile is the file pull writes. A regular file is written beside its
// destination and renamed into place once whole, so a failed pull leaves
// no half file; it keeps the mode of the file it replaces, and a new one
// gets the umask's. A symbolic link is followed: what it points to is
// replaced, the link stays. A device or a pipe (/dev/stdout) is written as
// it is.
type outputFile struct {
	f        *os.File
	tmp, dst string // tmp is renamed to dst by commit; "" for a device
	path     string // as the user gave it, for errors
}

// openOutput opens the file pull writes. Its errors name path, not the
// temporary file.
func openOutput(path string) (*outputFile, error) {
	o, err := openOutputAt(path)
	return o, asPath(err, path)
}

// asPath is err naming path as the file it failed on.
func asPath(err error, path string) error {
	var pathErr *fs.PathError
	var linkErr *os.LinkError
	switch {
	case errors.As(err, &pathErr):
		return &fs.PathError{Op: pathErr.Op, Path: path, Err: pathErr.Err}
	case errors.As(err, &linkErr):
		return &fs.PathError{Op: "replace", Path: path, Err: linkErr.Err}
	}
	return err
}

func openOutputAt(path string) (*outputFile, error) {
	dst := path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		dst = real
	}
	info, err := os.Stat(dst)
	switch {
	case err == nil && !info.Mode().IsRegular():
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return nil, err
		}
		return &outputFile{f: f, path: path}, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	perm := fs.FileMode(0o666) // less the umask
	if info != nil {
		perm = info.Mode().Perm()
	}
	for {
		tmp := filepath.Join(filepath.Dir(dst), fmt.Sprintf(".%s.%d.tmp", filepath.Base(dst), rand.Uint32()))
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		if info != nil { // the umask must not narrow the mode kept
			if err := f.Chmod(perm); err != nil {
				f.Close()
				os.Remove(tmp)
				return nil, err
			}
		}
		return &outputFile{f: f, tmp: tmp, dst: dst, path: path}, nil
	}
}

// Write writes to the file; its errors name the file the user gave.
func (o *outputFile) Write(p []byte) (int, error) {
	n, err := o.f.Write(p)
	return n, asPath(err, o.path)
}

// commit closes the file and puts it in place.
func (o *outputFile) commit() error {
	err := o.f.Close()
	if o.tmp == "" || err != nil {
		return asPath(err, o.path)
	}
	if err := os.Rename(o.tmp, o.dst); err != nil {
		return asPath(err, o.path)
	}
	o.tmp = ""
	return nil
}

// abort removes what an unfinished pull wrote; after commit it does
// nothing.
func (o *outputFile) abort() {
	o.f.Close()
	if o.tmp != "" {
		os.Remove(o.tmp)
	}
}
