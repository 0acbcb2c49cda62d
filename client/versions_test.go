package client_test

import "net/http"
import "testing"

import "github.com/strata-eval/strata/client"

func TestListRecentVersions(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	d, err := c.CreateDataset(ctx, client.DatasetInput{Name: "many versions"})
	if err != nil {
		t.Fatal(err)
	}
	const head = 160 // the dataset's version 1, then 159 snapshots
	for i := 2; i <= head; i++ {
		if _, _, err := c.CreateVersion(ctx, d.ID, client.VersionInput{}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("Default", func(t *testing.T) {
		vs, err := c.ListRecentVersions(ctx, d.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(vs), 50; got != want {
			t.Fatalf("%d versions, want %d", got, want)
		}
	})
	t.Run("All", func(t *testing.T) {
		// Past the newest 100, a page at a time.
		vs, err := c.ListVersions(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(vs), head; got != want {
			t.Fatalf("%d versions, want %d", got, want)
		}
		for i, v := range vs {
			if got, want := v.VersionNumber, head-i; got != want {
				t.Fatalf("versions[%d] = %d, want %d", i, got, want)
			}
		}
	})
	t.Run("Head", func(t *testing.T) {
		vs, err := c.ListRecentVersions(ctx, d.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(vs), 1; got != want {
			t.Fatalf("%d versions, want %d", got, want)
		}
		if got, want := vs[0].VersionNumber, head; got != want {
			t.Fatalf("head = %d, want %d", got, want)
		}
	})
	t.Run("ErrLimitTooLarge", func(t *testing.T) {
		_, err := c.ListRecentVersions(ctx, d.ID, 101)
		if got, want := client.StatusOf(err), http.StatusUnprocessableEntity; got != want {
			t.Fatalf("status = %d (%v), want %d", got, err, want)
		}
	})
}
