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
		"jsonl": {"jsonl", `{"id":"0190d7a1-0000-7000-8000-000000000001","input":"q","externalId":"e1","metadata":{"turns":3,"lang":"en"},"splits":["train","test"]}`},
		"csv":   {"csv", "Input,ID,ExternalId,Metadata,Splits\nq,0190d7a1-0000-7000-8000-000000000001,e1,\"{\"\"lang\"\":\"\"en\"\",\"\"turns\"\":3}\",\"train, test\"\n"},
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
			if in.ID != "0190d7a1-0000-7000-8000-000000000001" || in.ExternalID == nil || *in.ExternalID != "e1" {
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

// readMapped reads a whole file with a mapping, and its report.
func readMapped(t *testing.T, format, body string, m importer.Mapping) ([]strata.ItemInput, importer.Report) {
	t.Helper()
	src, err := importer.Config{Mapping: m}.Open(format, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out []strata.ItemInput
	for {
		in, err := src.Next()
		if err == io.EOF {
			return out, src.Report()
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, in)
	}
}

// An id that is not Strata's (a UUID) names no item: the item keeps it in
// its metadata as "id", unless its own metadata has one, and the report
// lists the column as unmapped.
func TestForeignIDsKeptInMetadata(t *testing.T) {
	const export = "id,input,groundTruth,output,externalId,metadata,splits\n"
	for _, tt := range []struct {
		name, format, body string
		mapping            importer.Mapping
		metadata           []string
	}{
		{"JSONLNumber", "jsonl", `{"id":7,"input":"a"}`, importer.Mapping{}, []string{`{"id":7}`}},
		{"JSONLOwnMetadataWins", "jsonl", `{"id":"case-1","input":"b","metadata":{"id":"mine"}}`, importer.Mapping{}, []string{`{"id":"mine"}`}},
		{"CSV", "csv", "id,text,gold\n7,Is shipping free?,Above 50 EUR\n7,Again,x\n", importer.Mapping{Input: sp("text"), GroundTruth: sp("gold")},
			[]string{`{"id":"7"}`, `{"id":"7"}`}},
		{"ExportDialect", "csv", export + "\"new-1\",\"q\",,,,{},\n", importer.Mapping{}, []string{`{"id":"new-1"}`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			items, rep := readMapped(t, tt.format, tt.body, tt.mapping)
			if len(items) != len(tt.metadata) {
				t.Fatalf("%d items, want %d", len(items), len(tt.metadata))
			}
			for i, in := range items {
				if in.ID != "" || string(in.Metadata) != tt.metadata[i] {
					t.Errorf("item %d: id %q, metadata %s; want no id, metadata %s", i, in.ID, in.Metadata, tt.metadata[i])
				}
			}
			if !slices.Contains(rep.Unmapped, "id") {
				t.Errorf("unmapped %q, want id listed", rep.Unmapped)
			}
		})
	}
	// Strata's own ids are read as ids.
	const id = "0190d7a1-0000-7000-8000-000000000001"
	items, rep := readMapped(t, "jsonl", `{"id":"`+id+`","input":"a"}`, importer.Mapping{})
	if items[0].ID != id || string(items[0].Metadata) != "{}" || slices.Contains(rep.Unmapped, "id") {
		t.Errorf("a UUID id: id %q, metadata %s, unmapped %q", items[0].ID, items[0].Metadata, rep.Unmapped)
	}
}

// A column named as an item field (metadata, splits, id, externalId) that a
// mapping takes is read as the mapping says, not as the field.
func TestMappedItemFieldColumns(t *testing.T) {
	for _, tt := range []struct {
		name, format, body string
		mapping            importer.Mapping
		input, metadata    string
		splits             []string
	}{
		{"CSVMetadataToKey", "csv", "input,metadata\nq1,null\n", importer.Mapping{Metadata: map[string]string{"note": "metadata"}},
			"q1", `{"note":"null"}`, nil},
		{"JSONLMetadataToKey", "jsonl", `{"input":"x","metadata":"some string"}`, importer.Mapping{Metadata: map[string]string{"note": "metadata"}},
			"x", `{"note":"some string"}`, nil},
		{"CSVSplitsToKey", "csv", "id,text,splits\n7,hello,\"a b\"\n", importer.Mapping{Input: sp("text"), Metadata: map[string]string{"sp": "splits"}},
			"hello", `{"id":"7","sp":"a b"}`, nil},
		{"JSONLInputFromMetadata", "jsonl", `{"metadata":"the question","answer":"a"}`, importer.Mapping{Input: sp("metadata")},
			"the question", "{}", nil},
		{"CSVExternalIDToKey", "csv", "input,externalId\nq,not an id\n", importer.Mapping{Metadata: map[string]string{"ext": "externalId"}},
			"q", `{"ext":"not an id"}`, nil},
		// A CSV metadata cell of null is none, as a JSON line's null.
		{"CSVMetadataNull", "csv", "input,metadata\nq1,null\n", importer.Mapping{}, "q1", "{}", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			items, _ := readMapped(t, tt.format, tt.body, tt.mapping)
			in := items[0]
			if in.Input != tt.input || string(in.Metadata) != tt.metadata || !slices.Equal(in.Splits, tt.splits) || in.ExternalID != nil {
				t.Errorf("input %q, metadata %s, splits %q, externalId %v; want %q, %s, %q, none",
					in.Input, in.Metadata, in.Splits, in.ExternalID, tt.input, tt.metadata, tt.splits)
			}
		})
	}
}

// A file in Lunary's import body is read as Lunary reads it, which ignores
// Strata's item-field columns: a value its field does not take is kept in
// metadata under its column, where Strata's own reading refuses the file.
func TestLunaryBodyKeepsWhatLunaryIgnores(t *testing.T) {
	for _, tt := range []struct {
		name, format, body string
		input, metadata    string
		splits             []string
		externalID         string
		strict             string // the error of Strata's own reading
	}{
		{"CSVMetadataText", "csv", "input,metadata\nq,some notes here\n", "q", `{"metadata":"some notes here"}`, nil, "",
			"CSV line 2: metadata is not valid JSON"},
		{"CSVSplitsText", "csv", "input,Splits\nq,train set\n", "q", `{"Splits":"train set"}`, nil, "",
			"CSV line 2: A split is 1 to 64 letters, digits, '-', '_' or '.'"},
		{"CSVValidFieldsRead", "csv", "input,metadata,splits,externalId\nq,\"{\"\"a\"\":1}\",train,e1\n", "q", `{"a":1}`, []string{"train"}, "e1", ""},
		{"JSONL", "jsonl", `{"input":"q","metadata":"just a string","splits":"train","externalId":17}`, "q",
			`{"externalId":17,"metadata":"just a string","splits":"train"}`, nil, "", "JSONL line 1: metadata must be a JSON object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := importer.Config{Lunary: true}.Open(tt.format, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			in, err := src.Next()
			if err != nil {
				t.Fatal(err)
			}
			ext := ""
			if in.ExternalID != nil {
				ext = *in.ExternalID
			}
			if in.Input != tt.input || string(in.Metadata) != tt.metadata || !slices.Equal(in.Splits, tt.splits) || ext != tt.externalID {
				t.Errorf("input %q, metadata %s, splits %q, externalId %q; want %q, %s, %q, %q",
					in.Input, in.Metadata, in.Splits, ext, tt.input, tt.metadata, tt.splits, tt.externalID)
			}
			if tt.strict == "" {
				return
			}
			_, err = readAll(t, tt.format, tt.body)
			if got := strata.ErrorMessage(err); got != tt.strict {
				t.Errorf("Strata's reading: %q, want %q", got, tt.strict)
			}
		})
	}
}

