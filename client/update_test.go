package client_test

import "encoding/json"
import "errors"
import "testing"

import "github.com/strata-eval/strata/client"

// TestUpdateClearsFields: an update sets null where it clears a field, and
// [] where it sets no splits; the server clears them.
func TestUpdateClearsFields(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	d, err := c.CreateDataset(ctx, client.DatasetInput{Name: "clears", Description: ptr("about")})
	if err != nil {
		t.Fatal(err)
	}
	full := func(t *testing.T) *client.Item {
		t.Helper()
		it, err := c.CreateItem(ctx, d.ID, client.ItemInput{Input: "q", GroundTruth: ptr("gt"), Output: ptr("out"),
			Metadata: json.RawMessage(`{"lang":"en"}`), Splits: []string{"test"}, ExternalID: ptr("ext-" + t.Name())}, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	t.Run("Splits", func(t *testing.T) {
		it := full(t)
		got, err := c.UpdateItem(ctx, d.ID, it.ID, client.ItemUpdate{Splits: []string{}}, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Splits) != 0 || got.GroundTruth == nil || got.ExternalID == nil {
			t.Fatalf("after clearing the splits: %+v", got)
		}
	})
	t.Run("All", func(t *testing.T) {
		it := full(t)
		_, err := c.UpdateItem(ctx, d.ID, it.ID, client.ItemUpdate{ClearGroundTruth: true, ClearOutput: true,
			ClearExternalID: true, Splits: []string{}, Metadata: json.RawMessage(`{}`)}, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.GetItem(ctx, d.ID, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Input != "q" || got.GroundTruth != nil || got.Output != nil || got.ExternalID != nil ||
			len(got.Splits) != 0 || string(got.Metadata) != "{}" {
			t.Fatalf("after clearing: %+v", got)
		}
	})
	t.Run("LeavesOthers", func(t *testing.T) {
		it := full(t)
		got, err := c.UpdateItem(ctx, d.ID, it.ID, client.ItemUpdate{ClearOutput: true}, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Output != nil || got.GroundTruth == nil || *got.GroundTruth != "gt" || len(got.Splits) != 1 || got.ExternalID == nil {
			t.Fatalf("after clearing the output: %+v", got)
		}
	})
	t.Run("DatasetDescription", func(t *testing.T) {
		got, err := c.UpdateDataset(ctx, d.ID, client.DatasetUpdate{ClearDescription: true}, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Description != nil || got.Name != "clears" {
			t.Fatalf("after clearing the description: %+v", got)
		}
	})
	t.Run("ErrSetAndClear", func(t *testing.T) {
		it := full(t)
		_, err := c.UpdateItem(ctx, d.ID, it.ID, client.ItemUpdate{GroundTruth: ptr("x"), ClearGroundTruth: true}, client.WriteOptions{})
		if !errors.Is(err, client.ErrInvalidArgument) {
			t.Fatalf("err = %v, want ErrInvalidArgument", err)
		}
		_, err = c.UpdateDataset(ctx, d.ID, client.DatasetUpdate{Description: ptr("x"), ClearDescription: true}, client.WriteOptions{})
		if !errors.Is(err, client.ErrInvalidArgument) {
			t.Fatalf("err = %v, want ErrInvalidArgument", err)
		}
	})
}

// TestUpdateJSON: the bodies the updates send.
func TestUpdateJSON(t *testing.T) {
	for _, tc := range []struct {
		u    any
		want string
	}{
		{client.ItemUpdate{}, `{}`},
		{client.ItemUpdate{Input: ptr("a"), GroundTruth: ptr("b")}, `{"input":"a","groundTruth":"b"}`},
		{client.ItemUpdate{Splits: []string{}, ClearExternalID: true, ClearGroundTruth: true}, `{"groundTruth":null,"splits":[],"externalId":null}`},
		{client.DatasetUpdate{Name: ptr("n")}, `{"name":"n"}`},
		{client.DatasetUpdate{ClearDescription: true}, `{"description":null}`},
	} {
		got, err := json.Marshal(tc.u)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%+v: %s, want %s", tc.u, got, tc.want)
		}
	}
}
