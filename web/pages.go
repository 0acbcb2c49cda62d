package web

import "bytes"
import "context"
import "errors"
import "fmt"
import "html/template"
import "math"
import "net/http"
import "strconv"
import "strings"
import "time"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/internal/rules"

func parseTemplates() map[string]*template.Template {
	funcs := template.FuncMap{
		"when":        func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") },
		"deref":       deref,
		"add1":        func(n int) int { return n + 1 },
		"add":         func(a, b int) int { return a + b },
		"hasPrefix":   strings.HasPrefix,
		"judged":      itemResults,
		"cell":        cell,
		"thousands":   thousands,
		"short":       short,
		"preview":     previewText,
		"plural":      plural,
		"metadata":    metadataText,
		"join":        strings.Join,
		"itemVersion": itemVersion,    // conflict.go
		"dsVersion":   datasetVersion, // conflict.go
		"dict":        dict,
	}
	pages := map[string]*template.Template{}
	for _, name := range []string{"signin", "error", "datasets", "dataset", "versions", "version", "evaluators", "compare", "import", "item", "run", "conflict"} {
		pages[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles,
			"templates/layout.html", "templates/items.html", "templates/tabs.html", "templates/"+name+".html"))
	}
	return pages
}

// dict makes the argument of a template called with several values from
// its names and values, in pairs.
func dict(pairs ...any) (map[string]any, error) {
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("dict: %d arguments, not pairs", len(pairs))
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		name, ok := pairs[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: argument %d is no name", i)
		}
		m[name] = pairs[i+1]
	}
	return m, nil
}

// render writes a page, buffered, so that a template error is a clean 500.
func (s *Server) render(w http.ResponseWriter, status int, name string, data map[string]any) {
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, data); err != nil {
		if s.Logger != nil {
			s.Logger.Error("render", "page", name, "err", err)
		}
		http.Error(w, "page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) datasetsPage(w http.ResponseWriter, ss *session) error {
	f := strata.DatasetFilter{Search: strings.TrimSpace(ss.FormValue("search")), Sort: strata.DatasetSort(ss.FormValue("sort"))}
	switch f.Sort {
	case "", strata.SortNewest, strata.SortAlphabetical, strata.SortItems, strata.SortUpdated:
	default:
		f.Sort = ""
	}
	list, more, err := firstOf(func(fn func(*strata.Dataset) error) error {
		return s.Store.ListDatasets(ss.Context(), ss.principal.ProjectID, f, fn)
	}, datasetShown) // lists.go
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "datasets", s.data(ss, map[string]any{
		"Datasets": list, "More": more, "Search": f.Search, "Sort": string(f.Sort), "Notice": ss.notice(),
		"Sorts": []string{"newest", "alphabetical", "items", "updated"},
	}))
	return nil
}

func (s *Server) createDataset(w http.ResponseWriter, ss *session) error {
	c := strata.DatasetCreate{Name: strata.JSTrim(ss.FormValue("name"))}
	if d := strata.JSTrim(lineFeeds(ss.FormValue("description"))); d != "" {
		c.Description = &d
	}
	if err := c.Validate(); err != nil {
		return err
	}
	d, err := s.Store.CreateDataset(ss.Context(), ss.principal.Actor(), c)
	if err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+d.ID, "Dataset created.")
}

// itemsPage reads one page of a version's items (nil: the working items)
// after the item with seq after, and the dataset, in one snapshot.
func (s *Server) itemsPage(ss *session, datasetID string, v *strata.Version) (*strata.Dataset, []*strata.Item, listing, error) {
	version := 0
	if v != nil {
		version = v.Number
	}
	after, _ := strconv.ParseInt(ss.FormValue("after"), 10, 64)
	size := pageSizeOf(ss)
	var (
		d     *strata.Dataset
		items []*strata.Item
	)
	filter, err := itemFilterForm(ss)
	if err != nil {
		return nil, nil, listing{}, err
	}
	q := strata.ItemQuery{
		ProjectID: ss.principal.ProjectID, DatasetID: datasetID, Version: version, AfterSeq: after,
		Limit: size + 1, Search: strings.TrimSpace(ss.FormValue("search")), Filter: filter,
	}
	scan, err := s.Store.OpenItems(ss.Context(), q)
	if err != nil {
		return nil, nil, listing{}, err
	}
	defer scan.Close()
	d = scan.Dataset()
	var next int64
	bytes := 0
	for it, err := range scan.Items() {
		if err != nil {
			return nil, nil, listing{}, err
		}
		if len(items) == size || (len(items) > 0 && bytes >= pageBytes) { // and one more follows
			next = items[len(items)-1].Seq
			break
		}
		items = append(items, it)
		bytes += itemBytes(it)
	}
	total := d.ItemCount
	if v != nil {
		total = v.ItemCount
	}
	if q.Search != "" || filter.String() != "" { // the matches are not counted
		total = -1
	}
	list := itemList(d.ID, version, q.Search, filter, d.ETag) // table.go
	return d, items, newListing(ss, list, after, size, len(items), total, next), nil
}

