package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/strata-eval/strata"
	"github.com/strata-eval/strata/importer"
)

func parseTemplates() map[string]*template.Template {
	funcs := template.FuncMap{
		"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") },
		"deref": func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		},
		"add1":      func(n int) int { return n + 1 },
		"hasPrefix": strings.HasPrefix,
		"results":   results,
		"metadata":  metadataText,
		"join":      strings.Join,
	}
	pages := map[string]*template.Template{}
	for _, name := range []string{"signin", "error", "datasets", "dataset", "versions", "version", "evaluators", "compare"} {
		pages[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles,
			"templates/layout.html", "templates/items.html", "templates/tabs.html", "templates/"+name+".html"))
	}
	return pages
}

// result is an evaluator result as a cell shows it.
type result struct {
	Slot int
	Text string
}

// results summarises an item's evaluator results: pass or fail when the
// result says, else its score, else its JSON, cut short.
func results(it *strata.Item) []result {
	var out []result
	for i, raw := range []json.RawMessage{it.EvaluatorResult1, it.EvaluatorResult2, it.EvaluatorResult3, it.EvaluatorResult4, it.EvaluatorResult5} {
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var v struct {
			Passed *bool    `json:"passed"`
			Pass   *bool    `json:"pass"`
			Score  *float64 `json:"score"`
			Error  string   `json:"error"`
		}
		json.Unmarshal(raw, &v)
		text := string(raw)
		switch {
		case v.Error != "":
			text = "error"
		case v.Passed != nil || v.Pass != nil:
			text = "fail"
			if (v.Passed != nil && *v.Passed) || (v.Pass != nil && *v.Pass) {
				text = "pass"
			}
		case v.Score != nil:
			text = strconv.FormatFloat(*v.Score, 'g', 3, 64)
		case len(text) > 40:
			text = text[:40] + "…"
		}
		out = append(out, result{Slot: i + 1, Text: text})
	}
	return out
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
	list, err := s.Store.ListDatasets(ss.Context(), ss.principal.ProjectID, f)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "datasets", s.data(ss, map[string]any{
		"Datasets": list, "Search": f.Search, "Sort": string(f.Sort), "Notice": ss.FormValue("notice"),
		"Sorts": []string{"newest", "alphabetical", "items", "updated"},
	}))
	return nil
}

func (s *Server) createDataset(w http.ResponseWriter, ss *session) error {
	c := strata.DatasetCreate{Name: strings.TrimSpace(ss.FormValue("name"))}
	if c.Name == "" {
		return strata.Errorf(strata.EINVALID, "A dataset needs a name.")
	}
	if d := strings.TrimSpace(ss.FormValue("description")); d != "" {
		c.Description = &d
	}
	d, err := s.Store.CreateDataset(ss.Context(), ss.principal.Actor(), c)
	if err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+d.ID, "Dataset created.")
}

// itemsPage reads one page of a version's items (0: the working version)
// after the item with seq after, and the dataset, in one snapshot.
func (s *Server) itemsPage(ss *session, datasetID string, version int) (*strata.Dataset, []*strata.Item, int64, error) {
	after, _ := strconv.ParseInt(ss.FormValue("after"), 10, 64)
	var (
		d     *strata.Dataset
		items []*strata.Item
	)
	filter, err := itemFilterForm(ss)
	if err != nil {
		return nil, nil, 0, err
	}
	q := strata.ItemQuery{
		ProjectID: ss.principal.ProjectID, DatasetID: datasetID, Version: version, AfterSeq: after,
		Limit: pageSize + 1, Search: strings.TrimSpace(ss.FormValue("search")), Filter: filter,
		OnDataset: func(ds *strata.Dataset) error { d = ds; return nil },
	}
	err = s.Store.ScanItems(ss.Context(), q, func(it *strata.Item) error { items = append(items, it); return nil })
	if err != nil {
		return nil, nil, 0, err
	}
	var next int64
	if len(items) > pageSize {
		items = items[:pageSize]
		next = items[pageSize-1].Seq
	}
	return d, items, next, nil
}

func (s *Server) datasetPage(w http.ResponseWriter, ss *session) error {
	d, items, next, err := s.itemsPage(ss, ss.PathValue("id"), 0)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "dataset", s.data(ss, map[string]any{
		"Dataset": d, "Items": items, "Next": next, "First": ss.FormValue("after") != "",
		"Search": ss.FormValue("search"), "Notice": ss.FormValue("notice"),
		"Split": ss.FormValue("split"), "Meta": ss.FormValue("meta"),
	}))
	return nil
}

