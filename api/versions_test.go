package api_test

import "fmt"
import "net/http"
import "slices"
import "sort"
import "sync"
import "testing"

var (
	versionKeys = []string{"id", "datasetId", "versionNumber", "createdAt", "createdBy", "restoredFromVersionId",
		"name", "description", "itemCount", "tags", "contentHash"}
	versionItemKeys = []string{"id", "versionId", "datasetId", "itemIndex", "input", "groundTruth", "output",
		"sourceItemId", "sourceCreatedAt", "sourceUpdatedAt", "evaluatorResult1", "evaluatorResult2",
		"evaluatorResult3", "evaluatorResult4", "evaluatorResult5", "metadata", "splits", "externalId"}
)

// versions lists a dataset's versions, newest first.
func (ts *testServer) versions(t *testing.T, id string) []any {
	t.Helper()
	r := ts.do(t, "GET", datasetsPath+"/"+id+"/versions", ts.owner, "")
	wantStatus(t, r, http.StatusOK)
	return r.object(t)["versions"].([]any)
}

func TestCreateVersion(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "snap")
	ts.createItem(t, id, "a")

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, `{}`)
		wantStatus(t, r, http.StatusCreated)
		wantKeys(t, r.Body, []string{"version", "dataset"})
		wantKeys(t, member(t, r.Body, "version"), versionKeys)
		wantKeys(t, member(t, r.Body, "dataset"), detailKeys)
		var body struct {
			Version struct {
				ID            string
				DatasetID     string
				VersionNumber int
				Name          *string
				ItemCount     int
				CreatedBy     *string
			}
			Dataset struct {
				CurrentVersionID     string
				CurrentVersionNumber int
				ItemCount            int
			}
		}
		r.decode(t, &body)
		if got, want := body.Version.VersionNumber, 2; got != want {
			t.Errorf("versionNumber = %d, want %d", got, want)
		}
		if got, want := body.Version.DatasetID, id; got != want {
			t.Errorf("datasetId = %s, want %s", got, want)
		}
		if got, want := body.Version.ItemCount, 1; got != want {
			t.Errorf("itemCount = %d, want %d", got, want)
		}
		if body.Version.Name == nil || *body.Version.Name != "snap" {
			t.Errorf("name = %v, want the dataset's", body.Version.Name)
		}
		if body.Version.CreatedBy == nil {
			t.Errorf("createdBy = null, want the key's user")
		}
		if got, want := body.Dataset.CurrentVersionID, body.Version.ID; got != want {
			t.Errorf("dataset.currentVersionId = %s, want %s", got, want)
		}
		if got, want := body.Dataset.CurrentVersionNumber, 2; got != want {
			t.Errorf("dataset.currentVersionNumber = %d, want %d", got, want)
		}
	})
	t.Run("NoBody", func(t *testing.T) {
		wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, ""), http.StatusCreated)
	})
	t.Run("NameAndDescription", func(t *testing.T) {
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, `{"name":"before run","description":"baseline"}`)
		wantStatus(t, r, http.StatusCreated)
		v := r.object(t)["version"].(map[string]any)
		if got, want := v["name"], "before run"; got != want {
			t.Errorf("name = %v, want %v", got, want)
		}
		if got, want := v["description"], "baseline"; got != want {
			t.Errorf("description = %v, want %v", got, want)
		}
	})
	t.Run("ErrName", func(t *testing.T) {
		wantValidation(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, `{"name":5}`), `Validation error: Expected string, received number at "name"`)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", datasetsPath+"/00000000-0000-0000-0000-000000000000/versions", ts.owner, `{}`), http.StatusNotFound, "Dataset not found")
		wantError(t, ts.do(t, "POST", datasetsPath+"/00000000-0000-0000-0000-000000000000/versions", ts.owner, `{"name":5}`), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrInvalidUUID", func(t *testing.T) {
		wantValidation(t, ts.do(t, "POST", datasetsPath+"/1/versions", ts.owner, `{}`), `Validation error: Invalid uuid at "datasetId"`)
	})
}

