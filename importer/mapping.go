package importer

import "bytes"
import "encoding/json"
import "fmt"
import "maps"
import "net/url"
import "slices"
import "sort"
import "strings"

import "github.com/strata-eval/strata"

// Mapping: how the columns of a file become item fields.
//
// A file's columns are its CSV header names, or the keys of one JSON line.
// Reading a record is two steps. First the columns are resolved, once per
// header (once per distinct key set in JSON Lines), into a plan: for each
// field, the columns it is read from, best first, and the columns that map to
// no field. Then each record is decoded by the plan. Keeping the steps apart
// means a new field (metadata, splits) is one more entry in the resolution,
// and the decoders never look at names.
//
// Resolution:
//   - A field mapped explicitly (Mapping) is read from that column only, and
//     the column must exist; mapped to "" it is not read at all.
//   - Any other field is detected: the first column, in priority order, whose
//     name is one of the field's names. Lunary's own names come first, in
//     Lunary's order, so a file Lunary reads imports as it did; then their
//     snake_case/camelCase forms; then common aliases of other tools.
//     CSV headers match case-insensitively; JSON keys exactly (or in their
//     snake_case/camelCase form).
//   - Several matching columns make the file ambiguous: the first by priority
//     is used (JSON Lines, as Lunary's `a ?? b`, fall through to the next on
//     null) and the Report says which were passed over.
//   - Every other column is unmapped: the Report names it, and
//     Source.Unmapped gives its values record by record, which the item
//     keeps in its metadata. So no value of a file vanishes: columns passed
//     over, CSV columns whose header is empty or an earlier column's (named
//     as pandas names them, columnKeys), and a column matching no field are
//     all unmapped. Only the item fields' own columns (itemfields.go) are
//     not, and only the first of each name, which is read.

// Item fields a column can map to.
const (
	FieldInput       = "input"
	FieldGroundTruth = "groundTruth"
	FieldOutput      = "output"
)

// InputFromLastUserMessage, as Mapping.InputFrom, reads the input from the
// content of the last user message of an OpenAI-style chat array.
const InputFromLastUserMessage = "lastUserMessage"

// Mapping chooses columns for fields, overriding detection. The zero Mapping
// detects every field.
type Mapping struct {
	// The column each field is read from; nil detects it, "" reads nothing
	// (not allowed for Input, which every item has).
	Input, GroundTruth, Output *string
	// InputFrom is "" (the value as it is) or InputFromLastUserMessage.
	InputFrom string
	// Metadata reads metadata keys from columns (map.metadata.KEY=COL), and
	// Splits an item's splits from a column (map.splits=COL): a JSON array
	// of names, or names separated by commas.
	Metadata map[string]string
	Splits   *string
	// Ignore names columns not to read at all (map.ignore=COL,COL, or a
	// JSON array of names): not for a field, not into metadata. A file
	// need not have them.
	Ignore []string
}

// IsZero reports whether m changes nothing: detection only, values as they
// are.
func (m Mapping) IsZero() bool {
	return m.Input == nil && m.GroundTruth == nil && m.Output == nil && m.InputFrom == "" &&
		len(m.Metadata) == 0 && m.Splits == nil && len(m.Ignore) == 0
}

func (m Mapping) column(f int) *string {
	return [...]*string{m.Input, m.GroundTruth, m.Output}[f]
}

// MappingParams are the query parameters of a mapping, as ParseMapping reads
// them.
var MappingParams = []string{"map." + FieldInput, "map." + FieldGroundTruth, "map." + FieldOutput, "inputFrom"}

// maxColumnName bounds a column name given in a mapping, and
// MaxIgnoreBytes the list of map.ignore, whose every name is so bounded
// too: enough for a few thousand columns of a wide file.
const (
	maxColumnName  = 1000
	MaxIgnoreBytes = 64 << 10
)

