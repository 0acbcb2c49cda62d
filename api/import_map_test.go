package api_test

import "encoding/json"
import "net/http"
import "net/http/httptest"
import "reflect"
import "strings"
import "testing"

import "github.com/strata-eval/strata/api"

// importTo posts a file to a dataset's import, in Lunary's JSON body
// (raw false) or as the body itself, with query appended to the path.
func (ts *testServer) importTo(t *testing.T, datasetID, query, format, content string, raw bool) *response {
	t.Helper()
	if raw {
		ct := map[string]string{"csv": "text/csv", "jsonl": "application/x-ndjson"}[format]
		return ts.rawImport(t, datasetID, query, ct, content)
	}
	b, _ := json.Marshal(map[string]string{"format": format, "content": content})
	return ts.do(t, "POST", datasetsPath+"/"+datasetID+"/import"+query, ts.owner, string(b))
}

// triples renders a dataset's items as [input, groundTruth, output].
func (ts *testServer) triples(t *testing.T, id string) string {
	t.Helper()
	var rows [][]any
	for _, it := range ts.dataset(t, id)["items"].([]any) {
		m := it.(map[string]any)
		rows = append(rows, []any{m["input"], m["groundTruth"], m["output"]})
	}
	b, _ := json.Marshal(rows)
	return string(b)
}

// forEachBody runs f for each way of sending a file: raw and in Lunary's
// JSON body.
func forEachBody(t *testing.T, f func(t *testing.T, raw bool)) {
	t.Run("Raw", func(t *testing.T) { f(t, true) })
	t.Run("JSONBody", func(t *testing.T) { f(t, false) })
}

