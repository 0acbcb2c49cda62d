package importer_test

import "bytes"
import "encoding/json"
import "fmt"
import "math/rand/v2"
import "strings"
import "testing"
import "testing/iotest"

import "github.com/strata-eval/strata"
import "github.com/strata-eval/strata/importer"

func sp(s string) *string { return &s }

// roundTripItems are the awkward cases: quotes, commas, newlines (LF, CRLF
// and lone CR), spaces that Lunary's rules would trim, unicode, BOM-like
// characters, and null against empty.
var roundTripItems = []strata.ItemInput{
	{Input: "plain", GroundTruth: sp("yes"), Output: sp("no")},
	{Input: "", GroundTruth: nil, Output: nil},
	{Input: "", GroundTruth: sp(""), Output: sp("")},
	{Input: "null vs empty", GroundTruth: sp(""), Output: nil},
	{Input: `she said "hi", then left`, GroundTruth: sp(`""`), Output: sp(`"`)},
	{Input: "a,b,,c", GroundTruth: sp(","), Output: sp(",,")},
	{Input: "line one\nline two\r\nline three\rend", GroundTruth: sp("\n"), Output: sp("\r\n")},
	{Input: "  padded  ", GroundTruth: sp(" "), Output: sp("\t")},
	{Input: "日本語 🚀 café", GroundTruth: sp("\uFEFFbom"), Output: sp("\u2028\u2029")},
	{Input: "<b>&amp;</b>", GroundTruth: sp(`{"json": [1, "two"]}`), Output: sp("null")},
	{Input: "input,groundTruth,output"},
	{Input: "\\", GroundTruth: sp("\\n"), Output: sp("=1+1")},
	{ID: "0190d7a1-0000-7000-8000-000000000001", Input: "fields", ExternalID: sp("case, \"1\""),
		Metadata: []byte(`{"lang":"en","nested":{"a":[1,"x,y"]},"turns":3}`), Splits: []string{"test", "train"}},
	{Input: "one split", Splits: []string{"dev"}, ExternalID: sp(" spaced ")},
}

