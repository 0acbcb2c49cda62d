package main

import "context"
import "fmt"
import "math/rand/v2"
import "slices"
import "strings"
import "sync"
import "testing"
import "time"

import apiclient "github.com/strata-eval/strata/client"

// TestCrash kills a server with SIGKILL in the middle of a stream of writes,
// restarts it, and checks that every acknowledged write is there, that no
// import is half there, and that the invariants hold. Several rounds, on the
// store the tests run on.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: slow")
	}
	dsn := testDSN(t)
	ctx := context.Background()
	key := createKey(t, dsn, "owner")
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))

	var (
		datasetID string
		acked     = map[string]string{} // item id -> input whose write was acknowledged
		// item id -> inputs of the edits sent since its last acknowledged
		// one and not acknowledged: a kill may have committed any of them
		// (the response lost), and a worker goes on sending until it stops.
		inFlight  = map[string][]string{}
		imports   = map[string]bool{} // import marker -> acknowledged
		snapshots []int               // version numbers acknowledged
	)
	const rounds = 4
	for round := 0; round < rounds; round++ {
		p := startProcess(t, dsn)
		c := p.client(key)
		if datasetID == "" {
			d, err := c.CreateDataset(ctx, apiclient.DatasetInput{Name: "crash"})
			if err != nil {
				t.Fatal(err)
			}
			datasetID = d.ID
		}

		var (
			mu   sync.Mutex
			wg   sync.WaitGroup
			stop = make(chan struct{})
		)
		worker := func(w int) {
			defer wg.Done()
			var mine []string // items this worker created, edited only by it
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				switch op := (w + n) % 10; {
				case op < 4 || len(mine) == 0:
					input := fmt.Sprintf("r%d w%d n%d", round, w, n)
					it, err := c.CreateItem(ctx, datasetID, apiclient.ItemInput{Input: input}, apiclient.WriteOptions{SkipVersion: n%2 == 0})
					if err != nil {
						continue
					}
					mu.Lock()
					acked[it.ID] = input
					mu.Unlock()
					mine = append(mine, it.ID)
				case op < 7:
					id := mine[n%len(mine)]
					input := fmt.Sprintf("edit r%d w%d n%d", round, w, n)
					mu.Lock()
					inFlight[id] = append(inFlight[id], input)
					mu.Unlock()
					_, err := c.UpdateItem(ctx, datasetID, id, apiclient.ItemUpdate{Input: &input}, apiclient.WriteOptions{})
					mu.Lock()
					if err == nil {
						acked[id] = input
						delete(inFlight, id)
					}
					mu.Unlock()
				case op < 9:
					if v, _, err := c.CreateVersion(ctx, datasetID, apiclient.VersionInput{}); err == nil {
						mu.Lock()
						snapshots = append(snapshots, v.VersionNumber)
						mu.Unlock()
					}
				default:
					marker := fmt.Sprintf("import r%d w%d n%d", round, w, n)
					var b strings.Builder
					for i := 0; i < 2000; i++ {
						fmt.Fprintf(&b, `{"input":"%s #%d","ground_truth":"%s"}`+"\n", marker, i, strings.Repeat("x", 100))
					}
					mu.Lock()
					imports[marker] = false
					mu.Unlock()
					if _, err := c.Import(ctx, datasetID, apiclient.FormatJSONL, strings.NewReader(b.String()), apiclient.ImportOptions{}); err == nil {
						mu.Lock()
						imports[marker] = true
						mu.Unlock()
					}
				}
			}
		}
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go worker(w)
		}
		time.Sleep(time.Duration(200+rng.IntN(600)) * time.Millisecond)
		p.kill()
		close(stop)
		wg.Wait()

		// The database as the crash left it: invariants first.
		if stdout, _, err := runCLI(t, "check", "--db", dsn); err != nil {
			t.Fatalf("round %d: check after SIGKILL: %v\n%s", round, err, stdout)
		}
		p = startProcess(t, dsn)
		d, err := p.client(key).GetDataset(ctx, datasetID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		perImport := map[string]int{}
		for _, it := range d.Items {
			got[it.ID] = it.Input
			if marker, _, ok := strings.Cut(it.Input, " #"); ok && strings.HasPrefix(marker, "import ") {
				perImport[marker]++
			}
		}
		for id, input := range acked {
			if g := got[id]; g != input && !slices.Contains(inFlight[id], g) {
				t.Fatalf("round %d: item %s = %q, acknowledged %q", round, id, g, input)
			}
		}
		for marker, ok := range imports {
			if n := perImport[marker]; n != 0 && n != 2000 || ok && n != 2000 {
				t.Fatalf("round %d: import %q has %d of 2000 items (acknowledged: %v)", round, marker, n, ok)
			}
		}
		for _, n := range snapshots {
			if n > d.CurrentVersionNumber {
				t.Fatalf("round %d: version %d was acknowledged, head is %d", round, n, d.CurrentVersionNumber)
			}
		}
		p.kill()
		// Edits in flight are settled now: what the restart shows is what
		// the store holds.
		for id := range inFlight {
			acked[id] = got[id]
		}
		clear(inFlight)
		t.Logf("round %d: %d items acknowledged, %d imports, %d snapshots", round, len(acked), len(imports), len(snapshots))
	}
}
