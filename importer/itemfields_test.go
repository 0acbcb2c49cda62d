package importer_test

import "io"
import "slices"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"

func readAll(t *testing.T, format, body string) ([]strata.ItemInput, error) {
	t.Helper()
	src, err := importer.New(format, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	var out []strata.ItemInput
	for {
		in, err := src.Next()
		if err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, err
		}
		out = append(out, in)
	}
}

func TestItemFieldsInFiles(t *testing.T) {
	for name, tc := range map[string]struct{ format, body string }{
		"jsonl": {"jsonl", `{"id":"i1","input":"q","externalId":"e1","metadata":{"turns":3,"lang":"en"},"splits":["train","test"]}`},
		"csv":   {"csv", "Input,ID,ExternalId,Metadata,Splits\nq,i1,e1,\"{\"\"lang\"\":\"\"en\"\",\"\"turns\"\":3}\",\"train, test\"\n"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := readAll(t, tc.format, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("%d items", len(got))
			}
			in := got[0]
			if in.ID != "i1" || in.ExternalID == nil || *in.ExternalID != "e1" {
				t.Errorf("id %q, externalId %v", in.ID, in.ExternalID)
			}
			if got, want := string(in.Metadata), `{"lang":"en","turns":3}`; got != want {
				t.Errorf("metadata %s, want %s", got, want)
			}
			if got, want := in.Splits, []string{"test", "train"}; !slices.Equal(got, want) {
				t.Errorf("splits %q, want %q", got, want)
			}
		})
	}
}

func TestItemFieldsInFilesErrors(t *testing.T) {
	wantInvalid(t, map[string]invalidFile{
		"metadataArray":  {"jsonl", `{"input":"q","metadata":[1]}`, "JSONL line 1: metadata must be a JSON object"},
		"splitsString":   {"jsonl", "\n" + `{"input":"q","splits":"test"}`, "JSONL line 2: splits must be an array of strings"},
		"splitName":      {"jsonl", `{"input":"q","splits":["a b"]}`, "JSONL line 1: A split is 1 to 64"},
		"externalNumber": {"jsonl", `{"input":"q","externalId":3}`, "JSONL line 1: externalId must be a string or null"},
		"csvMetadata":    {"csv", "input,metadata\nq,[1]\n", "CSV line 2: metadata must be a JSON object"},
		"csvSplits":      {"csv", "input,splits\nq,a b\n", "CSV line 2: A split is 1 to 64"},
	})
}