// The files of other tools import as they meant, with no mapping given.
func TestImportOtherFormats(t *testing.T) {
	ts := newTestServer(t)
	lunaryWins := []any{
		map[string]any{"field": "input", "used": "input", "ignored": []any{"question"}},
		map[string]any{"field": "groundTruth", "used": "expected_output", "ignored": []any{"answer"}},
		map[string]any{"field": "output", "used": "model_output", "ignored": []any{"completion"}},
	}
	for _, tt := range []struct {
		name, format, query, content, want string
		mapping                            map[string]any
		unmapped                           []string
	}{
		{name: "QuestionAnswerJSONL", format: "jsonl",
			content: `{"question": "What is 2+2?", "answer": "4"}` + "\n",
			want:    `[["What is 2+2?","4",null]]`,
			mapping: map[string]any{"input": "question", "groundTruth": "answer", "output": nil}},
		{name: "QuestionAnswerCSV", format: "csv",
			content: "Question,Answer\nWhat is 2+2?,4\n",
			want:    `[["What is 2+2?","4",null]]`,
			mapping: map[string]any{"input": "Question", "groundTruth": "Answer", "output": nil}},
		{name: "QueryExpectedAnswerJSONL", format: "jsonl",
			content: `{"query":"capital of France?","expected_answer":"Paris","source":"geo"}`,
			want:    `[["capital of France?","Paris",null]]`,
			mapping: map[string]any{"input": "query", "groundTruth": "expected_answer", "output": nil}, unmapped: []string{"source"}},
		{name: "QueryExpectedAnswerCSV", format: "csv",
			content: "query,expected_answer,source\ncapital of France?,Paris,geo\n",
			want:    `[["capital of France?","Paris",null]]`,
			mapping: map[string]any{"input": "query", "groundTruth": "expected_answer", "output": nil}, unmapped: []string{"source"}},
		{name: "PromptIdealCompletionJSONL", format: "jsonl",
			content: `{"prompt":"Say hi","ideal":"hi","completion":"hello"}`,
			want:    `[["Say hi","hi","hello"]]`,
			mapping: map[string]any{"input": "prompt", "groundTruth": "ideal", "output": "completion"}},
		{name: "PromptIdealCompletionCSV", format: "csv",
			content: "prompt,ideal,completion\nSay hi,hi,hello\n",
			want:    `[["Say hi","hi","hello"]]`,
			mapping: map[string]any{"input": "prompt", "groundTruth": "ideal", "output": "completion"}},
		{name: "LangfuseCSV", format: "csv",
			content: "input,expectedOutput,metadata\n\"{\"\"question\"\":\"\"2+2\"\"}\",4,\"{\"\"topic\"\":\"\"math\"\"}\"\n",
			want:    `[["{\"question\":\"2+2\"}","4",null]]`,
			mapping: map[string]any{"input": "input", "groundTruth": "expectedOutput", "output": nil}, unmapped: []string{}},
		{name: "LangfuseJSONL", format: "jsonl",
			content: `{"input":{"question":"2+2"},"expectedOutput":"4","metadata":{"topic":"math"}}`,
			want:    `[["{\"question\":\"2+2\"}","4",null]]`,
			mapping: map[string]any{"input": "input", "groundTruth": "expectedOutput", "output": nil}, unmapped: []string{}},
		{name: "OpenAIEvalsJSONL", format: "jsonl",
			content: `{"input":[{"role":"system","content":"Answer briefly."},{"role":"user","content":"2+2?"}],"ideal":"4"}`,
			want:    `[["[{\"role\":\"system\",\"content\":\"Answer briefly.\"},{\"role\":\"user\",\"content\":\"2+2?\"}]","4",null]]`,
			mapping: map[string]any{"input": "input", "groundTruth": "ideal", "output": nil}},
		{name: "OpenAIEvalsLastUserMessageJSONL", format: "jsonl", query: "?inputFrom=lastUserMessage",
			content: `{"input":[{"role":"system","content":"Answer briefly."},{"role":"user","content":"2+2?"}],"ideal":"4"}`,
			want:    `[["2+2?","4",null]]`,
			mapping: map[string]any{"input": "input", "groundTruth": "ideal", "output": nil, "inputFrom": "lastUserMessage"}},
		{name: "OpenAIEvalsLastUserMessageCSV", format: "csv", query: "?inputFrom=lastUserMessage",
			content: "input,ideal\n\"[{\"\"role\"\":\"\"user\"\",\"\"content\"\":\"\"2+2?\"\"}]\",4\n",
			want:    `[["2+2?","4",null]]`,
			mapping: map[string]any{"input": "input", "groundTruth": "ideal", "output": nil, "inputFrom": "lastUserMessage"}},
		{name: "LunaryNamesWinJSONL", format: "jsonl",
			content: `{"question":"Q","answer":"A","completion":"C","input":"q","expected_output":"a","model_output":"o"}`,
			want:    `[["q","a","o"]]`,
			mapping: map[string]any{"input": "input", "groundTruth": "expected_output", "output": "model_output", "ambiguous": lunaryWins},
			// Passed over, and so kept in metadata (a JSON line's keys in order).
			unmapped: []string{"answer", "completion", "question"}},
		{name: "LunaryNamesWinCSV", format: "csv",
			content:  "question,answer,completion,input,expected_output,model_output\nQ,A,C,q,a,o\n",
			want:     `[["q","a","o"]]`,
			mapping:  map[string]any{"input": "input", "groundTruth": "expected_output", "output": "model_output", "ambiguous": lunaryWins},
			unmapped: []string{"question", "answer", "completion"}},
		{name: "ExplicitMappingCSV", format: "csv", query: "?map.input=text&map.groundTruth=gold&map.output=",
			content: "id,text,gold,output\n1,q,a,o\n",
			want:    `[["q","a",null]]`,
			mapping: map[string]any{"input": "text", "groundTruth": "gold", "output": nil}, unmapped: []string{"output", "id"}}, // id 1 names no item: kept in metadata
		{name: "ExplicitMappingJSONL", format: "jsonl", query: "?map.input=text&map.output=pred",
			content: `{"text":"q","pred":"o","answer":"a"}`,
			want:    `[["q","a","o"]]`,
			mapping: map[string]any{"input": "text", "groundTruth": "answer", "output": "pred"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			forEachBody(t, func(t *testing.T, raw bool) {
				id := ts.createDataset(t, t.Name())
				r := ts.importTo(t, id, tt.query, tt.format, tt.content, raw)
				wantStatus(t, r, http.StatusOK)
				if got, want := ts.triples(t, id), tt.want; got != want {
					t.Errorf("items = %s, want %s", got, want)
				}
				var res struct {
					Mapping  map[string]any `json:"mapping"`
					Unmapped []string       `json:"unmapped"`
				}
				r.decode(t, &res)
				want := map[string]any{"inputFrom": nil, "ambiguous": []any{}}
				for k, v := range tt.mapping {
					want[k] = v
				}
				if !reflect.DeepEqual(res.Mapping, want) {
					t.Errorf("mapping = %v, want %v", res.Mapping, want)
				}
				if got, want := res.Unmapped, tt.unmapped; strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("unmapped = %q, want %q", got, want)
				}
			})
		})
	}
}

