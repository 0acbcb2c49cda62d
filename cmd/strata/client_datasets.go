package main

import "bytes"
import "context"
import "encoding/json"
import "fmt"
import "strconv"
import "strings"
import "text/tabwriter"
import "unicode"

import "github.com/strata-eval/strata"
import apiclient "github.com/strata-eval/strata/client"

// strata datasets
func runDatasets(ctx context.Context, e *clientEnv, args []string) error {
	fs, url, key := e.flags("datasets")
	if _, err := e.parse(fs, url, key, args, 0, "datasets [--json]"); err != nil {
		return err
	}
	list, err := e.client.ListDatasets(ctx, apiclient.ListOptions{Sort: "alphabetical"})
	if err != nil {
		return err
	}
	if e.json {
		listed := make([]listedDataset, len(list))
		for i := range list {
			listed[i] = listedDataset{&list[i]}
		}
		return e.printJSON(listed)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSLUG\tITEMS\tHEAD\tUPDATED")
	for _, d := range list {
		fmt.Fprintf(tw, "%s\t%s\t%d\tv%d\t%s\n", oneLine(d.Name, 40), d.Slug, d.ItemCount, d.CurrentVersionNumber, stamp(d.UpdatedAt.Time()))
	}
	return tw.Flush()
}

// strata log DATASET
func runLog(ctx context.Context, e *clientEnv, args []string) error {
	fs, url, key := e.flags("log")
	pos, err := e.parse(fs, url, key, args, 1, "log DATASET [--json]")
	if err != nil {
		return err
	}
	d, err := e.dataset(ctx, pos[0])
	if err != nil {
		return err
	}
	versions, err := e.client.ListVersions(ctx, d.ID)
	if err != nil {
		return err
	}
	numbers := map[string]int{}
	for _, v := range versions {
		numbers[v.ID] = v.VersionNumber
	}
	type entry struct {
		apiclient.Version
		Author                    string `json:"author"`
		RestoredFromVersionNumber *int   `json:"restoredFromVersionNumber"`
	}
	entries := make([]entry, len(versions))
	for i, v := range versions {
		entries[i] = entry{Version: v, Author: author(d, v.CreatedBy)}
		if v.RestoredFromVersionID != nil {
			if n, ok := numbers[*v.RestoredFromVersionID]; ok {
				entries[i].RestoredFromVersionNumber = &n
			}
		}
	}
	if e.json {
		return e.printJSON(map[string]any{"dataset": listedDataset{d}, "versions": entries})
	}
	for _, v := range entries {
		var b strings.Builder
		fmt.Fprintf(&b, "v%-4d %s  %-12s %6d items", v.VersionNumber, stamp(v.CreatedAt.Time()), oneLine(v.Author, 12), v.ItemCount)
		if len(v.Tags) > 0 {
			fmt.Fprintf(&b, "  (%s)", strings.Join(v.Tags, ", "))
		}
		if v.RestoredFromVersionNumber != nil {
			fmt.Fprintf(&b, "  restored from v%d", *v.RestoredFromVersionNumber)
		}
		for _, s := range []*string{v.Name, v.Description} {
			if s != nil && *s != "" && *s != d.Name {
				fmt.Fprintf(&b, "  %s", oneLine(*s, 60))
			}
		}
		fmt.Fprintln(e.stdout, b.String())
	}
	return nil
}

// author names the user who made a version: the dataset owner's name when it
// is them, else the start of their id (the API names no other user).
func author(d *apiclient.Dataset, id *string) string {
	switch {
	case id == nil:
		return "-"
	case d.OwnerID != nil && *id == *d.OwnerID && d.OwnerName != nil:
		return *d.OwnerName
	case len(*id) > 8:
		return (*id)[:8]
	}
	return *id
}

// strata diff DATASET FROM TO [--limit N]
func runDiff(ctx context.Context, e *clientEnv, args []string) error {
	fs, url, key := e.flags("diff")
	limit := fs.Int("limit", 50, "most changed items to show")
	filter := filterFlags(fs)
	pos, err := e.parse(fs, url, key, args, 3, "diff DATASET FROM TO [--limit N] "+filterUsage+" [--json]")
	if err != nil {
		return err
	}
	if *limit < 0 {
		return usagef("--limit must be 0 or more")
	}
	d, err := e.dataset(ctx, pos[0])
	if err != nil {
		return err
	}
	var diff *apiclient.Diff
	var changes []apiclient.Change
	cursor := ""
	for {
		page := min(1000, max(1, *limit-len(changes)))
		p, err := e.client.Diff(ctx, d.ID, pos[1], pos[2], apiclient.DiffOptions{Limit: page, Cursor: cursor, Filter: *filter})
		if err != nil {
			return err
		}
		if diff == nil {
			diff = p
		}
		changes = append(changes, p.Changes...)
		if p.NextCursor == nil || len(changes) >= *limit {
			diff.NextCursor = p.NextCursor
			break
		}
		cursor = *p.NextCursor
	}
	diff.Changes = changes[:min(len(changes), *limit)]
	if e.json {
		return e.printJSON(diff)
	}
	c := diff.Counts
	fmt.Fprintf(e.stdout, "%s..%s: %d added, %d removed, %d modified, %d unchanged\n",
		sideName(diff.From, diff.FromVersionNumber), sideName(diff.To, diff.ToVersionNumber), c.Added, c.Removed, c.Modified, c.Unchanged)
	for _, ch := range diff.Changes {
		writeChange(e, ch)
	}
	if shown, total := len(diff.Changes), c.Added+c.Removed+c.Modified; shown < total {
		fmt.Fprintf(e.stdout, "... and %d more (--limit)\n", total-shown)
	}
	return nil
}

// sideName names a side of a diff: a version, or (no version) the working
// items.
func sideName(v *apiclient.Version, number int) string {
	if v == nil {
		return "working"
	}
	return "v" + strconv.Itoa(number)
}

// writeChange prints one changed item: + added, - removed, ~ modified with
// the fields that changed.
func writeChange(e *clientEnv, ch apiclient.Change) {
	switch ch.Change {
	case "added":
		fmt.Fprintf(e.stdout, "+ %s  %s\n", ch.ItemID, quoteLine(ch.After.Input))
	case "removed":
		fmt.Fprintf(e.stdout, "- %s  %s\n", ch.ItemID, quoteLine(ch.Before.Input))
	default:
		fmt.Fprintf(e.stdout, "~ %s\n", ch.ItemID)
		if ch.Before == nil || ch.After == nil {
			return
		}
		for _, f := range []struct {
			name          string
			before, after *string
		}{
			{"input", &ch.Before.Input, &ch.After.Input},
			{"groundTruth", ch.Before.GroundTruth, ch.After.GroundTruth},
			{"output", ch.Before.Output, ch.After.Output},
		} {
			if text(f.before) != text(f.after) || (f.before == nil) != (f.after == nil) {
				fmt.Fprintf(e.stdout, "    %s: %s -> %s\n", f.name, quotePtr(f.before), quotePtr(f.after))
			}
		}
		// Strata's fields, compared whole and shown cut: metadata as compact
		// JSON, splits as a list, the external id as a string.
		for _, f := range []struct {
			name          string
			before, after string
		}{
			{"metadata", compactJSON(ch.Before.Metadata), compactJSON(ch.After.Metadata)},
			{"splits", "[" + strings.Join(ch.Before.Splits, ", ") + "]", "[" + strings.Join(ch.After.Splits, ", ") + "]"},
			{"externalId", jsonString(ch.Before.ExternalID), jsonString(ch.After.ExternalID)},
		} {
			if f.before != f.after {
				fmt.Fprintf(e.stdout, "    %s: %s -> %s\n", f.name, oneLine(f.before, 100), oneLine(f.after, 100))
			}
		}
		for i, r := range [][2][]byte{
			{ch.Before.EvaluatorResult1, ch.After.EvaluatorResult1}, {ch.Before.EvaluatorResult2, ch.After.EvaluatorResult2},
			{ch.Before.EvaluatorResult3, ch.After.EvaluatorResult3}, {ch.Before.EvaluatorResult4, ch.After.EvaluatorResult4},
			{ch.Before.EvaluatorResult5, ch.After.EvaluatorResult5},
		} {
			if string(r[0]) != string(r[1]) {
				fmt.Fprintf(e.stdout, "    evaluatorResult%d: %s -> %s\n", i+1, oneLine(string(r[0]), 60), oneLine(string(r[1]), 60))
			}
		}
	}
}

// compactJSON is a JSON value on one line; metadata absent is {}, as the
// server shows an item without.
func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "{}"
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// jsonString is s quoted whole, or null.
func jsonString(s *string) string {
	if s == nil {
		return "null"
	}
	return strconv.Quote(*s)
}

func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func quotePtr(s *string) string {
	if s == nil {
		return "null"
	}
	return quoteLine(*s)
}

// quoteLine quotes s on one line, cut to a screen's width.
func quoteLine(s string) string { return strconv.Quote(cut(s, 70)) }

// oneLine is s on one line, cut to n runes: its line breaks and other
// control characters are written as Go escapes (\n, \x1b), so that text
// another user wrote (a version's description) neither breaks a listing
// nor acts on the terminal.
func oneLine(s string, n int) string { return cut(printable(s), n) }

func printable(s string) string {
	if !strings.ContainsFunc(s, notPrintable) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if notPrintable(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func notPrintable(r rune) bool { return r != ' ' && !unicode.IsPrint(r) }

// cut cuts s to n runes.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// datasetRef reads DATASET REF, or DATASET@REF alone, from pos.
func datasetRef(pos []string, usage string) (name, ref string, rest []string, err error) {
	if len(pos) == 0 {
		return "", "", nil, usagef("usage: strata %s", usage)
	}
	if name, ref, ok, err := splitRef(pos[0]); err != nil {
		return "", "", nil, err
	} else if ok {
		return name, ref, pos[1:], nil
	}
	if len(pos) < 2 {
		return "", "", nil, usagef("usage: strata %s", usage)
	}
	if pos[1] == "" {
		return "", "", nil, usagef("no REF: a version number, latest, a tag or an id")
	}
	return pos[0], pos[1], pos[2:], nil
}

// parseVar parses a command that takes min to max positional arguments.
func (e *clientEnv) parseVar(name string, args []string, min, max int, usage string) ([]string, error) {
	fs, url, key := e.flags(name)
	pos, err := e.parse(fs, url, key, args, -1, usage)
	if err != nil {
		return nil, err
	}
	if len(pos) < min || len(pos) > max {
		return nil, usagef("usage: strata %s", usage)
	}
	return pos, nil
}

// strata tag DATASET REF TAG
func runTag(ctx context.Context, e *clientEnv, args []string) error {
	const usage = "tag DATASET REF TAG (or DATASET@REF TAG) [--json]"
	pos, err := e.parseVar("tag", args, 2, 3, usage)
	if err != nil {
		return err
	}
	name, ref, rest, err := datasetRef(pos, usage)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("usage: strata %s", usage)
	}
	if err := strata.CheckTagName(rest[0]); err != nil {
		return usagef("tag %q: %s", rest[0], strata.ErrorMessage(err)) // as push --tag
	}
	d, err := e.dataset(ctx, name)
	if err != nil {
		return err
	}
	v, movedFrom, err := e.client.TagVersion(ctx, d.ID, ref, rest[0])
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"version": v, "movedFrom": movedFrom})
	}
	fmt.Fprintf(e.stdout, "tagged v%d %s", v.VersionNumber, rest[0])
	if movedFrom != nil && *movedFrom != v.VersionNumber {
		fmt.Fprintf(e.stdout, " (moved from v%d)", *movedFrom)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// strata untag DATASET TAG
func runUntag(ctx context.Context, e *clientEnv, args []string) error {
	fs, url, key := e.flags("untag")
	pos, err := e.parse(fs, url, key, args, 2, "untag DATASET TAG [--json]")
	if err != nil {
		return err
	}
	d, err := e.dataset(ctx, pos[0])
	if err != nil {
		return err
	}
	if err := e.client.DeleteTag(ctx, d.ID, pos[1]); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"dataset": d.ID, "tag": pos[1], "removed": true})
	}
	fmt.Fprintf(e.stdout, "removed tag %s\n", pos[1])
	return nil
}

// strata restore DATASET REF
func runRestore(ctx context.Context, e *clientEnv, args []string) error {
	const usage = "restore DATASET REF (or DATASET@REF) [--json]"
	pos, err := e.parseVar("restore", args, 1, 2, usage)
	if err != nil {
		return err
	}
	name, ref, rest, err := datasetRef(pos, usage)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return usagef("usage: strata %s", usage)
	}
	d, err := e.dataset(ctx, name)
	if err != nil {
		return err
	}
	r, err := e.client.RestoreVersion(ctx, d.ID, ref)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(r) // the dataset as every command prints it, with the items restored
	}
	fmt.Fprintf(e.stdout, "restored %s as v%d (%d items)\n", ref, r.CurrentVersionNumber, r.ItemCount)
	return nil
}