func TestConcurrentVersions(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "race")
	ts.createItem(t, id, "a")

	const n = 40
	numbers := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, `{}`)
			if r.Status != http.StatusCreated {
				t.Errorf("status = %d, want %d: %s", r.Status, http.StatusCreated, r.Body)
				return
			}
			var body struct{ Version struct{ VersionNumber int } }
			r.decode(t, &body)
			numbers[i] = body.Version.VersionNumber
		})
	}
	wg.Wait()
	sort.Ints(numbers)
	for i, got := range numbers {
		if want := i + 2; got != want {
			t.Fatalf("version numbers = %v, want 2..%d", numbers, n+1)
		}
	}
}

func TestListVersions(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "list")
	for range 3 {
		wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, ""), http.StatusCreated)
	}

	numbers := func(r *response) []int {
		var body struct{ Versions []struct{ VersionNumber int } }
		r.decode(t, &body)
		var s []int
		for _, v := range body.Versions {
			s = append(s, v.VersionNumber)
		}
		return s
	}
	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/"+id+"/versions", ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got, want := numbers(r), []int{4, 3, 2, 1}; !slices.Equal(got, want) {
			t.Errorf("versions = %v, want %v", got, want)
		}
		wantKeys(t, elements(t, member(t, r.Body, "versions"))[0], versionKeys)
	})
	t.Run("Limit", func(t *testing.T) {
		for q, want := range map[string][]int{"?limit=2": {4, 3}, "?limit=%202%20": {4, 3}, "?limit=1e0": {4}, "?limit=100": {4, 3, 2, 1},
			"?before=3": {2, 1}, "?before=3&limit=1": {2}, "?before=1": nil, "?before=99": {4, 3, 2, 1}} {
			r := ts.do(t, "GET", datasetsPath+"/"+id+"/versions"+q, ts.owner, "")
			wantStatus(t, r, http.StatusOK)
			if got := numbers(r); !slices.Equal(got, want) {
				t.Errorf("%s: versions = %v, want %v", q, got, want)
			}
		}
	})
	for _, c := range []struct{ name, query, message string }{
		{"ErrLimitZero", "?limit=0", `Validation error: Number must be greater than or equal to 1 at "limit"`},
		{"ErrLimitEmpty", "?limit=", `Validation error: Number must be greater than or equal to 1 at "limit"`},
		{"ErrLimitTooLarge", "?limit=101", `Validation error: Number must be less than or equal to 100 at "limit"`},
		{"ErrLimitNaN", "?limit=abc", `Validation error: Expected number, received nan at "limit"`},
		{"ErrLimitRepeated", "?limit=1&limit=2", `Validation error: Expected number, received nan at "limit"`},
		{"ErrLimitFraction", "?limit=2.5", `Validation error: Expected integer, received float at "limit"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantValidation(t, ts.do(t, "GET", datasetsPath+"/"+id+"/versions"+c.query, ts.owner, ""), c.message)
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath+"/00000000-0000-0000-0000-000000000000/versions", ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})
}

// editedAfterVersion makes a dataset of items q0, q1 and q2, saves a version
// of them, then changes q0's input and deletes q1. It returns the dataset's
// id, the ids of the three items and the version's id.
func (ts *testServer) editedAfterVersion(t *testing.T, name string) (id string, itemIDs []string, versionID string) {
	t.Helper()
	id = ts.createDataset(t, name)
	for i := range 3 {
		itemIDs = append(itemIDs, ts.createItem(t, id, fmt.Sprintf("q%d", i)))
	}
	r := ts.do(t, "POST", datasetsPath+"/"+id+"/versions", ts.owner, "")
	wantStatus(t, r, http.StatusCreated)
	versionID = r.object(t)["version"].(map[string]any)["id"].(string)
	wantStatus(t, ts.do(t, "PATCH", datasetsPath+"/"+id+"/items/"+itemIDs[0], ts.owner, `{"input":"changed"}`), http.StatusOK)
	wantStatus(t, ts.do(t, "DELETE", datasetsPath+"/"+id+"/items/"+itemIDs[1], ts.owner, ""), http.StatusNoContent)
	return id, itemIDs, versionID
}

func TestGetVersion(t *testing.T) {
	ts := newTestServer(t)
	// Edits after the snapshot do not show in it.
	id, itemIDs, versionID := ts.editedAfterVersion(t, "get version")

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/"+id+"/versions/"+versionID, ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, r.Body, []string{"version", "items"})
		wantKeys(t, member(t, r.Body, "version"), versionKeys)
		raw := elements(t, member(t, r.Body, "items"))
		if got, want := len(raw), 3; got != want {
			t.Fatalf("items = %d, want %d", got, want)
		}
		wantKeys(t, raw[0], versionItemKeys)
		items := r.object(t)["items"].([]any)
		if got, want := inputs(items), []string{"q0", "q1", "q2"}; !slices.Equal(got, want) {
			t.Errorf("inputs = %v, want %v", got, want)
		}
		if got, want := ids(items, "sourceItemId"), itemIDs; !slices.Equal(got, want) {
			t.Errorf("sourceItemId = %v, want %v", got, want)
		}
		for i, it := range items {
			it := it.(map[string]any)
			if got, want := it["itemIndex"], float64(i+1); got != want {
				t.Errorf("itemIndex = %v, want %v", got, want)
			}
			if got, want := it["versionId"], versionID; got != want {
				t.Errorf("versionId = %v, want %v", got, want)
			}
			if got, want := it["datasetId"], id; got != want {
				t.Errorf("datasetId = %v, want %v", got, want)
			}
			if it["id"] == it["sourceItemId"] {
				t.Errorf("id = sourceItemId = %v: want the revision's id", it["id"])
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/versions/00000000-0000-0000-0000-000000000000", ts.owner, ""), http.StatusNotFound, "Dataset version not found")
	})
	t.Run("ErrOtherDataset", func(t *testing.T) {
		other := ts.createDataset(t, "other")
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+other+"/versions/"+versionID, ts.owner, ""), http.StatusNotFound, "Dataset version not found")
	})
	t.Run("ErrDatasetNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath+"/00000000-0000-0000-0000-000000000000/versions/"+versionID, ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrInvalidUUIDs", func(t *testing.T) {
		// A version is named by a ref (refs_test.go): what is no ref names
		// no version.
		wantValidation(t, ts.do(t, "GET", datasetsPath+"/x/versions/y", ts.owner, ""), `Validation error: Invalid uuid at "datasetId"`)
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/versions/y", ts.owner, ""), http.StatusNotFound, "Dataset version not found")
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/versions/-1", ts.owner, ""), http.StatusNotFound, "Dataset version not found")
	})
}

func TestRestoreVersion(t *testing.T) {
	ts := newTestServer(t)
	id, itemIDs, versionID := ts.editedAfterVersion(t, "restore")
	ts.createItem(t, id, "new")

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "POST", datasetsPath+"/"+id+"/versions/"+versionID+"/restore", ts.owner, `{}`)
		d := wantDataset(t, r)
		items := d["items"].([]any)
		wantInputs(t, items, "q0", "q1", "q2")
		if got, want := ids(items, "id"), itemIDs; !slices.Equal(got, want) {
			t.Errorf("item ids = %v, want %v (kept)", got, want)
		}
		if got, want := d["currentVersionRestoredFromVersionId"], versionID; got != want {
			t.Errorf("currentVersionRestoredFromVersionId = %v, want %v", got, want)
		}
		if got, want := d["itemCount"], 3.0; got != want {
			t.Errorf("itemCount = %v, want %v", got, want)
		}
		if len(items) > 0 {
			wantKeys(t, elements(t, member(t, r.Body, "items"))[0], embeddedItemKeys)
		}
		// The working set is the restored one.
		if got, want := ids(ts.dataset(t, id)["items"].([]any), "id"), itemIDs; !slices.Equal(got, want) {
			t.Errorf("working item ids = %v, want %v", got, want)
		}
		latest := ts.versions(t, id)[0].(map[string]any)
		if got, want := latest["restoredFromVersionId"], versionID; got != want {
			t.Errorf("restoredFromVersionId = %v, want %v", got, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions/00000000-0000-0000-0000-000000000000/restore", ts.owner, `{}`), http.StatusNotFound, "Dataset version not found")
		wantError(t, ts.do(t, "POST", datasetsPath+"/00000000-0000-0000-0000-000000000000/versions/"+versionID+"/restore", ts.owner, `{}`), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrInvalidUUID", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+id+"/versions/v1/restore", ts.owner, `{}`), http.StatusNotFound, "Dataset version not found")
		wantValidation(t, ts.do(t, "POST", datasetsPath+"/x/versions/v1/restore", ts.owner, `{}`), `Validation error: Invalid uuid at "datasetId"`)
	})
}

func TestSkipVersion(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "skip")
	itemID := ts.createItem(t, id, "seed")

	for _, c := range []struct {
		query     string
		versioned bool
	}{
		{"", true},
		{"?skipVersion=true", false},
		{"?skipVersion=TRUE", false},
		{"?skipVersion=1", false},
		{"?skipVersion=Yes", false},
		{"?skipVersioning=true", false},
		{"?skipVersion=false", true},
		{"?skipVersion=0", true},
		{"?skipVersion=", true},
		{"?skipVersion", true},
		{"?skipVersion=no&skipVersioning=true", true},
		{"?skipVersion=yes&skipVersioning=true&skipVersioning=1", false},
	} {
		t.Run("Query="+c.query, func(t *testing.T) {
			for _, req := range []struct{ method, path, body string }{
				{"PATCH", datasetsPath + "/" + id, `{"description":"d"}`},
				{"POST", datasetsPath + "/" + id + "/items", `{"input":"x"}`},
				{"PATCH", datasetsPath + "/" + id + "/items/" + itemID, `{"output":"o"}`},
				{"POST", datasetsPath + "/" + id + "/import", `{"format":"jsonl","content":"{\"input\":\"i\"}"}`},
			} {
				before := ts.versionNumber(t, id)
				r := ts.do(t, req.method, req.path+c.query, ts.owner, req.body)
				if r.Status >= 300 {
					t.Fatalf("%s %s: status %d: %s", req.method, req.path, r.Status, r.Body)
				}
				want := before
				if c.versioned {
					want++
				}
				if got := ts.versionNumber(t, id); got != want {
					t.Errorf("%s %s%s: version = %d, want %d", req.method, req.path, c.query, got, want)
				}
			}
			before := ts.versionNumber(t, id)
			wantStatus(t, ts.do(t, "DELETE", datasetsPath+"/"+id+"/items/"+ts.createItem(t, id, "gone")+c.query, ts.owner, ""), http.StatusNoContent)
			want := before
			if c.versioned {
				want++
			}
			if got := ts.versionNumber(t, id); got != want {
				t.Errorf("DELETE item%s: version = %d, want %d", c.query, got, want)
			}
		})
	}
	t.Run("ErrRepeated", func(t *testing.T) {
		before, items := ts.versionNumber(t, id), len(ts.dataset(t, id)["items"].([]any))
		wantError(t, ts.do(t, "POST", datasetsPath+"/"+id+"/items?skipVersion=true&skipVersion=false", ts.owner, `{}`), http.StatusBadRequest, "skipVersion must be given at most once")
		wantError(t, ts.do(t, "PATCH", datasetsPath+"/"+id+"?skipVersioning=1&skipVersioning=1", ts.owner, `{"name":"x"}`), http.StatusBadRequest, "skipVersioning must be given at most once")
		wantError(t, ts.do(t, "DELETE", datasetsPath+"/"+id+"/items/"+itemID+"?skipVersion=1&skipVersion=1", ts.owner, ""), http.StatusBadRequest, "skipVersion must be given at most once")
		if got, want := ts.versionNumber(t, id), before; got != want {
			t.Errorf("version = %d, want %d", got, want)
		}
		if got, want := len(ts.dataset(t, id)["items"].([]any)), items; got != want {
			t.Errorf("items = %d, want %d", got, want)
		}
	})
}