func (s *Server) datasetPage(w http.ResponseWriter, ss *session) error {
	d, items, list, err := s.itemsPage(ss, ss.PathValue("id"), nil)
	if err != nil {
		return err
	}
	unsaved, err := s.unsaved(ss, d)
	if err != nil {
		return err
	}
	slots, err := s.slotEvaluators(ss, d)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "dataset", s.data(ss, map[string]any{
		"Dataset": d, "Items": items, "List": list, "First": ss.FormValue("after") != "", "Slots": slots,
		"Search": strings.TrimSpace(ss.FormValue("search")), "Notice": ss.notice(), "Unsaved": unsaved,
		"Split": ss.FormValue("split"), "Meta": ss.FormValue("meta"),
	}))
	return nil
}

// renameDataset saves the Dataset form: the name and description, unless
// they changed since the page showed them (conflict.go).
func (s *Server) renameDataset(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	name := strata.JSTrim(ss.FormValue("name"))
	u := strata.DatasetUpdate{Name: &name, SetDescription: true}
	if d := strata.JSTrim(lineFeeds(ss.FormValue("description"))); d != "" {
		u.Description = &d
	}
	if err := u.Validate(); err != nil {
		return err
	}
	shown := ss.PostFormValue("version")
	var now *strata.Dataset
	err := s.writeShown(ss, id, shown != "", func(_ context.Context, d *strata.Dataset) error {
		if now = d; shown != "" && datasetVersion(d) != shown {
			if datasetVersion(&strata.Dataset{Name: name, Description: u.Description}) == datasetVersion(d) {
				return errSaved // the form's text is there already (a second submit)
			}
			return errStale
		}
		return nil
	}, func(ctx context.Context) error {
		_, err := s.Store.UpdateDataset(ctx, ss.principal.Actor(), id, u, strata.WriteOptions{SkipVersion: true})
		return err
	})
	if errors.Is(err, errSaved) {
		err = nil
	}
	if errors.Is(err, errStale) {
		return s.datasetConflict(w, ss, now)
	} else if err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id, "Saved. Save a version to keep it in the history.")
}

func (s *Server) duplicateDataset(w http.ResponseWriter, ss *session) error {
	d, err := s.Store.DuplicateDataset(ss.Context(), ss.principal.Actor(), ss.PathValue("id"))
	if err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+d.ID, "Duplicated as "+d.Name+".")
}

func (s *Server) deleteDataset(w http.ResponseWriter, ss *session) error {
	if err := s.Store.DeleteDataset(ss.Context(), ss.principal.Actor(), ss.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, ss, "/datasets", "Dataset deleted.")
}

// optional returns a form field as a nullable value: empty is null.
func optional(ss *session, name string) *string {
	v := ss.FormValue(name)
	if v == "" {
		return nil
	}
	return &v
}

// Edits made in the pages stay in the working version until "Save version".
var working = strata.WriteOptions{SkipVersion: true}

func (s *Server) createItem(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	in := strata.ItemInput{Input: deref(textareaValue(ss, "input", nil)), GroundTruth: textareaValue(ss, "groundTruth", nil),
		Output: textareaValue(ss, "output", nil)}
	var err error
	if in.Metadata, in.Splits, in.ExternalID, err = itemFieldsForm(ss); err != nil {
		return err
	}
	if err := s.checkItem(in.Input, in.GroundTruth, in.Output, in.Validate); err != nil {
		return err
	}
	if _, err := s.Store.CreateItem(ss.Context(), ss.principal.Actor(), id, in, working); err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id, "Item added.")
}