// TestUnmappedToMetadata: columns that map to no field are kept in the
// item's metadata under their names; a key the record's own metadata has
// keeps its value, and an empty CSV cell adds nothing.
func TestUnmappedToMetadata(t *testing.T) {
	for _, tt := range []struct {
		name, format, input string
		want                []string // each record's metadata
	}{
		{"CSV", "csv", "question,source,lang\nq1,geo,\nq2,,en\n", []string{`{"source":"geo"}`, `{"lang":"en"}`}},
		{"JSONL", "jsonl", `{"input":"a","turns":3,"metadata":{"turns":1,"x":"y"}}` + "\n" + `{"input":"b","tags":["t"]}` + "\n",
			[]string{`{"turns":1,"x":"y"}`, `{"tags":["t"]}`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := importer.Config{}.Open(tt.format, strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.want {
				in, err := src.Next()
				if err != nil {
					t.Fatalf("record %d: %v", i+1, err)
				}
				if got := string(in.Metadata); got != want {
					t.Errorf("record %d: metadata = %s, want %s", i+1, got, want)
				}
			}
		})
	}
}

// TestNoColumnVanishes: every column no field reads is unmapped and kept in
// the metadata, under a name of its own where its header's is empty or an
// earlier column's; a column passed over for a field is one of them.
func TestNoColumnVanishes(t *testing.T) {
	for _, tt := range []struct {
		name, format, input string
		metadata            string
		unmapped            []string
	}{
		{"DuplicateName", "csv", "input,note,note\nhello,a,b\n", `{"note":"a","note.1":"b"}`, []string{"note", "note.1"}},
		{"DuplicateInput", "csv", "input,input\nx,y\n", `{"input.1":"y"}`, []string{"input.1"}},
		{"DuplicateOtherCase", "csv", "input,Note,note\nq,a,b\n", `{"Note":"a","note":"b"}`, []string{"Note", "note"}},
		{"NameGivenIsFree", "csv", "input,a,a,a.1\nq,1,2,3\n", `{"a":"1","a.1":"3","a.2":"2"}`, []string{"a", "a.2", "a.1"}},
		{"PandasIndex", "csv", ",input\n0,q\n", `{"Unnamed: 0":"0"}`, []string{"Unnamed: 0"}},
		{"EmptyHeader", "csv", "question,answer,,notes\nq,a,x,n\n", `{"Unnamed: 2":"x","notes":"n"}`, []string{"Unnamed: 2", "notes"}},
		{"SecondItemFieldColumn", "csv", "input,metadata,Metadata\nq,\"{\"\"a\"\":1}\",x\n", `{"Metadata":"x","a":1}`, []string{"Metadata"}},
		{"PassedOverCSV", "csv", "prompt,answer,ideal\np,a,i\n", `{"ideal":"i"}`, []string{"ideal"}},
		{"PassedOverJSONL", "jsonl", `{"prompt":"p","answer":"a","ideal":"i"}`, `{"ideal":"i"}`, []string{"ideal"}},
		{"FellThroughJSONL", "jsonl", `{"input":"p","ground_truth":null,"expected_output":"e"}`, `{}`, []string{"expected_output"}},
		{"EmptyKeyJSONL", "jsonl", `{"input":"p","":"x"}`, `{"":"x"}`, []string{""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := importer.Config{}.Open(tt.format, strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			in, err := src.Next()
			if err != nil {
				t.Fatal(err)
			}
			if got := string(in.Metadata); got != tt.metadata {
				t.Errorf("metadata = %s, want %s", got, tt.metadata)
			}
			if got := src.Report().Unmapped; !slices.Equal(got, tt.unmapped) {
				t.Errorf("unmapped = %q, want %q", got, tt.unmapped)
			}
		})
	}
}

// TestFieldErrorsNameTheLine: a record that breaks a rule of Strata's item
// fields is refused with its line, in CSV as in JSON Lines.
func TestFieldErrorsNameTheLine(t *testing.T) {
	long := strings.Repeat("e", strata.MaxExternalIDLength+1)
	exported := strings.Join(importer.ExactCSVHeader, ",") + "\n"
	wantInvalid(t, map[string]invalidFile{
		"csvExternalID":       {"csv", "input,externalId\n\nq,e1\nr," + long + "\n", "CSV line 4: externalId is 1 to 255 printable characters"},
		"csvMetadataNotJSON":  {"csv", "input,metadata\n\"a\nb\",{\n", "CSV line 2: metadata is not valid JSON"},
		"csvMetadataDupKey":   {"csv", "input,metadata\nq,\"{\"\"a\"\":1,\"\"a\"\":2}\"\n", `CSV line 2: metadata: duplicate key "a": an object names each key once`},
		"csvMetadataTooLarge": {"csv", "input,x\nq," + strings.Repeat("y", strata.MaxMetadataBytes) + "\n", "CSV line 2: metadata is 65544 bytes encoded, more than 65536"},
		"exportedExternalID":  {"csv", exported + `"","q",,,"` + long + `","{}",""` + "\n", "CSV line 2: externalId is 1 to 255 printable characters"},
		"exportedBeyond":      {"csv", exported + `"","q",,,,"{}","",x` + "\n", "CSV line 2: a value in column 8, beyond the 7 columns of the header"},
		"jsonlExternalID":     {"jsonl", "{\"input\":\"q\"}\n{\"input\":\"r\",\"externalId\":\"" + long + "\"}", "JSONL line 2: externalId is 1 to 255 printable characters"},
	})
}

// invalidFile is a file an import refuses, and the start of its message.
type invalidFile struct{ format, body, want string }

// wantInvalid reads each file and wants it refused as invalid, with the
// message it names.
func wantInvalid(t *testing.T, files map[string]invalidFile) {
	t.Helper()
	for name, tc := range files {
		t.Run(name, func(t *testing.T) {
			_, err := readAll(t, tc.format, tc.body)
			if got := strata.ErrorCode(err); got != strata.EINVALID {
				t.Fatalf("code %q (%v), want invalid", got, err)
			}
			if got := strata.ErrorMessage(err); !strings.HasPrefix(got, tc.want) {
				t.Errorf("message %q, want %q...", got, tc.want)
			}
		})
	}
}
