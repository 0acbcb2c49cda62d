package storetest

import "fmt"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

func testSlugs(t *testing.T, open Opener) {
	t.Run("MadeFromName", func(t *testing.T) {
		f := newFixture(t, open)
		if got, want := f.dataset("Support bot: refunds").Slug, "support-bot-refunds"; got != want {
			t.Fatalf("slug = %q, want %q", got, want)
		}
	})

	t.Run("ClashTakesSuffix", func(t *testing.T) {
		f := newFixture(t, open)
		for _, c := range []struct{ name, want string }{{"QA", "qa"}, {"qa", "qa-2"}, {"qa!", "qa-3"}} {
			if got := f.dataset(c.name).Slug; got != c.want {
				t.Fatalf("slug of %q = %q, want %q", c.name, got, c.want)
			}
		}
	})

	// A name whose slug fills the slug's length takes suffixes too, its
	// base cut to make room for them.
	t.Run("LongClashTakesSuffix", func(t *testing.T) {
		f := newFixture(t, open)
		long := strings.Repeat("m", 70)
		base := strings.Repeat("m", strata.MaxSlugLength)
		for i, want := range []string{base, base[:62] + "-2", base[:62] + "-3", base[:62] + "-4"} {
			if got := f.dataset(fmt.Sprintf("%s%d", long, i)).Slug; got != want {
				t.Fatalf("slug of dataset %d = %q, want %q", i, got, want)
			}
		}
	})

	t.Run("PerProject", func(t *testing.T) {
		f := newFixture(t, open)
		f.dataset("qa")
		other := f.otherProject()
		d, err := f.s.CreateDataset(f.ctx, other, strata.DatasetCreate{Name: "qa"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := d.Slug, "qa"; got != want {
			t.Fatalf("slug in another project = %q, want %q", got, want)
		}
	})

	t.Run("FindBySlug", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		got, err := f.s.FindDatasetBySlug(f.ctx, f.actor.ProjectID, "qa")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != d.ID {
			t.Fatalf("found %s, want %s", got.ID, d.ID)
		}
		_, err = f.s.FindDatasetBySlug(f.ctx, f.otherProject().ProjectID, "qa")
		wantCode(t, err, strata.ENOTFOUND)
		_, err = f.s.FindDatasetBySlug(f.ctx, f.actor.ProjectID, "nope")
		wantCode(t, err, strata.ENOTFOUND)
	})

	t.Run("Change", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		u, err := f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{Slug: str("refunds")}, strata.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := u.Slug, "refunds"; got != want {
			t.Fatalf("slug = %q, want %q", got, want)
		}
		if got, want := u.CurrentVersionNumber, d.CurrentVersionNumber; got != want {
			t.Fatalf("changing the slug made version %d, want none (%d)", got, want)
		}
		if _, err := f.s.FindDatasetBySlug(f.ctx, f.actor.ProjectID, "qa"); strata.ErrorCode(err) != strata.ENOTFOUND {
			t.Fatalf("old slug still finds the dataset: %v", err)
		}
	})

	t.Run("RenameKeepsSlug", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		u, err := f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{Name: str("Refunds")}, strata.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := u.Slug, "qa"; got != want {
			t.Fatalf("slug after rename = %q, want %q", got, want)
		}
	})

	t.Run("ErrMalformed", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		for _, s := range []string{"", "Q A", "-qa", "qa--b", "0190d6a1-2b3c-7def-8123-456789abcdef"} {
			_, err := f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{Slug: str(s)}, strata.WriteOptions{})
			wantCode(t, err, strata.EINVALID)
		}
	})

	t.Run("ErrTaken", func(t *testing.T) {
		f := newFixture(t, open)
		f.dataset("qa")
		d := f.dataset("refunds")
		_, err := f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{Name: str("renamed"), Slug: str("qa")}, strata.WriteOptions{})
		wantCode(t, err, strata.ECONFLICT)
		if got, want := strata.ErrorMessage(err), strata.ErrSlugTaken.Message; got != want {
			t.Fatalf("message = %q, want %q", got, want)
		}
		got, err := f.s.FindDataset(f.ctx, f.actor.ProjectID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "slug after a refused change", got.Slug, "refunds")
		wantEq(t, "name after a refused change", got.Name, "refunds")
	})

	t.Run("RestoreKeepsSlug", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		v1 := d.CurrentVersionID
		f.item(d.ID, "a", strata.WriteOptions{})
		if _, err := f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{Slug: str("mine")}, strata.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		r, _, err := f.s.RestoreVersion(f.ctx, f.actor, d.ID, *v1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := r.Slug, "mine"; got != want {
			t.Fatalf("slug after restore = %q, want %q", got, want)
		}
	})

	t.Run("DuplicateGetsItsOwn", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		c, err := f.s.DuplicateDataset(f.ctx, f.actor, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.Slug, "qa-copy"; got != want {
			t.Fatalf("slug of the copy = %q, want %q", got, want)
		}
	})

	t.Run("ConcurrentCreatesTakeDistinctSlugs", func(t *testing.T) {
		f := newFixture(t, open)
		names := []string{"QA", "qa!", "Qa.", "qa?", "(qa)", "qa ", " qa", "q-a"}
		errs := make(chan error, len(names))
		for _, name := range names {
			go func() {
				_, err := f.s.CreateDataset(f.ctx, f.actor, strata.DatasetCreate{Name: name})
				errs <- err
			}()
		}
		for range names {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		list := f.datasets(f.actor.ProjectID, strata.DatasetFilter{})
		slugs := map[string]bool{}
		for _, d := range list {
			slugs[d.Slug] = true
		}
		for _, want := range []string{"qa", "qa-2", "qa-3", "qa-4", "qa-5", "qa-6", "qa-7", "q-a"} {
			if !slugs[want] {
				t.Fatalf("slugs %v lack %q", slugs, want)
			}
		}
	})

	t.Run("Listed", func(t *testing.T) {
		f := newFixture(t, open)
		f.dataset("qa")
		list := f.datasets(f.actor.ProjectID, strata.DatasetFilter{})
		wantEq(t, "datasets listed", len(list), 1)
		wantEq(t, "slug listed", list[0].Slug, "qa")
	})
}

