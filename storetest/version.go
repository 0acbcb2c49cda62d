package storetest

import (
	"slices"
	"sync"
	"testing"

	"github.com/strata-eval/strata"
)

func testVersions(t *testing.T, open Opener) {
	t.Run("SnapshotFreezesContent", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "a", skip)
		v, got, err := f.s.CreateVersion(f.ctx, f.actor, d.ID, strata.VersionCreate{})
		if err != nil {
			t.Fatal(err)
		}
		if v.Number != 2 || v.ItemCount != 1 || v.DatasetID != d.ID || v.Name == nil || *v.Name != "qa" || v.CreatedBy == nil {
			t.Fatalf("version = %+v", v)
		}
		if got.CurrentVersionNumber != 2 || got.CurrentVersionID == nil || *got.CurrentVersionID != v.ID {
			t.Fatalf("dataset after snapshot = %+v", got)
		}
		f.update(d.ID, a.ID, "a2", skip)
		f.item(d.ID, "b", skip)
		if got := inputs(f.items(d.ID, 2)); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("version 2 = %q", got)
		}
		if got := inputs(f.items(d.ID, 1)); len(got) != 0 {
			t.Fatalf("version 1 = %q", got)
		}
		named, _, err := f.s.CreateVersion(f.ctx, f.actor, d.ID, strata.VersionCreate{Name: str("before run"), Description: str("why")})
		if err != nil {
			t.Fatal(err)
		}
		if *named.Name != "before run" || *named.Description != "why" || named.ItemCount != 2 {
			t.Fatalf("named version = %+v", named)
		}
	})

	t.Run("ListAndFind", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		for i := 0; i < 4; i++ {
			f.snapshot(d.ID)
		}
		list, err := f.s.ListVersions(f.ctx, f.actor.ProjectID, d.ID, 3)
		if err != nil {
			t.Fatal(err)
		}
		var nums []int
		for _, v := range list {
			nums = append(nums, v.Number)
		}
		if !slices.Equal(nums, []int{5, 4, 3}) {
			t.Fatalf("versions = %v", nums)
		}
		v, err := f.s.FindVersion(f.ctx, f.actor.ProjectID, d.ID, list[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Number != 4 {
			t.Fatalf("found version %d", v.Number)
		}
		other := f.dataset("other")
		_, err = f.s.FindVersion(f.ctx, f.actor.ProjectID, other.ID, list[1].ID)
		wantCode(t, err, strata.ENOTFOUND)
		if got, want := strata.ErrorMessage(err), "Dataset version not found"; got != want {
			t.Fatalf("message = %q, want %q", got, want)
		}
	})

	t.Run("RestoreKeepsIdsOrderAndResults", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "a", skip)
		b := f.item(d.ID, "b", skip)
		c := f.item(d.ID, "c", skip)
		v := f.snapshot(d.ID)
		f.update(d.ID, a.ID, "a2", skip)
		f.remove(d.ID, b.ID, skip)
		f.item(d.ID, "new", skip)
		f.snapshot(d.ID)
		f.update(d.ID, c.ID, "c2", skip)
		if _, err := f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{Name: str("renamed")}, skip); err != nil {
			t.Fatal(err)
		}

		got, rv, err := f.s.RestoreVersion(f.ctx, f.actor, d.ID, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rv.RestoredFromVersionID == nil || *rv.RestoredFromVersionID != v.ID || rv.Number != 4 || rv.ItemCount != 3 {
			t.Fatalf("restore version = %+v", rv)
		}
		if got.Name != "renamed" || got.ItemCount != 3 || got.CurrentVersionNumber != 4 ||
			got.CurrentVersionRestoredFromVersionID == nil || *got.CurrentVersionRestoredFromVersionID != v.ID {
			t.Fatalf("dataset after restore = %+v", got)
		}
		items := f.items(d.ID, 0)
		if got := inputs(items); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("restored = %q", got)
		}
		for i, want := range []*strata.Item{a, b, c} {
			if items[i].ID != want.ID || !items[i].CreatedAt.Equal(want.CreatedAt) {
				t.Fatalf("item %d id %s, want %s", i, items[i].ID, want.ID)
			}
		}
		if got := inputs(f.items(d.ID, 3)); !slices.Equal(got, []string{"a2", "c", "new"}) {
			t.Fatalf("version 3 changed by restore: %q", got)
		}
		if got := inputs(f.items(d.ID, 4)); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("version 4 = %q", got)
		}
		_, _, err = f.s.RestoreVersion(f.ctx, f.actor, d.ID, "00000000-0000-0000-0000-000000000000")
		wantCode(t, err, strata.ENOTFOUND)
	})

	t.Run("RestoreKeepsNameAndDescription", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		v, _, err := f.s.CreateVersion(f.ctx, f.actor, d.ID, strata.VersionCreate{Name: str("before run"), Description: str("label")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.UpdateDataset(f.ctx, f.actor, d.ID, strata.DatasetUpdate{Name: str("renamed"), Description: str("now"), SetDescription: true}, strata.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		f.dataset("qa")
		f.item(d.ID, "x", skip)
		got, _, err := f.s.RestoreVersion(f.ctx, f.actor, d.ID, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "renamed" || got.Description == nil || *got.Description != "now" || got.ItemCount != 0 || got.CurrentVersionNumber != 4 {
			t.Fatalf("after restore: %+v", got)
		}
	})
}

func testImport(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		src := make(strata.ItemSlice, 1234)
		for i := range src {
			src[i] = strata.ItemInput{Input: string(rune('a' + i%26)), Output: str("o")}
		}
		n, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, strata.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n != 1234 {
			t.Fatalf("inserted %d", n)
		}
		got := f.find(d.ID)
		if got.ItemCount != 1234 || got.CurrentVersionNumber != 2 {
			t.Fatalf("after import: %d items, version %d", got.ItemCount, got.CurrentVersionNumber)
		}
		items := f.items(d.ID, 2)
		if len(items) != 1234 || items[27].Input != "b" || *items[27].Output != "o" {
			t.Fatalf("imported %d items", len(items))
		}
	})

	t.Run("Empty", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		var src strata.ItemSlice
		n, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, strata.WriteOptions{})
		if err != nil || n != 0 {
			t.Fatalf("import = %d, %v", n, err)
		}
		if got := f.find(d.ID).CurrentVersionNumber; got != 1 {
			t.Fatalf("empty import made version %d", got)
		}
	})

	t.Run("FailureInsertsNothing", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		src := &failingSource{n: 1700, err: strata.Errorf(strata.EINVALID, "Invalid JSONL: could not parse one of the lines")}
		_, err := f.s.ImportItems(f.ctx, f.actor, d.ID, src, strata.WriteOptions{})
		wantCode(t, err, strata.EINVALID)
		got := f.find(d.ID)
		if got.ItemCount != 0 || got.CurrentVersionNumber != 1 || len(f.items(d.ID, 0)) != 0 {
			t.Fatalf("failed import left %d items, version %d", got.ItemCount, got.CurrentVersionNumber)
		}
	})
}