// Two columns for one field: the first by priority is used, and the
// response says which was passed over.
func TestImportAmbiguous(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "ambiguous")
	r := ts.importTo(t, id, "", "csv", "ideal,answer,question\ni,a,q\n", true)
	wantStatus(t, r, http.StatusOK)
	if got, want := ts.triples(t, id), `[["q","a",null]]`; got != want {
		t.Errorf("items = %s, want %s", got, want)
	}
	if got, want := string(member(t, member(t, r.Body, "mapping"), "ambiguous")),
		`[{"field":"groundTruth","used":"answer","ignored":["ideal"]}]`; got != want {
		t.Errorf("ambiguous = %s, want %s", got, want)
	}
}

// A mapping that does not fit the file is a 400 naming the column and the
// line, and imports nothing.
func TestImportMappingErrors(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "errors")
	for _, tt := range []struct {
		name, format, query, content, msg string
	}{
		{name: "CSVColumnMissing", format: "csv", query: "?map.input=prompt",
			content: "question\nq\n", msg: `CSV line 1: column "prompt" (map.input) is missing`},
		{name: "JSONLKeyMissing", format: "jsonl", query: "?map.groundTruth=gold",
			content: "{\"input\":\"a\",\"gold\":\"A\"}\n{\"input\":\"b\"}\n", msg: `JSONL line 2: column "gold" (map.groundTruth) is missing`},
		{name: "JSONLInputNull", format: "jsonl", query: "?map.input=text",
			content: "{\"text\":\"a\"}\n\n{\"text\":null}\n", msg: `JSONL line 3: column "text" (map.input) is null`},
		{name: "NoUserMessage", format: "jsonl", query: "?inputFrom=lastUserMessage",
			content: `{"input":[{"role":"assistant","content":"hi"}]}`, msg: "JSONL line 1: inputFrom=lastUserMessage: the input holds no chat with a user message"},
		{name: "UnknownField", format: "csv", query: "?map.expected=a",
			content: "input\nq\n", msg: `Unknown mapping parameter "map.expected": expected map.input, map.groundTruth, map.output, map.metadata.KEY, map.splits or map.ignore`},
		{name: "InputOff", format: "csv", query: "?map.input=",
			content: "input\nq\n", msg: "map.input must name a column: every item has an input"},
		{name: "Repeated", format: "csv", query: "?map.output=a&map.output=b",
			content: "input\nq\n", msg: "map.output must be given at most once"},
		{name: "BadInputFrom", format: "csv", query: "?inputFrom=system",
			content: "input\nq\n", msg: `inputFrom must be "lastUserMessage"`},
		{name: "BadDryRun", format: "csv", query: "?dryRun=maybe",
			content: "input\nq\n", msg: "dryRun must be true or false"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			forEachBody(t, func(t *testing.T, raw bool) {
				wantError(t, ts.importTo(t, id, tt.query, tt.format, tt.content, raw), http.StatusBadRequest, tt.msg)
				if got, want := ts.triples(t, id), `null`; got != want {
					t.Errorf("items = %s after a failed import, want none", got)
				}
			})
		})
	}
	t.Run("NotFoundFirst", func(t *testing.T) {
		r := ts.importTo(t, "00000000-0000-4000-8000-000000000000", "?map.nope=a", "csv", "input\nq\n", true)
		wantStatus(t, r, http.StatusNotFound)
	})
}

