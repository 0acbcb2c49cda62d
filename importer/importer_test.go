package importer_test

import "bytes"
import "encoding/json"
import "errors"
import "fmt"
import "io"
import "strings"
import "testing"
import "testing/iotest"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"

// source starts reading r in format, failing t if it cannot.
func source(t testing.TB, format string, r io.Reader) strata.ItemSource {
	t.Helper()
	src, err := importer.New(format, r)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// collect drains src and renders the items as JSON triples
// [input, groundTruth, output], so a case reads as one short string.
func collect(t testing.TB, src strata.ItemSource) (string, error) {
	t.Helper()
	rows := [][]*string{}
	for {
		in, err := src.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return render(rows), err
		}
		rows = append(rows, []*string{&in.Input, in.GroundTruth, in.Output})
	}
	return render(rows), nil
}

func render(rows [][]*string) string {
	b, _ := json.Marshal(rows)
	return string(b)
}

// parseCase is one input file and what importing it gives: the items read
// before any error, then the error's code and message ("" for none).
type parseCase struct {
	name   string
	config importer.Config
	input  string
	want   string
	code   string
	msg    string
}

func (tt parseCase) check(t *testing.T, got string, err error) {
	t.Helper()
	if got, want := got, tt.want; got != want {
		t.Errorf("items = %s, want %s", got, want)
	}
	if got, want := strata.ErrorCode(err), tt.code; got != want {
		t.Errorf("code = %q, want %q (err: %v)", got, want, err)
	}
	if got, want := strata.ErrorMessage(err), tt.msg; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

const noInputColumn = "CSV import requires a header row with at least an 'input' column"

func TestCSV(t *testing.T) {
	for _, tt := range []parseCase{
		{name: "OK", input: "input,ground_truth,output\nq1,a1,o1\nq2,a2,o2\n",
			want: `[["q1","a1","o1"],["q2","a2","o2"]]`},
		{name: "NoTrailingNewline", input: "input,output\nq,o",
			want: `[["q",null,"o"]]`},
		{name: "QuotedComma", input: "input,output\n\"a, b\",\"c,d\"\n",
			want: `[["a, b",null,"c,d"]]`},
		{name: "DoubledQuotes", input: "input\n\"say \"\"hi\"\"\"\n",
			want: `[["say \"hi\"",null,null]]`},
		{name: "NewlineInQuotes", input: "input,output\n\"line 1\nline 2\",x\nnext,y\n",
			want: `[["line 1\nline 2",null,"x"],["next",null,"y"]]`},
		{name: "CRLFInQuotes", input: "input\r\n\"a\r\nb\"\r\n",
			want: `[["a\nb",null,null]]`},
		{name: "CRLF", input: "input,output\r\nq1,o1\r\nq2,o2\r\n",
			want: `[["q1",null,"o1"],["q2",null,"o2"]]`},
		{name: "BOM", input: "\uFEFFinput,output\nq,o\n",
			want: `[["q",null,"o"]]`},
		{name: "BOMBeforeQuotedHeader", input: "\uFEFF\"input\"\nq\n",
			want: `[["q",null,null]]`},
		{name: "HeaderTrimmedAndLowerCased", input: " Input ,\tExpected_Output \nq,a\n",
			want: `[["q","a",null]]`},
		{name: "QuotedHeader", input: "\"input\",\"ground_truth\"\nq,a\n",
			want: `[["q","a",null]]`},

		// Every accepted name for ground truth and output.
		{name: "HeaderGroundTruth", input: "input,ground_truth\nq,a\n", want: `[["q","a",null]]`},
		{name: "HeaderGroundtruth", input: "input,groundTruth\nq,a\n", want: `[["q","a",null]]`},
		{name: "HeaderExpected_output", input: "input,expected_output\nq,a\n", want: `[["q","a",null]]`},
		{name: "HeaderExpectedOutput", input: "input,expectedOutput\nq,a\n", want: `[["q","a",null]]`},
		{name: "HeaderOutput", input: "input,output\nq,o\n", want: `[["q",null,"o"]]`},
		{name: "HeaderModelOutput", input: "input,model_output\nq,o\n", want: `[["q",null,"o"]]`},
		{name: "HeaderPrediction", input: "input,prediction\nq,o\n", want: `[["q",null,"o"]]`},
		{name: "HeaderGeneratedOutput", input: "input,generated_output\nq,o\n", want: `[["q",null,"o"]]`},
		{name: "HeaderUnknownIgnored", input: "input,notes,score\nq,a,o\n", want: `[["q",null,null]]`},

		// The first name in Lunary's list wins, whatever the column order.
		{name: "GroundTruthPriority", input: "expectedoutput,expected_output,groundtruth,input\n4,3,2,q\n",
			want: `[["q","2",null]]`},
		{name: "GroundTruthPriorityFirst", input: "groundtruth,ground_truth,input\n2,1,q\n",
			want: `[["q","1",null]]`},
		{name: "OutputPriority", input: "generated_output,prediction,model_output,input\n4,3,2,q\n",
			want: `[["q",null,"2"]]`},
		{name: "OutputPriorityFirst", input: "prediction,output,input\n2,1,q\n",
			want: `[["q",null,"1"]]`},
		// The column is chosen by name even when its cell is empty: no
		// falling through to the next name.
		{name: "PriorityEmptyCell", input: "input,ground_truth,expected_output\nq,,a\n",
			want: `[["q",null,null]]`},
		{name: "DuplicateHeaderFirstWins", input: "input,Input\na,b\n",
			want: `[["a",null,null]]`},

		{name: "MissingInputColumn", input: "title,notes\nq,a\n",
			want: `[]`, code: strata.EINVALID, msg: noInputColumn},
		{name: "Empty", input: "",
			want: `[]`, code: strata.EINVALID, msg: noInputColumn},
		{name: "OnlyBlankLines", input: "\n  \r\n\n",
			want: `[]`, code: strata.EINVALID, msg: noInputColumn},
		{name: "OnlyBOM", input: "\uFEFF",
			want: `[]`, code: strata.EINVALID, msg: noInputColumn},
		{name: "HeaderOnly", input: "input,output\n", want: `[]`},
		{name: "HeaderOnlyNoNewline", input: "input", want: `[]`},

		{name: "RaggedRows", input: "input,ground_truth,output\nq1\nq2,a2\nq3,a3,o3,,\" \"\n",
			want: `[["q1",null,null],["q2","a2",null],["q3","a3","o3"]]`},
		// A value past the header has no name to be kept under, and most
		// often an unquoted comma put it there.
		{name: "CellBeyondHeader", input: "input,x\na,1\n\nb,2,3\nc,4\n",
			want: `[["a",null,null]]`, code: strata.EINVALID,
			msg: "CSV line 4: a value in column 3, beyond the 2 columns of the header (a value holding a comma must be quoted)"},
		{name: "CellBeyondHeaderLunary", config: importer.Config{Lunary: true}, input: "input\nWhat is 2,3?\n",
			want: `[]`, code: strata.EINVALID,
			msg: "CSV line 2: a value in column 2, beyond the 1 columns of the header (a value holding a comma must be quoted)"},
		{name: "MissingInputCell", input: "output,input\no1\n",
			want: `[["",null,"o1"]]`},
		{name: "EmptyCells", input: "input,ground_truth,output\n,,\n",
			want: `[["",null,null]]`},
		{name: "BlankLinesSkipped", input: "\n\ninput\n\nq1\n   \n\t\r\n\nq2\n\n",
			want: `[["q1",null,null],["q2",null,null]]`},
		{name: "ValuesTrimmed", input: "input,ground_truth,output\n  q  ,\" a \",\u00a0o\uFEFF\n",
			want: `[["q","a","o"]]`},
		{name: "WhitespaceOnlyToNil", input: "input,ground_truth,output\nq,  ,\" \"\n",
			want: `[["q",null,null]]`},
		{name: "SpaceBeforeQuote", input: "input, output\nq, \"a, b\"\n",
			want: `[["q",null,"a, b"]]`},
		{name: "ExtraColumnsIgnored", input: "id,input,notes\n1,q,n\n",
			want: `[["q",null,null]]`},

		{name: "BareQuote", input: "input\nok\na\"b\n",
			want: `[["ok",null,null]]`, code: strata.EINVALID,
			msg: `Invalid CSV: line 3: bare " in non-quoted-field`},
		{name: "TextAfterClosingQuote", input: "input\n\"a\"b\n",
			want: `[]`, code: strata.EINVALID,
			msg: `Invalid CSV: line 2: extraneous or missing " in quoted-field`},
		{name: "UnterminatedQuote", input: "input\nok\n\"abc\nmore\n",
			want: `[["ok",null,null]]`, code: strata.EINVALID,
			msg: `Invalid CSV: line 4 (in the record starting on line 3): extraneous or missing " in quoted-field`},
		{name: "BadHeader", input: "in\"put\nq\n",
			want: `[]`, code: strata.EINVALID,
			msg: `Invalid CSV: line 1: bare " in non-quoted-field`},

		// The limit counts the line ending: 15 bytes + "\n" fit in 16.
		{name: "RecordAtLimit", config: importer.Config{MaxRecordBytes: 16},
			input: "input\n" + strings.Repeat("x", 15) + "\n",
			want:  `[["xxxxxxxxxxxxxxx",null,null]]`},
		{name: "RecordOverLimit", config: importer.Config{MaxRecordBytes: 16},
			input: "input\nshort\n" + strings.Repeat("x", 16) + "\nafter\n",
			want:  `[["short",null,null]]`, code: strata.ETOOLARGE,
			msg: "CSV record on line 3 is larger than the limit of 16 bytes"},
		{name: "MultilineRecordOverLimit", config: importer.Config{MaxRecordBytes: 16},
			input: "input\n\"a\nb\nc\nd\ne\nf\ng\nh\"\n",
			want:  `[]`, code: strata.ETOOLARGE,
			msg: "CSV record on line 2 is larger than the limit of 16 bytes"},
		// Far over the limit the record is never read whole; the line is
		// still found, after a multi-line record.
		{name: "UnterminatedQuoteOverLimit", config: importer.Config{MaxRecordBytes: 16},
			input: "input\n\"a\nb\"\n\"" + strings.Repeat("x", 1<<20),
			want:  `[["a\nb",null,null]]`, code: strata.ETOOLARGE,
			msg: "CSV record on line 4 is larger than the limit of 16 bytes"},
		{name: "HeaderOverLimit", config: importer.Config{MaxRecordBytes: 16},
			input: strings.Repeat("a", 20) + ",input\nq\n",
			want:  `[]`, code: strata.ETOOLARGE,
			msg: "CSV record on line 1 is larger than the limit of 16 bytes"},
		{name: "DefaultLimit",
			input: "input\n" + strings.Repeat("x", importer.DefaultMaxRecordBytes+1) + "\n",
			want:  `[]`, code: strata.ETOOLARGE,
			msg: "CSV record on line 2 is larger than the limit of 19070976 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := importCSV(t, tt.config, strings.NewReader(tt.input))
			tt.check(t, got, err)
		})
		// The size limit is checked as the buffer fills; how the body
		// arrives must not change the outcome.
		t.Run(tt.name+"/OneByteReads", func(t *testing.T) {
			got, err := importCSV(t, tt.config, iotest.OneByteReader(strings.NewReader(tt.input)))
			tt.check(t, got, err)
		})
	}
}