// otherProject returns an owner of a second project.
func (f *fixture) otherProject() strata.Actor {
	f.tb.Helper()
	_, secret, err := f.s.CreateKey(f.ctx, strata.KeyCreate{ProjectName: "other", Role: strata.RoleOwner, UserName: "Eve"})
	if err != nil {
		f.tb.Fatal(err)
	}
	p, err := f.s.Authenticate(f.ctx, secret)
	if err != nil {
		f.tb.Fatal(err)
	}
	return p.Actor()
}

// SlugMigration checks that the slugs migration gives datasets made before
// it slugs from their names, the oldest the plain one. s is a fresh store
// whose database db is; reopen opens the database again (migrating it).
func SlugMigration(t *testing.T, open Reopener) {
	s, db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{tb: t, ctx: t.Context(), s: s}
	f.actor = f.otherProject()
	first := f.dataset("Support bot")
	second := f.dataset("support bot!")
	for _, q := range []string{
		`DROP INDEX datasets_project_slug`,
		`ALTER TABLE datasets DROP COLUMN slug`,
		`DELETE FROM schema_migrations WHERE name = '0006_slugs.sql'`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, open)
	defer s.Close()
	for _, c := range []struct{ id, want string }{{first.ID, "support-bot"}, {second.ID, "support-bot-2"}} {
		d, err := s.FindDataset(t.Context(), f.actor.ProjectID, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Slug != c.want {
			t.Fatalf("migrated slug of %q = %q, want %q", d.Name, d.Slug, c.want)
		}
	}
}
