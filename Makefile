# The one command that runs every test: unit, conformance (SQLite and a
# throwaway PostgreSQL cluster), HTTP and end-to-end.
.PHONY: test bench build

# The HTTP and end-to-end packages run twice: on SQLite, then on PostgreSQL.
E2E := ./api/... ./cmd/...

test:
	go vet ./...
	go test -count=1 -timeout 20m ./...
	STRATA_TEST_STORE=postgres go test -count=1 -timeout 20m $(E2E)

bench:
	go test -run '^$$' -bench . -benchtime 20x ./...

build:
	go build -o strata ./cmd/strata
