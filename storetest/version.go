package storetest

import "context"
import "errors"
import "fmt"
import "io"
import "slices"
import "strconv"
import "strings"
import "sync"
import "sync/atomic"
import "testing"

import "github.com/strata-eval/strata"

func testVersions(t *testing.T, open Opener) {
	t.Run("SnapshotFreezesContent", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a := f.item(d.ID, "a", skip)
		v, got, err := f.s.CreateVersion(f.ctx, f.actor, d.ID, strata.VersionCreate{})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "version number", v.Number, 2)
		wantEq(t, "version items", v.ItemCount, 1)
		wantEq(t, "version dataset", v.DatasetID, d.ID)
		wantPtr(t, "version name", v.Name, "qa")
		if v.CreatedBy == nil {
			t.Fatal("version created by nobody")
		}
		wantEq(t, "current version number", got.CurrentVersionNumber, 2)
		wantPtr(t, "current version", got.CurrentVersionID, v.ID)
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
		wantPtr(t, "name", named.Name, "before run")
		wantPtr(t, "description", named.Description, "why")
		wantEq(t, "items", named.ItemCount, 2)
	})

	t.Run("ListAndFind", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		for i := 0; i < 4; i++ {
			f.snapshot(d.ID)
		}
		list, err := f.s.ListVersions(f.ctx, f.actor.ProjectID, d.ID, 0, 3)
		if err != nil {
			t.Fatal(err)
		}
		numbers := func(list []*strata.Version) []int {
			var nums []int
			for _, v := range list {
				nums = append(nums, v.Number)
			}
			return nums
		}
		if nums := numbers(list); !slices.Equal(nums, []int{5, 4, 3}) {
			t.Fatalf("versions = %v", nums)
		}
		// The page before the last one listed.
		older, err := f.s.ListVersions(f.ctx, f.actor.ProjectID, d.ID, 3, 3)
		if err != nil {
			t.Fatal(err)
		}
		if nums := numbers(older); !slices.Equal(nums, []int{2, 1}) {
			t.Fatalf("versions before 3 = %v", nums)
		}
		v, err := f.s.ResolveVersion(f.ctx, f.actor.ProjectID, d.ID, list[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Number != 4 {
			t.Fatalf("found version %d", v.Number)
		}
		other := f.dataset("other")
		_, err = f.s.ResolveVersion(f.ctx, f.actor.ProjectID, other.ID, list[1].ID)
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
		wantPtr(t, "restored from", rv.RestoredFromVersionID, v.ID)
		wantEq(t, "restore version", rv.Number, 4)
		wantEq(t, "restore version items", rv.ItemCount, 3)
		wantEq(t, "name after restore", got.Name, "renamed")
		wantEq(t, "items after restore", got.ItemCount, 3)
		wantEq(t, "version after restore", got.CurrentVersionNumber, 4)
		wantPtr(t, "current version restored from", got.CurrentVersionRestoredFromVersionID, v.ID)
		// The list says from which number, with the version it lists.
		list, err := f.s.ListVersions(f.ctx, f.actor.ProjectID, d.ID, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if from := list[0].RestoredFromNumber; from == nil || *from != v.Number {
			t.Fatalf("listed restore from number %v, want %d", from, v.Number)
		}
		items := f.items(d.ID, 0)
		if got := inputs(items); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("restored = %q", got)
		}
		for i, want := range []*strata.Item{a, b, c} {
			wantEq(t, fmt.Sprintf("item %d id", i), items[i].ID, want.ID)
			if !items[i].CreatedAt.Equal(want.CreatedAt) {
				t.Fatalf("item %d createdAt = %v, want %v", i, items[i].CreatedAt, want.CreatedAt)
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
		wantEq(t, "name after restore", got.Name, "renamed")
		wantPtr(t, "description after restore", got.Description, "now")
		wantEq(t, "items after restore", got.ItemCount, 0)
		wantEq(t, "version after restore", got.CurrentVersionNumber, 4)
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
		wantEq(t, "items after import", got.ItemCount, 1234)
		wantEq(t, "version after import", got.CurrentVersionNumber, 2)
		items := f.items(d.ID, 2)
		wantEq(t, "imported items", len(items), 1234)
		wantEq(t, "input of item 27", items[27].Input, "b")
		wantPtr(t, "output of item 27", items[27].Output, "o")
	})

	// A file that gives two records one external id is refused for it,
	// whether they fall in one batch of the import's inserts or in two, and
	// the message names no item: the first one existed only in the import.
	t.Run("ExternalIDTwice", func(t *testing.T) {
		for _, between := range []int{0, 6000} {
			f := newFixture(t, open)
			d := f.dataset("qa")
			src := strata.ItemSlice{{Input: "a", ExternalID: str("d")}}
			for i := range between {
				src = append(src, strata.ItemInput{Input: fmt.Sprint("filler ", i)})
			}
			src = append(src, strata.ItemInput{Input: "b", ExternalID: str("d")})
			_, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, strata.WriteOptions{})
			wantMessage(t, err, strata.EINVALID, `externalId "d" is in two records: a file names each item once`)
			wantEq(t, "items after a refused import", f.find(d.ID).ItemCount, 0)
		}
		// An id a live item holds is still its conflict, naming the item.
		f := newFixture(t, open)
		d := f.dataset("qa")
		held := strata.ItemSlice{{Input: "a", ExternalID: str("d")}}
		if _, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &held, strata.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		owner := f.items(d.ID, 0)[0].ID
		again := strata.ItemSlice{{Input: "b", ExternalID: str("d")}}
		_, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &again, strata.WriteOptions{})
		wantMessage(t, err, strata.ECONFLICT, `externalId "d" is already used by item `+owner)
	})

	// An import whose request ends (its client left, its time ran out)
	// stops at its next statement, with the context's error, and leaves
	// nothing behind.
	t.Run("Canceled", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		ctx, cancel := context.WithCancel(f.ctx)
		defer cancel()
		n, err := f.s.ImportItems(ctx, f.actor, d.ID, &cancelingSource{n: 2500, cancel: cancel}, strata.WriteOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("import canceled: %d items, %v; want %v", n, err, context.Canceled)
		}
		got := f.find(d.ID)
		wantEq(t, "items after a canceled import", got.ItemCount, 0)
		wantEq(t, "version after a canceled import", got.CurrentVersionNumber, 1)
	})

	t.Run("Empty", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		var src strata.ItemSlice
		n, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, strata.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "imported", n, 0)
		if got := f.find(d.ID).CurrentVersionNumber; got != 1 {
			t.Fatalf("empty import made version %d", got)
		}
	})
}

