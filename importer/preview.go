package importer

import "io"

import "github.com/strata-eval/strata"

// PreviewItems is how many items a Preview keeps.
const PreviewItems = 5

// Preview is what importing a file would do, found by reading all of it
// and writing nothing.
type Preview struct {
	Records int                // records read before the first error
	Items   []strata.ItemInput // the first PreviewItems of them, as they would be stored
	Err     error              // the first error; nil when the whole file reads
	ErrLine int                // the line of Err
	Report  Report
}

// InFile reports whether err is about the file, its content or its size,
// or a record's clash with the dataset (an externalId a live item has:
// strata.ECONFLICT), which a preview shows as its Err, rather than a failure
// to read it (a timeout, the server), which fails the preview itself.
func InFile(err error) bool {
	code := strata.ErrorCode(err)
	return code == strata.EINVALID || code == strata.ETOOLARGE || code == strata.ECONFLICT
}

// Preview reads a whole file as an import would, through limit (which may
// wrap the source to add limits; nil reads it as it is), stopping at the
// first error.
func (c Config) Preview(format string, r io.Reader, limit func(strata.ItemSource) strata.ItemSource) Preview {
	var (
		src Source
		err error
	)
	switch format {
	case "csv":
		var s *csvSource
		if s, err = c.openCSV(r); err != nil {
			return Preview{Err: err, ErrLine: max(s.line, 1), Report: s.Report()}
		}
		src = s
	default:
		if src, err = c.Open(format, r); err != nil {
			return Preview{Err: err, ErrLine: 1}
		}
	}
	var read strata.ItemSource = src
	if limit != nil {
		read = limit(src)
	}
	p := Preview{Items: []strata.ItemInput{}}
	for {
		in, err := read.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			p.Err, p.ErrLine = err, src.Line()
			break
		}
		p.Records++
		if len(p.Items) < PreviewItems {
			p.Items = append(p.Items, in)
		}
	}
	p.Report = src.Report()
	return p
}