// failingSource yields n items, then fails.
type failingSource struct {
	n   int
	err error
}

func (s *failingSource) Next() (strata.ItemInput, error) {
	if s.n == 0 {
		return strata.ItemInput{}, s.err
	}
	s.n--
	return strata.ItemInput{Input: "x"}, nil
}

func testConcurrency(t *testing.T, open Opener) {
	t.Run("SnapshotsGetConsecutiveNumbers", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		const n = 40
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			nums []int
		)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%2 == 0 {
					f.item(d.ID, "x", skip)
				}
				v, _, err := f.s.CreateVersion(f.ctx, f.actor, d.ID, strata.VersionCreate{})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				nums = append(nums, v.Number)
				mu.Unlock()
			}()
		}
		wg.Wait()
		slices.Sort(nums)
		for i, got := range nums {
			if want := i + 2; got != want {
				t.Fatalf("version numbers = %v", nums)
			}
		}
		if got := f.find(d.ID); got.ItemCount != n/2 || got.CurrentVersionNumber != n+1 {
			t.Fatalf("after: %d items, version %d", got.ItemCount, got.CurrentVersionNumber)
		}
	})
}

func testKeys(t *testing.T, open Opener) {
	t.Run("CreateAuthenticateRevoke", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		k, secret, err := s.CreateKey(ctx, strata.KeyCreate{ProjectName: "p", Role: strata.RoleViewer, UserName: "V", UserEmail: "v@x"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Authenticate(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if p.Role != strata.RoleViewer || p.ProjectID != k.ProjectID || p.UserID != k.UserID || p.KeyID != k.ID {
			t.Fatalf("principal = %+v", p)
		}
		// The same user and project are found again.
		k2, _, err := s.CreateKey(ctx, strata.KeyCreate{ProjectName: "p", Role: strata.RoleOwner, UserEmail: "v@x"})
		if err != nil {
			t.Fatal(err)
		}
		if k2.UserID != k.UserID || k2.ProjectID != k.ProjectID {
			t.Fatal("second key made a new user or project")
		}
		_, err = s.Authenticate(ctx, secret+"x")
		wantCode(t, err, strata.EUNAUTHORIZED)
		_, err = s.Authenticate(ctx, k.ProjectID)
		wantCode(t, err, strata.EUNAUTHORIZED)
		keys, err := s.ListKeys(ctx, "p")
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 2 || keys[0].Prefix == "" || keys[0].Prefix == secret {
			t.Fatalf("keys = %+v", keys)
		}
		if err := s.RevokeKey(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.Authenticate(ctx, secret)
		wantCode(t, err, strata.EUNAUTHORIZED)
		// A key revoked twice says so, not that it does not exist.
		err = s.RevokeKey(ctx, k.ID)
		wantCode(t, err, strata.ECONFLICT)
		if got, want := strata.ErrorMessage(err), "Key is already revoked"; got != want {
			t.Fatalf("revoke twice: %q, want %q", got, want)
		}
		wantCode(t, s.RevokeKey(ctx, strata.NewID()), strata.ENOTFOUND)
		if n, err := s.CountKeys(ctx); err != nil || n != 2 {
			t.Fatalf("CountKeys = %d, %v", n, err)
		}
		rotated, newSecret, err := s.CreateKey(ctx, strata.KeyCreate{ProjectName: "p", Role: strata.RoleMember, UserName: "R"})
		if err != nil {
			t.Fatal(err)
		}
		// Authenticated once before the rotation, so that a server that
		// remembers keys must forget this one when it is rotated.
		if _, err := s.Authenticate(ctx, newSecret); err != nil {
			t.Fatal(err)
		}
		k3, secret3, err := s.RotateKey(ctx, rotated.ID)
		if err != nil {
			t.Fatal(err)
		}
		if k3.ID == rotated.ID || k3.Role != strata.RoleMember || k3.UserID != rotated.UserID || k3.ProjectID != rotated.ProjectID {
			t.Fatalf("rotated key = %+v", k3)
		}
		_, err = s.Authenticate(ctx, newSecret)
		wantCode(t, err, strata.EUNAUTHORIZED)
		if p, err := s.Authenticate(ctx, secret3); err != nil || p.KeyID != k3.ID {
			t.Fatalf("new key: %v, %v", p, err)
		}
		_, _, err = s.RotateKey(ctx, rotated.ID)
		wantCode(t, err, strata.ECONFLICT)
		_, _, err = s.CreateKey(ctx, strata.KeyCreate{ProjectName: "p", Role: "root"})
		wantCode(t, err, strata.EINVALID)
	})
}