// updateItem saves an item's Edit form, unless the item changed since the
// page showed it (its "version", conflict.go): then the form comes back
// with the user's text, and nothing is saved.
func (s *Server) updateItem(w http.ResponseWriter, ss *session) error {
	id, itemID := ss.PathValue("id"), ss.PathValue("itemId")
	shown := ss.PostFormValue("version")
	place, etag := tablePlaceOf(ss), ""
	var (
		dataset *strata.Dataset
		current *strata.Item
	)
	err := s.writeShown(ss, id, shown != "", func(ctx context.Context, d *strata.Dataset) error {
		dataset = d
		var err error
		current, err = s.Store.FindItem(ctx, ss.principal.ProjectID, id, itemID)
		switch {
		case shown != "" && strata.ErrorCode(err) == strata.ENOTFOUND:
			return errStale // deleted since
		case err != nil:
			return err
		case shown == "":
			return nil
		}
		place.hold(ss, d, current.Seq)
		if itemVersion(current) != shown {
			if u, err := itemForm(ss, current); err == nil && itemVersion(updated(current, u)) == itemVersion(current) {
				etag = d.ETag   // nothing is written
				return errSaved // the form's text is there already (a second submit)
			}
			return errStale
		}
		return nil
	}, func(ctx context.Context) error {
		u, err := itemForm(ss, current)
		if err != nil {
			return err
		}
		if err := s.checkItem(*u.Input, u.GroundTruth, u.Output, u.Validate); err != nil {
			return err
		}
		if _, err = s.Store.UpdateItem(ctx, ss.principal.Actor(), id, itemID, u, working); err != nil {
			return err
		}
		etag = strata.ConditionOf(ctx).ETag()
		return nil
	})
	if errors.Is(err, errSaved) {
		err = nil
	}
	if errors.Is(err, errStale) {
		// The item as it is now (nil: deleted), beside the user's text.
		now, err := s.Store.FindItem(ss.Context(), ss.principal.ProjectID, id, itemID)
		if err != nil && strata.ErrorCode(err) != strata.ENOTFOUND {
			return err
		}
		return s.itemConflict(w, ss, dataset, itemID, now)
	} else if err != nil {
		return err
	}
	return redirect(w, ss, place.url(ss, id, etag), "Item saved.")
}

// itemForm is the update an item's Edit form makes of current. The form
// holds every field: those it sends back as they were (up to their line
// breaks, itemfields.go) are left as they are.
func itemForm(ss *session, current *strata.Item) (strata.ItemUpdate, error) {
	input := deref(textareaValue(ss, "input", &current.Input))
	u := strata.ItemUpdate{Input: &input, GroundTruth: textareaValue(ss, "groundTruth", current.GroundTruth), SetGroundTruth: true,
		Output: textareaValue(ss, "output", current.Output), SetOutput: true, SetExternalID: true}
	var err error
	u.Metadata, u.Splits, u.ExternalID, err = itemFieldsForm(ss)
	return u, err
}

// updated is it with the fields of u, for comparing what a form would
// leave with what is there.
func updated(it *strata.Item, u strata.ItemUpdate) *strata.Item {
	out := *it
	out.Input, out.GroundTruth, out.Output, out.ExternalID = *u.Input, u.GroundTruth, u.Output, u.ExternalID
	out.Metadata = u.Metadata
	if splits, err := strata.NormalizeSplits(u.Splits); err == nil {
		out.Splits = splits
	}
	return &out
}

