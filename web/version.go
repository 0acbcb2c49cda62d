package web

import "net/http"
import "strconv"

import "github.com/strata-eval/strata"

// The version page: what changed from the version before (counts, the first
// changes with their changed words marked, a link to the whole comparison),
// the version's tags, who made it, and then its items, their results named
// and judged as the run that gave them recorded its evaluators
// (versionEvaluators), not as the slots are now.

// firstChanges is how many changes the version page shows before linking to
// the compare view.
const firstChanges = 5

func (s *Server) versionPage(w http.ResponseWriter, ss *session) error {
	ctx, id, project := ss.Context(), ss.PathValue("id"), ss.principal.ProjectID
	v, err := s.Store.ResolveVersion(ctx, project, id, ss.PathValue("n"))
	if err != nil {
		return err
	}
	d, items, list, err := s.itemsPage(ss, id, v)
	if err != nil {
		return err
	}
	var (
		diff    *strata.Diff
		changes []changeView
		prev    *strata.Version
	)
	if v.Number > 1 {
		if prev, err = s.Store.ResolveVersion(ctx, project, id, strconv.Itoa(v.Number-1)); err != nil {
			return err
		}
	}
	// The summary reads the changes; when the item counts alone show more
	// than maxCountedChanges, it says so and leaves them to the compare view.
	if prev != nil && abs(v.ItemCount-prev.ItemCount) <= maxCountedChanges {
		diff, err = s.Store.DiffVersions(ctx, strata.DiffQuery{
			ProjectID: project, DatasetID: id, From: strconv.Itoa(v.Number - 1), To: strconv.Itoa(v.Number), Limit: firstChanges,
		})
		if err != nil {
			return err
		}
		if changes, err = s.changeViews(ss, d, diff); err != nil { // compare.go
			return err
		}
	}
	slots, err := s.versionEvaluators(ss, d, v.Number) // item.go
	if err != nil {
		return err
	}
	authors, err := s.authors(ss)
	if err != nil {
		return err
	}
	var restoredFrom *strata.Version
	if v.RestoredFromVersionID != nil {
		if restoredFrom, err = s.Store.ResolveVersion(ctx, project, id, *v.RestoredFromVersionID); err != nil {
			return err
		}
	}
	restores, err := s.restoreStateOf(ss, d) // pages.go
	if err != nil {
		return err
	}
	author := ""
	if v.CreatedBy != nil {
		author = authors[*v.CreatedBy]
	}
	s.render(w, http.StatusOK, "version", s.data(ss, map[string]any{
		"Dataset": d, "Version": v, "Previous": prev, "Items": items, "List": list, "First": ss.FormValue("after") != "",
		"Split": ss.FormValue("split"), "Meta": ss.FormValue("meta"),
		"Search": ss.FormValue("search"), "Diff": diff, "Changes": changes, "Author": author, "RestoredFrom": restoredFrom,
		"Notice": ss.notice(), "Slots": slots, "Restores": restores,
	}))
	return nil
}
