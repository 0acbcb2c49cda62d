package api_test

import "fmt"
import "net/http"
import "net/url"
import "slices"
import "strings"
import "testing"

// metaKeys is Lunary's DatasetMeta key order.
var metaKeys = []string{
	"id", "createdAt", "updatedAt", "projectId", "ownerId", "name", "description", "currentVersionId",
	"currentVersionNumber", "evaluatorSlot1Id", "evaluatorSlot2Id", "evaluatorSlot3Id", "evaluatorSlot4Id",
	"evaluatorSlot5Id", "itemCount", "ownerName", "ownerEmail", "currentVersionCreatedAt",
	"currentVersionCreatedBy", "currentVersionRestoredFromVersionId",
}

// strataDatasetKeys follow Lunary's in every dataset object.
var strataDatasetKeys = []string{"slug"}

var (
	listKeys         = append(slices.Clone(metaKeys), strataDatasetKeys...)
	detailKeys       = append(append(slices.Clone(metaKeys), "evaluatorConfigs"), strataDatasetKeys...)
	withItemsKeys    = append(append(slices.Clone(metaKeys), "evaluatorConfigs", "items"), strataDatasetKeys...)
	embeddedItemKeys = []string{"id", "datasetId", "input", "groundTruth", "output", "createdAt", "updatedAt",
		"evaluatorResult1", "evaluatorResult2", "evaluatorResult3", "evaluatorResult4", "evaluatorResult5",
		"metadata", "splits", "externalId"}
	itemKeys = []string{"id", "createdAt", "updatedAt", "datasetId", "input", "groundTruth", "output",
		"evaluatorResult1", "evaluatorResult2", "evaluatorResult3", "evaluatorResult4", "evaluatorResult5",
		"metadata", "splits", "externalId"}
)

func wantKeys(t *testing.T, raw []byte, want []string) {
	t.Helper()
	if got := keys(t, raw); !slices.Equal(got, want) {
		t.Errorf("keys = %v\nwant   %v", got, want)
	}
}

func TestListDatasets(t *testing.T) {
	ts := newTestServer(t)
	for _, name := range []string{"banana", "Apple", "cherry 100%"} {
		ts.createDataset(t, name)
	}
	r := ts.do(t, "PATCH", datasetsPath+"/"+ts.createDataset(t, "described"), ts.owner, `{"description":"about fruit"}`)
	wantStatus(t, r, http.StatusOK)

	names := func(r *response) []string {
		var s []string
		for _, d := range r.array(t) {
			s = append(s, d["name"].(string))
		}
		return s
	}
	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath, ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got, want := names(r), []string{"described", "cherry 100%", "Apple", "banana"}; !slices.Equal(got, want) {
			t.Errorf("names = %v, want %v", got, want)
		}
		first := elements(t, r.Body)[0]
		wantKeys(t, first, listKeys)
	})
	t.Run("Empty", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath, ts.other, "")
		wantStatus(t, r, http.StatusOK)
		if got, want := string(r.Body), "[]"; got != want {
			t.Errorf("body = %s, want %s", got, want)
		}
	})
	t.Run("SortAlphabetical", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"?sort=alphabetical", ts.owner, "")
		if got, want := names(r), []string{"Apple", "banana", "cherry 100%", "described"}; !slices.Equal(got, want) {
			t.Errorf("names = %v, want %v", got, want)
		}
	})
	t.Run("Search", func(t *testing.T) {
		for search, want := range map[string][]string{
			"AN":      {"banana"},
			" fruit ": {"described"},
			"100%":    {"cherry 100%"},
			"%":       {"cherry 100%"},
			"zzz":     nil,
		} {
			r := ts.do(t, "GET", datasetsPath+"?search="+url.QueryEscape(search), ts.owner, "")
			wantStatus(t, r, http.StatusOK)
			if got := names(r); !slices.Equal(got, want) {
				t.Errorf("search %q: names = %v, want %v", search, got, want)
			}
		}
	})
	t.Run("ErrSearchEmpty", func(t *testing.T) {
		for _, q := range []string{"?search=", "?search=%20%20"} {
			wantValidation(t, ts.do(t, "GET", datasetsPath+q, ts.owner, ""), `Validation error: String must contain at least 1 character(s) at "search"`)
		}
	})
	t.Run("ErrSearchTooLong", func(t *testing.T) {
		wantValidation(t, ts.do(t, "GET", datasetsPath+"?search="+strings.Repeat("a", 256), ts.owner, ""), `Validation error: String must contain at most 255 character(s) at "search"`)
	})
	t.Run("ErrSearchRepeated", func(t *testing.T) {
		wantValidation(t, ts.do(t, "GET", datasetsPath+"?search=a&search=b", ts.owner, ""), `Validation error: Expected string, received array at "search"`)
	})
	t.Run("ErrSort", func(t *testing.T) {
		wantValidation(t, ts.do(t, "GET", datasetsPath+"?sort=foo", ts.owner, ""), `Validation error: Invalid enum value. Expected 'newest' | 'alphabetical' | 'items' | 'updated', received 'foo' at "sort"`)
	})
	t.Run("ErrSearchAndSort", func(t *testing.T) {
		wantValidation(t, ts.do(t, "GET", datasetsPath+"?search=&sort=", ts.owner, ""), `Validation error: String must contain at least 1 character(s) at "search"; Invalid enum value. Expected 'newest' | 'alphabetical' | 'items' | 'updated', received '' at "sort"`)
	})
}

