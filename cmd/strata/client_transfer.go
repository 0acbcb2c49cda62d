package main

import "context"
import "fmt"
import "os"
import "path/filepath"
import "strings"

import apiclient "github.com/strata-eval/strata/client"

// formatOf is the format of a file: --format when given, else its extension
// (.jsonl, .ndjson, .csv), else def ("" : none).
func formatOf(flagValue, path, def string) (string, error) {
	switch flagValue {
	case apiclient.FormatJSONL, apiclient.FormatCSV:
		return flagValue, nil
	case "":
	default:
		return "", usagef("--format must be jsonl or csv, not %q", flagValue)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		return apiclient.FormatJSONL, nil
	case ".csv":
		return apiclient.FormatCSV, nil
	}
	if def != "" {
		return def, nil
	}
	return "", usagef("cannot tell the format of %q from its extension: give --format jsonl or --format csv", path)
}

// pushResult is what push prints with --json.
type pushResult struct {
	Dataset *apiclient.Dataset `json:"dataset"`
	Created bool               `json:"created"`
	DryRun  bool               `json:"dryRun"`
	*apiclient.SyncResult
	Tag *string `json:"tag"`
}

// strata push FILE --dataset DATASET [--message M] [--tag T] [--create] [--dry-run] [--format F]
func runPush(ctx context.Context, e *clientEnv, args []string) error {
	fs, url, key := e.flags("push")
	name := fs.String("dataset", "", "the dataset to sync to the file (name, slug or id)")
	message := fs.String("message", "", "description of the version the push makes")
	tag := fs.String("tag", "", "tag the pushed version (the head, when the file changes nothing)")
	create := fs.Bool("create", false, "create the dataset when it does not exist")
	dryRun := fs.Bool("dry-run", false, "report what would change, change nothing")
	format := fs.String("format", "", "jsonl or csv (default: from the file's extension)")
	columns := map[string]string{}
	fs.Func("map", "FIELD=COLUMN: read a field (input, groundTruth, output) from the file's COLUMN; repeatable", func(v string) error {
		field, column, ok := strings.Cut(v, "=")
		if !ok || field == "" {
			return fmt.Errorf("want FIELD=COLUMN, as in input=question")
		}
		columns[field] = column
		return nil
	})
	const usage = "push FILE --dataset DATASET [--message M] [--tag T] [--create] [--dry-run] [--format jsonl|csv] [--map FIELD=COLUMN] [--json]"
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
	f, err := formatOf(*format, pos[0], "")
	if err != nil {
		return err
	}
	file, err := os.Open(pos[0])
	if err != nil {
		return usagef("%v", err)
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return err
	}

	out := pushResult{DryRun: *dryRun}
	if out.Dataset, err = e.dataset(ctx, *name); apiclient.IsNotFound(err) && *create && !*dryRun {
		out.Dataset, err = e.client.CreateDataset(ctx, apiclient.DatasetInput{Name: *name})
		out.Created = true
	}
	if err != nil {
		return err
	}
	bar := e.newProgress(info.Size(), "push "+filepath.Base(pos[0]), true)
	out.SyncResult, err = e.client.Sync(ctx, out.Dataset.ID, f, &countingReader{r: file, bar: bar},
		apiclient.SyncOptions{DryRun: *dryRun, Description: *message, Map: columns})
	finish(bar)
	if err != nil {
		return err
	}
	if *tag != "" {
		ref := "latest"
		if out.Version != nil {
			ref = fmt.Sprint(out.Version.VersionNumber)
		}
		if _, _, err := e.client.TagVersion(ctx, out.Dataset.ID, ref, *tag); err != nil {
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
	fmt.Fprintf(e.stdout, "%s: %d %sadded, %d %smodified, %d %sremoved, %d unchanged\n", out.Dataset.Slug,
		r.Added, verb, r.Modified, verb, r.Removed, verb, r.Unchanged)
	switch {
	case *dryRun:
		for _, ch := range r.Changes {
			writeChange(e, ch)
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

// strata pull DATASET[@REF] [-o FILE] [--format jsonl|csv]
func runPull(ctx context.Context, e *clientEnv, args []string) error {
	fs, url, key := e.flags("pull")
	output := fs.String("o", "", "write to FILE (default: stdout)")
	format := fs.String("format", "", "jsonl or csv (default: from -o's extension, else jsonl)")
	const usage = "pull DATASET[@REF] [-o FILE] [--format jsonl|csv] [--json]"
	pos, err := e.parse(fs, url, key, args, 1, usage)
	if err != nil {
		return err
	}
	if e.json && *output == "" {
		return usagef("--json describes the file written: give -o FILE (without --json, pull writes the items to stdout)")
	}
	f, err := formatOf(*format, *output, apiclient.FormatJSONL)
	if err != nil {
		return err
	}
	name, ref, ok := splitRef(pos[0])
	if !ok {
		ref = "latest"
	}
	d, err := e.dataset(ctx, name)
	if err != nil {
		return err
	}
	// The file is written beside its destination and renamed into place
	// once whole, so a failed pull leaves no half file.
	dst := e.stdout
	var tmp *os.File
	if *output != "" {
		if tmp, err = os.CreateTemp(filepath.Dir(*output), "."+filepath.Base(*output)+".*"); err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		dst = tmp
	}
	bar := e.newProgress(-1, "pull "+d.Slug+"@"+ref, true)
	n, err := e.client.Export(ctx, d.ID, ref, f, &countingWriter{w: dst, bar: bar})
	finish(bar)
	if err != nil {
		return err
	}
	if tmp != nil {
		if err := tmp.Close(); err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), *output); err != nil {
			return err
		}
	}
	if e.json {
		return e.printJSON(map[string]any{"dataset": d, "ref": ref, "format": f, "file": *output, "bytes": n})
	}
	if *output != "" {
		fmt.Fprintf(e.stderr, "wrote %d bytes of %s@%s to %s\n", n, d.Slug, ref, *output)
	}
	return nil
}
