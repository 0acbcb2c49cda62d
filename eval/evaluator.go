package eval

import "bytes"
import "context"
import "encoding/json"
import "errors"
import "fmt"
import "math"
import "regexp"
import "slices"
import "strconv"
import "strings"
import "sync"
import "unicode/utf8"

import "github.com/santhosh-tekuri/jsonschema/v6"

import "github.com/strata-eval/strata"

// Item is what an evaluator reads of a dataset item.
type Item struct {
	Input       string
	GroundTruth *string
	Output      *string
}

// Scorer scores items with one evaluator. Score never fails: a failure is
// the result {"error": "..."}, stored on the item like any result.
type Scorer interface {
	Score(ctx context.Context, it Item) json.RawMessage
}

// Types are the evaluator types a dataset run computes.
var Types = []string{
	"bleu", "gleu", "rouge", "cosine", "fuzzy", "text-similarity", "string", "json",
	strata.TypeModelLabeler, strata.TypeModelScorer,
}

// ServiceTypes are the types of Lunary's registry that run on its ML
// service or its own prompts, which Strata does not have. Lunary runs them
// (an unreachable service leaves a null result), so a run does not refuse
// them either: each item gets an error result saying why, counted unknown,
// and the dataset's other slots are scored.
var ServiceTypes = []string{"llm", "sentiment", "guidelines", "replies"}

// unavailable is the scorer of a ServiceTypes evaluator: its result says
// why there is none.
type unavailable struct{ result json.RawMessage }

func (u unavailable) Score(context.Context, Item) json.RawMessage { return u.result }

// Compile prepares the scorer of an evaluator in a slot with config c. An
// evaluator type Strata cannot compute, a builtin one, or an LLM judge
// naming a model outside the allow-list is an EINVALID error; bad params
// (a regular expression, a schema) make every result an error.
func Compile(ev *strata.Evaluator, c *strata.EvaluatorConfig, llm *Client) (Scorer, error) {
	if ev.Kind == strata.KindBuiltin {
		return nil, strata.ErrBuiltinRun
	}
	if slices.Contains(ServiceTypes, ev.Type) {
		return unavailable{errorResult(fmt.Sprintf("Evaluator type '%s' runs on Lunary's ML service, which Strata does not have", ev.Type))}, nil
	}
	if !slices.Contains(Types, ev.Type) {
		return nil, strata.ErrUnsupportedType(ev.Type)
	}
	p := parseParams(ev.Params)
	if ev.Type == strata.TypeModelLabeler || ev.Type == strata.TypeModelScorer {
		if prompt, _ := p["prompt"].(string); strings.TrimSpace(prompt) != "" {
			s := &llmScorer{llm: llm, typ: ev.Type, model: Model(p), prompt: prompt, config: c, effort: "medium"}
			if e, ok := p["reasoningEffort"].(string); ok {
				s.effort = strings.TrimSpace(e)
				if s.effort == "none" {
					s.effort = ""
				}
			}
			if err := llm.CheckModel(s.model); err != nil {
				return nil, err
			}
			s.instructions = instructions(ev.Type, p)
			return s, nil
		}
	}
	switch ev.Type {
	case strata.TypeModelLabeler:
		return labeler(p), nil
	case strata.TypeModelScorer:
		return scorer(p), nil
	case "text-similarity":
		// An evaluator saved before its method was checked may name
		// another: it keeps scoring with the default, as it always did.
		method, _ := p["method"].(string)
		if similarity[method] == nil {
			method = similarityMethods[0]
		}
		return &metricScorer{params: p, method: method, detailed: true}, nil
	case "string":
		return newStringScorer(p), nil
	case "json":
		return newJSONScorer(p), nil
	}
	return &metricScorer{params: p, method: ev.Type}, nil
}

// Model is the model an LLM evaluator names: params.modelId, else
// params.model, else DefaultModel.
func Model(params map[string]any) string {
	for _, key := range []string{"modelId", "model"} {
		if m, ok := params[key].(string); ok && strings.TrimSpace(m) != "" {
			return strings.TrimSpace(m)
		}
	}
	return DefaultModel
}