func TestCreateDataset(t *testing.T) {
	ts := newTestServer(t)

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "POST", datasetsPath, ts.owner, `{"name":"  Golden set  ","description":"  the best  "}`)
		wantStatus(t, r, http.StatusCreated)
		wantKeys(t, r.Body, detailKeys)
		d := r.object(t)
		for key, want := range map[string]any{
			"name": "Golden set", "description": "the best", "currentVersionNumber": 1.0, "itemCount": 0.0,
			"ownerName": "Olivia", "ownerEmail": "olivia@example.com",
		} {
			if got := d[key]; got != want {
				t.Errorf("%s = %v, want %v", key, got, want)
			}
		}
		if got, want := string(member(t, r.Body, "evaluatorConfigs")), "{}"; got != want {
			t.Errorf("evaluatorConfigs = %s, want %s", got, want)
		}
		if d["currentVersionId"] == nil || d["currentVersionCreatedAt"] == nil {
			t.Errorf("no current version: %s", r.Body)
		}
	})
	t.Run("DescriptionNull", func(t *testing.T) {
		r := ts.do(t, "POST", datasetsPath, ts.owner, `{"name":"no description","description":null}`)
		wantStatus(t, r, http.StatusCreated)
		if got := r.object(t)["description"]; got != nil {
			t.Errorf("description = %v, want null", got)
		}
	})
	t.Run("ErrNameTaken", func(t *testing.T) {
		ts.createDataset(t, "taken")
		wantError(t, ts.do(t, "POST", datasetsPath, ts.owner, `{"name":" taken "}`), http.StatusConflict, "Dataset name already exists in this project")
	})
	t.Run("SameNameOtherProject", func(t *testing.T) {
		ts.createDataset(t, "shared name")
		wantStatus(t, ts.do(t, "POST", datasetsPath, ts.other, `{"name":"shared name"}`), http.StatusCreated)
	})
	for _, c := range []struct{ name, body, message string }{
		{"ErrNameRequired", `{}`, `Validation error: Required at "name"`},
		{"ErrNameBlank", `{"name":"   "}`, `Validation error: String must contain at least 1 character(s) at "name"`},
		{"ErrNameNumber", `{"name":42}`, `Validation error: Expected string, received number at "name"`},
		{"ErrNameNull", `{"name":null}`, `Validation error: Expected string, received null at "name"`},
		{"ErrNameObject", `{"name":{}}`, `Validation error: Expected string, received object at "name"`},
		{"ErrDescriptionTooLong", `{"name":"x","description":"` + strings.Repeat("é", 10001) + `"}`, `Validation error: String must contain at most 10000 character(s) at "description"`},
		{"ErrDescriptionBoolean", `{"name":"x","description":true}`, `Validation error: Expected string, received boolean at "description"`},
		{"ErrBoth", `{"description":["a"]}`, `Validation error: Required at "name"; Expected string, received array at "description"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantValidation(t, ts.do(t, "POST", datasetsPath, ts.owner, c.body), c.message)
		})
	}
	t.Run("DescriptionMaxLength", func(t *testing.T) {
		// 10000 UTF-16 units after trimming.
		r := ts.do(t, "POST", datasetsPath, ts.owner, `{"name":"long","description":"  `+strings.Repeat("a", 10000)+`  "}`)
		wantStatus(t, r, http.StatusCreated)
		r = ts.do(t, "POST", datasetsPath, ts.owner, `{"name":"emoji","description":"`+strings.Repeat("😀", 5001)+`"}`)
		wantValidation(t, r, `Validation error: String must contain at most 10000 character(s) at "description"`)
	})
}

// wantDataset checks that r is a 200 with a dataset and its items, in
// Lunary's keys, and returns the dataset.
func wantDataset(t *testing.T, r *response) map[string]any {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	wantKeys(t, r.Body, withItemsKeys)
	return r.object(t)
}

// wantInputs checks the inputs of items, in order.
func wantInputs(t *testing.T, items []any, want ...string) {
	t.Helper()
	if got := inputs(items); !slices.Equal(got, want) {
		t.Errorf("inputs = %v, want %v", got, want)
	}
}

func TestGetDataset(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "get")
	for i := range 3 {
		ts.createItem(t, id, fmt.Sprintf("q%d", i))
	}

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/"+id, ts.owner, "")
		d := wantDataset(t, r)
		wantInputs(t, d["items"].([]any), "q0", "q1", "q2")
		if got, want := d["itemCount"], 3.0; got != want {
			t.Errorf("itemCount = %v, want %v", got, want)
		}
		wantKeys(t, elements(t, member(t, r.Body, "items"))[0], embeddedItemKeys)
	})
	t.Run("Empty", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/"+ts.createDataset(t, "empty"), ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got, want := string(member(t, r.Body, "items")), "[]"; got != want {
			t.Errorf("items = %s, want %s", got, want)
		}
	})
	t.Run("UpperCaseID", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/"+strings.ToUpper(id), ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got, want := r.object(t)["id"], id; got != want {
			t.Errorf("id = %v, want %v", got, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath+"/00000000-0000-0000-0000-000000000000", ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrInvalidUUID", func(t *testing.T) {
		for _, bad := range []string{"abc", id + "0", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"} {
			wantValidation(t, ts.do(t, "GET", datasetsPath+"/"+bad, ts.owner, ""), `Validation error: Invalid uuid at "datasetId"`)
		}
	})
}

func TestUpdateDataset(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "update")

	t.Run("Rename", func(t *testing.T) {
		r := ts.do(t, "PATCH", datasetsPath+"/"+id, ts.owner, `{"name":" renamed "}`)
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, r.Body, detailKeys)
		d := r.object(t)
		if got, want := d["name"], "renamed"; got != want {
			t.Errorf("name = %v, want %v", got, want)
		}
		if got, want := d["currentVersionNumber"], 2.0; got != want {
			t.Errorf("currentVersionNumber = %v, want %v (auto-version)", got, want)
		}
	})
	t.Run("DescriptionOnly", func(t *testing.T) {
		r := ts.do(t, "PATCH", datasetsPath+"/"+id+"?skipVersion=true", ts.owner, `{"description":"d"}`)
		wantStatus(t, r, http.StatusOK)
		d := r.object(t)
		if got, want := d["description"], "d"; got != want {
			t.Errorf("description = %v, want %v", got, want)
		}
		if got, want := d["name"], "renamed"; got != want {
			t.Errorf("name = %v, want %v", got, want)
		}
		r = ts.do(t, "PATCH", datasetsPath+"/"+id+"?skipVersion=true", ts.owner, `{"description":null}`)
		wantStatus(t, r, http.StatusOK)
		if got := r.object(t)["description"]; got != nil {
			t.Errorf("description = %v, want null", got)
		}
	})
	t.Run("ErrNoFields", func(t *testing.T) {
		for _, body := range []string{`{}`, ``, `{"other":1}`} {
			wantError(t, ts.do(t, "PATCH", datasetsPath+"/"+id, ts.owner, body), http.StatusBadRequest, "No fields to update")
		}
	})
	t.Run("ErrNoFieldsBeforeNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "PATCH", datasetsPath+"/00000000-0000-0000-0000-000000000000", ts.owner, `{}`), http.StatusBadRequest, "No fields to update")
	})
	t.Run("ErrValidationBeforeNotFound", func(t *testing.T) {
		wantValidation(t, ts.do(t, "PATCH", datasetsPath+"/00000000-0000-0000-0000-000000000000", ts.owner, `{"name":""}`), `Validation error: String must contain at least 1 character(s) at "name"`)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "PATCH", datasetsPath+"/00000000-0000-0000-0000-000000000000", ts.owner, `{"name":"x"}`), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrNameTaken", func(t *testing.T) {
		ts.createDataset(t, "other name")
		wantError(t, ts.do(t, "PATCH", datasetsPath+"/"+id, ts.owner, `{"name":"other name"}`), http.StatusConflict, "Dataset name already exists in this project")
	})
	t.Run("ErrInvalidUUID", func(t *testing.T) {
		wantValidation(t, ts.do(t, "PATCH", datasetsPath+"/x", ts.owner, `{}`), `Validation error: Invalid uuid at "datasetId"`)
	})
	t.Run("ErrNameNull", func(t *testing.T) {
		wantValidation(t, ts.do(t, "PATCH", datasetsPath+"/"+id, ts.owner, `{"name":null}`), `Validation error: Expected string, received null at "name"`)
	})
}

func TestDeleteDataset(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "delete")
	ts.createItem(t, id, "x")

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "DELETE", datasetsPath+"/"+id, ts.owner, "")
		wantStatus(t, r, http.StatusNoContent)
		if got, want := len(r.Body), 0; got != want {
			t.Errorf("body length = %d, want %d", got, want)
		}
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id, ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "DELETE", datasetsPath+"/"+id, ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})
	t.Run("NameFreed", func(t *testing.T) {
		ts.createDataset(t, "delete")
	})
}

func TestDuplicateDataset(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "original")
	for _, in := range []string{"a", "b"} {
		ts.createItem(t, id, in)
	}

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/duplicate", ts.owner, `{}`)
		wantStatus(t, r, http.StatusCreated)
		wantKeys(t, r.Body, detailKeys)
		d := r.object(t)
		for key, want := range map[string]any{"name": "original copy", "currentVersionNumber": 1.0, "itemCount": 2.0} {
			if got := d[key]; got != want {
				t.Errorf("%s = %v, want %v", key, got, want)
			}
		}
		copied := ts.dataset(t, d["id"].(string))
		if got, want := inputs(copied["items"].([]any)), []string{"a", "b"}; !slices.Equal(got, want) {
			t.Errorf("inputs = %v, want %v", got, want)
		}
	})
	t.Run("SecondCopy", func(t *testing.T) {
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/duplicate", ts.owner, "")
		wantStatus(t, r, http.StatusCreated)
		if got, want := r.object(t)["name"], "original copy (2)"; got != want {
			t.Errorf("name = %v, want %v", got, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", datasetsPath+"/00000000-0000-0000-0000-000000000000/duplicate", ts.owner, `{}`), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrInvalidJSON", func(t *testing.T) {
		wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/duplicate", ts.owner, `{`), http.StatusBadRequest)
	})
}

func TestImport(t *testing.T) {
	ts := newTestServer(t)

	importBody := func(format, content string) string {
		return fmt.Sprintf(`{"format":%q,"content":%q}`, format, content)
	}
	t.Run("CSV", func(t *testing.T) {
		id := ts.createDataset(t, "csv")
		csv := "\uFEFFinput,expected_output,output\n\"a, with comma\",A,\nb,,out b\n\"multi\nline\",\"say \"\"hi\"\"\",x\n"
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, importBody("csv", csv))
		wantStatus(t, r, http.StatusOK)
		if got, want := r.object(t)["insertedCount"], 3.0; got != want {
			t.Errorf("insertedCount = %v, want %v", got, want)
		}
		d := ts.dataset(t, id)
		items := d["items"].([]any)
		if got, want := inputs(items), []string{"a, with comma", "b", "multi\nline"}; !slices.Equal(got, want) {
			t.Errorf("inputs = %q, want %q", got, want)
		}
		first, second := items[0].(map[string]any), items[1].(map[string]any)
		if got, want := first["groundTruth"], "A"; got != want {
			t.Errorf("groundTruth = %v, want %v", got, want)
		}
		if got := first["output"]; got != nil {
			t.Errorf("output = %v, want null", got)
		}
		if got := second["groundTruth"]; got != nil {
			t.Errorf("groundTruth = %v, want null", got)
		}
		if got, want := d["currentVersionNumber"], 2.0; got != want {
			t.Errorf("currentVersionNumber = %v, want %v", got, want)
		}
	})
	t.Run("JSONL", func(t *testing.T) {
		id := ts.createDataset(t, "jsonl")
		jsonl := `{"input":"x","ground_truth":"X"}` + "\n\n" + `{"input":"y","output":"out"}` + "\n"
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/import?skipVersion=true", ts.owner, importBody("jsonl", jsonl))
		wantStatus(t, r, http.StatusOK)
		if got, want := r.object(t)["insertedCount"], 2.0; got != want {
			t.Errorf("insertedCount = %v, want %v", got, want)
		}
		d := ts.dataset(t, id)
		if got, want := inputs(d["items"].([]any)), []string{"x", "y"}; !slices.Equal(got, want) {
			t.Errorf("inputs = %v, want %v", got, want)
		}
		if got, want := d["currentVersionNumber"], 1.0; got != want {
			t.Errorf("currentVersionNumber = %v, want %v (skipVersion)", got, want)
		}
	})
	t.Run("HeaderOnly", func(t *testing.T) {
		id := ts.createDataset(t, "header only")
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, importBody("csv", "input\n"))
		wantStatus(t, r, http.StatusOK)
		if got, want := r.object(t)["insertedCount"], 0.0; got != want {
			t.Errorf("insertedCount = %v, want %v", got, want)
		}
		if got, want := ts.versionNumber(t, id), 1; got != want {
			t.Errorf("version = %d, want %d: an empty import makes no version", got, want)
		}
	})
	t.Run("ErrFailingImportInsertsNothing", func(t *testing.T) {
		id := ts.createDataset(t, "failing")
		jsonl := `{"input":"ok"}` + "\n" + `{"input":"ok too"}` + "\n" + `not json` + "\n"
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, importBody("jsonl", jsonl))
		wantError(t, r, http.StatusBadRequest, "Invalid JSONL: could not parse one of the lines")
		d := ts.dataset(t, id)
		if got, want := len(d["items"].([]any)), 0; got != want {
			t.Errorf("items = %d, want %d", got, want)
		}
		if got, want := d["currentVersionNumber"], 1.0; got != want {
			t.Errorf("currentVersionNumber = %v, want %v", got, want)
		}
	})
	t.Run("ErrNoInputKey", func(t *testing.T) {
		id := ts.createDataset(t, "no input")
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, importBody("jsonl", `{"output":"x"}`))
		wantError(t, r, http.StatusBadRequest, "Each JSONL line must contain at least an 'input' field")
	})
	t.Run("ErrCSVHeader", func(t *testing.T) {
		id := ts.createDataset(t, "bad header")
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, importBody("csv", "title,notes\na,b\n"))
		wantError(t, r, http.StatusBadRequest, "CSV import requires a header row with at least an 'input' column")
	})
	id := ts.createDataset(t, "import errors")
	for _, c := range []struct{ name, body, message string }{
		{"ErrRequired", `{}`, `Validation error: Required at "format"; Required at "content"`},
		{"ErrFormat", `{"format":"xml","content":"x"}`, `Validation error: Invalid enum value. Expected 'csv' | 'jsonl', received 'xml' at "format"`},
		{"ErrFormatType", `{"format":1,"content":"x"}`, `Validation error: Expected 'csv' | 'jsonl', received number at "format"`},
		{"ErrContentEmpty", `{"format":"csv","content":""}`, `Validation error: String must contain at least 1 character(s) at "content"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantValidation(t, ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, c.body), c.message)
		})
	}
	t.Run("ErrNotFoundBeforeValidation", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", datasetsPath+"/00000000-0000-0000-0000-000000000000/import", ts.owner, `{}`), http.StatusNotFound, "Dataset not found")
	})
}