// ParseMapping reads a mapping from query parameters: map.input=COL,
// map.groundTruth=COL, map.output=COL, map.metadata.KEY=COL, map.splits=COL
// and inputFrom=lastUserMessage. Other
// parameters are left alone, except unknown ones starting with "map.".
func ParseMapping(q url.Values) (Mapping, error) {
	var m Mapping
	// In key order, so that of several mistakes the same one is reported.
	for _, key := range slices.Sorted(maps.Keys(q)) {
		vs := q[key]
		field, ok := strings.CutPrefix(key, "map.")
		if !ok && key != "inputFrom" {
			continue
		}
		if len(vs) > 1 {
			return Mapping{}, strata.Errorf(strata.EINVALID, "%s must be given at most once", key)
		}
		v := vs[0]
		if key == "inputFrom" {
			if v != InputFromLastUserMessage && v != "" {
				return Mapping{}, strata.Errorf(strata.EINVALID, "inputFrom must be %q", InputFromLastUserMessage)
			}
			m.InputFrom = v
			continue
		}
		max := maxColumnName
		if field == "ignore" {
			max = MaxIgnoreBytes // a list; each name within maxColumnName (columnList)
		}
		if len(v) > max {
			return Mapping{}, strata.Errorf(strata.EINVALID, "%s is longer than %d bytes", key, max)
		}
		if err := strata.CheckText(key, v); err != nil {
			return Mapping{}, err
		}
		switch field {
		case FieldInput:
			if v == "" {
				return Mapping{}, strata.Errorf(strata.EINVALID, "map.input must name a column: every item has an input")
			}
			m.Input = &v
		case FieldGroundTruth:
			m.GroundTruth = &v
		case FieldOutput:
			m.Output = &v
		case "splits":
			if v == "" {
				return Mapping{}, strata.Errorf(strata.EINVALID, "map.splits must name a column")
			}
			m.Splits = &v
		case "ignore":
			names, err := columnList(v)
			if err != nil {
				return Mapping{}, err
			}
			m.Ignore = names
		default:
			metaKey, ok := strings.CutPrefix(field, "metadata.")
			if !ok || metaKey == "" {
				return Mapping{}, strata.Errorf(strata.EINVALID,
					"Unknown mapping parameter %q: expected map.input, map.groundTruth, map.output, map.metadata.KEY, map.splits or map.ignore", key)
			}
			if v == "" {
				return Mapping{}, strata.Errorf(strata.EINVALID, "%s must name a column", key)
			}
			if m.Metadata == nil {
				m.Metadata = map[string]string{}
			}
			m.Metadata[metaKey] = v
		}
	}
	return m, nil
}

// Query returns m as query parameters, the inverse of ParseMapping.
func (m Mapping) Query() url.Values {
	q := url.Values{}
	for f, name := range fieldNames {
		if c := m.column(f); c != nil {
			q.Set("map."+name, *c)
		}
	}
	if m.InputFrom != "" {
		q.Set("inputFrom", m.InputFrom)
	}
	for key, col := range m.Metadata {
		q.Set("map.metadata."+key, col)
	}
	if m.Splits != nil {
		q.Set("map.splits", *m.Splits)
	}
	if len(m.Ignore) > 0 {
		b, _ := json.Marshal(m.Ignore)
		q.Set("map.ignore", string(b))
	}
	return q
}

// columnList reads the value of map.ignore: a JSON array of column names, or
// names separated by commas (spaces around them trimmed).
func columnList(v string) ([]string, error) {
	var names []string
	if strings.HasPrefix(strings.TrimSpace(v), "[") {
		if err := json.Unmarshal([]byte(v), &names); err != nil {
			return nil, strata.Errorf(strata.EINVALID, "map.ignore must be a JSON array of column names, or names separated by commas")
		}
	} else {
		for n := range strings.SplitSeq(v, ",") {
			names = append(names, strings.TrimSpace(n))
		}
	}
	for _, n := range names {
		switch {
		case n == "":
			return nil, strata.Errorf(strata.EINVALID, "map.ignore must name columns: an empty name")
		case len(n) > maxColumnName:
			return nil, strata.Errorf(strata.EINVALID, "map.ignore names a column longer than %d bytes", maxColumnName)
		}
	}
	return names, nil
}

// Field indexes, in the order of fieldNames.
const (
	fInput = iota
	fGroundTruth
	fOutput
	numFields
)

var fieldNames = [numFields]string{FieldInput, FieldGroundTruth, FieldOutput}

