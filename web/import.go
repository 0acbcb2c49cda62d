package web

import "io"
import "mime/multipart"
import "net/http"
import "net/url"
import "path"
import "strings"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"

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
		return nil, strata.Errorf(strata.EINVALID, "Choose a CSV or JSONL file to import.")
	}
	f := &importForm{values: url.Values{}}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, strata.Errorf(strata.EINVALID, "Choose a CSV or JSONL file to import.")
		} else if err != nil {
			return nil, strata.Errorf(strata.EINVALID, "The upload failed: %v", err)
		}
		name := part.FormName()
		if name == "file" {
			f.file, f.format = part, "jsonl"
			if strings.EqualFold(path.Ext(part.FileName()), ".csv") {
				f.format = "csv"
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

// importPreview shows what importing the uploaded file would do.
func (s *Server) importPreview(w http.ResponseWriter, ss *session) error {
	id := ss.PathValue("id")
	d, err := s.Store.FindDataset(ss.Context(), ss.principal.ProjectID, id)
	if err != nil {
		return err
	}
	f, err := readImportForm(ss)
	if err != nil {
		return err
	}
	m, err := f.mapping()
	if err != nil {
		return err
	}
	p := importer.Config{Mapping: m}.Preview(f.format, f.file, nil)
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
		"LastUserMessage": m.InputFrom == importer.InputFromLastUserMessage,
	}))
	return nil
}

// previewField is one field of the preview's mapping form.
type previewField struct {
	Name, Label string
	Used        string // the column read in the preview
	Chosen      string // the column the form asked for; "" detects
}
