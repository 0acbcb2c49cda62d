package client_test

import "errors"
import "net/http"
import "testing"

import "github.com/strata-eval/strata/client"

// TestFindDataset: an id names its dataset; otherwise a slug or a name
// (compared as the server stores names) names one dataset, and a name that
// is another dataset's slug names none.
func TestFindDataset(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	create := func(name string) *client.Dataset {
		t.Helper()
		d, err := c.CreateDataset(ctx, client.DatasetInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	teamAtProd := create("team@prod") // slug team-prod
	teamProd := create("team-prod")   // slug team-prod-2
	if got, want := teamProd.Slug, "team-prod-2"; got != want {
		t.Fatalf("slug of team-prod = %q, want %q", got, want)
	}
	cafe := create("Cafe\u0301 set") // stored as "Café set", one code point

	t.Run("OK", func(t *testing.T) {
		for name, want := range map[string]*client.Dataset{
			teamAtProd.ID: teamAtProd, "team@prod": teamAtProd, // its id; its name
			teamProd.ID: teamProd, "team-prod-2": teamProd, // its id; its slug
			cafe.Slug: cafe, cafe.Name: cafe,
		} {
			got, err := c.FindDataset(ctx, name)
			if err != nil {
				t.Fatalf("FindDataset(%q): %v", name, err)
			}
			if got.ID != want.ID {
				t.Errorf("FindDataset(%q) = %s (%q), want %s (%q)", name, got.ID, got.Name, want.ID, want.Name)
			}
		}
	})
	t.Run("NameInAnotherNormalForm", func(t *testing.T) {
		for _, name := range []string{"Cafe\u0301 set", "Caf\u00e9 set", " Caf\u00e9 set "} {
			got, err := c.FindDataset(ctx, name)
			if err != nil {
				t.Fatalf("FindDataset(%q): %v", name, err)
			}
			if got.ID != cafe.ID {
				t.Errorf("FindDataset(%q) = %q, want %q", name, got.Name, cafe.Name)
			}
		}
	})
	t.Run("ErrNameOfOneSlugOfAnother", func(t *testing.T) {
		_, err := c.FindDataset(ctx, "team-prod")
		var amb *client.AmbiguousError
		if !errors.As(err, &amb) {
			t.Fatalf("FindDataset(team-prod) = %v, want an *AmbiguousError", err)
		}
		if got, want := amb.ByName.ID, teamProd.ID; got != want {
			t.Errorf("by name: %s, want %s", got, want)
		}
		if got, want := amb.BySlug.ID, teamAtProd.ID; got != want {
			t.Errorf("by slug: %s, want %s", got, want)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := c.FindDataset(ctx, "nope"); !client.IsNotFound(err) {
			t.Fatalf("FindDataset(nope) = %v, want a 404", err)
		}
	})
}

// TestDeleteDatasetIfMatch: a delete sent with the ETag of the creation
// deletes the dataset as created, and not one changed since.
func TestDeleteDatasetIfMatch(t *testing.T) {
	ctx := t.Context()
	c := newServer(t)
	t.Run("OK", func(t *testing.T) {
		d, etag, err := c.CreateDatasetETag(ctx, client.DatasetInput{Name: "as created"})
		if err != nil {
			t.Fatal(err)
		}
		if etag == "" {
			t.Fatal("no ETag for the dataset created")
		}
		if err := c.DeleteDatasetIfMatch(ctx, d.ID, etag); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetDataset(ctx, d.ID); !client.IsNotFound(err) {
			t.Fatalf("after the delete: %v, want a 404", err)
		}
	})
	t.Run("ErrChanged", func(t *testing.T) {
		d, etag, err := c.CreateDatasetETag(ctx, client.DatasetInput{Name: "changed"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateItem(ctx, d.ID, client.ItemInput{Input: "someone else's"}, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		err = c.DeleteDatasetIfMatch(ctx, d.ID, etag)
		if got, want := client.StatusOf(err), http.StatusPreconditionFailed; got != want {
			t.Fatalf("status = %d (%v), want %d", got, err, want)
		}
		if _, err := c.GetDataset(ctx, d.ID); err != nil {
			t.Fatalf("the dataset changed since its creation was deleted: %v", err)
		}
	})
}
