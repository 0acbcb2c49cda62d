package api_test

import "os"
import "os/exec"
import "path/filepath"
import "strings"
import "testing"

// The tools a client of the document would use, pinned by major version and
// installed from the npm registry into the test's own folder.
const (
	redoclyCLI        = "@redocly/cli@2"
	openapiTypescript = "openapi-typescript@7"
	typescript        = "typescript@5"
)

// npmTools installs packages into a temporary folder and returns it. Without
// npm the test is skipped, except in CI, where .ci/run installs it.
func npmTools(t *testing.T, packages ...string) string {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("npm is missing: .ci/run installs Debian's npm package")
		}
		t.Skip("npm not found (apt-get install npm): skipping the OpenAPI tool checks")
	}
	dir := t.TempDir()
	args := append([]string{"install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir}, packages...)
	if out, err := exec.Command("npm", args...).CombinedOutput(); err != nil {
		t.Fatalf("npm install %s: %v\n%s", strings.Join(packages, " "), err, out)
	}
	return dir
}

func runTool(t *testing.T, dir, tool string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(dir, "node_modules", ".bin", tool), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestOpenAPILint checks the document with Redocly's recommended rules: no
// errors (warnings are allowed), and every example valid against its
// schema, which a strict validator reads as OpenAPI 3.0 says (a null where
// nullable sits beside an allOf is invalid there).
func TestOpenAPILint(t *testing.T) {
	dir := npmTools(t, redoclyCLI)
	doc, err := filepath.Abs("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "redocly.yaml")
	if err := os.WriteFile(config, []byte("extends: [recommended]\nrules:\n  no-invalid-schema-examples: error\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runTool(t, dir, "redocly", "lint", "--format=stylish", "--config", config, doc)
}

// TestOpenAPIGeneratedTypes generates TypeScript types from the document, as
// a client would, and compiles code that relies on the fields every response
// has: a field the document leaves optional would not compile under strict.
func TestOpenAPIGeneratedTypes(t *testing.T) {
	compileWithGeneratedTypes(t, `import type { components } from "./schema";
type S = components["schemas"];
declare const dataset: S["DatasetV2Detail"];
declare const created: S["DatasetV2CreateVersionResult"];
declare const item: S["DatasetV2Item"];
declare const versionItem: S["DatasetV2VersionItem"];
declare const list: S["DatasetV2Meta"][];
const id: string = dataset.id;
const name: string = dataset.name;
const count: number = dataset.itemCount;
const head: number = dataset.currentVersionNumber;
const configs: S["EvaluatorConfigs"] = dataset.evaluatorConfigs;
const versionNumber: number = created.version.versionNumber;
const tags: string[] = created.version.tags;
const hash: string = created.version.contentHash;
const createdConfigs: S["EvaluatorConfigs"] = created.dataset.evaluatorConfigs;
const input: string = item.input;
const itemIndex: number = versionItem.itemIndex;
const owner: string | null = list[0].ownerId;
const fields: [S["ItemMetadata"], string[], string | null, S["ItemMetadata"], string[], string | null] =
	[item.metadata, item.splits, item.externalId, versionItem.metadata, versionItem.splits, versionItem.externalId];
declare const history: S["DatasetV2ItemHistory"];
const revisionSplits: string[] = history.revisions[0].splits;
declare const sync: S["DatasetV2SyncResult"];
const synced: string[] | undefined = sync.version?.tags;
const added: string | undefined = sync.changes?.[0].after?.id;
declare const diff: S["DatasetV2Diff"];
const from: number | undefined = diff.from?.versionNumber;
declare const imported: S["DatasetV2ImportResult"];
const unmapped: string[] = imported.unmapped;
export const used = [id, name, count, head, configs, versionNumber, tags, hash, createdConfigs, input, itemIndex, owner,
	fields, revisionSplits, synced, added, from, unmapped];
`)
}

// TestOpenAPIGeneratedRequestTypes compiles, against the generated types,
// the values the README sends and reads: an evaluator's params, a run
// slot's config, a sync's JSON array (with a column that is no field), and
// the boolean query parameters as booleans. A free-form object typed
// {"type":"object"} alone would be Record<string, never>, and none of it
// would compile.
func TestOpenAPIGeneratedRequestTypes(t *testing.T) {
	compileWithGeneratedTypes(t, `import type { components, operations } from "./schema";
type S = components["schemas"];
type Query<O extends keyof operations> = NonNullable<operations[O]["parameters"]["query"]>;
type JSONBody<O extends keyof operations> = NonNullable<operations[O]["requestBody"]>["content"]["application/json"];
const created: S["EvaluatorInput"] = {name: "Relevance", slug: "relevance", type: "model-scorer", mode: "normal",
	params: {threshold: 0.6}, filters: []};
const updated: S["EvaluatorUpdate"] = {name: "Relevance", type: "model-scorer", mode: "normal",
	params: {threshold: 0.7}, filters: []};
const params: S["Evaluator"]["params"] = {comparator: "contains", target: "Paris"};
declare const run: S["EvaluatorRunWithSlots"];
const slotConfig: S["EvaluatorConfig"] | null = run.slots[0].config;
const slotType: "model-labeler" | "model-scorer" | undefined = run.slots[0].config?.type;
const threshold: number | undefined = slotConfig?.type === "model-scorer" ? slotConfig.threshold : undefined;
const sync: JSONBody<"syncItems"> = [{input: "a", metadata: {k: 1}},
	{input: "b", groundTruth: "c", output: null, id: "0190d7a1-5c3e-7b2a-9f1e-2d3c4b5a6978", externalId: "faq-7", splits: ["test"]},
	{question: "Is shipping free?", answer: "Over $50.", source: "faq"},
	{input: [{role: "user", content: "Hi"}]}];
const lunaryImport: JSONBody<"syncItems"> = {format: "jsonl", content: "{\"input\":\"a\"}\n"};
const flags: [Query<"syncItems">, Query<"importItems">, Query<"updateItem">, Query<"runEvaluators">,
	Query<"exportVersion">, Query<"createItem">] =
	[{dryRun: true}, {dryRun: false}, {metadataMerge: true}, {async: true}, {safe: true}, {skipVersion: true}];
export const used = [created, updated, params, slotConfig, slotType, threshold, sync, lunaryImport, flags];
`)
}

// compileWithGeneratedTypes generates TypeScript types from the document
// into schema.d.ts, as a client would, and compiles code beside it with
// tsc --strict.
func compileWithGeneratedTypes(t *testing.T, code string) {
	t.Helper()
	dir := npmTools(t, openapiTypescript, typescript)
	doc, err := filepath.Abs("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	runTool(t, dir, "openapi-typescript", doc, "-o", filepath.Join(dir, "schema.d.ts"))
	if err := os.WriteFile(filepath.Join(dir, "check.ts"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	runTool(t, dir, "tsc", "--noEmit", "--strict", "--skipLibCheck", "--target", "es2020", "--module", "commonjs", "check.ts")
}
