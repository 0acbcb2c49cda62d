package api

import "testing"

func TestCheckDuplicateKeys(t *testing.T) {
	for _, ok := range []string{
		`{}`, `[]`, `{"a":1,"b":2}`, `{"a":{"k":1},"b":{"k":2}}`, `[{"k":1},{"k":2}]`,
		`{"k":[{"k":1,"j":{"k":2}}],"j":"k"}`, `{"a":"a","b":["a","a"]}`, `{"a":{},"b":[],"c":null}`,
		`{"k":1,"K":2}`,
	} {
		if err := checkDuplicateKeys([]byte(ok)); err != nil {
			t.Errorf("%s: %v, want no error", ok, err)
		}
	}
	for _, dup := range []string{
		`{"a":1,"a":2}`, `{"a":{},"b":[],"a":null}`, `{"x":{"k":[],"k":1}}`, `[1,{"y":[{"k":1,"j":2,"k":3}]}]`,
		`{"k":"v","\u006b":"w"}`, `{"o":{"a":{"b":1},"a":{"b":1}}}`,
	} {
		if err := checkDuplicateKeys([]byte(dup)); err == nil {
			t.Errorf("%s: no error, want a duplicate key", dup)
		}
	}
}
