package bench

import "bufio"
import "context"
import "fmt"
import "io"
import "os"
import "strconv"
import "strings"
import "time"

import "github.com/strata-eval/strata/client"

// ImportConfig is one raw import sent to a running server: a JSONL file of
// about Bytes bytes, generated as it is sent, so neither side need hold it.
type ImportConfig struct {
	URL, Key  string
	Bytes     int64
	ItemBytes int // bytes of each line
	// ServerPID, when set, is the server's process: its peak resident
	// memory (VmHWM) is read from /proc, after resetting it if allowed.
	ServerPID int
	Log       io.Writer
}

// ImportReport is what RunImport measured.
type ImportReport struct {
	Config        ImportConfig
	Items         int
	Bytes         int64
	Elapsed       time.Duration
	RSSBefore     int64 // server's VmRSS before, in bytes (0: not read)
	PeakRSS       int64 // server's VmHWM after, in bytes
	PeakWasReset  bool  // VmHWM was reset before the import
	InsertedCount int
}

// RunImport sends the import to a new dataset, deleted afterwards.
func RunImport(ctx context.Context, c ImportConfig) (*ImportReport, error) {
	u, err := checkLoopback(c.URL)
	if err != nil {
		return nil, err
	}
	cl := newClient(newHTTPClient(1), strings.TrimSuffix(u.String(), "/"), c.Key)
	d, err := cl.CreateDataset(ctx, client.DatasetInput{Name: "bench import " + time.Now().UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return nil, err
	}
	defer cl.DeleteDataset(context.WithoutCancel(ctx), d.ID)

	r := &ImportReport{Config: c}
	if c.ServerPID > 0 {
		// Writing 5 to clear_refs resets the peak to the current size
		// (proc(5)); it needs the right to write to the process.
		r.PeakWasReset = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", c.ServerPID), []byte("5"), 0) == nil
		r.RSSBefore, _ = procStatus(c.ServerPID, "VmRSS")
	}
	file := &ItemFile{Format: "jsonl", N: -1, MaxBytes: c.Bytes, PadTo: c.ItemBytes}
	logf(c.Log, "import: sending about %s of JSONL (%d-byte lines)", bytesText(c.Bytes), c.ItemBytes)
	start := time.Now()
	// No Content-Length: the body is sent chunked, as a stream.
	res, err := cl.Import(ctx, d.ID, client.FormatJSONL, file, client.ImportOptions{SkipVersion: true})
	r.Elapsed = time.Since(start)
	if err != nil {
		return nil, err
	}
	r.Items, r.Bytes, r.InsertedCount = file.Items(), file.Bytes(), res.InsertedCount
	if c.ServerPID > 0 {
		if r.PeakRSS, err = procStatus(c.ServerPID, "VmHWM"); err != nil {
			return nil, err
		}
	}
	if r.InsertedCount != r.Items {
		return r, fmt.Errorf("import: inserted %d items, sent %d", r.InsertedCount, r.Items)
	}
	return r, nil
}

// procStatus reads one "kB" field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// Print writes the import report.
func (r *ImportReport) Print(w io.Writer) error {
	fmt.Fprintf(w, "raw JSONL import to %s: %s items, %s in %s: %s items/s, %.0f MiB/s\n", r.Config.URL,
		count(int64(r.Items)), bytesText(r.Bytes), r.Elapsed.Round(time.Millisecond),
		count(int64(float64(r.Items)/r.Elapsed.Seconds())), float64(r.Bytes)/(1<<20)/r.Elapsed.Seconds())
	if r.PeakRSS > 0 {
		reset := "since the server started (could not reset it)"
		if r.PeakWasReset {
			reset = "during the import"
		}
		fmt.Fprintf(w, "server memory: %s resident before, peak %s %s\n", bytesText(r.RSSBefore), bytesText(r.PeakRSS), reset)
	}
	return nil
}
