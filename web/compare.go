package web

import "cmp"
import "context"
import "html/template"
import "net/http"
import "slices"
import "strconv"
import "strings"
import "unicode"

import "github.com/strata-eval/strata"

// fieldDiff is one field of a changed item, with the changed words marked.
type fieldDiff struct {
	Name    string
	HTML    template.HTML
	Changed bool
}

// changeView is a change as the compare page shows it.
type changeView struct {
	*strata.Change
	Fields []fieldDiff
}

func (s *Server) comparePage(w http.ResponseWriter, ss *session) error {
	ctx, id, project := ss.Context(), ss.PathValue("id"), ss.principal.ProjectID
	d, err := s.Store.FindDataset(ctx, project, id)
	if err != nil {
		return err
	}
	versions, err := s.Store.ListVersions(ctx, project, id, 0, 100)
	if err != nil {
		return err
	}
	from, to := ss.FormValue("from"), ss.FormValue("to")
	if from == "" {
		from = strata.RefLatest
	}
	if to == "" {
		to = strata.RefWorking
	}
	after, _ := strconv.ParseInt(ss.FormValue("after"), 10, 64)
	diff, err := s.Store.DiffVersions(ctx, strata.DiffQuery{ProjectID: project, DatasetID: id, From: from, To: to, AfterSeq: after, Limit: pageSize})
	if err != nil {
		return err
	}
	// The versions to pick from are the newest 100; a version compared from
	// an older page of versions is offered too, so the form keeps it.
	for _, ref := range []string{from, to} {
		if versions, err = withVersion(ctx, s.Store, project, id, versions, ref); err != nil {
			return err
		}
	}
	changes := make([]changeView, len(diff.Changes))
	for i, c := range diff.Changes {
		changes[i] = changeView{Change: c, Fields: fieldDiffs(c)}
	}
	var next int64
	if diff.More && len(diff.Changes) > 0 {
		next = diff.Changes[len(diff.Changes)-1].Seq
	}
	s.render(w, http.StatusOK, "compare", s.data(ss, map[string]any{
		"Dataset": d, "Versions": versions, "From": from, "To": to, "Diff": diff, "Changes": changes, "Next": next,
	}))
	return nil
}

// withVersion adds to versions, newest first, the version a ref names by
// its number when they do not hold it.
func withVersion(ctx context.Context, store strata.VersionStore, project, id string, versions []*strata.Version, ref string) ([]*strata.Version, error) {
	n, err := strconv.Atoi(ref)
	if err != nil || n < 1 || strconv.Itoa(n) != ref {
		return versions, nil
	}
	i, found := slices.BinarySearchFunc(versions, n, func(v *strata.Version, n int) int { return cmp.Compare(n, v.Number) })
	if found {
		return versions, nil
	}
	v, err := store.ResolveVersion(ctx, project, id, ref)
	if err != nil {
		return nil, err
	}
	return slices.Insert(slices.Clone(versions), i, v), nil
}

// fieldDiffs marks what changed in each field of an item.
func fieldDiffs(c *strata.Change) []fieldDiff {
	get := func(it *strata.Item) [5]string {
		if it == nil {
			return [5]string{}
		}
		splits := strings.Join(it.Splits, ", ")
		if it.ExternalID != nil {
			splits = strings.TrimPrefix(splits+" · id "+*it.ExternalID, " · ")
		}
		return [5]string{it.Input, deref(it.GroundTruth), deref(it.Output), splits, metadataText(it.Metadata)}
	}
	before, after := get(c.Before), get(c.After)
	var out []fieldDiff
	for i, name := range []string{"Input", "Ground truth", "Output", "Splits", "Metadata"} {
		// An added or removed item is shown as it is; a modified one with
		// its changed words marked.
		if c.Before == nil || c.After == nil {
			out = append(out, fieldDiff{Name: name, HTML: template.HTML(template.HTMLEscapeString(before[i] + after[i]))})
			continue
		}
		html, changed := wordDiff(before[i], after[i])
		out = append(out, fieldDiff{Name: name, HTML: html, Changed: changed})
	}
	return out
}

// deref is a nullable text, null as empty.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// maxDiffTokens bounds the word diff, which is quadratic: longer texts are
// shown whole, old struck out and new inserted.
const maxDiffTokens = 1500

// wordDiff returns the words of b with those not in a marked <ins>, and the
// words of a not in b marked <del>, in order.
func wordDiff(a, b string) (template.HTML, bool) {
	if a == b {
		return template.HTML(template.HTMLEscapeString(a)), false
	}
	ta, tb := tokens(a), tokens(b)
	var sb strings.Builder
	mark := func(tag, text string) {
		if text != "" {
			sb.WriteString("<" + tag + ">" + template.HTMLEscapeString(text) + "</" + tag + ">")
		}
	}
	if len(ta) > maxDiffTokens || len(tb) > maxDiffTokens {
		mark("del", a)
		mark("ins", b)
		return template.HTML(sb.String()), true
	}
	// Longest common subsequence of tokens, then a walk that emits it.
	lcs := make([][]int, len(ta)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(tb)+1)
	}
	for i := len(ta) - 1; i >= 0; i-- {
		for j := len(tb) - 1; j >= 0; j-- {
			if ta[i] == tb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(ta) || j < len(tb) {
		switch {
		case i < len(ta) && j < len(tb) && ta[i] == tb[j]:
			sb.WriteString(template.HTMLEscapeString(ta[i]))
			i, j = i+1, j+1
		case i < len(ta) && (j == len(tb) || lcs[i+1][j] >= lcs[i][j+1]):
			mark("del", ta[i]) // what went comes before what replaced it
			i++
		default:
			mark("ins", tb[j])
			j++
		}
	}
	return template.HTML(sb.String()), true
}

// tokens splits text into words and the runs of spaces and punctuation
// between them, so that joining them gives the text back.
func tokens(s string) []string {
	var out []string
	start := 0
	kind := func(r rune) int {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return 0
		case unicode.IsSpace(r):
			return 1
		}
		return 2
	}
	prev := -1
	for i, r := range s {
		k := kind(r)
		if prev != -1 && (k != prev || k == 2) {
			out = append(out, s[start:i])
			start = i
		}
		prev = k
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