// LLMModel returns the model an evaluator would call, and whether it calls
// one at all.
func LLMModel(ev *strata.Evaluator) (string, bool) {
	if ev.Type != strata.TypeModelLabeler && ev.Type != strata.TypeModelScorer {
		return "", false
	}
	p := parseParams(ev.Params)
	if prompt, _ := p["prompt"].(string); strings.TrimSpace(prompt) == "" {
		return "", false
	}
	return Model(p), true
}

func parseParams(raw json.RawMessage) map[string]any {
	var p map[string]any
	if json.Unmarshal(raw, &p) != nil || p == nil {
		return map[string]any{}
	}
	return p
}

func number(p map[string]any, key string) (float64, bool) {
	f, ok := p[key].(float64)
	return f, ok && !math.IsNaN(f)
}

// result encodes a result object.
func result(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return errorResult(err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// errorResult is the result of an evaluation that failed.
func errorResult(message string) json.RawMessage {
	return result(struct {
		Error string `json:"error"`
	}{message})
}

var (
	errNoOutput    = "Item has no output"
	errNoReference = "Item has no ground truth, and params.reference is not set"
)

// placeholders are what fillPrompt replaces, each with the value it takes
// from an item ("" for null). No placeholder can overlap another, so each is
// counted and replaced on its own.
var placeholders = []struct {
	name  string
	value func(Item) string
}{
	{"{{input}}", func(it Item) string { return it.Input }},
	{"{{ground_truth}}", func(it Item) string { return text(it.GroundTruth) }},
	{"{{output}}", func(it Item) string { return text(it.Output) }},
}

// filledSize is the length of fillPrompt(template, it), computed without
// building it: a template that repeats a placeholder many times over a large
// item would otherwise cost its whole size before it could be refused.
func filledSize(template string, it Item) int {
	size := len(template)
	for _, p := range placeholders {
		size += strings.Count(template, p.name) * (len(p.value(it)) - len(p.name))
	}
	return size
}

// fillPrompt replaces {{input}}, {{ground_truth}} and {{output}} with the
// item's values ("" for null).
func fillPrompt(template string, it Item) string {
	args := make([]string, 0, 2*len(placeholders))
	for _, p := range placeholders {
		args = append(args, p.name, p.value(it))
	}
	return strings.NewReplacer(args...).Replace(template)
}

// instructions tell the judge the form of its answer, when the evaluator's
// params say it: the labels to choose from, the range of the score.
func instructions(typ string, p map[string]any) string {
	switch typ {
	case strata.TypeModelLabeler:
		if labels := labelsOf(p); len(labels) > 0 {
			return "Answer with exactly one of these labels, and nothing else: " + strings.Join(labels, ", ") + "."
		}
	case strata.TypeModelScorer:
		lo, okLo := number(p, "minScore")
		hi, okHi := number(p, "maxScore")
		if okLo && okHi {
			return fmt.Sprintf("Answer with a single number from %s to %s, and nothing else.", formatNumber(lo), formatNumber(hi))
		}
	}
	return ""
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// llmScorer asks a model: the filled prompt as the user message, as Lunary
// does. Results are {model, output, reasoning}, and for a model-scorer also
// the first number of the answer as score, and pass when the slot's config
// has a threshold.
type llmScorer struct {
	llm          *Client
	typ          string
	model        string
	prompt       string
	instructions string
	effort       string
	config       *strata.EvaluatorConfig
}

var firstNumber = regexp.MustCompile(`-?\d+(?:\.\d+)?`)

func (s *llmScorer) Score(ctx context.Context, it Item) json.RawMessage {
	if size, limit := filledSize(s.prompt, it), s.llm.PromptLimit(); size > limit {
		return errorResult(fmt.Sprintf("The prompt filled with this item would be %d bytes, more than the limit of %d", size, limit))
	}
	prompt := strings.TrimSpace(fillPrompt(s.prompt, it))
	resp, err := s.llm.Respond(ctx, Request{
		Model:           s.model,
		Input:           []map[string]string{{"role": "user", "content": prompt}},
		Instructions:    s.instructions,
		ReasoningEffort: s.effort,
	})
	if err != nil {
		message := err.Error()
		var serr *strata.Error
		if errors.As(err, &serr) {
			message = serr.Message
		}
		return errorResult(message)
	}
	nullable := func(s string) *string {
		if s = strings.TrimSpace(s); s == "" {
			return nil
		}
		return &s
	}
	out, reasoning := nullable(resp.Text), nullable(resp.Reasoning)
	if s.typ != strata.TypeModelScorer {
		return result(struct {
			Model     string  `json:"model"`
			Output    *string `json:"output"`
			Reasoning *string `json:"reasoning"`
		}{s.model, out, reasoning})
	}
	var score *float64
	if out != nil {
		if m := firstNumber.FindString(*out); m != "" {
			if f, err := strconv.ParseFloat(m, 64); err == nil {
				score = &f
			}
		}
	}
	var pass *bool
	if score != nil && s.config != nil && s.config.Type == strata.TypeModelScorer && s.config.Threshold != nil {
		p := *score >= *s.config.Threshold
		pass = &p
	}
	return result(struct {
		Model     string   `json:"model"`
		Output    *string  `json:"output"`
		Reasoning *string  `json:"reasoning"`
		Score     *float64 `json:"score"`
		Pass      *bool    `json:"pass,omitempty"`
	}{s.model, out, reasoning, score, pass})
}

// scorerFunc is a Scorer that needs no context.
type scorerFunc func(it Item) json.RawMessage

func (f scorerFunc) Score(_ context.Context, it Item) json.RawMessage { return f(it) }

func text(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func labelsOf(p map[string]any) []string {
	labels := []string{}
	list, _ := p["labels"].([]any)
	for _, l := range list {
		if s, ok := l.(string); ok && strings.TrimSpace(s) != "" {
			labels = append(labels, strings.TrimSpace(s))
		}
	}
	return labels
}

// labeler is Lunary's model-labeler without a prompt: the labels found in the
// output, case-insensitively.
func labeler(p map[string]any) Scorer {
	labels := labelsOf(p)
	return scorerFunc(func(it Item) json.RawMessage {
		out := strings.ToLower(text(it.Output))
		found := []string{}
		for _, l := range labels {
			if strings.Contains(out, strings.ToLower(l)) {
				found = append(found, l)
			}
		}
		var primary *string
		if len(found) > 0 {
			primary = &found[0]
		}
		return result(struct {
			Labels       []string `json:"labels"`
			Matches      []string `json:"matches"`
			PrimaryLabel *string  `json:"primaryLabel"`
			Passed       bool     `json:"passed"`
		}{labels, found, primary, len(found) > 0})
	})
}

// scorer is Lunary's model-scorer without a prompt: a score that grows with
// the output's length, min + (max-min)*tanh(words/100), passing from the
// midpoint.
func scorer(p map[string]any) Scorer {
	lo, ok := number(p, "minScore")
	if !ok {
		lo = 0
	}
	hi, ok := number(p, "maxScore")
	if !ok {
		hi = 10
	}
	hi = max(hi, lo)
	return scorerFunc(func(it Item) json.RawMessage {
		score := lo + (hi-lo)*math.Tanh(float64(len(tokens(text(it.Output))))/100)
		return result(struct {
			Score    float64 `json:"score"`
			MinScore float64 `json:"minScore"`
			MaxScore float64 `json:"maxScore"`
			Passed   bool    `json:"passed"`
		}{score, lo, hi, score >= lo+(hi-lo)/2})
	})
}

// reference is what an item's output is compared with: params.reference
// when it is not blank, else the item's ground truth.
func reference(p map[string]any, it Item) (string, bool) {
	if r, ok := p["reference"].(string); ok && strings.TrimSpace(r) != "" {
		return r, true
	}
	if it.GroundTruth == nil {
		return "", false
	}
	return *it.GroundTruth, true
}

// threshold is params.threshold clamped to [0, 1], 0.5 when absent.
func threshold(p map[string]any) float64 {
	t, ok := number(p, "threshold")
	if !ok {
		return 0.5
	}
	return min(max(t, 0), 1)
}

// metricScorer computes a similarity metric between the output and the
// reference: {score, passed}, or with detailed (text-similarity)
// {method, score, reference, threshold, passed}.
type metricScorer struct {
	params   map[string]any
	method   string
	detailed bool
}

func (s *metricScorer) Score(_ context.Context, it Item) json.RawMessage {
	if it.Output == nil {
		return errorResult(errNoOutput)
	}
	ref, ok := reference(s.params, it)
	if !ok {
		return errorResult(errNoReference)
	}
	if s.method == "fuzzy" {
		if n, m := utf8.RuneCountInString(ref), utf8.RuneCountInString(*it.Output); n > MaxFuzzyRunes || m > MaxFuzzyRunes {
			return errorResult(fmt.Sprintf("fuzzy compares texts of at most %d characters: the reference has %d, the output %d",
				MaxFuzzyRunes, n, m))
		}
	}
	score := similarity[s.method](ref, *it.Output)
	t := threshold(s.params)
	if s.detailed {
		return result(struct {
			Method    string  `json:"method"`
			Score     float64 `json:"score"`
			Reference string  `json:"reference"`
			Threshold float64 `json:"threshold"`
			Passed    bool    `json:"passed"`
		}{s.method, score, ref, t, score >= t})
	}
	return result(struct {
		Score  float64 `json:"score"`
		Passed bool    `json:"passed"`
	}{score, score >= t})
}

// Comparators of the string evaluator.
var comparators = []string{"equals", "not_equals", "contains", "contains_ignore_case", "regex"}

// stringScorer compares the output with a target: params.target, else
// params.reference, else the ground truth. {"passed": bool}.
type stringScorer struct {
	params     map[string]any
	comparator string
	mu         sync.Mutex
	regexps    map[string]*regexp.Regexp
}

// CheckStringParams refuses the params of a string evaluator that would
// give every item an error: a comparator that is not one of comparators,
// or a regex target fixed by the params (target, else a non-blank
// reference) that does not compile. It names the param at fault.
func CheckStringParams(p map[string]any) (param string, err error) {
	c, given := p["comparator"]
	if !given {
		return "", nil
	}
	if c, _ := c.(string); !slices.Contains(comparators, c) {
		return "comparator", fmt.Errorf("Unknown comparator (%s)", strings.Join(comparators, ", "))
	}
	if c != "regex" {
		return "", nil
	}
	target, param := "", ""
	if t, ok := p["target"].(string); ok {
		target, param = t, "target"
	} else if r, ok := p["reference"].(string); ok && strings.TrimSpace(r) != "" {
		target, param = r, "reference"
	} else {
		return "", nil // each item's ground truth, checked when scored
	}
	if _, err := regexp.Compile(target); err != nil {
		return param, fmt.Errorf("Invalid regular expression: %v", err)
	}
	return "", nil
}

// CheckTextSimilarityParams refuses the params of a text-similarity
// evaluator whose method is given and is not one of the metrics: it would
// score every item with the default instead, saying so only in each result.
// It names the param at fault.
func CheckTextSimilarityParams(p map[string]any) (param string, err error) {
	m, given := p["method"]
	if !given || m == nil || m == "" { // Lunary's default for a falsy method
		return "", nil
	}
	if m, _ := m.(string); similarity[m] == nil {
		return "method", fmt.Errorf("Unknown method (%s)", strings.Join(similarityMethods, ", "))
	}
	return "", nil
}

func newStringScorer(p map[string]any) Scorer {
	c, _ := p["comparator"].(string)
	return &stringScorer{params: p, comparator: c, regexps: map[string]*regexp.Regexp{}}
}

func (s *stringScorer) target(it Item) (string, bool) {
	if t, ok := s.params["target"].(string); ok {
		return t, true
	}
	return reference(s.params, it)
}

func (s *stringScorer) regexp(pattern string) (*regexp.Regexp, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if re := s.regexps[pattern]; re != nil {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	if len(s.regexps) < 1000 {
		s.regexps[pattern] = re
	}
	return re, nil
}

func (s *stringScorer) Score(_ context.Context, it Item) json.RawMessage {
	if !slices.Contains(comparators, s.comparator) {
		return errorResult(fmt.Sprintf("Unknown comparator '%s' (%s)", s.comparator, strings.Join(comparators, ", ")))
	}
	if it.Output == nil {
		return errorResult(errNoOutput)
	}
	target, ok := s.target(it)
	if !ok {
		return errorResult("Item has no ground truth, and neither params.target nor params.reference is set")
	}
	out := *it.Output
	var passed bool
	switch s.comparator {
	case "equals":
		passed = out == target
	case "not_equals":
		passed = out != target
	case "contains":
		passed = strings.Contains(out, target)
	case "contains_ignore_case":
		passed = strings.Contains(strings.ToLower(out), strings.ToLower(target))
	case "regex":
		re, err := s.regexp(target)
		if err != nil {
			return errorResult("Invalid regular expression: " + err.Error())
		}
		passed = re.MatchString(out)
	}
	return result(struct {
		Passed bool `json:"passed"`
	}{passed})
}

// jsonScorer checks that the output is JSON, and that it matches
// params.schema when one is given: {"passed": bool, "reason"?: "..."}.
// The schema's cost is bounded (schema.go).
type jsonScorer struct {
	schema    *schemaPool
	schemaErr error
}

func newJSONScorer(p map[string]any) Scorer {
	s := &jsonScorer{}
	raw, ok := p["schema"]
	if !ok || raw == nil {
		return s
	}
	b, err := json.Marshal(raw)
	if err != nil {
		s.schemaErr = err
		return s
	}
	// A schema saved before the limits existed meets them here.
	if s.schemaErr = CheckSchema(b); s.schemaErr != nil {
		return s
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b)) // numbers as json.Number, as the compiler wants
	if err != nil {
		s.schemaErr = err
		return s
	}
	s.schema, s.schemaErr = newSchemaPool(doc)
	return s
}

func (s *jsonScorer) Score(ctx context.Context, it Item) json.RawMessage {
	if s.schemaErr != nil {
		return errorResult("Invalid JSON Schema in params.schema: " + s.schemaErr.Error())
	}
	if it.Output == nil {
		return errorResult(errNoOutput)
	}
	fail := func(reason string) json.RawMessage {
		return result(struct {
			Passed bool   `json:"passed"`
			Reason string `json:"reason"`
		}{false, reason})
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(*it.Output))
	if err != nil {
		return fail("Output is not valid JSON: " + syntaxMessage(*it.Output, err))
	}
	if s.schema != nil {
		err := s.schema.validate(ctx, v)
		var verr *jsonschema.ValidationError
		switch {
		case err == nil:
		case errors.As(err, &verr):
			return fail("Output does not match the schema: " + strings.Join(strings.Fields(verr.Error()), " "))
		case errors.Is(err, errSchemaSteps), errors.Is(err, errSchemaTimeout):
			return errorResult("Schema validation stopped: " + err.Error())
		case ctx.Err() != nil:
			return errorResult(err.Error())
		default:
			return fail("Output does not match the schema: " + err.Error())
		}
	}
	return result(struct {
		Passed bool `json:"passed"`
	}{true})
}

// syntaxMessage is err's message about text, naming a character outside
// ASCII whole: encoding/json names the first byte of the character where
// the text stops being JSON as if it were a character of its own ("日" read
// as 'æ').
func syntaxMessage(text string, err error) string {
	msg := err.Error()
	var se *json.SyntaxError
	if !errors.As(err, &se) || se.Offset < 1 || se.Offset > int64(len(text)) {
		return msg
	}
	b := text[se.Offset-1]
	if b < utf8.RuneSelf {
		return msg
	}
	r, _ := utf8.DecodeRuneInString(text[se.Offset-1:])
	return strings.Replace(msg, "'"+string(rune(b))+"'", strconv.QuoteRune(r), 1)
}
