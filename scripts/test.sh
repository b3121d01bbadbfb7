#!/usr/bin/env bash
# Runs every check of the library: formatting, vet and the tests under the
# race detector, with PostgreSQL set up first (see scripts/postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/postgres.sh
ensure_postgres

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt: these files need formatting:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
go test -race -count=1 -timeout 20m ./...
(cd integration && go vet ./... && go test -race -count=1 ./...)
# The benchmark module: vetted, and its fast correctness tests run (the
# benchmarks themselves run with bench/run.sh).
(cd bench && go vet ./... && go test -count=1 ./...)
