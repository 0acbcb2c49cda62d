package api_test

import "encoding/json"
import "fmt"
import "net/http"
import "slices"
import "strings"
import "testing"

func TestCreateItem(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "items")
	path := datasetsPath + "/" + id + "/items"

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "POST", path, ts.owner, `{"input":"q","groundTruth":"a","output":null}`)
		wantStatus(t, r, http.StatusCreated)
		wantKeys(t, r.Body, itemKeys)
		it := r.object(t)
		for key, want := range map[string]any{"input": "q", "groundTruth": "a", "output": nil, "datasetId": id, "evaluatorResult1": nil} {
			if got := it[key]; got != want {
				t.Errorf("%s = %v, want %v", key, got, want)
			}
		}
		if got, want := it["createdAt"], it["updatedAt"]; got != want {
			t.Errorf("createdAt = %v, updatedAt = %v", got, want)
		}
	})
	t.Run("Defaults", func(t *testing.T) {
		r := ts.do(t, "POST", path, ts.owner, `{}`)
		wantStatus(t, r, http.StatusCreated)
		it := r.object(t)
		for key, want := range map[string]any{"input": "", "groundTruth": nil, "output": nil} {
			if got := it[key]; got != want {
				t.Errorf("%s = %v, want %v", key, got, want)
			}
		}
	})
	t.Run("NoBody", func(t *testing.T) {
		wantStatus(t, ts.do(t, "POST", path, ts.owner, ""), http.StatusCreated)
	})
	t.Run("NotTrimmed", func(t *testing.T) {
		r := ts.do(t, "POST", path, ts.owner, `{"input":"  <b>&</b>  "}`)
		wantStatus(t, r, http.StatusCreated)
		if got, want := r.object(t)["input"], "  <b>&</b>  "; got != want {
			t.Errorf("input = %q, want %q", got, want)
		}
		if !strings.Contains(string(r.Body), `"  <b>&</b>  "`) {
			t.Errorf("body %s escapes HTML, unlike JSON.stringify", r.Body)
		}
	})
	t.Run("Unicode", func(t *testing.T) {
		// Whatever a JSON string can hold is stored exactly, or refused as
		// bad input: never a server error.
		in := "nul \u0000, emoji 😀, accents é, rtl \u202e"
		r := ts.do(t, "POST", path, ts.owner, `{"input":"`+in+`"}`)
		if r.Status == http.StatusBadRequest {
			return
		}
		wantStatus(t, r, http.StatusCreated)
		var want string
		json.Unmarshal([]byte(`"`+in+`"`), &want)
		if got := r.object(t)["input"]; got != want {
			t.Errorf("input = %q, want %q", got, want)
		}
		got := ts.do(t, "GET", path+"/"+r.object(t)["id"].(string), ts.owner, "").object(t)["input"]
		if got != want {
			t.Errorf("stored input = %q, want %q", got, want)
		}
	})
	for _, c := range []struct{ name, body, message string }{
		{"ErrInputNumber", `{"input":1}`, `Validation error: Expected string, received number at "input"`},
		{"ErrInputNull", `{"input":null}`, `Validation error: Expected string, received null at "input"`},
		{"ErrAll", `{"input":[],"groundTruth":{},"output":false}`, `Validation error: Expected string, received array at "input"; Expected string, received object at "groundTruth"; Expected string, received boolean at "output"`},
		{"ErrArray", `[]`, `Validation error: Expected object, received array`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantValidation(t, ts.do(t, "POST", path, ts.owner, c.body), c.message)
		})
	}
	t.Run("ErrNotFoundBeforeValidation", func(t *testing.T) {
		wantError(t, ts.do(t, "POST", datasetsPath+"/00000000-0000-0000-0000-000000000000/items", ts.owner, `{"input":1}`), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrInvalidUUID", func(t *testing.T) {
		wantValidation(t, ts.do(t, "POST", datasetsPath+"/nope/items", ts.owner, `{"input":1}`), `Validation error: Invalid uuid at "datasetId"`)
	})
}

func TestListItems(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "list items")
	var want []string
	for i := range 600 { // more than one flush
		want = append(want, fmt.Sprintf("q%03d", i))
	}
	var lines string
	for _, in := range want {
		lines += fmt.Sprintf(`{"input":%q}`+"\n", in)
	}
	body := fmt.Sprintf(`{"format":"jsonl","content":%q}`, lines)
	wantStatus(t, ts.do(t, "POST", datasetsPath+"/"+id+"/import", ts.owner, body), http.StatusOK)

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/"+id+"/items", ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		raw := elements(t, r.Body)
		wantKeys(t, raw[0], itemKeys)
		var items []any
		r.decode(t, &items)
		if got := inputs(items); !slices.Equal(got, want) {
			t.Errorf("inputs = %v...", got[:5])
		}
	})
	t.Run("Empty", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/"+ts.createDataset(t, "no items")+"/items", ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		if got, want := string(r.Body), "[]"; got != want {
			t.Errorf("body = %s, want %s", got, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath+"/00000000-0000-0000-0000-000000000000/items", ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})
}

