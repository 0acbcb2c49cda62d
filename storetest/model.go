package storetest

import "context"
import "fmt"
import "math/rand/v2"
import "slices"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

// modelItem is an item as the model keeps it.
type modelItem struct {
	id, input  string
	output     *string
	metadata   string // canonical JSON
	splits     []string
	externalID *string
}

func (m modelItem) String() string {
	out, ext := "<nil>", "<nil>"
	if m.output != nil {
		out = *m.output
	}
	if m.externalID != nil {
		ext = *m.externalID
	}
	metadata := m.metadata
	if metadata == "" {
		metadata = "{}"
	}
	return m.id[len(m.id)-6:] + ":" + m.input + ":" + out + ":" + metadata + ":" + strings.Join(m.splits, ",") + ":" + ext
}

func modelOf(it *strata.Item) modelItem {
	return modelItem{id: it.ID, input: it.Input, output: it.Output, metadata: string(it.Metadata), splits: it.Splits, externalID: it.ExternalID}
}

// modelSplits are the splits the model draws from.
var modelSplits = []string{"dev", "test", "train"}

// randomFields draws metadata, splits and an external id; the external id
// is fresh (the step makes it unique) or none.
func randomFields(rng *rand.Rand, step, i int) (metadata string, splits []string, ext *string) {
	metadata = fmt.Sprintf(`{"lang":%q,"turns":%d}`, []string{"en", "fr"}[rng.IntN(2)], rng.IntN(3))
	if rng.IntN(4) == 0 {
		metadata = "{}"
	}
	for _, s := range modelSplits {
		if rng.IntN(3) == 0 {
			splits = append(splits, s)
		}
	}
	if splits == nil {
		splits = []string{}
	}
	if rng.IntN(2) == 0 {
		ext = str(fmt.Sprintf("ext-%d.%d", step, i))
	}
	return metadata, splits, ext
}

// model is the obvious implementation of versions: every snapshot a full copy.
type model struct {
	working  []modelItem
	versions map[int][]modelItem // number -> items
	head     int
}

func (m *model) snapshot() {
	m.head++
	m.versions[m.head] = slices.Clone(m.working)
}

// sameItems reports whether two versions hold the same items (ids and
// content), in any order: what the content hash tells apart.
func sameItems(a, b []modelItem) bool {
	key := func(items []modelItem) []string {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = it.String()
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

func (m *model) index(id string) int {
	return slices.IndexFunc(m.working, func(it modelItem) bool { return it.id == id })
}

// testModel runs long random sequences of operations against the store and
// the model, and checks after each step that every version agrees.
func testModel(t *testing.T, open Opener) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprintf("Seed%d", seed), func(t *testing.T) {
			f := newFixture(t, open)
			rng := rand.New(rand.NewPCG(seed, seed))
			d := f.dataset("model")
			m := &model{versions: map[int][]modelItem{1: nil}, head: 1}
			versionIDs := map[int]string{1: *d.CurrentVersionID}
			w := func() strata.WriteOptions { return strata.WriteOptions{SkipVersion: rng.IntN(3) > 0} }
			after := func(o strata.WriteOptions) {
				if !o.SkipVersion {
					m.snapshot()
					versionIDs[m.head] = *f.find(d.ID).CurrentVersionID
				}
			}
			const steps = 300
			for step := 0; step < steps; step++ {
				op := rng.IntN(100)
				switch {
				case op < 30 || len(m.working) == 0:
					o := w()
					in := fmt.Sprintf("in%d", step)
					metadata, splits, ext := randomFields(rng, step, 0)
					it, err := f.s.CreateItem(f.ctx, f.actor, d.ID, strata.ItemInput{Input: in, Metadata: []byte(metadata),
						Splits: splits, ExternalID: ext}, o)
					if err != nil {
						t.Fatal(err)
					}
					m.working = append(m.working, modelItem{id: it.ID, input: in, metadata: metadata, splits: splits, externalID: ext})
					after(o)
				case op < 55:
					target := m.working[rng.IntN(len(m.working))]
					o := w()
					u := strata.ItemUpdate{}
					i := m.index(target.id)
					metadata, splits, ext := randomFields(rng, step, 0)
					switch rng.IntN(5) {
					case 0:
						u.Input = str(fmt.Sprintf("edit%d", step))
						m.working[i].input = *u.Input
					case 1:
						u.SetOutput = true
						if rng.IntN(3) > 0 {
							u.Output = str(fmt.Sprintf("out%d", step))
						}
						m.working[i].output = u.Output
					case 2:
						u.Metadata = []byte(metadata)
						m.working[i].metadata = metadata
					case 3:
						u.Splits = splits
						m.working[i].splits = splits
					default:
						u.ExternalID, u.SetExternalID = ext, true
						m.working[i].externalID = ext
					}
					if _, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, target.id, u, o); err != nil {
						t.Fatal(err)
					}
					after(o)
				case op < 70:
					target := m.working[rng.IntN(len(m.working))]
					o := w()
					if err := f.s.DeleteItem(f.ctx, f.actor, d.ID, target.id, o); err != nil {
						t.Fatal(err)
					}
					m.working = slices.Delete(m.working, m.index(target.id), m.index(target.id)+1)
					after(o)
				case op < 82:
					v := f.snapshot(d.ID)
					m.snapshot()
					versionIDs[m.head] = v.ID
					if v.Number != m.head {
						t.Fatalf("step %d: snapshot number %d, want %d", step, v.Number, m.head)
					}
				case op < 90:
					n := 1 + rng.IntN(m.head)
					_, v, err := f.s.RestoreVersion(f.ctx, f.actor, d.ID, versionIDs[n])
					if err != nil {
						t.Fatal(err)
					}
					m.working = slices.Clone(m.versions[n])
					m.snapshot()
					versionIDs[m.head] = v.ID
				case op < 94:
					// A sync: keep most items (by id, some edited), drop
					// some, add a few.
					var src strata.ItemSlice
					var kept []modelItem
					for _, it := range m.working {
						if rng.IntN(6) == 0 {
							continue
						}
						if rng.IntN(4) == 0 {
							it.input = fmt.Sprintf("sync%d", step)
						}
						kept = append(kept, it)
						src = append(src, strata.ItemInput{ID: it.id, Input: it.input, Output: it.output,
							Metadata: []byte(it.metadata), Splits: it.splits, ExternalID: it.externalID})
					}
					k := rng.IntN(3)
					added := src[len(src):]
					for i := 0; i < k; i++ {
						metadata, splits, ext := randomFields(rng, step, i)
						added = append(added, strata.ItemInput{Input: fmt.Sprintf("new%d.%d", step, i), Metadata: []byte(metadata),
							Splits: splits, ExternalID: ext})
					}
					src = append(src, added...)
					o := w()
					res, err := f.s.SyncItems(f.ctx, f.actor, d.ID, &src, strata.SyncOptions{SkipVersion: o.SkipVersion})
					if err != nil {
						t.Fatal(err)
					}
					if got, want := res.Added, k; got != want {
						t.Fatalf("step %d: sync added %d, want %d", step, got, want)
					}
					all := f.items(d.ID, 0)
					m.working = kept
					for i := len(all) - k; i < len(all); i++ {
						m.working = append(m.working, modelOf(all[i]))
					}
					// A sync makes a version when it changes something, or
					// when the file is the working set and the head is not.
					want := !o.SkipVersion && (res.Changed() || !sameItems(m.working, m.versions[m.head]))
					if got := res.Version != nil; got != want {
						t.Fatalf("step %d: sync made a version: %v, want %v", step, got, want)
					}
					if want {
						after(o)
					}
				default:
					k := rng.IntN(5)
					src := make(strata.ItemSlice, k)
					for i := range src {
						metadata, splits, ext := randomFields(rng, step, i)
						src[i] = strata.ItemInput{Input: fmt.Sprintf("imp%d.%d", step, i), Metadata: []byte(metadata),
							Splits: splits, ExternalID: ext}
					}
					src0 := slices.Clone(src)
					o := w()
					if _, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, o); err != nil {
						t.Fatal(err)
					}
					all := f.items(d.ID, 0)
					for i := len(all) - k; i < len(all); i++ {
						m.working = append(m.working, modelItem{id: all[i].ID, input: all[i].Input, metadata: string(src0[i-len(all)+k].Metadata),
							splits: src0[i-len(all)+k].Splits, externalID: src0[i-len(all)+k].ExternalID})
					}
					if k > 0 {
						after(o)
					}
				}
				check(t, f, d.ID, m, step, step%25 == 0 || step == steps-1)
			}
			CheckInvariants(t, f.s)
		})
	}
}

