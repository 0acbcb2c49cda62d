package importer

import "encoding/json"
import "io"
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
		`{"a":{"b":1,"b":2}}`, `{"a":[{"b":1},{"b":2}]}`, `{"a":{"b":{"c":1}},"b":{"c":2}}`, `{"a":1,"\u0061":2}`,
		`{"a":{"x":{"y":1,"y":2}}}`, `{"a":{"b":1,"b":2},"c":tru}`, `{"\ud800":1,"\udc00":2}`, "{\"\xff\":1,\"\xfe\":2}",
		`{"a":1,"a":tru}`, `{"k":{` + manyKeys(40) + `}}`, `{"k":{` + manyKeys(40) + `,"ka":1}}`,
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

// manyKeys is n members "k0":0, "k1":1, ...: more than a keySet compares
// one by one.
func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + strings.Repeat("x", i%3) + string(rune('a'+i/3)) + `":0`)
	}
	return b.String()
}

// checkSplit compares splitObject with json.Valid and Unmarshal on line,
// and, looking for keys named twice, with duplicateKeyOf.
func checkSplit(t *testing.T, line string) {
	t.Helper()
	checkSplitLastWins(t, line)
	shape := splitObject([]byte(line), map[string]json.RawMessage{}, keyCache{}, &keySets{})
	key, dup := duplicateKeyOf(line)
	if got := shape.dup != nil; got != dup {
		t.Fatalf("%.80q: duplicate found %v (%v), encoding/json's tokens say %v (%q)", line, got, shape.dup, dup, key)
	}
	if dup {
		if *shape.dup != key {
			t.Fatalf("%.80q: duplicate key %q, want %q", line, *shape.dup, key)
		}
		return
	}
	if last := splitObject([]byte(line), map[string]json.RawMessage{}, keyCache{}, nil); shape != last {
		t.Fatalf("%.80q: %+v looking for duplicates, %+v not", line, shape, last)
	}
}

// duplicateKeyOf finds, with encoding/json's tokens, the first key an
// object of a valid JSON text names twice, or the first of the text's
// first object if it is not valid.
func duplicateKeyOf(text string) (string, bool) {
	dec := json.NewDecoder(strings.NewReader(text))
	type frame struct {
		object bool
		keys   map[string]bool
		key    bool // the next string is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return "", false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		isKey := top != nil && top.object && top.key
		if top != nil && top.object {
			top.key = !top.key
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{':
				stack = append(stack, &frame{object: true, keys: map[string]bool{}, key: true})
			case '[':
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].key = true
				}
				continue
			}
			if top != nil && top.object {
				top.key = true // a value that is an object or array: the key comes after it
			}
		case string:
			if isKey {
				if top.keys[tok] {
					return tok, true
				}
				top.keys[tok] = true
			}
		}
	}
}

// checkSplitLastWins compares splitObject, keeping the last of a key named
// twice, with json.Valid and Unmarshal on line.
func checkSplitLastWins(t *testing.T, line string) {
	t.Helper()
	obj := map[string]json.RawMessage{"stale": json.RawMessage("1")}
	shape := splitObject([]byte(line), obj, keyCache{}, nil)
	valid, object := shape.valid, shape.object
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
	splitObject([]byte(`{"input":"a"}`), obj, keys, nil)
	splitObject([]byte(`{"input":"b","x":1}`), obj, keys, nil)
	if len(obj) != 2 || string(obj["input"]) != `"b"` || len(keys) != 2 {
		t.Fatalf("obj %q, cached keys %q", obj, keys)
	}
	line := []byte(`{"input":"b","x":1}`)
	allocs := testing.AllocsPerRun(100, func() { splitObject(line, obj, keys, nil) })
	if allocs != 0 {
		t.Errorf("a line of known keys allocates %v times, want 0", allocs)
	}
	// Looking for keys named twice costs no allocation either, once the
	// sets of nested objects are as deep as the line.
	dups := &keySets{}
	nested := []byte(`{"input":"b","metadata":{"lang":"en","tags":[{"a":1}]}}`)
	allocs = testing.AllocsPerRun(100, func() { splitObject(nested, obj, keys, dups) })
	if allocs != 0 {
		t.Errorf("a line of known keys allocates %v times looking for duplicates, want 0", allocs)
	}
}

// TestSplitObjectFindsDuplicateKeys: a key named twice is found at any
// depth, by its decoded text; the same key in two objects is no duplicate.
func TestSplitObjectFindsDuplicateKeys(t *testing.T) {
	for _, tt := range []struct {
		line string
		dup  string // "" for none
	}{
		{`{"input":"x","input":"y"}`, "input"},
		{`{"input":"x","meta":{"a":1,"a":2}}`, "a"},
		{`{"input":"x","meta":[{"a":1},{"b":{"c":1,"c":2}}]}`, "c"},
		{`{"input":"x","\u0069nput":"y"}`, "input"},
		{`{"input":"x","meta":{"k":1,` + manyKeys(30) + `,"k":2}}`, "k"},
		{`{"input":"x","meta":[{"a":1},{"a":2}],"a":3}`, ""},
		{`{"input":"x","meta":{"input":1}}`, ""},
	} {
		shape := splitObject([]byte(tt.line), map[string]json.RawMessage{}, keyCache{}, &keySets{})
		switch {
		case tt.dup == "" && shape.dup != nil:
			t.Errorf("%s: duplicate %q, want none", tt.line, *shape.dup)
		case tt.dup != "" && (shape.dup == nil || *shape.dup != tt.dup):
			t.Errorf("%s: duplicate %v, want %q", tt.line, shape.dup, tt.dup)
		}
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
