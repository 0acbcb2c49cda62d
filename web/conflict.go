package web

import "context"
import "encoding/base64"
import "errors"
import "net/http"
import "strings"

import "github.com/strata-eval/strata"

// Lost updates. An edit form carries, as "version", a digest of what the
// page showed of the thing it edits (an item's fields, a dataset's name and
// description). Saving it checks that digest against what is there now: if
// another tab or another user changed it since, the save is refused (409),
// and the page shows the form again with the user's text, beside what is
// there now, rather than silently undo the other change. The check and the
// write cannot be separated by another write: the write is made under the
// dataset's ETag read before the check (If-Match, as the API's), and tried
// again when anything else in the dataset changed in between. The digest is
// of the content, not the dataset's ETag, so that editing one item does not
// refuse the edit of another. A form without "version" (a script's) is
// written as the API writes a request without If-Match.

// shownDigest is the digest of a page's fields (strata.DigestFields).
func shownDigest(fields ...*string) string {
	d := strata.DigestFields(fields...)
	return base64.RawURLEncoding.EncodeToString(d[:18])
}

// itemVersion is the version of an item's editable fields that a page shows.
func itemVersion(it *strata.Item) string {
	splits, metadata := strings.Join(it.Splits, "\x00"), string(it.Metadata)
	return shownDigest(&it.Input, it.GroundTruth, it.Output, &splits, it.ExternalID, &metadata)
}

// datasetVersion is the version of a dataset's name and description that a
// page shows.
func datasetVersion(d *strata.Dataset) string {
	return shownDigest(&d.Name, d.Description)
}

// errStale is a save refused because what its form showed has changed;
// errSaved a check that found the form's text there already (the form sent
// twice): nothing to write.
var (
	errStale = errors.New("changed since the page was shown")
	errSaved = errors.New("saved already")
)

// writeShown runs check, then write, under a condition that nothing in the
// dataset changed since before check read it; with checked false (a form
// without "version") there is no condition. check returns errStale when
// the form's version is no longer what is there. A save that other changes
// of the dataset keep beating (saves released together after an import)
// is checked and tried again until it is written or stale, or its request
// ends: what it showed is checked every time, so it is never refused
// while that is unchanged.
func (s *Server) writeShown(ss *session, datasetID string, checked bool,
	check func(ctx context.Context, d *strata.Dataset) error, write func(ctx context.Context) error) error {
	for {
		ctx := ss.Context()
		d, err := s.Store.FindDataset(ctx, ss.principal.ProjectID, datasetID)
		if err != nil {
			return err
		}
		if checked {
			ctx = strata.WithCondition(ctx, &strata.Condition{IfMatch: d.ETag})
		}
		if err := check(ctx, d); err != nil {
			return err
		}
		err = write(ctx)
		if strata.ErrorCode(err) != strata.EPRECONDITION || !checked {
			return err
		}
	}
}

// conflictField is a field of a form shown again after a stale save: the
// user's text, and what is there now.
type conflictField struct {
	Label, Name string
	Area        bool   // a textarea
	Mine, Now   string // the user's value; the value now
	Differs     bool
}

// conflict answers a stale save (409): the form again, with the user's
// values, what is there now where it differs, the version of now (so that
// saving it again is a choice made knowing that), and links to reload.
// With nothing there now (a deleted item), only the user's text is shown.
func (s *Server) conflict(w http.ResponseWriter, ss *session, d *strata.Dataset, page map[string]any, fields []conflictField, compare bool) {
	for i := range fields {
		f := &fields[i]
		f.Differs = compare && lineFeeds(f.Mine) != lineFeeds(f.Now)
	}
	page["Dataset"], page["Fields"] = d, fields
	page["Status"] = http.StatusConflict
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, http.StatusConflict, "conflict", s.data(ss, page))
}