// importCSV reads a whole file, whether NewCSV or Next fails.
func importCSV(t testing.TB, c importer.Config, r io.Reader) (string, error) {
	src, err := c.NewCSV(r)
	if err != nil {
		return `[]`, err
	}
	return collect(t, src)
}

func TestJSONL(t *testing.T) {
	// Lunary's messages, for a file in its import body.
	const (
		badLine = "Invalid JSONL: could not parse one of the lines"
		noInput = "Each JSONL line must contain at least an 'input' field"
	)
	// Strata's, which say where.
	noInputOn := func(line int) string {
		return fmt.Sprintf("JSONL line %d: each line must be a JSON object with at least an 'input' field", line)
	}
	lunary := importer.Config{Lunary: true}
	for _, tt := range []parseCase{
		{name: "OK", input: `{"input":"q1","ground_truth":"a1","output":"o1"}` + "\n" + `{"input":"q2"}` + "\n",
			want: `[["q1","a1","o1"],["q2",null,null]]`},
		{name: "Empty", input: "", want: `[]`},
		{name: "NoTrailingNewline", input: `{"input":"q"}`, want: `[["q",null,null]]`},
		{name: "BlankLinesSkipped", input: "\n  \n{\"input\":\"a\"}\n\t\r\n\n{\"input\":\"b\"}\n\n",
			want: `[["a",null,null],["b",null,null]]`},
		{name: "CRLF", input: "{\"input\":\"a\"}\r\n{\"input\":\"b\"}\r\n",
			want: `[["a",null,null],["b",null,null]]`},
		{name: "LineTrimmedAndBOM", input: "\uFEFF  {\"input\":\"q\"}  \n",
			want: `[["q",null,null]]`},
		{name: "ValuesNotTrimmed", input: `{"input":"  q  ","ground_truth":" a ","output":" "}`,
			want: `[["  q  "," a "," "]]`},
		{name: "EmptyInput", input: `{"input":""}`, want: `[["",null,null]]`},
		{name: "Escapes", input: `{"input":"line\nnext \"q\" \u00e9"}`,
			want: `[["line\nnext \"q\" é",null,null]]`},
		{name: "DuplicateKeyLastWinsLunary", config: lunary, input: `{"input":"a","input":"b"}`,
			want: `[["b",null,null]]`},
		{name: "DuplicateKey", input: "{\"input\":\"x\"}\n{\"input\":\"a\",\"input\":\"b\"}",
			want: `[["x",null,null]]`, code: strata.EINVALID,
			msg: `JSONL line 2: duplicate key "input": an object names each key once`},
		{name: "DuplicateKeyNested", input: `{"input":"a","metadata":{"lang":"en","tags":[{"k":1,"k":2}]}}`,
			want: `[]`, code: strata.EINVALID,
			msg: `JSONL line 1: duplicate key "k": an object names each key once`},
		{name: "DuplicateKeyEscaped", input: `{"input":"a","\u0069nput":"b"}`,
			want: `[]`, code: strata.EINVALID,
			msg: `JSONL line 1: duplicate key "input": an object names each key once`},
		{name: "ExtraKeysIgnored", input: `{"id":1,"input":"q","meta":{"x":1}}`,
			want: `[["q",null,null]]`},

		// Key fallbacks: Lunary's ?? chains, where null falls through and
		// "" does not (and then becomes null).
		{name: "GroundTruthCamel", input: `{"input":"q","groundTruth":"b","expected_output":"c"}`,
			want: `[["q","b",null]]`},
		{name: "GroundTruthExpectedOutput", input: `{"input":"q","expected_output":"c"}`,
			want: `[["q","c",null]]`},
		{name: "GroundTruthPriority", input: `{"expected_output":"c","groundTruth":"b","ground_truth":"a","input":"q"}`,
			want: `[["q","a",null]]`},
		{name: "GroundTruthNullFallsThrough", input: `{"input":"q","ground_truth":null,"groundTruth":null,"expected_output":"c"}`,
			want: `[["q","c",null]]`},
		{name: "GroundTruthEmptyStops", input: `{"input":"q","ground_truth":"","groundTruth":"b"}`,
			want: `[["q",null,null]]`},
		// Keys match exactly: GroundTruth is no name of a field, while
		// expectedOutput is an alias (mapping_test.go).
		{name: "GroundTruthOtherCase", input: `{"input":"q","GroundTruth":"b","expectedOutput":"c"}`,
			want: `[["q","c",null]]`},
		{name: "OutputModelOutput", input: `{"input":"q","model_output":"m","prediction":"p"}`,
			want: `[["q",null,"m"]]`},
		{name: "OutputPrediction", input: `{"input":"q","prediction":"p","generated_output":"g"}`,
			want: `[["q",null,"p"]]`},
		{name: "OutputGeneratedOutput", input: `{"input":"q","generated_output":"g"}`,
			want: `[["q",null,"g"]]`},
		{name: "OutputNullFallsThrough", input: `{"input":"q", "output" : null , "model_output":null,"prediction":"p"}`,
			want: `[["q",null,"p"]]`},
		{name: "OutputEmptyStops", input: `{"input":"q","output":"","model_output":"m"}`,
			want: `[["q",null,null]]`},
		{name: "AllNull", input: `{"input":"q","ground_truth":null,"output":null}`,
			want: `[["q",null,null]]`},

		// Non-strings: numbers and booleans as written, objects and arrays
		// as compact JSON.
		{name: "Numbers", input: `{"input":"q","ground_truth":1.50,"output":-0}`,
			want: `[["q","1.50","-0"]]`},
		{name: "HugeNumber", input: `{"input":"q","output":1e400}`,
			want: `[["q",null,"1e400"]]`},
		{name: "Booleans", input: `{"input":"q","ground_truth":true,"output":false}`,
			want: `[["q","true","false"]]`},
		{name: "ObjectAndArray", input: `{"input":"q","ground_truth":{ "a" : [1, 2] },"output":[ "x", {"y":null} ]}`,
			want: `[["q","{\"a\":[1,2]}","[\"x\",{\"y\":null}]"]]`},
		{name: "EmptyObjectAndArray", input: `{"input":"q","ground_truth":{},"output":[]}`,
			want: `[["q","{}","[]"]]`},

		{name: "BadLineLunary", config: lunary, input: "{\"input\":\"q\"}\n{\"input\":\n",
			want: `[["q",null,null]]`, code: strata.EINVALID, msg: badLine},
		{name: "TrailingGarbageLunary", config: lunary, input: `{"input":"q"} x`,
			want: `[]`, code: strata.EINVALID, msg: badLine},
		{name: "MissingInputLunary", config: lunary, input: `{"output":"o"}`,
			want: `[]`, code: strata.EINVALID, msg: noInput},
		{name: "ArrayLunary", config: lunary, input: `["input"]`,
			want: `[]`, code: strata.EINVALID, msg: noInput},

		{name: "BadLine", input: "{\"input\":\"q\"}\n{\"input\":\n",
			want: `[["q",null,null]]`, code: strata.EINVALID, msg: "Invalid JSONL: line 2: unexpected end of JSON input"},
		{name: "TrailingGarbage", input: `{"input":"q"} x`,
			want: `[]`, code: strata.EINVALID, msg: "Invalid JSONL: line 1: invalid character 'x' after top-level value"},
		{name: "TwoValuesOnALine", input: `{"input":"a"}{"input":"b"}`,
			want: `[]`, code: strata.EINVALID, msg: "Invalid JSONL: line 1: invalid character '{' after top-level value"},
		{name: "ObjectOverTwoLines", input: "{\"input\":\n\"q\"}\n",
			want: `[]`, code: strata.EINVALID, msg: "Invalid JSONL: line 1: unexpected end of JSON input"},
		{name: "MissingInput", input: "\n" + `{"output":"o"}`,
			want: `[]`, code: strata.EINVALID, msg: noInputOn(2)},
		{name: "InputNumber", input: `{"input":1}`,
			want: `[["1",null,null]]`},
		{name: "InputNull", input: `{"input":null}`,
			want: `[]`, code: strata.EINVALID, msg: noInputOn(1)},
		{name: "InputObject", input: `{"input":{ "text" : "q"}}`,
			want: `[["{\"text\":\"q\"}",null,null]]`},
		{name: "Array", input: `["input"]`,
			want: `[]`, code: strata.EINVALID, msg: "JSONL line 1 is a JSON array: JSON Lines hold one object per line (jq -c '.[]' turns an array into them)"},
		{name: "String", input: `"input"`,
			want: `[]`, code: strata.EINVALID, msg: noInputOn(1)},
		{name: "Number", input: `42`,
			want: `[]`, code: strata.EINVALID, msg: noInputOn(1)},
		{name: "Null", input: `null`,
			want: `[]`, code: strata.EINVALID, msg: noInputOn(1)},

		{name: "LineUnderLimit", config: importer.Config{MaxRecordBytes: 32},
			input: `{"input":"` + strings.Repeat("x", 16) + `"}` + "\n",
			want:  `[["xxxxxxxxxxxxxxxx",null,null]]`},
		{name: "LineOverLimit", config: importer.Config{MaxRecordBytes: 32},
			input: "{\"input\":\"q\"}\n\n" + `{"input":"` + strings.Repeat("x", 32) + `"}` + "\n{\"input\":\"r\"}\n",
			want:  `[["q",null,null]]`, code: strata.ETOOLARGE,
			msg: "JSONL line 3 is larger than the limit of 32 bytes"},
		{name: "DefaultLimit",
			input: `{"input":"` + strings.Repeat("x", importer.DefaultMaxRecordBytes) + `"}`,
			want:  `[]`, code: strata.ETOOLARGE,
			msg: "JSONL line 1 is larger than the limit of 19070976 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, tt.config.NewJSONL(strings.NewReader(tt.input)))
			tt.check(t, got, err)
		})
	}
}