// A dry run reads the whole file and writes nothing.
func TestImportDryRun(t *testing.T) {
	ts := newTestServerWith(t, func(s *api.Server) { s.Limits.MaxImportItems = 8 })
	id := ts.createDataset(t, "dry run")
	ts.createItem(t, id, "existing")
	before := ts.dataset(t, id)

	type preview struct {
		InsertedCount int              `json:"insertedCount"`
		DryRun        bool             `json:"dryRun"`
		RecordCount   int              `json:"recordCount"`
		Columns       []string         `json:"columns"`
		Items         []map[string]any `json:"items"`
		Mapping       map[string]any   `json:"mapping"`
		Unmapped      []string         `json:"unmapped"`
		Error         *struct {
			Line    int    `json:"line"`
			Status  int    `json:"status"`
			Message string `json:"message"`
		} `json:"error"`
	}
	var csv strings.Builder
	csv.WriteString("question,answer,topic\n")
	for _, q := range []string{"q1", "q2", "q3", "q4", "q5", "q6", "q7"} {
		csv.WriteString(q + ",a," + "t\n")
	}
	check := func(t *testing.T) {
		t.Helper()
		after := ts.dataset(t, id)
		for _, k := range []string{"currentVersionNumber", "itemCount", "updatedAt"} {
			if got, want := after[k], before[k]; got != want {
				t.Errorf("%s = %v after a dry run, want %v", k, got, want)
			}
		}
		if got, want := len(after["items"].([]any)), 1; got != want {
			t.Errorf("%d items after a dry run, want %d", got, want)
		}
	}

	t.Run("OK", func(t *testing.T) {
		forEachBody(t, func(t *testing.T, raw bool) {
			r := ts.importTo(t, id, "?dryRun=true", "csv", csv.String(), raw)
			wantStatus(t, r, http.StatusOK)
			var p preview
			r.decode(t, &p)
			if !p.DryRun || p.InsertedCount != 0 || p.RecordCount != 7 || p.Error != nil {
				t.Errorf("preview = %+v, want a dry run of 7 records, no error", p)
			}
			if got, want := len(p.Items), 5; got != want {
				t.Fatalf("%d items, want %d", got, want)
			}
			if got, want := p.Items[4], map[string]any{"input": "q5", "groundTruth": "a", "output": nil}; !reflect.DeepEqual(got, want) {
				t.Errorf("item 5 = %v, want %v", got, want)
			}
			if got, want := p.Mapping["input"], "question"; got != want {
				t.Errorf("mapping.input = %v, want %v", got, want)
			}
			if got, want := strings.Join(p.Columns, ","), "question,answer,topic"; got != want {
				t.Errorf("columns = %s, want %s", got, want)
			}
			if got, want := strings.Join(p.Unmapped, ","), "topic"; got != want {
				t.Errorf("unmapped = %s, want %s", got, want)
			}
			check(t)
		})
	})
	for _, tt := range []struct {
		name, format, query, content string
		records, line, status        int
		message                      string
		lunary                       string // the message for a file in Lunary's body, when it differs
	}{
		{name: "BadLine", format: "jsonl", content: "{\"input\":\"a\"}\n\n{\"input\":\"b\"}\n{oops\n{\"input\":\"c\"}\n",
			records: 2, line: 4, status: 400, message: "Invalid JSONL: line 4: invalid character 'o' looking for beginning of object key string",
			lunary: "Invalid JSONL: could not parse one of the lines"},
		{name: "MissingColumn", format: "csv", query: "&map.input=prompt", content: "\nquestion\nq\n",
			records: 0, line: 2, status: 400, message: `CSV line 2: column "prompt" (map.input) is missing`},
		{name: "TooManyItems", format: "jsonl", content: strings.Repeat("{\"input\":\"x\"}\n", 9),
			records: 8, line: 9, status: 413, message: "An import holds at most 8 items"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			forEachBody(t, func(t *testing.T, raw bool) {
				r := ts.importTo(t, id, "?dryRun=true"+tt.query, tt.format, tt.content, raw)
				wantStatus(t, r, http.StatusOK)
				var p preview
				r.decode(t, &p)
				if p.Error == nil {
					t.Fatalf("no error in %s", r.Body)
				}
				message := tt.message
				if !raw && tt.lunary != "" {
					message = tt.lunary
				}
				if got, want := *p.Error, (struct {
					Line    int    `json:"line"`
					Status  int    `json:"status"`
					Message string `json:"message"`
				}{tt.line, tt.status, message}); got != want {
					t.Errorf("error = %+v, want %+v", got, want)
				}
				if got, want := p.RecordCount, tt.records; got != want {
					t.Errorf("recordCount = %d, want %d", got, want)
				}
				check(t)
			})
		})
	}
	t.Run("ColumnsOfAFailedHeader", func(t *testing.T) {
		r := ts.importTo(t, id, "?dryRun=true&map.input=prompt", "csv", "title,notes\nq,n\n", true)
		wantStatus(t, r, http.StatusOK)
		if got, want := string(member(t, r.Body, "columns")), `["title","notes"]`; got != want {
			t.Errorf("columns = %s, want %s", got, want)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		r := ts.importTo(t, "00000000-0000-4000-8000-000000000000", "?dryRun=true", "csv", "input\nq\n", true)
		wantStatus(t, r, http.StatusNotFound)
	})
	t.Run("Viewer", func(t *testing.T) {
		// A preview writes nothing: a viewer may ask for one (not import).
		h := http.Header{"Authorization": {"Bearer " + ts.viewer}, "Content-Type": {"text/csv"}}
		wantStatus(t, ts.doWith(t, "POST", datasetsPath+"/"+id+"/import?dryRun=true", h, "input\nq\n"), http.StatusOK)
		wantStatus(t, ts.doWith(t, "POST", datasetsPath+"/"+id+"/import", h, "input\nq\n"), http.StatusForbidden)
	})
}

