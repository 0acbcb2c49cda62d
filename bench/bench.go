// Package bench measures Strata the same way every time: fixed scenarios
// through the store calls the API makes (RunStore), a full-copy baseline
// beside them on the same database (every snapshot copies every item, as
// Lunary does), and a load test of a running server over HTTP (RunLoad,
// RunImport). `strata bench` runs them; BENCHMARKS.md records the figures.
//
// Nothing here asserts on time: a report is a table for a person to read.
package bench

import "fmt"
import "io"
import "slices"
import "strconv"
import "strings"
import "text/tabwriter"
import "time"

// samples are the durations of repeated runs of one operation.
type samples []time.Duration

// quantile is the nearest-rank q-quantile (0 < q <= 1).
func (s samples) quantile(q float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	sorted := slices.Clone(s)
	slices.Sort(sorted)
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func (s samples) median() time.Duration { return s.quantile(0.5) }
func (s samples) p99() time.Duration    { return s.quantile(0.99) }

// timed runs fn and adds its duration to s.
func (s *samples) timed(fn func() error) error {
	start := time.Now()
	err := fn()
	*s = append(*s, time.Since(start))
	return err
}

// ms formats a duration in milliseconds, with the precision it deserves.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v < 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// medianP99 is "median / p99 ms (n)".
func medianP99(s samples) string {
	return fmt.Sprintf("%s / %s ms (n=%d)", ms(s.median()), ms(s.p99()), len(s))
}

// count formats an integer with thousands separators.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// bytesText formats a byte count in MiB (or KiB when small).
func bytesText(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// ratio formats a/b as "123x".
func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	r := a / b
	if r >= 100 {
		return count(int64(r+0.5)) + "x"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "x"
}

// Row is one line of a report: a scenario at one dataset size, Strata's
// figure, and the baseline's where there is one.
type Row struct {
	Scenario string
	Size     int
	Strata   string
	Baseline string // "" when the scenario has no baseline
	Ratio    string // baseline over Strata, when both exist
}

// Target is one of the goals of the benchmark, as measured.
type Target struct {
	Goal     string
	Measured string
	Met      bool
}

// Report is the outcome of a run.
type Report struct {
	Title   string
	Rows    []Row
	Targets []Target
	Notes   []string
}

func (r *Report) add(row Row) { r.Rows = append(r.Rows, row) }

func (r *Report) target(goal, measured string, met bool) {
	r.Targets = append(r.Targets, Target{Goal: goal, Measured: measured, Met: met})
}

func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Print writes the report as an aligned table.
func (r *Report) Print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if r.Title != "" {
		fmt.Fprintf(tw, "%s\n\n", r.Title)
	}
	fmt.Fprintln(tw, "scenario\titems\tstrata\tfull-copy baseline\tbaseline/strata")
	for _, row := range r.Rows {
		size := "-"
		if row.Size > 0 {
			size = count(int64(row.Size))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.Scenario, size, row.Strata, dash(row.Baseline), dash(row.Ratio))
	}
	if len(r.Targets) > 0 {
		fmt.Fprintln(tw, "\ntarget\tmeasured\tmet")
		for _, t := range r.Targets {
			met := "MISSED"
			if t.Met {
				met = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Goal, t.Measured, met)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range r.Notes {
		if _, err := fmt.Fprintf(w, "note: %s\n", n); err != nil {
			return err
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// logf writes progress to w, if any.
func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "bench: "+format+"\n", args...)
	}
}
