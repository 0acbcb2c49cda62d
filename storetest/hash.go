package storetest

import "fmt"
import "math/rand/v2"
import "sort"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

// testContentHash runs random edits, snapshots and restores drawn from a
// small alphabet, so that versions often end up with the same content by
// different paths, and checks that every version's content hash (kept
// incrementally by the store) equals the hash computed from its items, and
// that two versions have the same hash exactly when they have the same items.
func testContentHash(t *testing.T, open Opener) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprintf("Seed%d", seed), func(t *testing.T) {
			f := newFixture(t, open)
			rng := rand.New(rand.NewPCG(seed, 7))
			d := f.dataset("hash")
			texts := []*string{nil, str(""), str("x"), str("y, \"z\"\n")}
			pick := func() *string { return texts[rng.IntN(len(texts))] }
			w := func() strata.WriteOptions { return strata.WriteOptions{SkipVersion: rng.IntN(2) == 0} }
			working := func() []*strata.Item { return f.items(d.ID, 0) }
			head := 1
			after := func(o strata.WriteOptions, err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				if !o.SkipVersion {
					head++
				}
			}
			for step := 0; step < 150; step++ {
				items := working()
				switch op := rng.IntN(100); {
				case op < 20 || len(items) == 0:
					o := w()
					in := strata.ItemInput{GroundTruth: pick(), Output: pick()}
					if p := pick(); p != nil {
						in.Input = *p
					}
					_, err := f.s.CreateItem(f.ctx, f.actor, d.ID, in, o)
					after(o, err)
				case op < 55:
					target := items[rng.IntN(len(items))]
					u := strata.ItemUpdate{}
					switch rng.IntN(5) {
					case 3:
						u.Metadata = []byte([]string{`{}`, `{"lang":"en"}`, `{"lang":"fr"}`}[rng.IntN(3)])
					case 4:
						u.Splits = [][]string{{}, {"test"}, {"test", "train"}}[rng.IntN(3)]
					case 0:
						if p := pick(); p != nil {
							u.Input = p
						} else {
							u.Input = str("")
						}
					case 1:
						u.GroundTruth, u.SetGroundTruth = pick(), true
					default:
						u.Output, u.SetOutput = pick(), true
					}
					o := w()
					_, err := f.s.UpdateItem(f.ctx, f.actor, d.ID, target.ID, u, o)
					after(o, err)
				case op < 65:
					o := w()
					after(o, f.s.DeleteItem(f.ctx, f.actor, d.ID, items[rng.IntN(len(items))].ID, o))
				case op < 82:
					f.snapshot(d.ID)
					head++
				case op < 92:
					n := 1 + rng.IntN(head)
					_, v, err := f.s.RestoreVersion(f.ctx, f.actor, d.ID, fmt.Sprint(n))
					if err != nil {
						t.Fatal(err)
					}
					from, err := f.s.ResolveVersion(f.ctx, f.actor.ProjectID, d.ID, fmt.Sprint(n))
					if err != nil {
						t.Fatal(err)
					}
					if v.ContentHash != from.ContentHash {
						t.Fatalf("step %d: restoring version %d made hash %s, want %s", step, n, v.ContentHash, from.ContentHash)
					}
					head++
				default:
					src := strata.ItemSlice{{Input: "x", Output: pick()}, {Input: "y", GroundTruth: pick()}}
					o := w()
					_, err := f.s.ImportItems(f.ctx, f.actor, d.ID, &src, o)
					after(o, err)
				}
			}
			f.snapshot(d.ID)
			head++

			byContent := map[string]string{} // content -> hash
			byHash := map[string]string{}    // hash -> content
			for n := 1; n <= head; n++ {
				v, err := f.s.ResolveVersion(f.ctx, f.actor.ProjectID, d.ID, fmt.Sprint(n))
				if err != nil {
					t.Fatal(err)
				}
				items := f.items(d.ID, n)
				var sum strata.ContentHash
				for _, it := range items {
					sum.Add(strata.ItemContentHash(it))
				}
				if got, want := v.ContentHash, sum.String(); got != want {
					t.Fatalf("version %d: stored hash %s, computed from its items %s", n, got, want)
				}
				content := contentKey(items)
				if h, ok := byContent[content]; ok && h != v.ContentHash {
					t.Fatalf("version %d: same content as an earlier version, another hash", n)
				}
				if c, ok := byHash[v.ContentHash]; ok && c != content {
					t.Fatalf("version %d: same hash as an earlier version, other content:\n%s\n%s", n, c, content)
				}
				byContent[content], byHash[v.ContentHash] = v.ContentHash, content
			}
			if len(byContent) == head {
				t.Fatalf("no two of %d versions share content: the test proves less than it should", head)
			}
			CheckInvariants(t, f.s)
		})
	}
}

// contentKey renders a set of items (ids and content) canonically.
func contentKey(items []*strata.Item) string {
	show := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return fmt.Sprintf("%q", *p)
	}
	lines := make([]string, len(items))
	for i, it := range items {
		lines[i] = fmt.Sprintf("%s %q %s %s %s %s %s %s %s %s %q %s", it.ID, it.Input, show(it.GroundTruth), show(it.Output),
			it.EvaluatorResult1, it.EvaluatorResult2, it.EvaluatorResult3, it.EvaluatorResult4, it.EvaluatorResult5,
			it.Metadata, it.Splits, show(it.ExternalID))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
