package client_test

import "context"
import "fmt"
import "io"
import "log"
import "os"

import "github.com/strata-eval/strata/client"

// Read a dataset's items a page at a time, as a range loop.
func ExampleClient_Items() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:3333", os.Getenv("STRATA_API_KEY"))
	d, err := c.FindDataset(ctx, "support-bot")
	if err != nil {
		log.Fatal(err)
	}
	for it, err := range c.Items(ctx, d.ID, client.PageOptions{Limit: 500}) {
		if err != nil {
			log.Fatal(err) // the page that failed; the loop ends after it
		}
		fmt.Println(it.ID, it.Input)
	}
}

// Compare two versions change by change: the second page and the next name
// the versions by their ids, so a tag moved meanwhile changes nothing.
func ExampleClient_Changes() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:3333", os.Getenv("STRATA_API_KEY"))
	for ch, err := range c.Changes(ctx, "DATASET-ID", "baseline", "latest", client.DiffOptions{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ch.Change, ch.ItemID)
	}
}

// Clear fields of an item: a Clear field sends null, an empty Splits [].
func ExampleItemUpdate() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:3333", os.Getenv("STRATA_API_KEY"))
	_, err := c.UpdateItem(ctx, "DATASET-ID", "ITEM-ID", client.ItemUpdate{
		ClearGroundTruth: true,
		ClearExternalID:  true,
		Splits:           []string{},
	}, client.WriteOptions{})
	if err != nil {
		log.Fatal(err)
	}
}

// Preview an import of an OpenAI evals file whose columns detection would
// not find, then import it.
func ExampleClient_Import() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:3333", os.Getenv("STRATA_API_KEY"))
	o := client.ImportOptions{
		Map:       map[string]string{"groundTruth": "ideal", "metadata.source": "origin"},
		InputFrom: client.InputFromLastUserMessage,
		DryRun:    true,
	}
	f, err := os.Open("evals.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	preview, err := c.Import(ctx, "DATASET-ID", client.FormatJSONL, f, o)
	if err != nil {
		log.Fatal(err)
	}
	if preview.Error != nil {
		log.Fatalf("line %d: %s", preview.Error.Line, preview.Error.Message)
	}
	fmt.Println(preview.RecordCount, "records; unmapped columns:", preview.Unmapped)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		log.Fatal(err)
	}
	o.DryRun = false
	res, err := c.Import(ctx, "DATASET-ID", client.FormatJSONL, f, o)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.InsertedCount, "items imported")
}
