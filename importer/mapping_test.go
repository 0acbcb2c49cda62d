package importer_test

import "encoding/json"
import "fmt"
import "io"
import "net/url"
import "reflect"
import "slices"
import "strings"
import "testing"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"

func ptr(s string) *string { return &s }

// The formats other tools write, read without a mapping.
func TestAliases(t *testing.T) {
	for _, tt := range []struct {
		name, csv, jsonl, want string
	}{
		{name: "QuestionAnswer",
			csv:   "question,answer\nWhat is 2+2?,4\n",
			jsonl: `{"question":"What is 2+2?","answer":"4"}`,
			want:  `[["What is 2+2?","4",null]]`},
		{name: "QueryExpectedAnswer",
			csv:   "query,expected_answer\nq,a\n",
			jsonl: `{"query":"q","expected_answer":"a"}`,
			want:  `[["q","a",null]]`},
		{name: "QueryExpectedAnswerCamel",
			csv:   "query,expectedAnswer\nq,a\n",
			jsonl: `{"query":"q","expectedAnswer":"a"}`,
			want:  `[["q","a",null]]`},
		{name: "PromptIdealCompletion",
			csv:   "prompt,ideal,completion\np,i,c\n",
			jsonl: `{"prompt":"p","ideal":"i","completion":"c"}`,
			want:  `[["p","i","c"]]`},
		{name: "Langfuse",
			csv:   "input,expectedOutput,metadata\nq,a,\"{\"\"k\"\":1}\"\n",
			jsonl: `{"input":"q","expectedOutput":"a","metadata":{"k":1}}`,
			want:  `[["q","a",null]]`},
		{name: "InputsOutputs",
			csv:   "inputs,expected,outputs\nq,a,o\n",
			jsonl: `{"inputs":"q","expected":"a","outputs":"o"}`,
			want:  `[["q","a","o"]]`},
		{name: "ReferenceResponse",
			csv:   "prompt,reference,response\nq,a,o\n",
			jsonl: `{"prompt":"q","reference":"a","response":"o"}`,
			want:  `[["q","a","o"]]`},
		{name: "TargetActualOutput",
			csv:   "query,target,actual_output\nq,a,o\n",
			jsonl: `{"query":"q","target":"a","actualOutput":"o"}`,
			want:  `[["q","a","o"]]`},
		{name: "LabelPrediction",
			csv:   "question,label,prediction\nq,a,o\n",
			jsonl: `{"question":"q","label":"a","prediction":"o"}`,
			want:  `[["q","a","o"]]`},
		// Lunary's names win over any alias, whatever the column order.
		{name: "LunaryFirst",
			csv:   "question,answer,response,input,ground_truth,output\nQ,A,O,q,a,o\n",
			jsonl: `{"question":"Q","answer":"A","response":"O","input":"q","ground_truth":"a","output":"o"}`,
			want:  `[["q","a","o"]]`},
		{name: "LunaryNamesBeforeTheirOtherForms",
			csv:   "modelOutput,prediction,input\nm,p,q\n",
			jsonl: `{"modelOutput":"m","prediction":"p","input":"q"}`,
			want:  `[["q",null,"p"]]`},
		{name: "AliasPriority",
			csv:   "label,ideal,answer,query,question\nl,i,a,qq,q\n",
			jsonl: `{"label":"l","ideal":"i","answer":"a","query":"qq","question":"q"}`,
			want:  `[["q","a",null]]`},
	} {
		t.Run(tt.name+"/CSV", func(t *testing.T) {
			got, err := importCSV(t, importer.Config{}, strings.NewReader(tt.csv))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("items = %s, want %s", got, tt.want)
			}
		})
		t.Run(tt.name+"/JSONL", func(t *testing.T) {
			got, err := collect(t, importer.NewJSONL(strings.NewReader(tt.jsonl)))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("items = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCSVHeadersIgnoreCase(t *testing.T) {
	got, err := importCSV(t, importer.Config{}, strings.NewReader(" Question ,ANSWER,Expected_Answer\nq,a,b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `[["q","a",null]]`; got != want {
		t.Errorf("items = %s, want %s", got, want)
	}
}

func TestJSONKeysExact(t *testing.T) {
	got, err := collect(t, importer.NewJSONL(strings.NewReader(`{"input":"q","Answer":"a","IDEAL":"b"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if want := `[["q",null,null]]`; got != want {
		t.Errorf("items = %s, want %s", got, want)
	}
}

// OpenAI's evals: a chat as input, kept as its JSON text or, on request,
// reduced to the last user message.
func TestOpenAIEvals(t *testing.T) {
	const line = `{"input":[{"role":"system","content":"Be brief."},{"role":"user","content":"2+2?"},` +
		`{"role":"assistant","content":"4"},{"role":"user","content":"And 3+3?"}],"ideal":["6","six"]}`
	for _, tt := range []struct {
		name    string
		mapping importer.Mapping
		want    string
	}{
		{name: "AsJSON",
			want: `[["[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"2+2?\"},{\"role\":\"assistant\",\"content\":\"4\"},{\"role\":\"user\",\"content\":\"And 3+3?\"}]","[\"6\",\"six\"]",null]]`},
		{name: "LastUserMessage", mapping: importer.Mapping{InputFrom: importer.InputFromLastUserMessage},
			want: `[["And 3+3?","[\"6\",\"six\"]",null]]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, importer.Config{Mapping: tt.mapping}.NewJSONL(strings.NewReader(line)))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("items = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestLastUserMessage(t *testing.T) {
	from := importer.Mapping{InputFrom: importer.InputFromLastUserMessage}
	for _, tt := range []struct {
		name, format, input, want, msg string
	}{
		{name: "Messages", format: "jsonl",
			input: `{"input":{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}}`,
			want:  `[["hi",null,null]]`},
		{name: "ContentParts", format: "jsonl",
			input: `{"input":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{}},{"type":"text","text":"b"}]}]}`,
			want:  `[["a\nb",null,null]]`},
		{name: "StringStays", format: "jsonl", input: `{"input":"plain"}`, want: `[["plain",null,null]]`},
		{name: "NoUserMessage", format: "jsonl", input: "{\"input\":\"ok\"}\n{\"input\":[{\"role\":\"system\",\"content\":\"x\"}]}",
			want: `[["ok",null,null]]`,
			msg:  "JSONL line 2: inputFrom=lastUserMessage: the input holds no chat with a user message"},
		{name: "CSVCell", format: "csv", input: "input,ideal\n\"[{\"\"role\"\":\"\"user\"\",\"\"content\"\":\"\"q\"\"}]\",a\n",
			want: `[["q","a",null]]`},
		{name: "CSVPlainCell", format: "csv", input: "input\n[not json\n", want: `[["[not json",null,null]]`},
		{name: "CSVNoUserMessage", format: "csv", input: "input\nok\n\n\"{\"\"messages\"\":[]}\"\n",
			want: `[["ok",null,null]]`,
			msg:  "CSV line 4: inputFrom=lastUserMessage: the input holds no chat with a user message"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := importer.Config{Mapping: from}.Open(tt.format, strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			got, err := collect(t, src)
			if got != tt.want {
				t.Errorf("items = %s, want %s", got, tt.want)
			}
			if got, want := strata.ErrorMessage(err), tt.msg; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		})
	}
}

func TestExplicitMapping(t *testing.T) {
	for _, tt := range []struct {
		name, format, input string
		mapping             importer.Mapping
		want, msg           string
	}{
		{name: "CSV", format: "csv", input: "title,body,answer\nt,b,a\n",
			mapping: importer.Mapping{Input: ptr("body"), GroundTruth: ptr("title")},
			want:    `[["b","t",null]]`},
		{name: "CSVOverridesLunary", format: "csv", input: "input,ground_truth,other\nq,a,o\n",
			mapping: importer.Mapping{Input: ptr("other")},
			want:    `[["o","a",null]]`},
		{name: "CSVCaseInsensitive", format: "csv", input: " Body \nb\n",
			mapping: importer.Mapping{Input: ptr("body ")}, want: `[["b",null,null]]`},
		{name: "CSVMappedColumnNotDetectedAgain", format: "csv", input: "question,answer\nq,a\n",
			mapping: importer.Mapping{Input: ptr("answer")}, want: `[["a",null,null]]`},
		{name: "CSVFieldOff", format: "csv", input: "input,output\nq,o\n",
			mapping: importer.Mapping{Output: ptr("")}, want: `[["q",null,null]]`},
		{name: "CSVExportReadByCommonRules", format: "csv", input: "input,groundTruth,output\n\" q \",\"\",o\n",
			mapping: importer.Mapping{Output: ptr("output")}, want: `[["q",null,"o"]]`},
		{name: "CSVMissing", format: "csv", input: "\ntitle\nt\n",
			mapping: importer.Mapping{Input: ptr("body")}, want: `[]`,
			msg: `CSV line 2: column "body" (map.input) is missing`},
		{name: "JSONL", format: "jsonl", input: `{"q":"x","a":1,"input":"no"}`,
			mapping: importer.Mapping{Input: ptr("q"), Output: ptr("a")},
			want:    `[["x",null,"1"]]`},
		{name: "JSONLMissing", format: "jsonl", input: "{\"q\":\"x\",\"a\":\"y\"}\n\n{\"q\":\"z\"}\n",
			mapping: importer.Mapping{Input: ptr("q"), GroundTruth: ptr("a")},
			want:    `[["x","y",null]]`, msg: `JSONL line 3: column "a" (map.groundTruth) is missing`},
		{name: "JSONLNullInput", format: "jsonl", input: `{"q":null}`,
			mapping: importer.Mapping{Input: ptr("q")},
			want:    `[]`, msg: `JSONL line 1: column "q" (map.input) is null`},
		{name: "JSONLExactKey", format: "jsonl", input: `{"Q":"x"}`,
			mapping: importer.Mapping{Input: ptr("q")},
			want:    `[]`, msg: `JSONL line 1: column "q" (map.input) is missing`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := "[]", error(nil)
			src, err := importer.Config{Mapping: tt.mapping}.Open(tt.format, strings.NewReader(tt.input))
			if err == nil {
				got, err = collect(t, src)
			}
			if got != tt.want {
				t.Errorf("items = %s, want %s", got, tt.want)
			}
			if got, want := strata.ErrorMessage(err), tt.msg; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
			if err != nil && strata.ErrorCode(err) != strata.EINVALID {
				t.Errorf("code = %q, want %q", strata.ErrorCode(err), strata.EINVALID)
			}
		})
	}
}

// map.ignore takes the columns of a wide file: thousands of names.
func TestParseMappingIgnoresManyColumns(t *testing.T) {
	var names []string
	for i := range 3000 {
		names = append(names, fmt.Sprintf("col%04d", i))
	}
	m, err := importer.ParseMapping(url.Values{"map.ignore": {strings.Join(names, ",")}})
	if err != nil || len(m.Ignore) != 3000 {
		t.Fatalf("%d names, %v", len(m.Ignore), err)
	}
}

func TestParseMapping(t *testing.T) {
	for _, tt := range []struct {
		query string
		want  importer.Mapping
		msg   string
	}{
		{query: "skipVersion=true&dryRun=true", want: importer.Mapping{}},
		{query: "map.input=question&map.groundTruth=answer&map.output=&inputFrom=lastUserMessage",
			want: importer.Mapping{Input: ptr("question"), GroundTruth: ptr("answer"), Output: ptr(""),
				InputFrom: importer.InputFromLastUserMessage}},
		{query: "map.input=", msg: "map.input must name a column: every item has an input"},
		{query: "map.input=a&map.input=b", msg: "map.input must be given at most once"},
		{query: "map.splits=s&map.metadata.lang=language&map.metadata.turns=n",
			want: importer.Mapping{Splits: ptr("s"), Metadata: map[string]string{"lang": "language", "turns": "n"}}},
		{query: "map.splits=", msg: "map.splits must name a column"},
		{query: "map.metadata.lang=", msg: "map.metadata.lang must name a column"},
		{query: "map.metadata.=x", msg: `Unknown mapping parameter "map.metadata.": expected map.input, map.groundTruth, map.output, map.metadata.KEY, map.splits or map.ignore`},
		{query: "map.expected=s", msg: `Unknown mapping parameter "map.expected": expected map.input, map.groundTruth, map.output, map.metadata.KEY, map.splits or map.ignore`},
		{query: "map.ignore=context,%20notes%20", want: importer.Mapping{Ignore: []string{"context", "notes"}}},
		{query: `map.ignore=["a,b","c"]`, want: importer.Mapping{Ignore: []string{"a,b", "c"}}},
		{query: "map.ignore=", msg: "map.ignore must name columns: an empty name"},
		{query: "map.ignore=a,,b", msg: "map.ignore must name columns: an empty name"},
		{query: "map.ignore=[1]", msg: "map.ignore must be a JSON array of column names, or names separated by commas"},
		{query: "map.ignore=a," + strings.Repeat("x", 1001), msg: "map.ignore names a column longer than 1000 bytes"},
		{query: "map.ignore=" + strings.Repeat("x,", 32<<10+1), msg: "map.ignore is longer than 65536 bytes"},
		{query: "inputFrom=first", msg: `inputFrom must be "lastUserMessage"`},
		{query: "map.output=%00", msg: "map.output contains a NUL character"},
		{query: "map.output=" + strings.Repeat("x", 1001), msg: "map.output is longer than 1000 bytes"},
		{query: "map.x=a&map.input=&inputFrom=x", msg: `inputFrom must be "lastUserMessage"`}, // the first key in order
	} {
		t.Run(tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := importer.ParseMapping(q)
			if got, want := strata.ErrorMessage(err), tt.msg; got != want {
				t.Fatalf("message = %q, want %q", got, want)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("mapping = %+v, want %+v", got, tt.want)
			}
			if err == nil {
				back, err := importer.ParseMapping(got.Query())
				if err != nil || !reflect.DeepEqual(back, got) {
					t.Errorf("Query() reads back as %+v, %v", back, err)
				}
			}
		})
	}
}

// drain reads src to the end and returns its report and the unmapped values
// of every record.
func drain(t *testing.T, src importer.Source) (importer.Report, []map[string]json.RawMessage) {
	t.Helper()
	var unmapped []map[string]json.RawMessage
	for {
		_, err := src.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		unmapped = append(unmapped, src.Unmapped())
	}
	return src.Report(), unmapped
}

func TestReport(t *testing.T) {
	for _, tt := range []struct {
		name, format, input string
		mapping             importer.Mapping
		report              importer.Report
		unmapped            string
	}{
		{name: "CSV", format: "csv", input: "id,question,answer,ideal,,notes,Notes\n1,q,a,i,x,n,\n2,q,a,i,,,N\n",
			report: importer.Report{Input: "question", GroundTruth: "answer",
				Ambiguous: []importer.Ambiguity{{Field: "groundTruth", Used: "answer", Ignored: []string{"ideal"}}},
				// Every column no field reads is unmapped, under a name
				// of its own; and id, read as the item field
				// (itemfields.go), holds numbers that name no item,
				// which the items keep in their metadata.
				Unmapped: []string{"ideal", "Unnamed: 4", "notes", "Notes", "id"},
				Columns:  []string{"id", "question", "answer", "ideal", "Unnamed: 4", "notes", "Notes"}},
			unmapped: `[{"Unnamed: 4":"x","ideal":"i","notes":"n"},{"Notes":"N","ideal":"i"}]`},
		// A column renamed as pandas names it is listed, and mapped, by that
		// name: the second "note" is "note.1".
		{name: "RepeatedHeader", format: "csv", input: "q,,note,note\nx,y,first,second\n",
			mapping: importer.Mapping{Input: sp("note.1")},
			report: importer.Report{Input: "note.1", Unmapped: []string{"q", "Unnamed: 1", "note"},
				Columns: []string{"q", "Unnamed: 1", "note", "note.1"}},
			unmapped: `[{"Unnamed: 1":"y","note":"first","q":"x"}]`},
		{name: "JSONL", format: "jsonl",
			input: `{"input":"a","expected_output":"x","id":1}` + "\n" + `{"input":"b","id":2,"ground_truth":null,"expected_output":"y"}` + "\n" +
				`{"prompt":"c","tags":["t"]}`,
			mapping: importer.Mapping{InputFrom: importer.InputFromLastUserMessage},
			report: importer.Report{Input: "input", GroundTruth: "expected_output", InputFrom: "lastUserMessage",
				Ambiguous: []importer.Ambiguity{{Field: "groundTruth", Used: "ground_truth", Ignored: []string{"expected_output"}}},
				Unmapped:  []string{"id", "expected_output", "tags"},
				Columns:   []string{"expected_output", "id", "input", "ground_truth", "prompt", "tags"}},
			// Line 2's ground truth falls through to expected_output: its
			// value is the field's, not metadata too.
			unmapped: `[null,null,{"tags":["t"]}]`},
		// The first line's question is null: its input is the prompt,
		// and the report names the column it was read from.
		{name: "JSONLFellThrough", format: "jsonl", input: `{"question":null,"prompt":"p"}` + "\n" + `{"question":"q","prompt":"p2"}`,
			report: importer.Report{Input: "prompt",
				Ambiguous: []importer.Ambiguity{{Field: "input", Used: "question", Ignored: []string{"prompt"}}},
				Unmapped:  []string{"prompt"}, Columns: []string{"prompt", "question"}},
			unmapped: `[null,{"prompt":"p2"}]`},
		{name: "Export", format: "csv", input: "input,groundTruth,output\n\"q\",,\"\"\n",
			report:   importer.Report{Input: "input", GroundTruth: "groundTruth", Output: "output", Columns: []string{"input", "groundTruth", "output"}},
			unmapped: `[null]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := importer.Config{Mapping: tt.mapping}.Open(tt.format, strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			report, unmapped := drain(t, src)
			if !reflect.DeepEqual(report, tt.report) {
				t.Errorf("report = %+v\nwant     %+v", report, tt.report)
			}
			b, _ := json.Marshal(unmapped)
			if got := string(b); got != tt.unmapped {
				t.Errorf("unmapped = %s, want %s", got, tt.unmapped)
			}
		})
	}
}

func TestLine(t *testing.T) {
	for _, tt := range []struct {
		name, format, input string
		lines               []int
		errLine             int
	}{
		{name: "CSV", format: "csv", input: "input\na\n\n\"b\nc\"\nd\n\"e\"x\n", lines: []int{2, 4, 6}, errLine: 7},
		{name: "JSONL", format: "jsonl", input: "{\"input\":\"a\"}\n\n{\"input\":\"b\"}\n{\n", lines: []int{1, 3}, errLine: 4},
		{name: "JSONLTooLong", format: "jsonl", input: "{\"input\":\"a\"}\n\n{\"input\":\"" + strings.Repeat("x", importer.DefaultMaxRecordBytes) + "\"}\n",
			lines: []int{1}, errLine: 3},
		{name: "CSVTooLong", format: "csv", input: "input\na\n\n" + strings.Repeat("x", importer.DefaultMaxRecordBytes+1) + "\n",
			lines: []int{2}, errLine: 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := importer.Config{}.Open(tt.format, strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for {
				_, err := src.Next()
				if err != nil {
					break
				}
				lines = append(lines, src.Line())
			}
			if !reflect.DeepEqual(lines, tt.lines) {
				t.Errorf("lines = %v, want %v", lines, tt.lines)
			}
			if got := src.Line(); got != tt.errLine {
				t.Errorf("error line = %d, want %d", got, tt.errLine)
			}
		})
	}
}

// TestMappedMetadataAndSplits: map.metadata.KEY and map.splits read a
// column into a metadata key and the splits, in CSV and JSON Lines, taking
// the column from the unmapped ones; a mapped column the file lacks is an
// error naming it.
func TestMappedMetadataAndSplits(t *testing.T) {
	m := importer.Mapping{Metadata: map[string]string{"lang": "language"}, Splits: ptr("set")}
	for _, tt := range []struct {
		name, format, input string
		metadata            string
		splits              []string
	}{
		{"CSV", "csv", "input,language,set,note\nq,en,\"test,train\",x\n", `{"lang":"en","note":"x"}`, []string{"test", "train"}},
		{"JSONL", "jsonl", `{"input":"q","language":"en","set":["train","test"],"note":"x"}` + "\n", `{"lang":"en","note":"x"}`, []string{"test", "train"}},
		{"JSONLCommas", "jsonl", `{"input":"q","language":"en","set":"test","note":"x"}` + "\n", `{"lang":"en","note":"x"}`, []string{"test"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := importer.Config{Mapping: m}.Open(tt.format, strings.NewReader(tt.input))
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
			if !reflect.DeepEqual(in.Splits, tt.splits) {
				t.Errorf("splits = %v, want %v", in.Splits, tt.splits)
			}
			if got, want := src.Report().Unmapped, []string{"note"}; !reflect.DeepEqual(got, want) {
				t.Errorf("unmapped = %v, want %v", got, want)
			}
		})
	}
	t.Run("ErrMissing", func(t *testing.T) {
		_, err := importer.Config{Mapping: m}.Open("csv", strings.NewReader("input,language\nq,en\n"))
		if got, want := strata.ErrorMessage(err), `CSV line 1: column "set" (map.splits) is missing`; got != want {
			t.Fatalf("message = %q, want %q", got, want)
		}
	})
}

// map.ignore leaves columns out of the items: not a field, not metadata. A
// column too large for metadata is named in the error that suggests it.
func TestIgnoreColumns(t *testing.T) {
	context := strings.Repeat("c", 70000)
	file := "question,answer,context,Source\nq,a," + context + ",wiki\n"
	_, err := readAll(t, "csv", file)
	want := `CSV line 2: metadata is 70030 bytes encoded, more than 65536: column "context" maps to no field and its 70002 bytes went there; read it into a field (map.input, map.groundTruth, map.output) or leave it out with map.ignore=context`
	if got := strata.ErrorMessage(err); got != want {
		t.Fatalf("error %q\nwant  %q", got, want)
	}
	for _, format := range []string{"csv", "jsonl"} {
		body := file
		if format == "jsonl" {
			body = `{"question":"q","answer":"a","context":"` + context + `","Source":"wiki"}`
		}
		// Any case in CSV, as every mapped column; a column the file lacks
		// is no error.
		ignore := []string{"Context", "missing"}
		if format == "jsonl" {
			ignore[0] = "context"
		}
		items, rep := readMapped(t, format, body, importer.Mapping{Ignore: ignore})
		if got := string(items[0].Metadata); got != `{"Source":"wiki"}` || items[0].Input != "q" {
			t.Errorf("%s: input %q, metadata %s", format, items[0].Input, got)
		}
		if !slices.Equal(rep.Unmapped, []string{"Source"}) {
			t.Errorf("%s: unmapped %q, want [Source]", format, rep.Unmapped)
		}
	}
	// A name with a comma is suggested in the form that takes it.
	_, err = readAll(t, "csv", "question,\"retrieved context, top 5\"\nq,"+context+"\n")
	if got := strata.ErrorMessage(err); !strings.HasSuffix(got, `map.ignore=["retrieved context, top 5"]`) {
		t.Errorf("error %q, want the JSON array form of map.ignore", got)
	}
	src, err := importer.Config{Mapping: importer.Mapping{Input: ptr("question"), Ignore: []string{"question"}}}.Open("csv", strings.NewReader(file))
	if err == nil {
		_, err = src.Next()
	}
	if got, want := strata.ErrorMessage(err), `CSV line 1: column "question" is both read (map.input) and ignored (map.ignore)`; got != want {
		t.Errorf("mapped and ignored: %q, want %q", got, want)
	}
}