func TestNew(t *testing.T) {
	for _, tt := range []struct {
		format string
		input  string
		want   string
		code   string
	}{
		{format: "csv", input: "input\nq\n", want: `[["q",null,null]]`},
		{format: "jsonl", input: `{"input":"q"}`, want: `[["q",null,null]]`},
		{format: "xml", code: strata.EINVALID},
		{format: "CSV", code: strata.EINVALID}, // Lunary's enum is case-sensitive
		{format: "", code: strata.EINVALID},
	} {
		t.Run("Format="+tt.format, func(t *testing.T) {
			src, err := importer.New(tt.format, strings.NewReader(tt.input))
			if got, want := strata.ErrorCode(err), tt.code; got != want {
				t.Fatalf("code = %q, want %q (err: %v)", got, want, err)
			} else if err != nil {
				return
			}
			got, err := collect(t, src)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := got, tt.want; got != want {
				t.Errorf("items = %s, want %s", got, want)
			}
		})
	}

	t.Run("HeaderErrorFromNew", func(t *testing.T) {
		_, err := importer.New("csv", strings.NewReader("title\nq\n"))
		if got, want := strata.ErrorMessage(err), noInputColumn; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
	})
}

// After an error every Next returns it again: an import is aborted, never
// resumed past a bad record.
func TestErrorsAreSticky(t *testing.T) {
	eachCase(t, []formatCase{
		{"CSV", "csv", "input\na\"b\nok\n"},
		{"JSONL", "jsonl", "{\n{\"input\":\"ok\"}\n"},
	}, func(t *testing.T, format, input string) {
		src := source(t, format, strings.NewReader(input))
		_, first := src.Next()
		_, second := src.Next()
		if got, want := strata.ErrorCode(first), strata.EINVALID; got != want {
			t.Fatalf("code = %q, want %q", got, want)
		}
		if got, want := second, first; got != want {
			t.Errorf("second error = %v, want %v", got, want)
		}
	})
}