// Aliases of each field beyond Lunary's names, in priority order.
var (
	inputAliases       = []string{"question", "query", "prompt", "inputs"}
	groundTruthAliases = []string{"answer", "expected_answer", "expectedOutput", "expected", "ideal", "reference", "target", "label"}
	outputAliases      = []string{"completion", "response", "actual_output", "prediction", "outputs"}
)

// fieldKeys and fieldHeaders are the names each field is detected by, best
// first, for JSON keys and (lower-cased) CSV headers.
var fieldKeys, fieldHeaders = func() (keys, headers [numFields][]string) {
	lunary := [numFields][]string{{"input"}, groundTruthKeys, outputKeys}
	aliases := [numFields][]string{inputAliases, groundTruthAliases, outputAliases}
	for f := range numFields {
		keys[f] = priority(lunary[f], aliases[f])
		seen := map[string]bool{}
		for _, k := range keys[f] {
			if h := strings.ToLower(k); !seen[h] {
				seen[h] = true
				headers[f] = append(headers[f], h)
			}
		}
	}
	return keys, headers
}()

// priority lists Lunary's names as they are, then their other case forms,
// then each alias with its forms: no alias ever outranks a name of Lunary's.
func priority(lunary, aliases []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(names ...string) {
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	add(lunary...)
	for _, n := range lunary {
		add(snakeCase(n), camelCase(n))
	}
	for _, n := range aliases {
		add(n, snakeCase(n), camelCase(n))
	}
	return out
}

// snakeCase turns expectedOutput into expected_output.
func snakeCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// camelCase turns expected_output into expectedOutput.
func camelCase(s string) string {
	var b strings.Builder
	up := false
	for _, r := range s {
		switch {
		case r == '_':
			up = true
			continue
		case up && r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return b.String()
}

// columns are the names of a header as written, and how to look one up.
type columns struct {
	names []string
	keys  []string       // the name of each column in metadata, unique (columnKeys)
	index map[string]int // lookup form -> first column of that form
	fold  bool           // CSV: names compare case-insensitively
}

func newColumns(names []string, fold bool) columns {
	c := columns{names: names, keys: names, index: make(map[string]int, len(names)), fold: fold}
	if fold {
		c.keys = columnKeys(names)
	}
	for i, n := range names {
		if _, dup := c.index[c.key(n)]; !dup { // Lunary's indexOf: the first column of a name wins
			c.index[c.key(n)] = i
		}
	}
	// A column named as pandas names it ("Unnamed: 1", "note.1") is found
	// by that name too, unless the header has a column of that name.
	for i, k := range c.keys {
		if _, taken := c.index[c.key(k)]; !taken {
			c.index[c.key(k)] = i
		}
	}
	return c
}

// columnKeys names the columns of a CSV header in metadata: by their
// header names, but for a name that is empty or an earlier column's, which
// gets one of its own as pandas gives it: "Unnamed: 0" (the column's index
// from 0; the column a pandas index is written in), "note.1", "note.2". A
// name given never takes one the header has. JSON keys need none: an
// object's keys are its own.
func columnKeys(names []string) []string {
	used := make(map[string]bool, len(names))
	for _, n := range names {
		used[n] = true
	}
	keys := make([]string, len(names))
	first := make(map[string]bool, len(names))
	for i, n := range names {
		if n != "" && !first[n] {
			first[n], keys[i] = true, n
			continue
		}
		k := n
		if n == "" {
			k = fmt.Sprintf("Unnamed: %d", i)
		}
		if n != "" || used[k] {
			base := k
			for j := 1; used[k]; j++ {
				k = fmt.Sprintf("%s.%d", base, j)
			}
		}
		used[k], keys[i] = true, k
	}
	return keys
}

func (c columns) key(name string) string {
	if c.fold {
		return strings.ToLower(trim(name))
	}
	return name
}

func (c columns) lookup(name string) (int, bool) {
	i, ok := c.index[c.key(name)]
	return i, ok
}

// plan is the resolution of one header.
type plan struct {
	cols     columns
	fields   [numFields][]int    // columns each field is read from, best first
	keys     [numFields][]string // their names
	explicit [numFields]bool
	unmapped []int // columns no field reads, passed-over ones included

	meta      []mappedMeta // map.metadata.KEY columns, by key
	splitsCol int          // the map.splits column, -1 for none
	// mappedFields are the item fields (itemFieldKeys) whose column a
	// mapping takes: a column named metadata that map.metadata.note reads
	// is not the item's metadata.
	mappedFields map[string]bool
}

// mappedMeta is a metadata key read from a column.
type mappedMeta struct {
	key string
	col int
}

// missingColumnError is a mapped column the file does not have.
func missingColumnError(field, column string) error {
	return strata.Errorf(strata.EINVALID, "column %q (map.%s) is missing", column, field)
}

// resolve makes the plan of a header.
func (m Mapping) resolve(cols columns) (*plan, error) {
	p := &plan{cols: cols, splitsCol: -1}
	taken := make([]bool, len(cols.names))
	ignored := make([]bool, len(cols.names))
	for _, name := range m.Ignore {
		if i, ok := cols.lookup(name); ok {
			taken[i], ignored[i] = true, true
		}
	}
	// take claims the column of a mapping parameter.
	take := func(param, column string) (int, error) {
		i, ok := cols.lookup(column)
		switch {
		case !ok:
			return 0, missingColumnError(param, column)
		case ignored[i]:
			return 0, strata.Errorf(strata.EINVALID, "column %q is both read (map.%s) and ignored (map.ignore)", column, param)
		}
		taken[i] = true
		return i, nil
	}
	for _, key := range slices.Sorted(maps.Keys(m.Metadata)) {
		i, err := take("metadata."+key, m.Metadata[key])
		if err != nil {
			return nil, err
		}
		p.meta = append(p.meta, mappedMeta{key, i})
	}
	if m.Splits != nil {
		i, err := take("splits", *m.Splits)
		if err != nil {
			return nil, err
		}
		p.splitsCol = i
	}
	off := [numFields]bool{}
	for f := range numFields {
		c := m.column(f)
		if c == nil {
			continue
		}
		if *c == "" {
			off[f] = true
			continue
		}
		i, err := take(fieldNames[f], *c)
		if err != nil {
			return nil, err
		}
		p.fields[f], p.explicit[f] = []int{i}, true
	}
	// An item field's column that the mapping takes is read as the
	// mapping says, not as the field; and the file's own splits column,
	// when map.splits reads the splits from another, is one more column
	// that maps to no field (its values kept in metadata, not overwritten).
	var superseded int = -1
	for _, k := range itemFieldKeys {
		i, ok := cols.lookup(k)
		if !ok {
			continue
		}
		if k == "splits" && m.Splits != nil && !taken[i] {
			superseded = i
		} else if !taken[i] {
			continue
		}
		if p.mappedFields == nil {
			p.mappedFields = map[string]bool{}
		}
		p.mappedFields[k] = true
	}
	names := fieldKeys
	if cols.fold {
		names = fieldHeaders
	}
	for f := range numFields {
		if off[f] || p.explicit[f] {
			continue
		}
		for _, name := range names[f] {
			if i, ok := cols.lookup(name); ok && !taken[i] {
				p.fields[f] = append(p.fields[f], i)
				taken[i] = true
			}
		}
	}
	for f, cs := range p.fields {
		for _, i := range cs {
			p.keys[f] = append(p.keys[f], cols.names[i])
		}
	}
	for f := range numFields {
		if len(p.fields[f]) > 1 {
			for _, i := range p.fields[f][1:] {
				taken[i] = false // passed over: unmapped too
			}
		}
	}
	for i, name := range cols.names {
		// An item field's column is read, but only the first of a name.
		itemField := isItemField(name, cols.fold) && cols.index[cols.key(name)] == i && i != superseded
		if !taken[i] && !itemField {
			p.unmapped = append(p.unmapped, i)
		}
	}
	return p, nil
}

// fellThrough reports whether column i, passed over for a field, is the one
// a JSON line's field was read from: the columns before it are absent or
// null on the line, and it is not (Lunary's `a ?? b`).
func (p *plan) fellThrough(i int, obj map[string]json.RawMessage) bool {
	for f := range numFields {
		for j, c := range p.fields[f] {
			if c != i || j == 0 {
				continue
			}
			if raw, ok := obj[p.cols.names[i]]; !ok || string(raw) == "null" {
				return false
			}
			return firstRaw(obj, p.keys[f][:j]) == nil
		}
	}
	return false
}

// isItemField reports whether a column is one of Strata's item fields beyond
// Lunary's (itemfields.go), which are read by their own names and so are
// not unmapped: CSV headers in any case, JSON keys exactly.
func isItemField(name string, fold bool) bool {
	for _, k := range itemFieldKeys {
		if name == k || (fold && strings.EqualFold(name, k)) {
			return true
		}
	}
	return false
}

// Report says how a file's columns were mapped. For JSON Lines, whose lines
// may differ, the fields name the columns of the first line that had one,
// and Ambiguous and Unmapped gather every line's.
type Report struct {
	// The column each field was read from (named as in Columns); "" when
	// none.
	Input, GroundTruth, Output string
	InputFrom                  string
	// Ambiguous lists the fields several columns matched.
	Ambiguous []Ambiguity
	// Unmapped names the columns no field reads, passed-over ones included,
	// in the order first seen (a JSON line's keys in alphabetical order), as
	// they are named in metadata (columnKeys).
	Unmapped []string
	// Columns names every column, in the same order, as Unmapped does: a
	// CSV column with an empty or repeated header by its pandas name, by
	// which a Mapping finds it too.
	Columns []string
}

// Ambiguity is a field several columns matched: Used was read, Ignored not
// (unless, in JSON Lines, Used was null on a line).
type Ambiguity struct {
	Field   string
	Used    string
	Ignored []string
}

// maxReportNames bounds each list of a Report, so a file with a new key on
// every line cannot grow it without end.
const maxReportNames = 100

// reporter gathers a Report from the plans of a file.
type reporter struct {
	r         Report
	seen      map[string]bool // "u:" unmapped, "c:" column, "a:" ambiguity
	lastPlan  *plan
	fieldsSet [numFields]bool
	// byRecord names each field's column from the records (read), not
	// the plans: a JSON line reads a field from the next column of the
	// plan where the first is null.
	byRecord bool
}

// read notes the columns a JSON line's fields were read from, until each
// field has one.
func (rp *reporter) read(p *plan, obj map[string]json.RawMessage) {
	fields := [numFields]*string{&rp.r.Input, &rp.r.GroundTruth, &rp.r.Output}
	for f := range numFields {
		if rp.fieldsSet[f] {
			continue
		}
		if k, raw := firstKey(obj, p.keys[f]); raw != nil {
			rp.fieldsSet[f], *fields[f] = true, k
		}
	}
}

func (rp *reporter) add(p *plan) {
	if rp.lastPlan == p {
		return
	}
	rp.lastPlan = p
	if rp.seen == nil {
		rp.seen = map[string]bool{}
	}
	once := func(kind, name string) bool {
		if rp.seen[kind+name] {
			return false
		}
		rp.seen[kind+name] = true
		return true
	}
	fields := [numFields]*string{&rp.r.Input, &rp.r.GroundTruth, &rp.r.Output}
	for f, cols := range p.fields {
		if len(cols) == 0 {
			continue
		}
		if !rp.fieldsSet[f] && !rp.byRecord {
			rp.fieldsSet[f] = true
			*fields[f] = p.cols.keys[cols[0]]
		}
		if len(cols) > 1 && len(rp.r.Ambiguous) < maxReportNames {
			a := Ambiguity{Field: fieldNames[f], Used: p.cols.keys[cols[0]]}
			for _, i := range cols[1:] {
				a.Ignored = append(a.Ignored, p.cols.keys[i])
			}
			if once("a:", fmt.Sprintf("%q", append([]string{a.Field, a.Used}, a.Ignored...))) {
				rp.r.Ambiguous = append(rp.r.Ambiguous, a)
			}
		}
	}
	for _, i := range p.unmapped {
		if name := p.cols.keys[i]; len(rp.r.Unmapped) < maxReportNames && once("u:", name) {
			rp.r.Unmapped = append(rp.r.Unmapped, name)
		}
	}
	rp.columns(p.cols.keys)
}

// unmapped notes a column whose values went to metadata, found while
// reading the records: an id that names no item (keepForeignID).
func (rp *reporter) unmapped(name string) {
	if rp.seen == nil {
		rp.seen = map[string]bool{}
	}
	if len(rp.r.Unmapped) < maxReportNames && !rp.seen["u:"+name] {
		rp.seen["u:"+name] = true
		rp.r.Unmapped = append(rp.r.Unmapped, name)
	}
}

// keep puts the values of columns that name nothing here (values[i] of
// names[i]) in in's metadata, its own keys kept, and notes the columns as
// unmapped.
func (rp *reporter) keep(in *strata.ItemInput, names []string, values []json.RawMessage) error {
	vals := make(map[string]json.RawMessage, len(names))
	for i, name := range names {
		vals[name] = values[i]
		rp.unmapped(name)
	}
	return addMetadata(in, vals, false)
}

// columns notes the columns of a header, even one that could not be
// resolved, so that a preview can offer them for a mapping.
func (rp *reporter) columns(names []string) {
	if rp.seen == nil {
		rp.seen = map[string]bool{}
	}
	for _, name := range names {
		if len(rp.r.Columns) < maxReportNames && !rp.seen["c:"+name] {
			rp.seen["c:"+name] = true
			rp.r.Columns = append(rp.r.Columns, name)
		}
	}
}

func (rp *reporter) report(inputFrom string) Report {
	r := rp.r
	r.InputFrom = inputFrom
	return r
}

// sortedKeys returns the keys of a JSON object, sorted, in buf.
func sortedKeys(obj map[string]json.RawMessage, buf []string) []string {
	buf = buf[:0]
	for k := range obj {
		buf = append(buf, k)
	}
	sort.Strings(buf)
	return buf
}

// lastUserMessage returns the content of the last message with role "user"
// of a chat: an array of {role, content} objects, or an object holding one
// as "messages". Content given as parts ([{type: "text", text}]) is their
// text, joined by newlines; any other content is its JSON text.
func lastUserMessage(raw []byte) (string, bool) {
	type message struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	var chat []message
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var obj struct {
			Messages []message `json:"messages"`
		}
		if json.Unmarshal(raw, &obj) != nil {
			return "", false
		}
		chat = obj.Messages
	} else if json.Unmarshal(raw, &chat) != nil {
		return "", false
	}
	for i := len(chat) - 1; i >= 0; i-- {
		if chat[i].Role != "user" || len(chat[i].Content) == 0 || string(chat[i].Content) == "null" {
			continue
		}
		content := chat[i].Content
		var parts []struct {
			Text *string `json:"text"`
		}
		if content[0] == '[' && json.Unmarshal(content, &parts) == nil {
			var texts []string
			for _, p := range parts {
				if p.Text != nil {
					texts = append(texts, *p.Text)
				}
			}
			if len(texts) > 0 {
				return strings.Join(texts, "\n"), true
			}
		}
		return stringify(content), true
	}
	return "", false
}

// errNoUserMessage is a chat without a user message under inputFrom.
var errNoUserMessage = strata.Errorf(strata.EINVALID, "inputFrom=%s: the input holds no chat with a user message", InputFromLastUserMessage)

// readMapped reads the metadata keys and splits a mapping names from a
// record; value returns a column's value as JSON, nil when empty or absent.
// A mapped metadata key replaces the key of the record's own metadata.
func (p *plan) readMapped(in *strata.ItemInput, value func(col int) json.RawMessage) error {
	if len(p.meta) > 0 {
		vals := make(map[string]json.RawMessage, len(p.meta))
		for _, m := range p.meta {
			if v := value(m.col); v != nil {
				vals[m.key] = v
			}
		}
		if err := addMetadata(in, vals, true); err != nil {
			return err
		}
	}
	if p.splitsCol < 0 {
		return nil
	}
	raw := value(p.splitsCol)
	if raw == nil {
		return nil
	}
	var list []string
	var text string
	var err error
	switch {
	case json.Unmarshal(raw, &list) == nil:
		list, err = strata.NormalizeSplits(list)
	case json.Unmarshal(raw, &text) == nil:
		list, err = strata.ParseSplitList(text)
	default:
		err = strata.Errorf(strata.EINVALID, "column %q (map.splits) must hold split names: a list, or names separated by commas", p.cols.names[p.splitsCol])
	}
	if err != nil {
		return err
	}
	in.Splits = list
	return nil
}
