package client_test

import "errors"
import "maps"
import "strings"
import "testing"

import "github.com/strata-eval/strata/client"

// newDataset creates a dataset on c and returns its id.
func newDataset(t *testing.T, c *client.Client, name string) string {
	t.Helper()
	d, err := c.CreateDataset(t.Context(), client.DatasetInput{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// onlyItem returns the one working item of a dataset.
func onlyItem(t *testing.T, c *client.Client, datasetID string) client.Item {
	t.Helper()
	page, err := c.ListItems(t.Context(), datasetID, client.PageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(page.Items), 1; got != want {
		t.Fatalf("%d items, want %d", got, want)
	}
	return page.Items[0]
}

// ownColumns is a CSV whose columns detection finds none of.
const ownColumns = "text,gold,language,sets,note\nIs shipping free?,Above 50 EUR,en,\"test,train\",shipping\n"

// ownMapping maps every column of ownColumns but note.
var ownMapping = map[string]string{"input": "text", "groundTruth": "gold", "metadata.lang": "language", "splits": "sets"}

// chatLine is a JSON line of OpenAI's evals: the input is a chat.
const chatLine = `{"input":[{"role":"system","content":"Be brief."},{"role":"user","content":"Is shipping free?"}],"ideal":"Above 50 EUR"}` + "\n"

func TestImportMap(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	id := newDataset(t, c, "mapped")
	res, err := c.Import(ctx, id, client.FormatCSV, strings.NewReader(ownColumns), client.ImportOptions{Map: ownMapping})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Result", func(t *testing.T) {
		if got, want := res.InsertedCount, 1; got != want {
			t.Errorf("inserted %d, want %d", got, want)
		}
		if got := res.Mapping.Input; got == nil || *got != "text" {
			t.Errorf("mapping.input = %v, want text", got)
		}
		if got := res.Mapping.GroundTruth; got == nil || *got != "gold" {
			t.Errorf("mapping.groundTruth = %v, want gold", got)
		}
		if got, want := strings.Join(res.Unmapped, ","), "note"; got != want {
			t.Errorf("unmapped = %q, want %q", got, want)
		}
		if res.ImportPreview != nil {
			t.Errorf("an import that is no dry run answered a preview: %+v", res.ImportPreview)
		}
	})
	t.Run("Item", func(t *testing.T) {
		it := onlyItem(t, c, id)
		if got, want := it.Input, "Is shipping free?"; got != want {
			t.Errorf("input = %q, want %q", got, want)
		}
		if got, want := string(it.Metadata), `{"lang":"en","note":"shipping"}`; got != want {
			t.Errorf("metadata = %s, want %s", got, want)
		}
		if got, want := strings.Join(it.Splits, ","), "test,train"; got != want {
			t.Errorf("splits = %q, want %q", got, want)
		}
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		_, err := c.Import(ctx, id, client.FormatCSV, strings.NewReader(ownColumns), client.ImportOptions{Map: map[string]string{"answer": "gold"}})
		if got, want := client.StatusOf(err), 400; got != want {
			t.Fatalf("status = %d (%v), want %d", got, err, want)
		}
	})
}

// TestImportMapIgnore: Map's "ignore" leaves a column out of the item, its
// metadata included, and out of Unmapped.
func TestImportMapIgnore(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	id := newDataset(t, c, "ignored")
	m := maps.Clone(ownMapping)
	m["ignore"] = "note"
	res, err := c.Import(ctx, id, client.FormatCSV, strings.NewReader(ownColumns), client.ImportOptions{Map: m})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Unmapped; len(got) != 0 {
		t.Errorf("unmapped = %q, want none", got)
	}
	if got := res.Mapping.Input; got == nil || *got != "text" {
		t.Errorf("mapping.input = %v, want text", got)
	}
	if got, want := string(onlyItem(t, c, id).Metadata), `{"lang":"en"}`; got != want {
		t.Errorf("metadata = %s, want %s", got, want)
	}
}

func TestImportInputFrom(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	id := newDataset(t, c, "evals")
	res, err := c.Import(ctx, id, client.FormatJSONL, strings.NewReader(chatLine), client.ImportOptions{InputFrom: client.InputFromLastUserMessage})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Mapping.InputFrom; got == nil || *got != client.InputFromLastUserMessage {
		t.Errorf("mapping.inputFrom = %v, want %s", got, client.InputFromLastUserMessage)
	}
	if got, want := onlyItem(t, c, id).Input, "Is shipping free?"; got != want {
		t.Errorf("input = %q, want %q", got, want)
	}
}

func TestImportDryRun(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	id := newDataset(t, c, "previewed")
	t.Run("OK", func(t *testing.T) {
		res, err := c.Import(ctx, id, client.FormatCSV, strings.NewReader(ownColumns), client.ImportOptions{DryRun: true, Map: ownMapping})
		if err != nil {
			t.Fatal(err)
		}
		if res.ImportPreview == nil {
			t.Fatal("a dry run answered no preview")
		}
		if got, want := res.RecordCount, 1; got != want {
			t.Errorf("recordCount = %d, want %d", got, want)
		}
		if got, want := strings.Join(res.Columns, ","), "text,gold,language,sets,note"; got != want {
			t.Errorf("columns = %q, want %q", got, want)
		}
		if len(res.Items) != 1 || res.Items[0].Input != "Is shipping free?" {
			t.Errorf("items = %+v, want the mapped input", res.Items)
		}
		if res.Error != nil {
			t.Errorf("error = %+v, want none", res.Error)
		}
	})
	t.Run("WritesNothing", func(t *testing.T) {
		d, err := c.GetDataset(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := d.ItemCount, 0; got != want {
			t.Fatalf("%d items after a dry run, want %d", got, want)
		}
	})
	t.Run("ErrorInFile", func(t *testing.T) {
		res, err := c.Import(ctx, id, client.FormatJSONL, strings.NewReader(`{"input":"a"}`+"\nnot json\n"), client.ImportOptions{DryRun: true})
		if err != nil {
			t.Fatalf("err = %v, want the file's error in the preview", err)
		}
		if res.ImportPreview == nil || res.Error == nil {
			t.Fatalf("preview %+v, want an error", res.ImportPreview)
		}
		if got, want := res.Error.Line, 2; got != want {
			t.Errorf("error line = %d, want %d", got, want)
		}
	})
}

func TestUpsert(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	id := newDataset(t, c, "upserted")
	seed := `{"input":"Is shipping free?","externalId":"faq-7"}` + "\n" + `{"input":"Kept"}` + "\n"
	if _, err := c.Import(ctx, id, client.FormatJSONL, strings.NewReader(seed), client.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	file := "q,ext\nIs shipping free? Over 50 EUR.,faq-7\nDo you ship abroad?,\n"
	o := client.ImportOptions{Map: map[string]string{"input": "q", "metadata.source": "ext"}}
	t.Run("DryRun", func(t *testing.T) {
		dry := o
		dry.DryRun = true
		res, err := c.Upsert(ctx, id, client.FormatCSV, strings.NewReader(file), dry)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(res.Changes), 2; got != want {
			t.Errorf("%d changes listed, want %d", got, want)
		}
		d, err := c.GetDataset(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := d.ItemCount, 2; got != want {
			t.Errorf("%d items after a dry run, want %d", got, want)
		}
	})
	t.Run("OK", func(t *testing.T) {
		// The mapping reads ext as metadata, not as an external id: no
		// record names a live item, so both are added, and none is
		// removed.
		res, err := c.Upsert(ctx, id, client.FormatCSV, strings.NewReader(file), o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 2 || res.Modified != 0 || res.Removed != 0 || res.Unchanged != 0 {
			t.Errorf("upsert: %d added, %d modified, %d removed, %d unchanged; want 2, 0, 0, 0",
				res.Added, res.Modified, res.Removed, res.Unchanged)
		}
		if got := res.Mapping.Input; got == nil || *got != "q" {
			t.Errorf("mapping.input = %v, want q", got)
		}
	})
	t.Run("MatchesByExternalID", func(t *testing.T) {
		res, err := c.Upsert(ctx, id, client.FormatJSONL, strings.NewReader(`{"input":"Is shipping free?","externalId":"faq-7","ideal":"Over 50 EUR."}`+"\n"), client.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 0 || res.Modified != 1 || res.Removed != 0 {
			t.Errorf("upsert: %d added, %d modified, %d removed; want 0, 1, 0", res.Added, res.Modified, res.Removed)
		}
		if res.Version == nil {
			t.Error("no version made")
		}
	})
	t.Run("ErrJSON", func(t *testing.T) {
		_, err := c.Upsert(ctx, id, client.FormatJSON, strings.NewReader(`[]`), client.ImportOptions{})
		if !errors.Is(err, client.ErrInvalidArgument) {
			t.Fatalf("err = %v, want ErrInvalidArgument", err)
		}
	})
}

func TestSyncInputFrom(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	id := newDataset(t, c, "synced evals")
	res, err := c.Sync(ctx, id, client.FormatJSONL, strings.NewReader(chatLine), client.SyncOptions{InputFrom: client.InputFromLastUserMessage})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Mapping.InputFrom; got == nil || *got != client.InputFromLastUserMessage {
		t.Errorf("mapping.inputFrom = %v, want %s", got, client.InputFromLastUserMessage)
	}
	it := onlyItem(t, c, id)
	if got, want := it.Input, "Is shipping free?"; got != want {
		t.Errorf("input = %q, want %q", got, want)
	}
	if got := it.GroundTruth; got == nil || *got != "Above 50 EUR" {
		t.Errorf("ground truth = %v, want the ideal", got)
	}
}

func TestSyncMapMetadataAndSplits(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	id := newDataset(t, c, "synced own")
	if _, err := c.Sync(ctx, id, client.FormatCSV, strings.NewReader(ownColumns), client.SyncOptions{Map: ownMapping}); err != nil {
		t.Fatal(err)
	}
	it := onlyItem(t, c, id)
	if got, want := string(it.Metadata), `{"lang":"en","note":"shipping"}`; got != want {
		t.Errorf("metadata = %s, want %s", got, want)
	}
	if got, want := strings.Join(it.Splits, ","), "test,train"; got != want {
		t.Errorf("splits = %q, want %q", got, want)
	}
}
