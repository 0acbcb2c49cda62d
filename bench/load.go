package bench

import "context"
import "errors"
import "fmt"
import "io"
import "math/rand/v2"
import "net"
import "net/http"
import "net/url"
import "os"
import "slices"
import "strconv"
import "strings"
import "sync"
import "sync/atomic"
import "time"

import "github.com/strata-eval/strata/client"

// LoadConfig is a load test against a running server.
type LoadConfig struct {
	URL  string   // base URL, on a loopback address
	Keys []string // API keys that may write; workers take them in turn
	// Concurrency is the number of requests in flight; the test stops at
	// Duration or after MaxRequests, whichever comes first.
	Concurrency int
	Duration    time.Duration
	MaxRequests int
	// Datasets of Items items each are made for the test, and deleted after.
	Datasets, Items int
	// ServerPID, when set, is the server's process: its CPU time over the
	// load is read from /proc and reported per request.
	ServerPID int
	Log       io.Writer
}

// The mix: 70% reads, 25% item writes with skipVersion, 5% snapshots. A
// dataset read returns the dataset and all its items (Lunary's GET); a
// version page is the first page of a version's items (limit=100).
var loadMix = []struct {
	op     string
	weight int
}{
	{"GET dataset (meta and items)", 24},
	{"GET item", 23},
	{"GET version page (100 items)", 23},
	{"PATCH item ?skipVersion=true", 25},
	{"POST versions (snapshot)", 5},
}

// loadDataset is a dataset the load works on.
type loadDataset struct {
	id, versionID string
	items         []string
	// path is the dataset's URL path; versionItemsPath the first page of
	// 100 items of its version.
	path, versionItemsPath string
}

// checkLoopback refuses a URL that is not on this machine: a load test is
// not something to point at someone else's server.
func checkLoopback(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bench: --http: %w", err)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" {
		return nil, fmt.Errorf("bench: --http %s: only a server on a loopback address (127.0.0.1, ::1, localhost) is load-tested", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("bench: --http %s: not an http URL", raw)
	}
	return u, nil
}

func newHTTPClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost, t.MaxConnsPerHost = conns, conns, conns
	return &http.Client{Transport: t, Timeout: 5 * time.Minute}
}

// newClient is a client of the server under test. It never retries: a load
// test reports what the server answered.
func newClient(hc *http.Client, base, key string) *client.Client {
	c := client.New(base, strings.TrimSpace(key))
	c.HTTP, c.MaxRetries = hc, -1
	return c
}