func check(t *testing.T, f *fixture, datasetID string, m *model, step int, allVersions bool) {
	t.Helper()
	same := func(label string, got []*strata.Item, want []modelItem) {
		t.Helper()
		g := make([]string, len(got))
		for i, it := range got {
			g[i] = modelOf(it).String()
		}
		w := make([]string, len(want))
		for i, it := range want {
			w[i] = it.String()
		}
		if !slices.Equal(g, w) {
			t.Fatalf("step %d: %s:\n got %v\nwant %v", step, label, g, w)
		}
	}
	same("working", f.items(datasetID, 0), m.working)
	d := f.find(datasetID)
	wantEq(t, fmt.Sprintf("step %d: version", step), d.CurrentVersionNumber, m.head)
	wantEq(t, fmt.Sprintf("step %d: items", step), d.ItemCount, len(m.working))
	if !allVersions {
		return
	}
	for n := 1; n <= m.head; n++ {
		same(fmt.Sprintf("version %d", n), f.items(datasetID, n), m.versions[n])
	}
	// Filters select what the model's items say they should.
	split, lang := modelSplits[step%len(modelSplits)], []string{"en", "fr"}[step%2]
	filter := strata.ItemFilter{Splits: []string{split}, Metadata: []strata.MetadataMatch{{Key: "lang", Value: lang}}}
	for n := 1; n <= m.head+1; n++ {
		want := m.working
		v := 0
		if n <= m.head {
			want, v = m.versions[n], n
		}
		var kept []modelItem
		for _, it := range want {
			if slices.Contains(it.splits, split) && strings.Contains(it.metadata, fmt.Sprintf(`"lang":%q`, lang)) {
				kept = append(kept, it)
			}
		}
		same(fmt.Sprintf("version %d filtered by %s", v, filter), f.filtered(datasetID, v, filter), kept)
	}
}

// CheckInvariants fails the test if s breaks an invariant of the model.
func CheckInvariants(tb testing.TB, s strata.Store) {
	tb.Helper()
	c, ok := s.(strata.Checker)
	if !ok {
		tb.Fatalf("%T cannot check its invariants", s)
	}
	found, err := c.Check(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, v := range found {
		tb.Error(v)
	}
}
