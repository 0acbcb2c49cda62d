# The one command that runs every test: unit, conformance (SQLite and a
# throwaway PostgreSQL cluster), HTTP and end-to-end.
.PHONY: test fuzz bench build

# The HTTP and end-to-end packages run twice: on SQLite, then on PostgreSQL.
E2E := ./api/... ./cmd/...

test:
	go vet ./...
	go test -count=1 -timeout 20m ./...
	STRATA_TEST_STORE=postgres go test -count=1 -timeout 20m $(E2E)
	$(MAKE) fuzz

# Each fuzz target runs a fixed number of inputs, about ten seconds' worth on
# the CI machine; its seed corpus is committed under testdata/fuzz. A count,
# not a duration: Go 1.26's fuzzer can fail a run bounded by time with
# "context deadline exceeded" as the time runs out (golang/go#75804, fixed
# in Go 1.27), and a count has no deadline to race. FUZZTIME=2m make fuzz
# digs deeper, each target for that long.
FUZZTIME ?=
FUZZ := ./importer:FuzzCSV:100000x ./importer:FuzzJSONL:150000x ./api:FuzzRequestBody:3000x \
	./api:FuzzRawImport:4000x ./api:FuzzCursor:20000x .:FuzzParseRef:200000x ./api:FuzzImportMapping:3000x

fuzz:
	@for t in $(FUZZ); do \
		pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; budget=$${rest#*:}; \
		if [ -n "$(FUZZTIME)" ]; then budget="$(FUZZTIME)"; fi; \
		echo "fuzz $$pkg:$$name for $$budget"; \
		go test -run '^$$' -fuzz "^$$name$$" -fuzztime $$budget -fuzzminimizetime 5s "$$pkg" || exit 1; \
	done

bench:
	go test -run '^$$' -bench . -benchtime 20x ./...

# One static binary: SQLite is modernc.org/sqlite (Go), so nothing needs cgo,
# and without CGO_ENABLED=0 the binary links the build machine's libc.
build:
	CGO_ENABLED=0 go build -o strata ./cmd/strata
