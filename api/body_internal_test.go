package api

import "runtime"
import "strings"
import "testing"

import "github.com/strata-eval/strata/internal/rules"

func TestCheckDuplicateKeys(t *testing.T) {
	for _, ok := range []string{
		`{}`, `[]`, `{"a":1,"b":2}`, `{"a":{"k":1},"b":{"k":2}}`, `[{"k":1},{"k":2}]`,
		`{"k":[{"k":1,"j":{"k":2}}],"j":"k"}`, `{"a":"a","b":["a","a"]}`, `{"a":{},"b":[],"c":null}`,
		`{"k":1,"K":2}`, `{"a":"b:","c":"\"a\":"}`, `{"a":"\\","b":"\\\"a\":1"}`, `["a", ":"]`,
		`{"a":"x"  ,  "b" : "a"}`,
	} {
		if err := rules.CheckDuplicateKeys([]byte(ok)); err != nil {
			t.Errorf("%s: %v, want no error", ok, err)
		}
	}
	for _, dup := range []string{
		`{"a":1,"a":2}`, `{"a":{},"b":[],"a":null}`, `{"x":{"k":[],"k":1}}`, `[1,{"y":[{"k":1,"j":2,"k":3}]}]`,
		`{"k":"v","\u006b":"w"}`, `{"o":{"a":{"b":1},"a":{"b":1}}}`, `{"a" : 1, "a"
:2}`,
		`{"x\\":1,"x\\":2}`, `{"q\"":"v","q\"":"w"}`, `{"s":"{\"a\":1,\"a\":2}","s":0}`,
	} {
		if err := rules.CheckDuplicateKeys([]byte(dup)); err == nil {
			t.Errorf("%s: no error, want a duplicate key", dup)
		}
	}
}

// The check decodes keys only: a body's long strings (an import's content)
// are skipped, not copied.
func TestCheckDuplicateKeysAllocates(t *testing.T) {
	body := []byte(`{"format":"jsonl","content":"` + strings.Repeat(`{\"input\":\"question\"}\n`, 200_000) + `"}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := rules.CheckDuplicateKeys(body); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("checking a body of %d bytes allocated %d bytes", len(body), n)
	}
}