// FuzzImportMapping sends arbitrary query strings (mappings, inputFrom,
// dryRun) with arbitrary files: none may answer 5xx, every error has a
// message, and a dry run writes nothing.
func FuzzImportMapping(f *testing.F) {
	for _, seed := range []struct {
		query, body string
		csv         bool
	}{
		{"map.input=question&map.groundTruth=answer", "question,answer\nq,a\n", true},
		{"map.input=q&map.output=&dryRun=true", `{"q":"x","output":"o"}`, false},
		{"inputFrom=lastUserMessage", `{"input":[{"role":"user","content":[{"type":"text","text":"t"}]}]}`, false},
		{"map.input=%FF&map.input=a", "input\nx\n", true},
		{"dryRun=1&map.metadata.k=v", "prompt,ideal\np,i\n", true},
	} {
		f.Add(seed.query, seed.body, seed.csv)
	}
	ft := newFuzzTarget(f, smallImports)
	ctx, d := f.Context(), ft.dataset
	f.Fuzz(func(t *testing.T, query, body string, csv bool) {
		ct := "application/x-ndjson"
		if csv {
			ct = "text/csv"
		}
		before, err := ft.store.FindDataset(ctx, ft.actor.ProjectID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", "/v1/datasets-v2/"+d.ID+"/import", strings.NewReader(body))
		req.URL.RawQuery = query + "&skipVersion=true"
		rec := ft.send(t, req, ct)
		if rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), `"dryRun":true`) {
			after, err := ft.store.FindDataset(ctx, ft.actor.ProjectID, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.ItemCount != before.ItemCount {
				t.Fatalf("%q %q: a dry run changed the item count from %d to %d", query, body, before.ItemCount, after.ItemCount)
			}
		}
	})
}