// export writes items in format.
func export(t *testing.T, format string, items []strata.ItemInput) []byte {
	t.Helper()
	var buf bytes.Buffer
	ex, err := importer.NewExporter(format, &buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range items {
		if err := ex.Write(&strata.Item{ID: in.ID, Input: in.Input, GroundTruth: in.GroundTruth, Output: in.Output,
			ExternalID: in.ExternalID, Metadata: in.Metadata, Splits: in.Splits}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ex.End(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func exportAndImport(t *testing.T, format string, items []strata.ItemInput) []strata.ItemInput {
	t.Helper()
	file := export(t, format, items)
	// One byte at a time: the parser must not depend on how the body arrives.
	src, err := importer.New(format, iotest.OneByteReader(bytes.NewReader(file)))
	if err != nil {
		t.Fatalf("%s: %v\n%s", format, err, file)
	}
	got := []strata.ItemInput{}
	for {
		in, err := src.Next()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("%s: %v\n%q", format, err, file)
			}
			return got
		}
		got = append(got, in)
	}
}

func showItems(items []strata.ItemInput) string {
	var b strings.Builder
	show := func(p *string) string {
		if p == nil {
			return "null"
		}
		return fmt.Sprintf("%q", *p)
	}
	for _, in := range items {
		metadata := string(in.Metadata)
		if metadata == "" {
			metadata = "{}"
		}
		fmt.Fprintf(&b, "%q %q %s %s %s %s %q\n", in.ID, in.Input, show(in.GroundTruth), show(in.Output), show(in.ExternalID),
			metadata, strings.Join(in.Splits, ","))
	}
	return b.String()
}

func TestExportRoundTrip(t *testing.T) {
	for _, format := range importer.ExportFormats {
		t.Run(format, func(t *testing.T) {
			if got, want := showItems(exportAndImport(t, format, roundTripItems)), showItems(roundTripItems); got != want {
				t.Errorf("round trip:\n got %s\nwant %s", got, want)
			}
			if got := exportAndImport(t, format, nil); len(got) != 0 {
				t.Errorf("empty export imported %d items", len(got))
			}
		})
	}
}

// A JSON export is one array, an element a line, valid JSON whatever the
// items hold; and its objects are the JSONL export's lines.
func TestExportJSONArray(t *testing.T) {
	write := func(format string, items []strata.ItemInput) string { return string(export(t, format, items)) }
	if got := write("json", nil); got != "[]\n" {
		t.Errorf("empty JSON export = %q, want %q", got, "[]\n")
	}
	lines := strings.TrimSuffix(write("jsonl", roundTripItems), "\n")
	want := "[\n" + strings.ReplaceAll(lines, "\n", ",\n") + "\n]\n"
	if got := write("json", roundTripItems); got != want {
		t.Errorf("JSON export:\n got %s\nwant %s", got, want)
	} else if !json.Valid([]byte(got)) {
		t.Errorf("JSON export is not valid JSON: %s", got)
	}
}

func TestExportRoundTripRandom(t *testing.T) {
	alphabet := []string{"a", " ", ",", `"`, "\n", "\r", "\r\n", "é", "🚀", "\t", "\\", "{", "}", "\u2028", "\uFEFF"}
	rng := rand.New(rand.NewPCG(5, 5))
	text := func() *string {
		if rng.IntN(5) == 0 {
			return nil
		}
		var b strings.Builder
		for n := rng.IntN(6); n > 0; n-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		return &s
	}
	items := make([]strata.ItemInput, 500)
	for i := range items {
		items[i] = strata.ItemInput{GroundTruth: text(), Output: text()}
		if p := text(); p != nil {
			items[i].Input = *p
		}
	}
	for _, format := range importer.ExportFormats {
		if got, want := showItems(exportAndImport(t, format, items)), showItems(items); got != want {
			t.Errorf("%s: random round trip differs", format)
		}
	}
}

func TestExactDialect(t *testing.T) {
	// Lunary's rules still apply to any other file.
	for _, c := range []struct{ format, content, want string }{
		{"csv", "input,ground_truth,output\n\" a \",\"\",\n", `[["a",null,null]]`},
		{"csv", "input,groundTruth,output\n\" a \",\"\",\n", `[[" a ","",null]]`},
		{"csv", "Input,GroundTruth,Output\n\" a \",\"\",\n", `[["a",null,null]]`},
		{"jsonl", `{"input":"a","ground_truth":"","output":""}`, `[["a",null,null]]`},
		{"jsonl", `{"input":"a","groundTruth":"","output":""}`, `[["a","",""]]`},
		{"jsonl", `{"input":"a","groundTruth":null,"output":""}`, `[["a",null,""]]`},
	} {
		got, err := collect(t, source(t, c.format, strings.NewReader(c.content)))
		if err != nil || got != c.want {
			t.Errorf("%s %q = %s, %v; want %s", c.format, c.content, got, err, c.want)
		}
	}
	for _, content := range []string{
		"input,groundTruth,output\n\"unterminated\n",
		"input,groundTruth,output\n\"a\"b,,\n",
	} {
		if _, err := collect(t, source(t, "csv", strings.NewReader(content))); strata.ErrorCode(err) != strata.EINVALID {
			t.Errorf("%q: error %v, want EINVALID", content, err)
		}
	}
	src, err := importer.Config{MaxRecordBytes: 64}.New("csv", strings.NewReader("input,groundTruth,output\n\""+strings.Repeat("x", 100)+"\",,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := collect(t, src); strata.ErrorCode(err) != strata.ETOOLARGE {
		t.Errorf("long record: error %v, want ETOOLARGE", err)
	}
}

// TestRecordLimitFitsTheLongestExport: the longest record Strata can export
// of an item within a field limit (fields of characters JSON escapes in six
// bytes, metadata at its limit of the characters CSV doubles, the longest
// external id and every split) imports again under MaxRecordBytesFor that
// limit; the default limit is that of the server's default field limit.
func TestRecordLimitFitsTheLongestExport(t *testing.T) {
	if got, want := importer.MaxRecordBytesFor(1<<20), importer.DefaultMaxRecordBytes; got != want {
		t.Errorf("MaxRecordBytesFor(1 MiB) = %d, DefaultMaxRecordBytes = %d", got, want)
	}
	const maxField = 1000
	field := strings.Repeat("\x01", maxField)
	// {"k":"\"\"..."}: canonical, each quote escaped in 2 bytes, doubled
	// again in a CSV cell.
	quotes := (strata.MaxMetadataBytes - len(`{"k":""}`)) / 2
	metadata := `{"k":"` + strings.Repeat(`\"`, quotes) + `"}`
	var splits []string
	for i := range strata.MaxSplits {
		splits = append(splits, fmt.Sprintf("%02d", i)+strings.Repeat("s", 62))
	}
	item := strata.Item{ID: "0190d7a1-0000-7000-8000-000000000001", Input: field, GroundTruth: sp(field), Output: sp(field),
		ExternalID: sp(strings.Repeat(`"`, strata.MaxExternalIDLength)), Metadata: []byte(metadata), Splits: splits}
	if _, err := strata.NormalizeMetadata(item.Metadata); err != nil {
		t.Fatalf("the metadata is not within its limit: %v", err)
	}
	for _, format := range importer.ExportFormats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			ex, err := importer.NewExporter(format, &buf)
			if err != nil {
				t.Fatal(err)
			}
			if err := ex.Write(&item); err != nil {
				t.Fatal(err)
			}
			if err := ex.End(); err != nil {
				t.Fatal(err)
			}
			src, err := importer.Config{MaxRecordBytes: importer.MaxRecordBytesFor(maxField)}.New(format, &buf)
			if err != nil {
				t.Fatal(err)
			}
			in, err := src.Next()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := in.Input+*in.GroundTruth+*in.Output, field+field+field; got != want {
				t.Errorf("fields differ after the round trip")
			}
		})
	}
}