// cancelingSource yields items without end, and cancels a context after n.
type cancelingSource struct {
	n      int
	cancel context.CancelFunc
}

func (s *cancelingSource) Next() (strata.ItemInput, error) {
	if s.n--; s.n == 0 {
		s.cancel()
	}
	return strata.ItemInput{Input: "x"}, nil
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
		got := f.find(d.ID)
		wantEq(t, "items", got.ItemCount, n/2)
		wantEq(t, "version", got.CurrentVersionNumber, n+1)
	})
	// Writers racing on the same items (an edit waits for the lock that
	// another edit of the item holds, then must see the revision that one
	// left): every write counted once, one open revision per item, and the
	// stored counters and content hashes those of the items.
	t.Run("EditsOfOneItemCountEachWriteOnce", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		a, b := f.item(d.ID, "a", skip), f.item(d.ID, "b", skip)
		before := f.find(d.ID).ETag
		const workers, each = 8, 12
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					var err error
					switch {
					case i%4 == 3:
						_, _, err = f.s.CreateVersion(f.ctx, f.actor, d.ID, strata.VersionCreate{})
					case w == 0 && i == each-2:
						err = f.s.DeleteItem(f.ctx, f.actor, d.ID, b.ID, skip)
					default:
						input := fmt.Sprintf("edit %d.%d", w, i)
						_, err = f.s.UpdateItem(f.ctx, f.actor, d.ID, a.ID, strata.ItemUpdate{Input: &input}, skip)
					}
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		got := f.find(d.ID)
		n, err := strconv.ParseInt(strings.Trim(before, `"`), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "ETag", got.ETag, strata.DatasetETag(n+workers*each))
		wantEq(t, "items", got.ItemCount, 1)
		items := f.items(d.ID, 0)
		if len(items) != 1 || items[0].ID != a.ID || !strings.HasPrefix(items[0].Input, "edit ") {
			t.Fatalf("working set %v, want the edited item alone", items)
		}
		CheckInvariants(t, f.s)
	})
	// A dataset deleted while an import into it is under way: whichever
	// ends first, no revision outlives its dataset. (PostgreSQL's schema
	// has no foreign key from revisions to datasets; the store keeps it.)
	t.Run("DeleteDuringImportLeavesNoRevisions", func(t *testing.T) {
		f := newFixture(t, open)
		d := f.dataset("qa")
		f.item(d.ID, "before", skip)
		src := &pausedSource{items: 12_000, paused: make(chan struct{}), resume: make(chan struct{})}
		imported := make(chan error, 1)
		go func() {
			_, err := f.s.ImportItems(f.ctx, f.actor, d.ID, src, strata.WriteOptions{})
			imported <- err
		}()
		<-src.paused
		deleted := make(chan error, 1)
		go func() { deleted <- f.s.DeleteDataset(f.ctx, f.actor, d.ID) }()
		close(src.resume)
		if err := <-imported; err != nil && strata.ErrorCode(err) != strata.ENOTFOUND {
			t.Fatalf("import: %v", err)
		}
		if err := <-deleted; err != nil {
			t.Fatalf("delete: %v", err)
		}
		_, err := f.s.FindDataset(f.ctx, f.actor.ProjectID, d.ID)
		wantCode(t, err, strata.ENOTFOUND)
		CheckInvariants(t, f.s)
	})
}

