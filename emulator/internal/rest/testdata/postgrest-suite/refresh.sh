#!/bin/sh
# Refresh this copy of the postgrest-js suite cases from the shared data set.
#   testdata/postgrest-suite/refresh.sh [/path/to/postgrest-suite]
set -eu
src="${1:-/work/shared/postgrest-suite}"
dst="$(dirname "$0")"
cp "$src/cases.json" "$src/README.md" "$src/SKIPPED.md" "$dst/"
cp "$src"/db/*.sql "$src/db/load.sh" "$dst/db/"
echo "copied from $src"
