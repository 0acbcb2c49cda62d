# The one command that runs every test: unit, conformance (SQLite and a
# throwaway PostgreSQL cluster), HTTP and end-to-end.
.PHONY: test bench build

test:
	go vet ./...
	go test -count=1 -timeout 20m ./...

bench:
	go test -run '^$$' -bench . -benchtime 20x ./...

build:
	go build -o strata ./cmd/strata
