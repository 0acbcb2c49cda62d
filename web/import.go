package web

import "io"
import "mime/multipart"
import "net/http"
import "net/url"
import "path"
import "strings"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"
import "github.com/strata-eval/strata/internal/rules"

// The import preview: the file is read whole, as an import would read it,
// and nothing is written. The page shows what would be imported and a form
// to import it, whose column choices start at what was detected. Browsers
// do not keep a chosen file from one page to the next, so the form asks for
// the file again.

// importForm is an upload: the mapping fields that precede the file in the
// form, and the file.
type importForm struct {
	values url.Values // map.input, map.groundTruth, map.output, inputFrom: empty detects
	file   *multipart.Part
	format string
}

// maxFormField bounds a form field read before the file.
const maxFormField = 4 << 10

// readImportForm reads a multipart upload up to its file part, so that the
// file can be streamed.
func readImportForm(ss *session) (*importForm, error) {
	mr, err := ss.MultipartReader()
	if err != nil {
		return nil, strata.Errorf(strata.EINVALID, "Choose a CSV, JSONL or JSON file to import.")
	}
	f := &importForm{values: url.Values{}}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, strata.Errorf(strata.EINVALID, "Choose a CSV, JSONL or JSON file to import.")
		} else if err != nil {
			return nil, strata.Errorf(strata.EINVALID, "The upload failed: %v", err)
		}
		name := part.FormName()
		if name == "file" {
			f.file, f.format = part, "jsonl"
			switch ext := path.Ext(part.FileName()); {
			case strings.EqualFold(ext, ".csv"):
				f.format = "csv"
			case strings.EqualFold(ext, ".json"):
				f.format = "json" // an array of item objects
			}
			return f, nil
		}
		if !isMappingField(name) {
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
		if err != nil {
			return nil, strata.Errorf(strata.EINVALID, "The upload failed: %v", err)
		} else if len(v) > maxFormField {
			return nil, strata.Errorf(strata.EINVALID, "The field %s is too long.", name)
		}
		if s := string(v); s != "" { // an empty choice leaves the field to detection
			f.values.Set(name, s)
		}
	}
}

func isMappingField(name string) bool {
	for _, p := range importer.MappingParams {
		if name == p {
			return true
		}
	}
	return false
}

// mapping is the form's mapping, as the API reads its query.
func (f *importForm) mapping() (importer.Mapping, error) { return importer.ParseMapping(f.values) }

// receivedImport is an upload received whole: its form, its mapping, and
// the file, in a temporary file that the caller closes.
type receivedImport struct {
	*importForm
	mapping importer.Mapping
	spool   *rules.Upload
}

// receiveImport receives an upload, for an import or its preview alike:
// within the import's byte limit and the request's deadline, checked as
// UTF-8, and spooled to a temporary file so that the import's transaction
// never waits on the network.
func (s *Server) receiveImport(w http.ResponseWriter, ss *session) (*receivedImport, error) {
	l := s.API.EffectiveLimits()
	if ss.ContentLength > l.MaxImportBytes {
		return nil, rules.ErrBodyTooLarge
	}
	ss.Body = http.MaxBytesReader(w, ss.Body, l.MaxImportBytes)
	f, err := readImportForm(ss) // the column mapping, then the file
	if err != nil {
		return nil, err
	}
	m, err := f.mapping()
	if err != nil {
		return nil, err
	}
	file, err := rules.Spool(rules.NewBodyReader(&uploadReader{r: f.file}), l.MaxImportBytes) // files.go
	if err != nil {
		return nil, err
	}
	return &receivedImport{importForm: f, mapping: m, spool: file}, nil
}

// importPreview shows what importing the uploaded file would do: the file
// is received and read as importFile receives and imports it, under the
// same limits, so that the preview reports the error the import would
// meet first.
func (s *Server) importPreview(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	d, err := s.Store.FindDataset(ss.Context(), ss.principal.ProjectID, id)
	if err != nil {
		return err
	}
	f, err := s.receiveImport(w, ss)
	if err != nil {
		return err
	}
	defer f.spool.Close()
	p := s.API.ImportConfig(f.mapping).Preview(f.format, f.spool, s.API.ImportLimits().Limit)
	if p.Err != nil && !importer.InFile(p.Err) {
		return p.Err
	}
	fields := []previewField{
		{Name: importer.FieldInput, Label: "Input", Used: p.Report.Input},
		{Name: importer.FieldGroundTruth, Label: "Ground truth", Used: p.Report.GroundTruth},
		{Name: importer.FieldOutput, Label: "Output", Used: p.Report.Output},
	}
	for i := range fields {
		fields[i].Chosen = f.values.Get("map." + fields[i].Name)
	}
	s.render(w, http.StatusOK, "import", s.data(ss, map[string]any{
		"Dataset": d, "FileName": f.file.FileName(), "Preview": p, "Fields": fields,
		"Columns": p.Report.Columns, "ErrMessage": strata.ErrorMessage(p.Err),
		"LastUserMessage": f.mapping.InputFrom == importer.InputFromLastUserMessage,
	}))
	return nil
}

// maxPreviewChars bounds what the preview shows of a field: enough to
// recognise it, however large the field is.
const maxPreviewChars = 2000

// previewText is the start of a field as the preview shows it, its line
// breaks kept.
func previewText(text string) string {
	n := 0
	for i := range text {
		if n == maxPreviewChars {
			return text[:i] + "…"
		}
		n++
	}
	return text
}

// previewField is one field of the preview's mapping form.
type previewField struct {
	Name, Label string
	Used        string // the column read in the preview
	Chosen      string // the column the form asked for; "" detects
}
