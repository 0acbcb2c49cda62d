package eval

import "bytes"
import "context"
import "encoding/json"
import "errors"
import "fmt"
import "io"
import "runtime"
import "strings"
import "sync"
import "time"

import "github.com/santhosh-tekuri/jsonschema/v6"
import "github.com/santhosh-tekuri/jsonschema/v6/kind"

// The cost of a json evaluator's schema is bounded three ways: its size and
// depth when it is saved (CheckSchema), and the work of each validation, by
// a step budget and a deadline. A schema nesting thousands of levels, or one
// whose $ref and anyOf branch exponentially, would otherwise hold a worker
// (and a core) for as long as it takes.
const (
	MaxSchemaBytes = 64 << 10
	MaxSchemaDepth = 32
	// MaxSchemaSteps bounds the subschema evaluations of one validation.
	MaxSchemaSteps = 1_000_000
	// SchemaTimeout bounds one validation's time.
	SchemaTimeout = 5 * time.Second
)

// CheckSchema refuses a schema larger than MaxSchemaBytes (compacted),
// nesting objects and arrays deeper than MaxSchemaDepth, or that does not
// compile (an unknown type, a $ref outside it): a schema that would fail
// every item of a run is refused when it is saved. The message names the
// limit or the compiler's reason.
func CheckSchema(schema json.RawMessage) error {
	var compact bytes.Buffer
	if err := json.Compact(&compact, schema); err != nil {
		return fmt.Errorf("Schema is not valid JSON")
	}
	if compact.Len() > MaxSchemaBytes {
		return fmt.Errorf("Schema must be at most %d bytes", MaxSchemaBytes)
	}
	if err := checkDepth(compact.Bytes()); err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(&compact) // numbers as json.Number, as the compiler wants
	if err != nil {
		return fmt.Errorf("Schema is not valid JSON")
	}
	sch, err := compileSchema(doc, &schemaBudget{deadline: time.Now().Add(schemaTimeout)})
	if err != nil {
		return fmt.Errorf("Schema is not a valid JSON Schema: %s", compileReason(err))
	}
	if refCycle(sch) {
		return fmt.Errorf("Schema is not a valid JSON Schema: a $ref leads back to itself before reading the value (a reference cycle), so no value could pass")
	}
	return nil
}

// refCycle reports whether validating the plainest values (null, {}, [],
// "", 0, true) meets a reference cycle: a $ref that leads back to its own
// schema at the same place of the value, which fails every value.
func refCycle(sch *jsonschema.Schema) (cycle bool) {
	defer func() {
		if v := recover(); v != nil && v != errSchemaBudget {
			panic(v)
		} // over its budget: no cycle was met within it
	}()
	for _, v := range []any{nil, map[string]any{}, []any{}, "", json.Number("0"), true} {
		if hasRefCycle(sch.Validate(v)) {
			return true
		}
	}
	return false
}

func hasRefCycle(err error) bool {
	verr, ok := errors.AsType[*jsonschema.ValidationError](err)
	if !ok {
		return false
	}
	if _, ok := verr.ErrorKind.(*kind.RefCycle); ok {
		return true
	}
	for _, c := range verr.Causes {
		if hasRefCycle(c) {
			return true
		}
	}
	return false
}