// A failing request body is not a parse error: it comes back unchanged so
// the caller can tell, say, a body over the server's limit.
func TestReadErrorPassesThrough(t *testing.T) {
	errBody := errors.New("connection reset")
	eachCase(t, []formatCase{
		{"CSVHeader", "csv", ""},
		{"CSVRow", "csv", "input\nq1\n\"q2"},
		{"JSONL", "jsonl", "{\"input\":\"q1\"}\n"},
	}, func(t *testing.T, format, input string) {
		r := io.MultiReader(strings.NewReader(input), iotest.ErrReader(errBody))
		src, err := importer.New(format, r)
		for err == nil {
			_, err = src.Next()
		}
		if !errors.Is(err, errBody) {
			t.Errorf("err = %v, want %v", err, errBody)
		}
	})
}

// Streaming: items come out before the rest of the body has arrived.
func TestStreams(t *testing.T) {
	eachCase(t, []formatCase{
		{"CSV", "csv", "input\nq1\n"},
		{"JSONL", "jsonl", "{\"input\":\"q1\"}\n"},
	}, func(t *testing.T, format, first string) {
		pr, pw := io.Pipe()
		go pw.Write([]byte(first)) // the writer then blocks: no EOF yet
		defer pw.Close()
		src := source(t, format, pr)
		// The csv package needs the line's end to finish a record, and
		// the first chunk ends in one, so this returns without waiting
		// for more of the body.
		in, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := in.Input, "q1"; got != want {
			t.Errorf("input = %q, want %q", got, want)
		}
	})
}

