package eval

import "context"
import "encoding/json"
import "fmt"
import "strings"
import "testing"

import "github.com/strata-eval/strata"

func TestCheckSchema(t *testing.T) {
	nested := func(levels int) string {
		return strings.Repeat(`{"items":`, levels-1) + `{}` + strings.Repeat(`}`, levels-1)
	}
	for _, c := range []struct {
		name, schema, err string
	}{
		{"OK", `{"type":"object","properties":{"a":{"type":"string"}}}`, ""},
		{"DepthAtLimit", nested(MaxSchemaDepth), ""},
		{"TooDeep", nested(MaxSchemaDepth + 1), "Schema must nest at most 32 levels"},
		{"VeryDeep", nested(3000), "Schema must nest at most 32 levels"},
		{"TooLarge", `{"enum":["` + strings.Repeat("x", MaxSchemaBytes) + `"]}`, "Schema must be at most 65536 bytes"},
		{"UnknownType", `{"type":"nonsense"}`, "Schema is not a valid JSON Schema: "},
		{"RefOutside", `{"$ref":"http://example.com/x.json"}`, "Schema is not a valid JSON Schema: "},
		{"RefInside", `{"$defs":{"a":{"type":"string"}},"$ref":"#/$defs/a"}`, ""},
		// A cycle that no value gets through fails every item: refused.
		{"RefCycle", `{"$ref":"#"}`, "Schema is not a valid JSON Schema: a $ref leads back to itself"},
		{"RefCycleInAllOf", `{"allOf":[{"$ref":"#"}]}`, "Schema is not a valid JSON Schema: a $ref leads back to itself"},
		{"RefCycleThroughDefs", `{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"anyOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"}`, "Schema is not a valid JSON Schema: a $ref leads back to itself"},
		// A recursive schema that reads the value as it goes is no cycle.
		{"Recursive", `{"type":"object","properties":{"child":{"$ref":"#"}}}`, ""},
		// Whitespace is not counted.
		{"LargeOnlyInSpaces", `{"type":` + strings.Repeat(" ", MaxSchemaBytes) + `"string"}`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckSchema(json.RawMessage(c.schema))
			if got := fmt.Sprint(err); (c.err == "" && err != nil) || (c.err != "" && !strings.HasPrefix(got, c.err)) {
				t.Fatalf("CheckSchema = %v, want %q", err, c.err)
			}
		})
	}
}

// explodingSchema is small, shallow, and evaluates 2^n subschemas on any
// value: each definition refers twice to the one before.
func explodingSchema(n int) string {
	defs := []string{`"d0":{}`}
	for i := 1; i <= n; i++ {
		defs = append(defs, fmt.Sprintf(`"d%d":{"allOf":[{"$ref":"#/$defs/d%d"},{"$ref":"#/$defs/d%d"}]}`, i, i-1, i-1))
	}
	return fmt.Sprintf(`{"$defs":{%s},"$ref":"#/$defs/d%d"}`, strings.Join(defs, ","), n)
}

// TestSchemaStepBudget: a validation stops at its step budget with an error
// result, and the scorer goes on validating other outputs.
func TestSchemaStepBudget(t *testing.T) {
	defer func(n int) { schemaSteps = n }(schemaSteps)
	schemaSteps = 10_000
	score := func(schema, output string) string {
		params := fmt.Sprintf(`{"schema":%s}`, schema)
		sc, err := Compile(&strata.Evaluator{Type: "json", Params: json.RawMessage(params)}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return string(sc.Score(context.Background(), Item{Output: &output}))
	}
	if err := CheckSchema(json.RawMessage(explodingSchema(40))); err != nil {
		t.Fatalf("the exploding schema is within the static limits: %v", err)
	}
	want := `{"error":"Schema validation stopped: the schema needs more than the steps allowed to validate this output"}`
	if got := score(explodingSchema(40), `{"a":1}`); got != want {
		t.Fatalf("exploding schema: %s, want %s", got, want)
	}
	// Within the budget, the same shape validates.
	if got := score(explodingSchema(8), `{"a":1}`); got != `{"passed":true}` {
		t.Fatalf("small schema: %s", got)
	}
	if got := score(`{"type":"string"}`, `1`); !strings.Contains(got, `"passed":false`) {
		t.Fatalf("mismatch: %s", got)
	}
}