// pausedSource yields as many items as its items field says (more than
// an import's first batches), pausing before the last until resume is
// closed; paused is closed when it pauses.
type pausedSource struct {
	n, items int
	paused   chan struct{}
	resume   chan struct{}
}

func (s *pausedSource) Next() (strata.ItemInput, error) {
	s.n++
	if s.n == s.items {
		close(s.paused)
		<-s.resume
	}
	if s.n > s.items {
		return strata.ItemInput{}, io.EOF
	}
	return strata.ItemInput{Input: fmt.Sprintf("imported %d", s.n)}, nil
}

func testKeys(t *testing.T, open Opener) {
	// Servers started together on a fresh database give it one first key:
	// a first key is made only where there is none, atomically.
	t.Run("FirstKeyOnce", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		var made atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				_, secret, err := s.CreateKey(ctx, strata.KeyCreate{ProjectName: "default", Role: strata.RoleOwner, UserName: "owner", First: true})
				if err != nil {
					t.Error(err)
				} else if secret != "" {
					made.Add(1)
				}
			})
		}
		wg.Wait()
		wantEq(t, "first keys made", made.Load(), int32(1))
		if n, err := s.CountKeys(ctx); err != nil {
			t.Fatal(err)
		} else {
			wantEq(t, "keys", n, 1)
		}
	})
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
		wantEq(t, "role", p.Role, strata.RoleViewer)
		wantEq(t, "project", p.ProjectID, k.ProjectID)
		wantEq(t, "user", p.UserID, k.UserID)
		wantEq(t, "key", p.KeyID, k.ID)
		// The same user and project are found again.
		k2, _, err := s.CreateKey(ctx, strata.KeyCreate{ProjectName: "p", Role: strata.RoleOwner, UserEmail: "v@x"})
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "user of the second key", k2.UserID, k.UserID)
		wantEq(t, "project of the second key", k2.ProjectID, k.ProjectID)
		_, err = s.Authenticate(ctx, secret+"x")
		wantCode(t, err, strata.EUNAUTHORIZED)
		_, err = s.Authenticate(ctx, k.ProjectID)
		wantCode(t, err, strata.EUNAUTHORIZED)
		keys, err := s.ListKeys(ctx, "p")
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "keys", len(keys), 2)
		if keys[0].Prefix == "" {
			t.Fatal("a key without prefix")
		}
		if keys[0].Prefix == secret {
			t.Fatal("a key's prefix is its secret")
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
		if n, err := s.CountKeys(ctx); err != nil {
			t.Fatal(err)
		} else {
			wantEq(t, "keys counted", n, 2)
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
		if k3.ID == rotated.ID {
			t.Fatal("the rotated key kept its id")
		}
		wantEq(t, "rotated key's role", k3.Role, strata.RoleMember)
		wantEq(t, "rotated key's user", k3.UserID, rotated.UserID)
		wantEq(t, "rotated key's project", k3.ProjectID, rotated.ProjectID)
		_, err = s.Authenticate(ctx, newSecret)
		wantCode(t, err, strata.EUNAUTHORIZED)
		if p, err := s.Authenticate(ctx, secret3); err != nil {
			t.Fatalf("new key: %v", err)
		} else {
			wantEq(t, "key of the new secret", p.KeyID, k3.ID)
		}
		_, _, err = s.RotateKey(ctx, rotated.ID)
		wantCode(t, err, strata.ECONFLICT)
		_, _, err = s.CreateKey(ctx, strata.KeyCreate{ProjectName: "p", Role: "root"})
		wantCode(t, err, strata.EINVALID)
	})
}