// deleteItem deletes an item from the working items, and goes back to the
// page of the table its form was on (tablePlace), or to the first page when
// that page has no item left. An item that is not there is deleted already
// (the form sent twice, or another tab's delete): that is done too, as an
// Edit form sent twice is saved (a draft's delete leaves no trace to tell
// it from an item that never was, and the forms name only items that were).
func (s *Server) deleteItem(w http.ResponseWriter, ss *session) error {
	id, itemID := ss.PathValue("id"), ss.PathValue("itemId")
	place := tablePlaceOf(ss)
	etag, found := "", false
	err := s.writeShown(ss, id, place.positioned(), func(ctx context.Context, d *strata.Dataset) error {
		if found = true; !place.positioned() {
			return nil
		}
		it, err := s.Store.FindItem(ctx, ss.principal.ProjectID, id, itemID)
		if err != nil {
			return err
		}
		place.hold(ss, d, it.Seq)
		return nil
	}, func(ctx context.Context) error {
		if err := s.Store.DeleteItem(ctx, ss.principal.Actor(), id, itemID, working); err != nil {
			return err
		}
		etag = strata.ConditionOf(ctx).ETag()
		return nil
	})
	if found && strata.ErrorCode(err) == strata.ENOTFOUND {
		err = nil // the dataset is there, the item is not: deleted already
	}
	if err != nil {
		return err
	}
	if place.after > 0 {
		empty, err := s.noItemAfter(ss, id, place)
		if err != nil {
			return err
		}
		if empty {
			place.after = 0 // the first page: the page before has no cursor to go back to
		}
	}
	return redirect(w, ss, place.url(ss, id, etag), "Item deleted.")
}

// noItemAfter reports whether the page of the working items' table at place
// is empty.
func (s *Server) noItemAfter(ss *session, datasetID string, place tablePlace) (bool, error) {
	filter, err := itemFilterForm(ss)
	if err != nil {
		return false, err
	}
	scan, err := s.Store.OpenItems(ss.Context(), strata.ItemQuery{
		ProjectID: ss.principal.ProjectID, DatasetID: datasetID, AfterSeq: place.after, Limit: 1,
		Search: place.search, Filter: filter,
	})
	if err != nil {
		return false, err
	}
	defer scan.Close()
	for _, err := range scan.Items() {
		return false, err
	}
	return true, nil
}

func (s *Server) saveVersion(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	c := strata.VersionCreate{Name: optional(ss, "name"), Description: textareaValue(ss, "description", nil)}
	if err := c.Validate(); err != nil {
		return err
	}
	v, _, err := s.Store.CreateVersion(ss.Context(), ss.principal.Actor(), id, c)
	if err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id, fmt.Sprintf("Saved version %d.", v.Number))
}

// checkItem applies the API's rules to an item's fields: the field size
// limit, then the domain's (validate).
func (s *Server) checkItem(input string, groundTruth, output *string, validate func() error) error {
	if err := rules.CheckFieldSizes(input, groundTruth, output, s.API.EffectiveLimits().MaxFieldBytes); err != nil {
		return err
	}
	return validate()
}

// importFile imports an uploaded CSV or JSONL file into the working
// version, under the API's import limits. The file is received into a
// temporary file first, within the import's byte limit and the request's
// deadline, so that the import's transaction never waits on the network.
func (s *Server) importFile(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	// A dataset that is not there is reported before the file is read.
	if _, err := s.Store.FindDataset(ss.Context(), ss.principal.ProjectID, id); err != nil {
		return err
	}
	u, err := s.receiveImport(w, ss) // import.go
	if err != nil {
		return err
	}
	defer u.spool.Close()
	src, err := s.API.ImportConfig(u.mapping).New(u.format, u.spool)
	if err != nil {
		return err
	}
	n, err := rules.ImportItems(ss.Context(), s.Store, ss.principal.Actor(), id, src, working, s.API.ImportLimits())
	if err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id, "Imported "+plural(n, "item")+".")
}

func (s *Server) versionsPage(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	d, err := s.Store.FindDataset(ss.Context(), ss.principal.ProjectID, id)
	if err != nil {
		return err
	}
	before, err := versionsBefore(ss)
	if err != nil {
		return err
	}
	versions, err := s.Store.ListVersions(ss.Context(), ss.principal.ProjectID, id, before, versionsPageSize)
	if err != nil {
		return err
	}
	authors, err := s.authors(ss)
	if err != nil {
		return err
	}
	// Older versions may be there when the page is full and its last
	// version is not the first.
	older := 0
	if n := len(versions); n == versionsPageSize && versions[n-1].Number > 1 {
		older = versions[n-1].Number
	}
	restores, err := s.restoreStateOf(ss, d)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "versions", s.data(ss, map[string]any{
		"Dataset": d, "Versions": versions, "Notice": ss.notice(), "Restores": restores,
		"Authors": authors, "Older": older, "Paged": before > 0, "Before": before,
	}))
	return nil
}

// versionsPageSize is how many versions the versions page lists at once.
const versionsPageSize = 100