// A body with no line end at all fails once the limit is passed, rather than
// being read into memory to the end.
func TestLimitStopsReading(t *testing.T) {
	eachCase(t, []formatCase{
		{"CSV", "csv", "input\n"},
		{"CSVQuoted", "csv", "input\n\""},
		{"JSONL", "jsonl", ""},
	}, func(t *testing.T, format, prefix string) {
		body := &endless{t: t, max: 100 << 20}
		r := io.MultiReader(strings.NewReader(prefix), body)
		src, err := importer.Config{MaxRecordBytes: 1 << 20}.New(format, r)
		if err != nil {
			t.Fatal(err)
		}
		_, err = src.Next()
		if got, want := strata.ErrorCode(err), strata.ETOOLARGE; got != want {
			t.Fatalf("code = %q, want %q (err: %v)", got, want, err)
		}
		if body.n > 2<<20 {
			t.Errorf("read %d bytes for a 1 MiB limit", body.n)
		}
	})
}

// formatCase is an input in one format, named for its subtest.
type formatCase struct{ name, format, input string }

// eachCase runs test on each case's format and input, in a subtest named
// after the case.
func eachCase(t *testing.T, cases []formatCase, test func(t *testing.T, format, input string)) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { test(t, c.format, c.input) })
	}
}

// endless yields 'x' forever, failing the test if more than max is read.
type endless struct {
	t   *testing.T
	n   int
	max int
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n += len(p); e.n > e.max {
		e.t.Fatalf("read %d bytes: the limit did not stop the reader", e.n)
	}
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// Fuzzing checks that no input panics, that every parse error is a
// *strata.Error, and that the result does not depend on how the body is
// split into reads.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"input,ground_truth,output\nq1,a1,o1\n",
		"\uFEFF\"input\",\"output\"\r\n\"a, \"\"b\"\"\nc\",d\r\n",
		"output,input\no\n\n   \nq,extra,cells\n",
		"groundtruth,input,prediction\n1,2\n",
		"input\n\"unterminated\n",
		"input\na\"b\n",
		"question\nq\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A small limit, so the fuzzer reaches it too.
		c := importer.Config{MaxRecordBytes: 256}
		got, err := importCSV(t, c, bytes.NewReader(data))
		checkFuzzResult(t, string(data), got, err)
		got2, err2 := importCSV(t, c, iotest.OneByteReader(bytes.NewReader(data)))
		if got2 != got || strata.ErrorCode(err2) != strata.ErrorCode(err) {
			t.Errorf("one byte at a time: %s, %v; all at once: %s, %v", got2, err2, got, err)
		}
	})
}

