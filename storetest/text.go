package storetest

import "testing"

import "github.com/strata-eval/strata"

// testText: every text a store keeps is valid UTF-8 without NUL, whichever
// entity holds it; dataset names are kept in one Unicode form.
func testText(t *testing.T, open Opener) {
	t.Run("ErrVersionNameNotText", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("d")
		for _, c := range []strata.VersionCreate{
			{Name: str("v\x00")},
			{Description: str("\x00")},
			{Name: str("\xff")},
		} {
			_, _, err := f.s.CreateVersion(f.ctx, f.actor, d.ID, c)
			wantCode(t, err, strata.EINVALID)
		}
		if got, want := f.find(d.ID).CurrentVersionNumber, 1; got != want {
			t.Fatalf("version = %d, want %d: a refused version was created", got, want)
		}
	})
	t.Run("ErrKeyNotText", func(t *testing.T) {
		s := open(t)
		_, _, err := s.CreateKey(t.Context(), strata.KeyCreate{ProjectName: "p\x00", Role: strata.RoleOwner})
		wantCode(t, err, strata.EINVALID)
		_, _, err = s.CreateKey(t.Context(), strata.KeyCreate{ProjectName: "p", UserName: "\xff", Role: strata.RoleOwner})
		wantCode(t, err, strata.EINVALID)
	})
	t.Run("ErrEvaluatorParamsNUL", func(t *testing.T) {
		f := newFixture(t, open)
		_, err := f.s.CreateEvaluator(f.ctx, f.actor, strata.EvaluatorCreate{Name: "e", Slug: "e", Type: "rouge", Mode: "normal",
			Params: []byte(`{"reference":"a\u0000"}`), Filters: []byte(`[]`)})
		wantCode(t, err, strata.EINVALID)
	})
	t.Run("DatasetNameNFC", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("cafe\u0301") // e and a combining accent
		if got, want := d.Name, "caf\u00e9"; got != want {
			t.Fatalf("name = %q, want %q (NFC)", got, want)
		}
		_, err := f.s.CreateDataset(f.ctx, f.actor, strata.DatasetCreate{Name: "caf\u00e9"})
		wantCode(t, err, strata.ECONFLICT)
		other := f.dataset("other")
		_, err = f.s.UpdateDataset(f.ctx, f.actor, other.ID, strata.DatasetUpdate{Name: str("cafe\u0301")}, strata.WriteOptions{})
		wantCode(t, err, strata.ECONFLICT)
	})
	t.Run("ErrDatasetNameInvisible", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("d")
		for _, name := range []string{"a\u200bb", "a\u200db", "\ufeffa", "a\u202eb", "a\u00adb", "a\tb", "a\nb", "a\x7fb"} {
			_, err := f.s.CreateDataset(f.ctx, f.actor, strata.DatasetCreate{Name: name})
			wantCode(t, err, strata.EINVALID)
			_, err = f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{Name: &name}, strata.WriteOptions{})
			wantCode(t, err, strata.EINVALID)
		}
	})
}
