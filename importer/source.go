package importer

import "encoding/json"
import "io"

import "github.com/strata-eval/strata"

// Source reads the records of a file as items, and says how it read them.
type Source interface {
	strata.ItemSource
	// Line is the line on which the record last returned by Next begins, or
	// the line of the error Next returned.
	Line() int
	// Unmapped returns the values of the columns of the record last returned
	// by Next that map to no field, keyed by column name (CSV cells as JSON
	// strings, empty cells left out); nil when there are none.
	Unmapped() map[string]json.RawMessage
	// Report says how the columns of the records read so far were mapped.
	Report() Report
}

// Open picks the parser by format, "csv", "jsonl" or "json" (an array of
// item objects), as New does, and
// returns it as a Source.
func (c Config) Open(format string, r io.Reader) (Source, error) {
	switch format {
	case "csv":
		src, err := c.openCSV(r)
		if err != nil {
			return nil, err
		}
		return src, nil
	case "jsonl":
		return c.openJSONL(r), nil
	case "json":
		return c.openJSONArray(r), nil
	}
	return nil, strata.Errorf(strata.EINVALID, "Unknown import format %q: expected \"csv\", \"jsonl\" or \"json\"", format)
}