// checkDepth refuses JSON nesting objects and arrays deeper than
// MaxSchemaDepth.
func checkDepth(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("Schema is not valid JSON")
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if depth++; depth > MaxSchemaDepth {
				return fmt.Errorf("Schema must nest at most %d levels", MaxSchemaDepth)
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// compileReason is the compiler's error on one line, bounded.
func compileReason(err error) string {
	reason := strings.Join(strings.Fields(err.Error()), " ")
	if len(reason) > 300 {
		reason = strings.ToValidUTF8(reason[:300], "") + "..."
	}
	return reason
}

// compileSchema compiles a schema whose validations count their steps
// against budget.
func compileSchema(doc any, budget *schemaBudget) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	// No $ref may reach a file or the network: the server is not a fetcher.
	c.UseLoader(jsonschema.SchemeURLLoader{})
	c.RegisterVocabulary(&jsonschema.Vocabulary{
		URL: "strata:vocab/steps",
		Compile: func(*jsonschema.CompilerContext, map[string]any) (jsonschema.SchemaExt, error) {
			return budget, nil
		},
	})
	c.AssertVocabs()
	if err := c.AddResource("strata:schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("strata:schema.json")
}

// schemaBudget counts the subschema evaluations of one validation, as an
// extension compiled on every subschema. The validator has no way to stop
// early: over the budget or past the deadline, a panic unwinds it, and
// validate recovers it.
type schemaBudget struct {
	steps    int
	deadline time.Time
}

var errSchemaBudget = errors.New("schema validation over budget")

func (b *schemaBudget) Validate(*jsonschema.ValidatorContext, any) {
	b.steps++
	if b.steps > schemaSteps || (b.steps%1024 == 0 && time.Now().After(b.deadline)) {
		panic(errSchemaBudget)
	}
}

// schemaSteps and schemaTimeout are MaxSchemaSteps and SchemaTimeout, which
// tests lower.
var (
	schemaSteps   = MaxSchemaSteps
	schemaTimeout = SchemaTimeout
)

// schemaSlots bounds the validations running at once, those given up on
// past their deadline included: a schema that runs away takes at most these
// cores, never the server.
var schemaSlots = make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))

// budgetedSchema is one compiled copy of a schema with its budget: a copy
// validates one value at a time, so a scorer keeps a few.
type budgetedSchema struct {
	schema *jsonschema.Schema
	budget *schemaBudget
}

// schemaPool holds a json scorer's compiled copies.
type schemaPool struct {
	doc  any
	mu   sync.Mutex
	free []*budgetedSchema
}

func newSchemaPool(doc any) (*schemaPool, error) {
	p := &schemaPool{doc: doc}
	bs, err := p.compile()
	if err != nil {
		return nil, err
	}
	p.free = append(p.free, bs)
	return p, nil
}

func (p *schemaPool) compile() (*budgetedSchema, error) {
	b := &schemaBudget{}
	sch, err := compileSchema(p.doc, b)
	if err != nil {
		return nil, err
	}
	return &budgetedSchema{schema: sch, budget: b}, nil
}

func (p *schemaPool) get() (*budgetedSchema, error) {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		bs := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return bs, nil
	}
	p.mu.Unlock()
	return p.compile()
}

func (p *schemaPool) put(bs *budgetedSchema) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = append(p.free, bs)
}

// Errors of a validation that did not finish.
var (
	errSchemaSteps   = errors.New("the schema needs more than the steps allowed to validate this output")
	errSchemaTimeout = errors.New("the schema took longer than allowed to validate this output")
)

// validate validates v within the budget and the deadline. A validation
// that overruns its deadline without reaching a step (its subschemas all
// failing) is left to finish on its own, holding its slot.
func (p *schemaPool) validate(ctx context.Context, v any) error {
	timer := time.NewTimer(schemaTimeout)
	defer timer.Stop()
	select {
	case schemaSlots <- struct{}{}:
	case <-timer.C:
		return errSchemaTimeout
	case <-ctx.Done():
		return ctx.Err()
	}
	bs, err := p.get()
	if err != nil {
		<-schemaSlots
		return err
	}
	bs.budget.steps, bs.budget.deadline = 0, time.Now().Add(schemaTimeout)
	done := make(chan error, 1)
	go func() {
		defer func() { <-schemaSlots }()
		defer func() {
			if r := recover(); r != nil {
				if r != errSchemaBudget {
					panic(r)
				}
				err := errSchemaTimeout
				if bs.budget.steps > schemaSteps {
					err = errSchemaSteps
				}
				p.put(bs) // unwound: the copy is whole
				done <- err
			}
		}()
		err := bs.schema.Validate(v)
		p.put(bs)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return errSchemaTimeout
	case <-ctx.Done():
		return ctx.Err()
	}
}
