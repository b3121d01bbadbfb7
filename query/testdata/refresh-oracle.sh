#!/bin/sh
# Refreshes oracle.json, the Database vectors (areas db, filter, mod) of
# the wire oracle reduced to what package query encodes: method, path,
# raw query string, Prefer and Accept of each request.
# Usage: ./refresh-oracle.sh [path/to/vectors.json]
set -eu
src=${1:-../../../shared/oracle/vectors.json}
cd "$(dirname "$0")"
jq '[.[] | select(.area == "db" or .area == "filter" or .area == "mod") |
  {name, js, requests: [.requests[] | {
     method, path, rawQuery,
     prefer: ([.clientHeaders[] | select(.[0] | ascii_downcase == "prefer") | .[1]] | first),
     accept: ([.clientHeaders[] | select(.[0] | ascii_downcase == "accept") | .[1]] | first)
  }]}]' "$src" > oracle.json
echo "oracle.json: $(jq length oracle.json) vectors"