// setup makes a dataset of n items with one version.
func setup(ctx context.Context, c *client.Client, name string, n int) (*loadDataset, error) {
	d, err := c.CreateDataset(ctx, client.DatasetInput{Name: name})
	if err != nil {
		return nil, err
	}
	if _, err := c.Import(ctx, d.ID, client.FormatJSONL, &ItemFile{Format: "jsonl", N: n}, client.ImportOptions{}); err != nil {
		return nil, err
	}
	v, _, err := c.CreateVersion(ctx, d.ID, client.VersionInput{})
	if err != nil {
		return nil, err
	}
	full, err := c.GetDataset(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	ld := &loadDataset{id: d.ID, versionID: v.ID, path: "/v1/datasets-v2/" + url.PathEscape(d.ID)}
	ld.versionItemsPath = ld.path + "/versions/" + url.PathEscape(v.ID) + "/items?limit=100"
	for _, it := range full.Items {
		ld.items = append(ld.items, url.PathEscape(it.ID))
	}
	if len(ld.items) != n {
		return nil, fmt.Errorf("setup: %d items, want %d", len(ld.items), n)
	}
	return ld, nil
}

// LoadReport is what a load test measured.
type LoadReport struct {
	Config   LoadConfig
	Elapsed  time.Duration
	Requests int
	Errors   int
	FirstErr string
	All      samples
	PerOp    map[string]samples
	ErrorsOp map[string]int
	// ErrorsStatus counts failed requests by status; 0 is no answer
	// (connection refused or broken).
	ErrorsStatus map[int]int
	// ClientCPU and ServerCPU are the user and system CPU time the load
	// generator and the server (with Config.ServerPID) used during the
	// load, setup excluded; 0 when not known (not Linux).
	ClientCPU, ServerCPU time.Duration
}

// MaxFailedShare is the share of failed requests above which a load test
// fails: a server that refuses its load has not served it.
const MaxFailedShare = 0.01

// Failed says why the load test failed, or returns nil: more than
// MaxFailedShare of its requests failed, counted by status.
func (r *LoadReport) Failed() error {
	if r.Errors == 0 || float64(r.Errors) <= MaxFailedShare*float64(r.Requests) {
		return nil
	}
	statuses := make([]int, 0, len(r.ErrorsStatus))
	for st := range r.ErrorsStatus {
		statuses = append(statuses, st)
	}
	slices.Sort(statuses)
	counts := make([]string, len(statuses))
	for i, st := range statuses {
		name := strconv.Itoa(st)
		if st == 0 {
			name = "no answer"
		}
		counts[i] = fmt.Sprintf("%s x %d", name, r.ErrorsStatus[st])
	}
	return fmt.Errorf("%s of requests failed (more than %g%%): %s; first: %s",
		formatShare(r.Errors, r.Requests), 100*MaxFailedShare, strings.Join(counts, ", "), r.FirstErr)
}

// formatShare writes n of total as a percentage, to the precision that
// tells it from the limit.
func formatShare(n, total int) string {
	p := 100 * float64(n) / float64(max(total, 1))
	if p >= 10 {
		return fmt.Sprintf("%.0f%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}

// RunLoad runs the mixed load against the server at c.URL.
func RunLoad(ctx context.Context, c LoadConfig) (*LoadReport, error) {
	u, err := checkLoopback(c.URL)
	if err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(u.String(), "/")
	if c.Concurrency <= 0 || c.Duration <= 0 || len(c.Keys) == 0 {
		return nil, errors.New("bench: load needs a concurrency, a duration and a key")
	}
	c.Datasets, c.Items = max(c.Datasets, 1), max(c.Items, 1)
	hc := newHTTPClient(c.Concurrency)
	clients := make([]*client.Client, len(c.Keys))
	for i, k := range c.Keys {
		clients[i] = newClient(hc, base, k)
	}

	logf(c.Log, "load: %d datasets of %d items", c.Datasets, c.Items)
	run := strings.ReplaceAll(time.Now().UTC().Format("20060102T150405.000"), ".", "")
	sets := make([]*loadDataset, c.Datasets)
	cleanupCtx := context.WithoutCancel(ctx)
	defer func() {
		for _, d := range sets {
			if d != nil {
				clients[0].DeleteDataset(cleanupCtx, d.id)
			}
		}
	}()
	for i := range sets {
		if sets[i], err = setup(ctx, clients[0], fmt.Sprintf("bench load %s %d", run, i), c.Items); err != nil {
			return nil, fmt.Errorf("load setup: %w", err)
		}
	}

	logf(c.Log, "load: %d in flight for %s (at most %d requests)", c.Concurrency, c.Duration, c.MaxRequests)
	lctx, cancel := context.WithTimeout(ctx, c.Duration)
	defer cancel()
	var (
		sent     atomic.Int64
		mu       sync.Mutex
		wg       sync.WaitGroup
		r        = &LoadReport{Config: c, PerOp: map[string]samples{}, ErrorsOp: map[string]int{}, ErrorsStatus: map[int]int{}}
		totalWgt int
	)
	for _, m := range loadMix {
		totalWgt += m.weight
	}
	send := &loadSender{hc: hc, base: base}
	cpu0, cpuErr := procCPU(os.Getpid())
	var srv0 time.Duration
	srvErr := errors.New("no server pid")
	if c.ServerPID > 0 {
		srv0, srvErr = procCPU(c.ServerPID)
	}
	start := time.Now()
	for w := 0; w < c.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			ws := *send
			ws.auth = "Bearer " + strings.TrimSpace(c.Keys[w%len(c.Keys)])
			var body []byte
			rnd := rand.New(rand.NewPCG(uint64(w), 6))
			per := map[string]samples{}
			errs := map[string]int{}
			byStatus := map[int]int{}
			var first string
			for lctx.Err() == nil && sent.Add(1) <= int64(c.MaxRequests) {
				d := sets[rnd.IntN(len(sets))]
				pick, op := rnd.IntN(totalWgt), ""
				for _, m := range loadMix {
					if pick < m.weight {
						op = m.op
						break
					}
					pick -= m.weight
				}
				item := d.items[rnd.IntN(len(d.items))]
				t0 := time.Now()
				var err error
				switch op {
				case loadMix[0].op:
					err = ws.send(lctx, http.MethodGet, d.path, nil, http.StatusOK)
				case loadMix[1].op:
					err = ws.send(lctx, http.MethodGet, d.path+"/items/"+item, nil, http.StatusOK)
				case loadMix[2].op:
					err = ws.send(lctx, http.MethodGet, d.versionItemsPath, nil, http.StatusOK)
				case loadMix[3].op:
					body = editBody(body, w, t0)
					err = ws.send(lctx, http.MethodPatch, d.path+"/items/"+item+"?skipVersion=true", body, http.StatusOK)
				case loadMix[4].op:
					err = ws.send(lctx, http.MethodPost, d.path+"/versions", []byte("{}"), http.StatusCreated)
				}
				if err != nil && lctx.Err() != nil {
					break // cut off by the end of the test: not counted
				}
				per[op] = append(per[op], time.Since(t0))
				if err != nil {
					errs[op]++
					byStatus[client.StatusOf(err)]++
					if first == "" {
						first = err.Error()
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for op, s := range per {
				r.PerOp[op] = append(r.PerOp[op], s...)
				r.All = append(r.All, s...)
			}
			for op, n := range errs {
				r.ErrorsOp[op] += n
				r.Errors += n
			}
			for st, n := range byStatus {
				r.ErrorsStatus[st] += n
			}
			if r.FirstErr == "" {
				r.FirstErr = first
			}
		}(w)
	}
	wg.Wait()
	r.Elapsed = time.Since(start)
	r.Requests = len(r.All)
	if cpu1, err := procCPU(os.Getpid()); err == nil && cpuErr == nil {
		r.ClientCPU = cpu1 - cpu0
	}
	if srvErr == nil {
		if srv1, err := procCPU(c.ServerPID); err == nil {
			r.ServerCPU = srv1 - srv0
		}
	}
	return r, nil
}

// Print writes the load report.
func (r *LoadReport) Print(w io.Writer) error {
	rep := &Report{Title: fmt.Sprintf("strata bench --http %s: %d in flight, %s, %d keys, %d datasets of %d items",
		r.Config.URL, r.Config.Concurrency, r.Elapsed.Round(time.Millisecond), len(r.Config.Keys), r.Config.Datasets, r.Config.Items)}
	fmt.Fprintf(w, "%s\n\n", rep.Title)
	fmt.Fprintf(w, "requests: %s in %s = %s req/s; errors: %d\n", count(int64(r.Requests)), r.Elapsed.Round(time.Millisecond),
		count(int64(float64(r.Requests)/r.Elapsed.Seconds())), r.Errors)
	fmt.Fprintf(w, "latency (all): p50 %s ms, p90 %s ms, p99 %s ms, max %s ms\n\n", ms(r.All.quantile(0.5)),
		ms(r.All.quantile(0.9)), ms(r.All.quantile(0.99)), ms(r.All.quantile(1)))
	fmt.Fprintf(w, "%-32s %8s %7s %9s %9s %9s %7s\n", "request", "count", "share", "p50 ms", "p90 ms", "p99 ms", "errors")
	for _, m := range loadMix {
		s := r.PerOp[m.op]
		fmt.Fprintf(w, "%-32s %8d %6.1f%% %9s %9s %9s %7d\n", m.op, len(s), 100*float64(len(s))/float64(max(1, r.Requests)),
			ms(s.quantile(0.5)), ms(s.quantile(0.9)), ms(s.quantile(0.99)), r.ErrorsOp[m.op])
	}
	if r.ClientCPU > 0 || r.ServerCPU > 0 {
		fmt.Fprintln(w)
	}
	if r.ClientCPU > 0 {
		fmt.Fprintf(w, "load generator CPU: %s, %s ms per request\n", r.ClientCPU.Round(10*time.Millisecond), ms(r.ClientCPU/time.Duration(max(1, r.Requests))))
	}
	if r.ServerCPU > 0 {
		fmt.Fprintf(w, "server CPU (pid %d): %s, %s ms per request\n", r.Config.ServerPID, r.ServerCPU.Round(10*time.Millisecond), ms(r.ServerCPU/time.Duration(max(1, r.Requests))))
	}
	if r.FirstErr != "" {
		fmt.Fprintf(w, "\nfirst error: %s\n", r.FirstErr)
	}
	if err := r.Failed(); err != nil {
		fmt.Fprintf(w, "\nFAILED: %v\n", err)
	}
	return nil
}