// TestImportToMetadataAndSplits: columns named by map.metadata.KEY and
// map.splits land in the items' metadata and splits, the columns no field
// takes in their metadata, whichever form the body has.
func TestImportToMetadataAndSplits(t *testing.T) {
	ts := newTestServer(t)
	const file = "question,answer,language,set,source\nCapital of France?,Paris,fr,\"test,geo\",atlas\n"
	for _, raw := range []bool{true, false} {
		id := ts.createDataset(t, "fields "+map[bool]string{true: "raw", false: "json"}[raw])
		r := ts.importTo(t, id, "?map.metadata.lang=language&map.splits=set", "csv", file, raw)
		wantStatus(t, r, http.StatusOK)
		items := ts.dataset(t, id)["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("%d items, want 1", len(items))
		}
		it := items[0].(map[string]any)
		if got, want := it["metadata"], map[string]any{"lang": "fr", "source": "atlas"}; !reflect.DeepEqual(got, want) {
			t.Errorf("raw %v: metadata = %v, want %v", raw, got, want)
		}
		if got, want := it["splits"], []any{"geo", "test"}; !reflect.DeepEqual(got, want) {
			t.Errorf("raw %v: splits = %v, want %v", raw, got, want)
		}
		if got, want := it["input"], "Capital of France?"; got != want {
			t.Errorf("raw %v: input = %v, want %v", raw, got, want)
		}
	}
	id := ts.createDataset(t, "fields missing")
	wantError(t, ts.importTo(t, id, "?map.splits=tags", "csv", file, true), http.StatusBadRequest,
		`CSV line 1: column "tags" (map.splits) is missing`)
}

// The probe's files: another tool's ids kept in metadata and listed, a
// column named metadata read where the mapping says, a large column left
// out with map.ignore; raw and in Lunary's body.
func TestImportColumnsAsPeopleHaveThem(t *testing.T) {
	ts := newTestServer(t)
	forEachBody(t, func(t *testing.T, raw bool) {
		for _, tt := range []struct {
			name, query, file string
			metadata          map[string]any
			unmapped          []any
		}{
			{"ForeignIDs", "?map.input=text&map.groundTruth=gold", "id,text,gold\n7,Is shipping free?,Above 50 EUR\n",
				map[string]any{"id": "7"}, []any{"id"}},
			{"MetadataColumnMapped", "?map.metadata.note=metadata", "input,metadata\nq1,null\n",
				map[string]any{"note": "null"}, []any{}},
			{"Ignored", "?map.ignore=context", "question,answer,context\nq,a," + strings.Repeat("c", 70000) + "\n",
				map[string]any{}, []any{}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				id := ts.createDataset(t, tt.name+map[bool]string{true: " raw", false: " json"}[raw])
				r := ts.importTo(t, id, tt.query, "csv", tt.file, raw)
				wantStatus(t, r, http.StatusOK)
				var res map[string]any
				r.decode(t, &res)
				if !reflect.DeepEqual(res["unmapped"], tt.unmapped) {
					t.Errorf("unmapped %v, want %v", res["unmapped"], tt.unmapped)
				}
				it := ts.dataset(t, id)["items"].([]any)[0].(map[string]any)
				if !reflect.DeepEqual(it["metadata"], tt.metadata) {
					t.Errorf("metadata %v, want %v", it["metadata"], tt.metadata)
				}
			})
		}
	})
}

// Lunary's frontend imports files in Lunary's body and can send no mapping:
// a column named metadata of plain text, which Lunary ignores, is kept.
func TestLunaryBodyImportsItemFieldColumns(t *testing.T) {
	ts := newTestServer(t)
	id := ts.createDataset(t, "lunary columns")
	r := ts.importTo(t, id, "", "csv", "input,metadata,splits\nq,some notes here,train set\n", false)
	wantStatus(t, r, http.StatusOK)
	it := ts.dataset(t, id)["items"].([]any)[0].(map[string]any)
	if got, want := it["metadata"], map[string]any{"metadata": "some notes here", "splits": "train set"}; !reflect.DeepEqual(got, want) {
		t.Errorf("metadata %v, want %v", got, want)
	}
	// Sent as the file itself, Strata's rules: the column is the field.
	wantError(t, ts.importTo(t, id, "", "csv", "input,metadata\nq,some notes here\n", true), http.StatusBadRequest,
		"CSV line 2: metadata is not valid JSON")
}
