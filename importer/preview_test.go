package importer_test

import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"

func TestPreview(t *testing.T) {
	var file strings.Builder
	file.WriteString("question,answer\n")
	for _, q := range []string{"1", "2", "3", "4", "5", "6"} {
		file.WriteString(q + "," + q + "\n")
	}
	t.Run("OK", func(t *testing.T) {
		p := importer.Config{}.Preview("csv", strings.NewReader(file.String()), nil)
		if p.Err != nil {
			t.Fatal(p.Err)
		}
		if got, want := p.Records, 6; got != want {
			t.Errorf("records = %d, want %d", got, want)
		}
		if got, want := len(p.Items), importer.PreviewItems; got != want {
			t.Fatalf("%d items, want %d", got, want)
		}
		if got, want := p.Items[4].Input, "5"; got != want {
			t.Errorf("item 5 input = %q, want %q", got, want)
		}
		if got, want := p.Report.Input, "question"; got != want {
			t.Errorf("input read from %q, want %q", got, want)
		}
	})
	t.Run("ErrorLine", func(t *testing.T) {
		p := importer.Config{}.Preview("csv", strings.NewReader(file.String()+"\n\"bad\"x\n"), nil)
		if got, want := p.ErrLine, 9; got != want {
			t.Errorf("error line = %d, want %d", got, want)
		}
		if got, want := p.Records, 6; got != want {
			t.Errorf("records = %d, want %d", got, want)
		}
		if !importer.InFile(p.Err) {
			t.Errorf("%v is not an error in the file", p.Err)
		}
	})
	t.Run("HeaderError", func(t *testing.T) {
		m := importer.Mapping{Input: ptr("prompt")}
		p := importer.Config{Mapping: m}.Preview("csv", strings.NewReader("\n\n"+file.String()), nil)
		if got, want := strata.ErrorMessage(p.Err), `CSV line 3: column "prompt" (map.input) is missing`; got != want {
			t.Errorf("error = %q, want %q", got, want)
		}
		if got, want := p.ErrLine, 3; got != want {
			t.Errorf("error line = %d, want %d", got, want)
		}
		if got, want := strings.Join(p.Report.Columns, ","), "question,answer"; got != want {
			t.Errorf("columns = %s, want %s", got, want)
		}
	})
	t.Run("Limit", func(t *testing.T) {
		limit := func(src strata.ItemSource) strata.ItemSource { return &atMost{src: src, n: 2} }
		p := importer.Config{}.Preview("csv", strings.NewReader(file.String()), limit)
		if got, want := p.Records, 2; got != want {
			t.Errorf("records = %d, want %d", got, want)
		}
		if got, want := p.ErrLine, 4; got != want {
			t.Errorf("error line = %d, want %d", got, want)
		}
	})
}

// atMost fails after n items, as the server's import limit does.
type atMost struct {
	src strata.ItemSource
	n   int
}

func (a *atMost) Next() (strata.ItemInput, error) {
	in, err := a.src.Next()
	if err != nil {
		return in, err
	}
	if a.n--; a.n < 0 {
		return in, strata.Errorf(strata.ETOOLARGE, "too many")
	}
	return in, nil
}
