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

# Each fuzz target runs for a bounded time; its seed corpus is committed
# under testdata/fuzz. FUZZTIME=2m make fuzz digs deeper.
FUZZTIME ?= 10s
FUZZ := ./importer:FuzzCSV ./importer:FuzzJSONL ./api:FuzzRequestBody ./api:FuzzRawImport \
	./api:FuzzCursor .:FuzzParseRef ./api:FuzzImportMapping

fuzz:
	@for t in $(FUZZ); do \
		echo "fuzz $$t for $(FUZZTIME)"; \
		go test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s "$${t%%:*}" || exit 1; \
	done

bench:
	go test -run '^$$' -bench . -benchtime 20x ./...

build:
	go build -o strata ./cmd/strata