func FuzzJSONL(f *testing.F) {
	for _, s := range []string{
		`{"input":"q","ground_truth":"a","output":"o"}` + "\n",
		"\uFEFF{\"input\":\"q\",\"groundTruth\":null,\"expected_output\":1.5}\r\n\n",
		`{"input":"q","output":{"a":[1,true,null]},"prediction":"p"}`,
		`{"input":1}`,
		`["input"]`,
		"{\"input\":\n",
		"null\n\"x\"\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := importer.Config{MaxRecordBytes: 256}
		got, err := collect(t, c.NewJSONL(bytes.NewReader(data)))
		checkFuzzResult(t, string(data), got, err)
		got2, err2 := collect(t, c.NewJSONL(iotest.OneByteReader(bytes.NewReader(data))))
		if got2 != got || strata.ErrorCode(err2) != strata.ErrorCode(err) {
			t.Errorf("one byte at a time: %s, %v; all at once: %s, %v", got2, err2, got, err)
		}
	})
}

func checkFuzzResult(t *testing.T, data, got string, err error) {
	t.Helper()
	var e *strata.Error
	if err != nil && !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *strata.Error", err, err)
	}
	// "" is never stored for ground truth or output: it becomes null
	// (except in Strata's export dialect, which the fuzzer seldom writes,
	// and whose JSONL key may be written with escapes).
	if strings.Contains(data, "groundTruth") || strings.Contains(data, `\u`) {
		return
	}
	var rows [][]*string
	if err := json.Unmarshal([]byte(got), &rows); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for _, v := range row[1:] {
			if v != nil && *v == "" {
				t.Errorf("row %q has an empty string, want null", got)
			}
		}
	}
}

