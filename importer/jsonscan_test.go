package importer

import "encoding/json"
import "maps"
import "strings"
import "testing"

// jsonCases are lines whose scan must agree with encoding/json: valid and
// invalid JSON of every kind the grammar has, strings long enough for the
// eight-byte path with each special byte at each offset, and keys that
// repeat or need decoding.
func jsonCases() []string {
	cases := []string{
		`{}`, `{"input":"q"}`, ` { "input" : "q" , "b" : [ 1 , 2 ] } `, `{"a":1,"a":2}`,
		`{"input":"q","output":{"a":[1,true,null]},"prediction":"p"}`,
		`{"in\u0070ut":"q"}`, `{"\ud800":1}`, `{"k\"q":1}`, "{\"caf\xc3\xa9\":1}", "{\"bad\xff\":1}",
		`[]`, `[1,2]`, `[1,]`, `[,1]`, `"x"`, `1`, `-0`, `-0.5e+10`, `01`, `1.`, `.5`, `1e`, `1E-`, `-`, `--1`,
		`true`, `false`, `null`, `tru`, `nul`, `nulll`, `truex`, `{"a":tru}`,
		`{"a"}`, `{"a":}`, `{"a":1,}`, `{,"a":1}`, `{"a":1 "b":2}`, `{"a" 1}`, `{1:2}`, `{"a":1}}`, `{"a":1}x`,
		`{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`, `{"a":"\/\b\f\n\r\t\\\""}`, "{\"a\":\"tab\there\"}",
		"{\"a\":\"nl\nhere\"}", "{\"a\":\"\x1f\"}", "{\"a\":\"\x7f\"}", "{\"a\":\"\xff\xfe\"}", `{"a":"unterminated`,
		`{"a":[{"b":[{"c":{}}]}]}`, `{"a":[[[[]]]]`, `{"a":{"b":1}`, "{\r\n\t\"a\":1\r\n}",
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		`{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
		`{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	}
	for _, special := range []string{`"`, `\"`, `\\`, "\n", "\x00", "\x1f", " ", "\x80", "é", `\u00e9`} {
		for at := 0; at < 18; at++ {
			s := strings.Repeat("x", at) + special + strings.Repeat("y", 17-at)
			cases = append(cases, `{"input":"`+s+`","k`+s+`":1}`, `"`+s+`"`)
		}
	}
	return cases
}

// checkSplit compares splitObject with json.Valid and Unmarshal on line.
func checkSplit(t *testing.T, line string) {
	t.Helper()
	obj := map[string]json.RawMessage{"stale": json.RawMessage("1")}
	valid, object := splitObject([]byte(line), obj, keyCache{})
	if want := json.Valid([]byte(line)); valid != want {
		t.Fatalf("%.80q: valid = %v, encoding/json says %v", line, valid, want)
	}
	if !valid {
		return
	}
	var want map[string]json.RawMessage
	err := json.Unmarshal([]byte(line), &want)
	if wantObject := err == nil && want != nil; object != wantObject {
		t.Fatalf("%.80q: object = %v, want %v", line, object, wantObject)
	}
	if object && !maps.EqualFunc(obj, want, func(a, b json.RawMessage) bool { return string(a) == string(b) }) {
		t.Fatalf("%.80q: members %q, want %q", line, obj, want)
	}
}

func TestSplitObjectAgreesWithEncodingJSON(t *testing.T) {
	for _, line := range jsonCases() {
		checkSplit(t, line)
	}
}

// The members are slices of the line; the keys of lines with the same keys
// are the same strings, not copies.
func TestSplitObjectKeepsKeys(t *testing.T) {
	keys := keyCache{}
	obj := map[string]json.RawMessage{}
	splitObject([]byte(`{"input":"a"}`), obj, keys)
	splitObject([]byte(`{"input":"b","x":1}`), obj, keys)
	if len(obj) != 2 || string(obj["input"]) != `"b"` || len(keys) != 2 {
		t.Fatalf("obj %q, cached keys %q", obj, keys)
	}
	line := []byte(`{"input":"b","x":1}`)
	allocs := testing.AllocsPerRun(100, func() { splitObject(line, obj, keys) })
	if allocs != 0 {
		t.Errorf("a line of known keys allocates %v times, want 0", allocs)
	}
}

func FuzzSplitObject(f *testing.F) {
	for _, line := range jsonCases() {
		if len(line) < 1000 {
			f.Add(line)
		}
	}
	f.Fuzz(checkSplit)
}

// BenchmarkJSONL parses lines of about 1,200 bytes, as `strata bench
// --import-bytes` sends them.
func BenchmarkJSONL(b *testing.B) {
	var file strings.Builder
	for i := range 1000 {
		file.WriteString(`{"input":"Question ` + strings.Repeat("lorem ipsum dolor sit amet ", 42) + `","ground_truth":"Yes, within 30 days, with the receipt."}` + "\n")
		_ = i
	}
	b.SetBytes(int64(file.Len()))
	for b.Loop() {
		src := NewJSONL(strings.NewReader(file.String()))
		for {
			if _, err := src.Next(); err != nil {
				break
			}
		}
	}
}
