package api_test

import "strings"
import "testing"

// TestValidationOrder: the rules of an input (its Validate) and the shape
// checks of the request report together, field by field, as zod lists them.
func TestValidationOrder(t *testing.T) {
	ts := newTestServer(t)
	long := strings.Repeat("n", 1001)
	id := ts.createDataset(t, "order")
	for _, tc := range []struct{ name, method, path, body, want string }{
		{"RuleThenShape", "POST", datasetsPath, `{"name":"` + long + `","description":1}`,
			`Validation error: String must contain at most 1000 character(s) at "name"; Expected string, received number at "description"`},
		{"ShapeThenRule", "POST", datasetsPath, `{"name":1,"description":"` + strings.Repeat("d", 10001) + `"}`,
			`Validation error: Expected string, received number at "name"; String must contain at most 10000 character(s) at "description"`},
		{"RequiredIsAllOfAField", "POST", datasetsPath, `{"description":"x"}`, `Validation error: Required at "name"`},
		{"NotAnObject", "POST", datasetsPath, `[1]`, `Validation error: Expected object, received array`},
		{"Update", "PATCH", datasetsPath + "/" + id, `{"name":"","description":false}`,
			`Validation error: String must contain at least 1 character(s) at "name"; Expected string, received boolean at "description"`},
		{"Version", "POST", datasetsPath + "/" + id + "/versions", `{"name":"` + long + `","description":[]}`,
			`Validation error: String must contain at most 1000 character(s) at "name"; Expected string, received array at "description"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantValidation(t, ts.do(t, tc.method, tc.path, ts.owner, tc.body), tc.want)
		})
	}
}