// versionsBefore reads the before of the versions page: list the versions
// numbered below it (0, when it is absent: the newest). Anything but a
// positive whole number is refused, as the API refuses it; one beyond any
// version number means no bound.
func versionsBefore(ss *session) (int, error) {
	raw := ss.FormValue("before")
	if raw == "" {
		return 0, nil
	}
	digits := strings.Trim(raw, "0123456789") == ""
	n, err := strconv.Atoi(raw)
	switch {
	case digits && err != nil: // too large for an int
		return 0, nil
	case !digits || n < 1:
		return 0, &strata.ValidationError{Issues: []strata.Issue{{Path: "before",
			Message: "Expected a version number (a whole number of at least 1), received " + strconv.Quote(raw)}}}
	case n > math.MaxInt32: // beyond any version number
		return 0, nil
	}
	return n, nil
}

// authors maps the ids of the users of the session's project to their
// names, to say who made each version.
func (s *Server) authors(ss *session) (map[string]string, error) {
	keys, err := s.Store.ListKeys(ss.Context(), "")
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, k := range keys {
		if k.ProjectID == ss.principal.ProjectID {
			names[k.UserID] = k.UserName
		}
	}
	return names, nil
}

// restoreState is what tells whether restoring a version would change
// anything: the pages offer no restore that would record a version with the
// same items as the one before it.
type restoreState struct {
	Unsaved bool            // the working items differ from the newest version
	Head    *strata.Version // the newest version
}

// Changes reports whether restoring v would change the items: there are
// unsaved changes, or v's content (its hash) is not the newest version's.
func (r restoreState) Changes(v *strata.Version) bool {
	return r.Unsaved || r.Head == nil || v.ContentHash != r.Head.ContentHash
}

// restoreStateOf reads the dataset's restoreState, for a session that may
// restore (for another, nothing is offered: the zero state).
func (s *Server) restoreStateOf(ss *session, d *strata.Dataset) (restoreState, error) {
	if !ss.canWrite() || d.CurrentVersionNumber == 0 {
		return restoreState{}, nil
	}
	head, err := s.Store.ResolveVersion(ss.Context(), ss.principal.ProjectID, d.ID, strata.RefLatest)
	if err != nil {
		return restoreState{}, err
	}
	if d.ItemCount != head.ItemCount {
		return restoreState{Unsaved: true, Head: head}, nil
	}
	// Whether there is a change, not how many: the diff stops at the first.
	diff, err := s.Store.DiffVersions(ss.Context(), strata.DiffQuery{ProjectID: ss.principal.ProjectID, DatasetID: d.ID,
		From: strconv.Itoa(head.Number), To: strata.RefWorking, Limit: 1, MaxChanges: 1})
	if err != nil {
		return restoreState{}, err
	}
	return restoreState{Unsaved: diff.Added+diff.Removed+diff.Modified > 0, Head: head}, nil
}

// restore makes the working items those of a version, unless the dataset
// changed since the page was shown (shownDataset, conflict.go) or that would
// change nothing.
func (s *Server) restore(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	d, err := s.Store.FindDataset(ss.Context(), ss.principal.ProjectID, id)
	if err != nil {
		return err
	}
	from, err := s.Store.ResolveVersion(ss.Context(), ss.principal.ProjectID, id, ss.PathValue("n"))
	if err != nil {
		return err
	}
	ctx, err := shownDataset(ss, d, "Nothing was restored")
	if err != nil {
		return err
	}
	// A page shown before the changes were saved or discarded.
	state, err := s.restoreStateOf(ss, d)
	if err != nil {
		return err
	}
	if !state.Changes(from) {
		notice := fmt.Sprintf("Nothing to restore: the items are those of version %d, with no unsaved changes.", from.Number)
		if from.Number != state.Head.Number {
			notice = fmt.Sprintf("Nothing to restore: the items are those of version %d, the same as version %d's, with no unsaved changes.", state.Head.Number, from.Number)
		}
		return redirect(w, ss, "/datasets/"+id, notice)
	}
	_, v, err := s.Store.RestoreVersion(ctx, ss.principal.Actor(), id, from.ID)
	if err != nil {
		return shownWrite(err, "Nothing was restored")
	}
	return redirect(w, ss, "/datasets/"+id, fmt.Sprintf("Restored: the dataset is now version %d.", v.Number))
}