// TestCSVColumnsBounded: a record of millions of empty cells (a few
// megabytes) is refused when it passes maxColumns, naming its line, before
// the csv package holds a string for each; the records before it are read.
func TestCSVColumnsBounded(t *testing.T) {
	body := "input,note\nfirst,a\n\"quoted, with commas, that count for nothing\",b\n" + strings.Repeat(",", 5_000_000) + "\n"
	src, err := importer.New("csv", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for want := range 2 {
		if _, err := src.Next(); err != nil {
			t.Fatalf("record %d: %v", want+1, err)
		}
	}
	_, err = src.Next()
	if got, want := strata.ErrorMessage(err), "CSV record on line 4 has more than 10000 columns"; got != want {
		t.Fatalf("error = %q, want %q", got, want)
	}
	if strata.ErrorCode(err) != strata.ETOOLARGE {
		t.Fatalf("code = %s, want %s", strata.ErrorCode(err), strata.ETOOLARGE)
	}
}

// TestJSONLMembersBounded: a line of a few megabytes holding hundreds of
// thousands of keys, or metadata of millions of tiny values, is refused
// before it is decoded into as many entries.
func TestJSONLMembersBounded(t *testing.T) {
	var keys strings.Builder
	keys.WriteString(`{"input":"q"`)
	for i := range 200_000 {
		fmt.Fprintf(&keys, `,"k%d":0`, i)
	}
	keys.WriteString("}\n")
	array := `{"input":"q","metadata":{"a":[` + strings.Repeat("0,", 2_000_000) + "0]}}\n"
	for _, c := range []struct{ name, body, want string }{
		{"Keys", `{"input":"first"}` + "\n" + keys.String(), "JSONL line 2: an object of more than 10000 keys"},
		{"MetadataValues", array, "JSONL line 1: metadata is 4000009 bytes, more than 65536"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, err := importer.New("jsonl", strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			for {
				if _, err = src.Next(); err != nil {
					break
				}
			}
			if got := strata.ErrorMessage(err); got != c.want {
				t.Fatalf("error = %q, want %q", got, c.want)
			}
		})
	}
}

// TestJSONArrayAsJSONL: a JSON array sent as JSON Lines, on one line or
// pretty-printed, says so and how to turn it into lines.
func TestJSONArrayAsJSONL(t *testing.T) {
	for _, body := range []string{`[{"question":"a","answer":"b"}]` + "\n", "[\n  {\"input\": \"a\"}\n]\n"} {
		src, err := importer.New("jsonl", strings.NewReader(body))
		if err == nil {
			_, err = src.Next()
		}
		if got, want := strata.ErrorMessage(err), "JSONL line 1 is a JSON array: JSON Lines hold one object per line (jq -c '.[]' turns an array into them)"; got != want {
			t.Errorf("%q: error = %q, want %q", body, got, want)
		}
	}
}
