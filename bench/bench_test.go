package bench

import "io"
import "testing"
import "time"

import "github.com/strata-eval/strata/importer"

func TestQuantile(t *testing.T) {
	var s samples
	for i := 100; i >= 1; i-- {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0.001, time.Millisecond}} {
		if got := s.quantile(c.q); got != c.want {
			t.Errorf("quantile(%g) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := (samples{}).median(); got != 0 {
		t.Errorf("median of nothing = %v", got)
	}
}

// The generated files are what the importer reads, item for item.
func TestItemFile(t *testing.T) {
	for _, format := range []string{"jsonl", "csv"} {
		for _, pad := range []int{0, 1200} {
			src, err := importer.New(format, &ItemFile{Format: format, N: 500, PadTo: pad})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; ; i++ {
				in, err := src.Next()
				if err == io.EOF {
					if i != 500 {
						t.Fatalf("%s: %d items, want 500", format, i)
					}
					break
				} else if err != nil {
					t.Fatal(err)
				}
				input, gt := itemText(i, pad)
				if in.Input != input || in.GroundTruth == nil || *in.GroundTruth != gt {
					t.Fatalf("%s item %d = %+v", format, i, in)
				}
				if pad > 0 && (len(input) < pad-100 || len(input) > pad) {
					t.Fatalf("padded input of %d bytes, want about %d", len(input), pad)
				}
			}
		}
	}
	// A read fills its buffer with lines, as a file's does.
	f0 := &ItemFile{Format: "jsonl", N: 100, PadTo: 300}
	if n, err := f0.Read(make([]byte, 4096)); n != 4096 || err != nil {
		t.Fatalf("read of 4096 bytes = %d, %v, want all of them", n, err)
	}
	// A size bound ends the file at a whole line.
	f := &ItemFile{Format: "jsonl", N: -1, MaxBytes: 10_000, PadTo: 300}
	data, _ := io.ReadAll(f)
	if len(data) > 10_000 || len(data) < 9_000 || data[len(data)-1] != '\n' || f.Items() == 0 || f.Bytes() != int64(len(data)) {
		t.Fatalf("bounded file: %d bytes, %d items", len(data), f.Items())
	}
}

// BenchmarkItemFile measures what generating the import file costs the bench
// client, per line of 1,200 bytes.
func BenchmarkItemFile(b *testing.B) {
	f := &ItemFile{Format: "jsonl", N: -1, PadTo: 1200}
	buf := make([]byte, 32<<10)
	b.ReportAllocs()
	for b.Loop() {
		f.Read(buf)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(f.Items()), "ns/line")
}