func (s *Server) renameDataset(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	u := strata.DatasetUpdate{SetDescription: true}
	if name := strings.TrimSpace(ss.FormValue("name")); name != "" {
		u.Name = &name
	} else {
		return strata.Errorf(strata.EINVALID, "A dataset needs a name.")
	}
	if d := strings.TrimSpace(ss.FormValue("description")); d != "" {
		u.Description = &d
	}
	if _, err := s.Store.UpdateDataset(ss.Context(), ss.principal.Actor(), id, u, strata.WriteOptions{SkipVersion: true}); err != nil {
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
	in := strata.ItemInput{Input: ss.FormValue("input"), GroundTruth: optional(ss, "groundTruth"), Output: optional(ss, "output")}
	var err error
	if in.Metadata, in.Splits, in.ExternalID, err = itemFieldsForm(ss); err != nil {
		return err
	}
	if _, err := s.Store.CreateItem(ss.Context(), ss.principal.Actor(), id, in, working); err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id, "Item added.")
}

func (s *Server) updateItem(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	input := ss.FormValue("input")
	u := strata.ItemUpdate{Input: &input, GroundTruth: optional(ss, "groundTruth"), SetGroundTruth: true,
		Output: optional(ss, "output"), SetOutput: true, SetExternalID: true}
	var err error
	if u.Metadata, u.Splits, u.ExternalID, err = itemFieldsForm(ss); err != nil {
		return err
	}
	if _, err := s.Store.UpdateItem(ss.Context(), ss.principal.Actor(), id, ss.PathValue("itemId"), u, working); err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id, "Item saved.")
}

func (s *Server) deleteItem(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	if err := s.Store.DeleteItem(ss.Context(), ss.principal.Actor(), id, ss.PathValue("itemId"), working); err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id, "Item deleted.")
}

func (s *Server) saveVersion(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	c := strata.VersionCreate{Name: optional(ss, "name"), Description: optional(ss, "description")}
	v, _, err := s.Store.CreateVersion(ss.Context(), ss.principal.Actor(), id, c)
	if err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id, fmt.Sprintf("Saved version %d.", v.Number))
}

// importFile streams an uploaded CSV or JSONL file into the working version:
// the file is parsed as it arrives and never held whole.
func (s *Server) importFile(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	mr, err := ss.MultipartReader()
	if err != nil {
		return strata.Errorf(strata.EINVALID, "Choose a CSV or JSONL file to import.")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return strata.Errorf(strata.EINVALID, "Choose a CSV or JSONL file to import.")
		} else if err != nil {
			return strata.Errorf(strata.EINVALID, "The upload failed: %v", err)
		}
		if part.FormName() != "file" {
			continue
		}
		format := "jsonl"
		if strings.EqualFold(path.Ext(part.FileName()), ".csv") {
			format = "csv"
		}
		src, err := importer.New(format, part)
		if err != nil {
			return err
		}
		n, err := s.Store.ImportItems(ss.Context(), ss.principal.Actor(), id, src, working)
		if err != nil {
			return err
		}
		return redirect(w, ss, "/datasets/"+id, fmt.Sprintf("Imported %d items.", n))
	}
}

func (s *Server) versionsPage(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	d, err := s.Store.FindDataset(ss.Context(), ss.principal.ProjectID, id)
	if err != nil {
		return err
	}
	versions, err := s.Store.ListVersions(ss.Context(), ss.principal.ProjectID, id, 100)
	if err != nil {
		return err
	}
	authors, err := s.authors(ss)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "versions", s.data(ss, map[string]any{
		"Dataset": d, "Versions": versions, "Notice": ss.FormValue("notice"), "Numbers": versionNumbers(versions),
		"Authors": authors,
	}))
	return nil
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

// versionNumbers maps version ids to numbers, to show where a restore came
// from.
func versionNumbers(vs []*strata.Version) map[string]int {
	m := make(map[string]int, len(vs))
	for _, v := range vs {
		m[v.ID] = v.Number
	}
	return m
}

func (s *Server) versionPage(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	v, err := s.Store.ResolveVersion(ss.Context(), ss.principal.ProjectID, id, ss.PathValue("n"))
	if err != nil {
		return err
	}
	d, items, next, err := s.itemsPage(ss, id, v.Number)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "version", s.data(ss, map[string]any{
		"Dataset": d, "Version": v, "Items": items, "Next": next, "First": ss.FormValue("after") != "",
		"Split": ss.FormValue("split"), "Meta": ss.FormValue("meta"),
	}))
	return nil
}

func (s *Server) restore(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	from, err := s.Store.ResolveVersion(ss.Context(), ss.principal.ProjectID, id, ss.PathValue("n"))
	if err != nil {
		return err
	}
	_, v, err := s.Store.RestoreVersion(ss.Context(), ss.principal.Actor(), id, from.ID)
	if err != nil {
		return err
	}
	return redirect(w, ss, "/datasets/"+id, fmt.Sprintf("Restored: the dataset is now version %d.", v.Number))
}
