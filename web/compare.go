package web

import "bytes"
import "cmp"
import "context"
import "encoding/json"
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
	// Results say what changed in a modified item's evaluator results, a
	// line per slot: an item whose results alone changed is modified too.
	Results []string
}

// changeViews lays out a page of a diff's changes, with the evaluator
// results' changes named by the slots of each side (diffEvaluators), read
// only when some modified item's results changed.
func (s *Server) changeViews(ss *session, d *strata.Dataset, diff *strata.Diff) ([]changeView, error) {
	out := make([]changeView, len(diff.Changes))
	var from, to *[strata.MaxEvaluatorSlots]slotEvaluator
	for i, c := range diff.Changes {
		out[i] = changeView{Change: c, Fields: fieldDiffs(c)}
		if c.Before == nil || c.After == nil || sameResults(c.Before, c.After) {
			continue
		}
		if from == nil {
			f, err := s.diffEvaluators(ss, d, diff.From)
			if err != nil {
				return nil, err
			}
			t, err := s.diffEvaluators(ss, d, diff.To)
			if err != nil {
				return nil, err
			}
			from, to = &f, &t
		}
		out[i].Results = resultDiffs(c.Before, c.After, *from, *to)
	}
	return out, nil
}

// diffEvaluators are the evaluators that gave the results of a side of a
// diff: a version's as its page names them, the working version's slots
// (nil) as they are now.
func (s *Server) diffEvaluators(ss *session, d *strata.Dataset, v *strata.Version) ([strata.MaxEvaluatorSlots]slotEvaluator, error) {
	if v == nil {
		return s.slotEvaluators(ss, d) // item.go
	}
	return s.versionEvaluators(ss, d, v.Number)
}

// resultDiffs says, slot by slot, how the evaluator results of an item
// changed from before to after: the evaluator (as the newer side names it,
// and the older too when another evaluator gave its result), the verdict
// under each side's pass rule, and each value of the result that changed:
// "TS: pass → fail · passed true → false · score 0.91 → 0.42".
func resultDiffs(before, after *strata.Item, from, to [strata.MaxEvaluatorSlots]slotEvaluator) []string {
	rb, ra := results(before), results(after)
	var out []string
	for i := range rb {
		if bytes.Equal(rb[i], ra[i]) {
			continue
		}
		name := to[i].Name
		switch {
		case name == "":
			name = from[i].Name
		case from[i].Name != "" && from[i].Name != name && rb[i] != nil:
			name = from[i].Name + " → " + name
		}
		if name == "" {
			name = "slot " + strconv.Itoa(i+1)
		}
		parts := []string{}
		ob, oa := outcomeNames[strata.PassOutcome(from[i].Config, rb[i])], outcomeNames[strata.PassOutcome(to[i].Config, ra[i])]
		if ob != oa {
			parts = append(parts, or(ob, "no result")+" → "+or(oa, "no result"))
		}
		parts = append(parts, valueChanges(rb[i], ra[i])...)
		if len(parts) == 0 {
			parts = append(parts, "changed")
		}
		out = append(out, name+": "+strings.Join(parts, " · "))
	}
	return out
}

// resultKeys are the values of a result said first, in this order; the
// others follow by name.
var resultKeys = []string{"passed", "score", "label", "primaryLabel", "output"}

// valueChanges lists the values of two results (JSON objects, nil for
// none) that differ: "score 0.91 → 0.42", short values in full, a long one
// (a reason) only as changed.
func valueChanges(before, after json.RawMessage) []string {
	var b, a map[string]json.RawMessage
	okB := before == nil || json.Unmarshal(before, &b) == nil
	okA := after == nil || json.Unmarshal(after, &a) == nil
	if !okB || !okA { // not objects: the results themselves
		return []string{resultValue(before) + " → " + resultValue(after)}
	}
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		if !slices.Contains(resultKeys, k) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var out []string
	for _, k := range append(slices.Clone(resultKeys), names...) {
		if !keys[k] || bytes.Equal(b[k], a[k]) {
			continue
		}
		vb, va := resultValue(b[k]), resultValue(a[k])
		if len(vb) > maxResultValue || len(va) > maxResultValue {
			out = append(out, k+" changed")
		} else {
			out = append(out, k+" "+vb+" → "+va)
		}
	}
	return out
}

// maxResultValue is the longest value valueChanges writes out.
const maxResultValue = 40

// resultValue writes a JSON value of a result: a string as its text,
// anything else as JSON, none as "none".
func resultValue(raw json.RawMessage) string {
	if raw == nil {
		return "none"
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return strconv.Quote(text)
	}
	return string(raw)
}

// or is s, or else when s is empty.
func or(s, orElse string) string {
	if s == "" {
		return orElse
	}
	return s
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
	changes, err := s.changeViews(ss, d, diff)
	if err != nil {
		return err
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