func TestGetItem(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "get item")
	itemID := ts.createItem(t, id, "q")
	other := ts.createDataset(t, "other")

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "GET", datasetsPath+"/"+id+"/items/"+itemID, ts.owner, "")
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, r.Body, itemKeys)
		if got, want := r.object(t)["id"], itemID; got != want {
			t.Errorf("id = %v, want %v", got, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/items/00000000-0000-0000-0000-000000000000", ts.owner, ""), http.StatusNotFound, "Dataset item not found")
	})
	t.Run("ErrOtherDataset", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+other+"/items/"+itemID, ts.owner, ""), http.StatusNotFound, "Dataset item not found")
	})
	t.Run("ErrDatasetNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath+"/00000000-0000-0000-0000-000000000000/items/"+itemID, ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrOtherProject", func(t *testing.T) {
		wantError(t, ts.do(t, "GET", datasetsPath+"/"+id+"/items/"+itemID, ts.other, ""), http.StatusNotFound, "Dataset not found")
	})
	t.Run("ErrInvalidUUIDs", func(t *testing.T) {
		wantValidation(t, ts.do(t, "GET", datasetsPath+"/a/items/b", ts.owner, ""), `Validation error: Invalid uuid at "datasetId"; Invalid uuid at "itemId"`)
	})
}

func TestUpdateItem(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "update item")
	r := ts.do(t, "POST", datasetsPath+"/"+id+"/items?skipVersion=1", ts.owner, `{"input":"q","groundTruth":"a","output":"o"}`)
	wantStatus(t, r, http.StatusCreated)
	itemID := r.object(t)["id"].(string)
	path := datasetsPath + "/" + id + "/items/" + itemID

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "PATCH", path, ts.owner, `{"groundTruth":null}`)
		wantStatus(t, r, http.StatusOK)
		wantKeys(t, r.Body, itemKeys)
		it := r.object(t)
		for key, want := range map[string]any{"id": itemID, "input": "q", "groundTruth": nil, "output": "o"} {
			if got := it[key]; got != want {
				t.Errorf("%s = %v, want %v", key, got, want)
			}
		}
	})
	t.Run("Input", func(t *testing.T) {
		r := ts.do(t, "PATCH", path, ts.owner, `{"input":""}`)
		wantStatus(t, r, http.StatusOK)
		if got, want := r.object(t)["input"], ""; got != want {
			t.Errorf("input = %v, want %v", got, want)
		}
	})
	t.Run("ErrNoFields", func(t *testing.T) {
		for _, body := range []string{`{}`, ``, `{"id":"x"}`} {
			wantError(t, ts.do(t, "PATCH", path, ts.owner, body), http.StatusBadRequest, "No fields to update")
		}
	})
	t.Run("ErrInputNull", func(t *testing.T) {
		wantValidation(t, ts.do(t, "PATCH", path, ts.owner, `{"input":null}`), `Validation error: Expected string, received null at "input"`)
	})
	t.Run("ErrOutputNumber", func(t *testing.T) {
		wantValidation(t, ts.do(t, "PATCH", path, ts.owner, `{"output":1.5}`), `Validation error: Expected string, received number at "output"`)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "PATCH", datasetsPath+"/"+id+"/items/00000000-0000-0000-0000-000000000000", ts.owner, `{"input":"x"}`), http.StatusNotFound, "Dataset item not found")
	})
	t.Run("ErrDatasetNotFoundBeforeValidation", func(t *testing.T) {
		for _, body := range []string{`{}`, `{"input":null}`} {
			wantError(t, ts.do(t, "PATCH", datasetsPath+"/00000000-0000-0000-0000-000000000000/items/"+itemID, ts.owner, body), http.StatusNotFound, "Dataset not found")
		}
	})
}

func TestDeleteItem(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "delete item")
	keep := ts.createItem(t, id, "keep")
	gone := ts.createItem(t, id, "gone")

	t.Run("OK", func(t *testing.T) {
		r := ts.do(t, "DELETE", datasetsPath+"/"+id+"/items/"+gone, ts.owner, "")
		wantStatus(t, r, http.StatusNoContent)
		if got, want := len(r.Body), 0; got != want {
			t.Errorf("body length = %d, want %d", got, want)
		}
		d := ts.dataset(t, id)
		if got, want := ids(d["items"].([]any), "id"), []string{keep}; !slices.Equal(got, want) {
			t.Errorf("items = %v, want %v", got, want)
		}
		if got, want := d["itemCount"], 1.0; got != want {
			t.Errorf("itemCount = %v, want %v", got, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "DELETE", datasetsPath+"/"+id+"/items/"+gone, ts.owner, ""), http.StatusNotFound, "Dataset item not found")
	})
	t.Run("ErrDatasetNotFound", func(t *testing.T) {
		wantError(t, ts.do(t, "DELETE", datasetsPath+"/00000000-0000-0000-0000-000000000000/items/"+keep, ts.owner, ""), http.StatusNotFound, "Dataset not found")
	})
}