// itemConflict answers a stale save of an item's Edit form: current is the
// item now, nil when it was deleted (its text can then be added as a new
// item).
func (s *Server) itemConflict(w http.ResponseWriter, ss *session, d *strata.Dataset, itemID string, current *strata.Item) error {
	base := "/datasets/" + d.ID
	page := map[string]any{
		"Heading": "Not saved: this item changed since you opened it",
		"Message": "Someone (perhaps you, in another tab) changed this item after the page you edited it on was shown. Your edit was not saved, so as not to undo that change. Your text is below, beside the item as it is now where the two differ: copy what you need, or save your text over the item as it is now.",
		"Action":  base + "/items/" + itemID, "Button": "Save my text over it",
		"Links": []conflictLink{{"Reload the dataset page", base + "#item-" + itemID}, {"Open the item and its history", base + "/items/" + itemID}},
	}
	now := func(f func(*strata.Item) string) string {
		if current == nil {
			return ""
		}
		return f(current)
	}
	if current == nil {
		page["Heading"] = "Not saved: this item was deleted since you opened it"
		page["Message"] = "Someone (perhaps you, in another tab) deleted this item after the page you edited it on was shown, so your edit was not saved. Your text is below: you may add it as a new item."
		page["Action"], page["Button"] = base+"/items", "Add it as a new item"
		page["Links"] = []conflictLink{{"Reload the dataset page", base}, {"Open the item's history", base + "/items/" + itemID}}
	} else {
		page["Version"], page["Place"] = itemVersion(current), placeFields(ss)
	}
	s.conflict(w, ss, d, page, []conflictField{
		{Label: "Input", Name: "input", Area: true, Mine: ss.PostFormValue("input"), Now: now(func(it *strata.Item) string { return it.Input })},
		{Label: "Ground truth", Name: "groundTruth", Area: true, Mine: ss.PostFormValue("groundTruth"), Now: now(func(it *strata.Item) string { return deref(it.GroundTruth) })},
		{Label: "Output", Name: "output", Area: true, Mine: ss.PostFormValue("output"), Now: now(func(it *strata.Item) string { return deref(it.Output) })},
		{Label: "Splits (comma-separated)", Name: "splits", Mine: ss.PostFormValue("splits"), Now: now(func(it *strata.Item) string { return strings.Join(it.Splits, ", ") })},
		{Label: "External id", Name: "externalId", Mine: ss.PostFormValue("externalId"), Now: now(func(it *strata.Item) string { return deref(it.ExternalID) })},
		{Label: "Metadata (a JSON object)", Name: "metadata", Area: true, Mine: ss.PostFormValue("metadata"), Now: now(func(it *strata.Item) string { return metadataText(it.Metadata) })},
	}, current != nil)
	return nil
}

// datasetConflict answers a stale save of the dataset's name and
// description; d is the dataset now.
func (s *Server) datasetConflict(w http.ResponseWriter, ss *session, d *strata.Dataset) error {
	base := "/datasets/" + d.ID
	s.conflict(w, ss, d, map[string]any{
		"Heading": "Not saved: the dataset's name or description changed since you opened it",
		"Message": "Someone (perhaps you, in another tab) renamed this dataset or changed its description after the page was shown. Your change was not saved, so as not to undo theirs. Your text is below, beside the dataset as it is now where the two differ.",
		"Action":  base + "/rename", "Button": "Save my text over it", "Version": datasetVersion(d),
		"Links": []conflictLink{{"Reload the dataset page", base}},
	}, []conflictField{
		{Label: "Name", Name: "name", Mine: ss.PostFormValue("name"), Now: d.Name},
		{Label: "Description", Name: "description", Area: true, Mine: ss.PostFormValue("description"), Now: deref(d.Description)},
	}, true)
	return nil
}

// placeField is a hidden field of a form.
type placeField struct{ Name, Value string }

// placeFields are the fields of an item's Edit form that say where in the
// table it was sent from (tablePlace), as sent, for the form shown again
// to send them on: saving it lands on that page too.
func placeFields(ss *session) []placeField {
	var out []placeField
	for _, name := range []string{"size", "after", "start", "at", "search", "split", "meta"} {
		if v := ss.PostFormValue(name); v != "" {
			out = append(out, placeField{name, v})
		}
	}
	return out
}

// conflictLink is a way out of a conflict page.
type conflictLink struct{ Text, Href string }

// Restore and Discard replace the working items with a version's, dropping
// whatever is there that the version lacks: done from a page older than the
// dataset, they would drop changes the user never saw (an edit or a version
// saved in another tab). So their forms carry the dataset's ETag as the page
// showed it, as "etag", and the restore is written under it (If-Match): any
// change since refuses it (409), however close the two came. A form without
// "etag" (a script's) is written without the condition.

// shownDataset checks that the dataset d, as it is now, is as the page of a
// Restore or Discard form showed it, and returns the context to write under:
// one that keeps it so until the write. refused says what was not done.
func shownDataset(ss *session, d *strata.Dataset, refused string) (context.Context, error) {
	shown := ss.PostFormValue("etag")
	if shown == "" {
		return ss.Context(), nil
	}
	if shown != d.ETag {
		return nil, changedSinceShown(refused)
	}
	return strata.WithCondition(ss.Context(), &strata.Condition{IfMatch: shown}), nil
}

// changedSinceShown is the answer to a Restore or Discard form whose page
// is older than the dataset.
func changedSinceShown(refused string) error {
	return strata.Errorf(strata.ECONFLICT, "The dataset changed since the page was shown (an edit, a version, a tag, its name or evaluators, perhaps in another tab). %s: reload the page and check the changes again.", refused)
}

// shownWrite maps a write refused by its condition (shownDataset) to the
// same answer as a change found before it.
func shownWrite(err error, refused string) error {
	if strata.ErrorCode(err) == strata.EPRECONDITION {
		return changedSinceShown(refused)
	}
	return err
}
