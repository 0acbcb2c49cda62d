package web

import "fmt"
import "net/http"
import "strconv"
import "strings"

import "github.com/strata-eval/strata"

// Unsaved changes: the edits since the last version, which the dataset's
// header counts and offers to review (the compare view, latest to working)
// or to discard (a restore of the latest version).

// unsavedChanges is what the header says of the working version.
type unsavedChanges struct {
	Count int
	// AtLeast: Count is a lower bound, too large to be worth reading the
	// changes to count them exactly: the difference of the item counts, or
	// the changes read up to maxCountedChanges.
	AtLeast bool
	Detail  string // "1 added · 2 modified"
}

// maxCountedChanges bounds the changes a page reads to count or summarise
// them: a diff reads every changed revision, and a page must stay fast
// after a 100,000-item import.
const maxCountedChanges = 5000

// unsaved counts the changes from the latest version to the working one.
// The diff reads only the changed revisions, so the cost is that of the
// unsaved edits, not of the dataset; when the item counts alone show more
// than maxCountedChanges changes, their difference is all it says, and the
// diff reads maxCountedChanges changes at most (edits that keep the count).
func (s *Server) unsaved(ss *session, d *strata.Dataset) (unsavedChanges, error) {
	latest, err := s.Store.ResolveVersion(ss.Context(), ss.principal.ProjectID, d.ID, strata.RefLatest)
	if err != nil {
		return unsavedChanges{}, err
	}
	if n := abs(d.ItemCount - latest.ItemCount); n > maxCountedChanges {
		kind := strata.ChangeAdded
		if d.ItemCount < latest.ItemCount {
			kind = strata.ChangeRemoved
		}
		return unsavedChanges{Count: n, AtLeast: true, Detail: "at least " + thousands(n) + " " + string(kind)}, nil
	}
	diff, err := s.Store.DiffVersions(ss.Context(), strata.DiffQuery{
		ProjectID: ss.principal.ProjectID, DatasetID: d.ID, From: strconv.Itoa(latest.Number), To: strata.RefWorking, Limit: 1,
		MaxChanges: maxCountedChanges,
	})
	if err != nil {
		return unsavedChanges{}, err
	}
	var detail []string
	for _, n := range []struct {
		count int
		kind  strata.ChangeKind
	}{{diff.Added, strata.ChangeAdded}, {diff.Removed, strata.ChangeRemoved}, {diff.Modified, strata.ChangeModified}} {
		if n.count > 0 {
			detail = append(detail, thousands(n.count)+" "+string(n.kind))
		}
	}
	u := unsavedChanges{Count: diff.Added + diff.Removed + diff.Modified, AtLeast: diff.Partial, Detail: strings.Join(detail, " · ")}
	if u.AtLeast {
		u.Detail = "at least " + u.Detail
	}
	return u, nil
}

// discard makes the working items those of the version the form names (the
// latest version when the page was shown), as a restore does, unless the
// dataset changed since the page was shown (shownDataset, conflict.go).
func (s *Server) discard(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	d, err := s.Store.FindDataset(ss.Context(), ss.principal.ProjectID, id)
	if err != nil {
		return err
	}
	ref := ss.FormValue("version")
	if _, err := strconv.Atoi(ref); err != nil {
		return strata.Errorf(strata.EINVALID, "Say which version to go back to.")
	}
	if ref != strconv.Itoa(d.CurrentVersionNumber) {
		// Going back further than the page showed would discard more
		// than the user saw counted.
		return strata.Errorf(strata.ECONFLICT, "Version %d was saved since the page was shown: reload it and check the changes again.", d.CurrentVersionNumber)
	}
	ctx, err := shownDataset(ss, d, "Nothing was discarded")
	if err != nil {
		return err
	}
	u, err := s.unsaved(ss, d)
	if err != nil {
		return err
	}
	if u.Count == 0 {
		return redirect(w, ss, "/datasets/"+id, "Nothing to discard: there are no unsaved changes.")
	}
	from, err := s.Store.ResolveVersion(ss.Context(), ss.principal.ProjectID, id, ref)
	if err != nil {
		return err
	}
	if _, _, err := s.Store.RestoreVersion(ctx, ss.principal.Actor(), id, from.ID); err != nil {
		return shownWrite(err, "Nothing was discarded")
	}
	counted := plural(u.Count, "unsaved change")
	if u.AtLeast {
		counted = thousands(u.Count) + "+ unsaved changes"
	}
	return redirect(w, ss, "/datasets/"+id, fmt.Sprintf("Discarded %s: the items are those of version %d again.", counted, from.Number))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// plural writes "1 change", "2 changes".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(n) + " " + noun + "s"
}