// With map.splits reading the splits from another column, the file's own
// splits column is one that maps to no field: kept in metadata and listed,
// not dropped.
func TestMappedSplitsKeepTheFilesSplits(t *testing.T) {
	m := importer.Mapping{Splits: sp("tags")}
	for _, tt := range []struct{ format, body, metadata string }{
		{"csv", "question,splits,tags\nq1,\"train,test\",gold\n", `{"splits":"train,test"}`},
		{"jsonl", `{"input":"j1","splits":["train"],"tags":"gold"}`, `{"splits":["train"]}`},
	} {
		items, rep := readMapped(t, tt.format, tt.body, m)
		if in := items[0]; !slices.Equal(in.Splits, []string{"gold"}) || string(in.Metadata) != tt.metadata {
			t.Errorf("%s: splits %q, metadata %s; want [gold], %s", tt.format, in.Splits, in.Metadata, tt.metadata)
		}
		if !slices.Equal(rep.Unmapped, []string{"splits"}) {
			t.Errorf("%s: unmapped %q, want [splits]", tt.format, rep.Unmapped)
		}
	}
}

// A value Lunary's body would keep in metadata but that is no text is
// refused under its own field's name, not metadata's.
func TestLunaryBodyRefusesNoTextUnderItsField(t *testing.T) {
	src, err := importer.Config{Lunary: true}.Open("jsonl", strings.NewReader(`{"input":"a","externalId":"a\u0000b"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Next()
	if got, want := strata.ErrorMessage(err), "JSONL line 1: externalId contains a NUL character"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}
