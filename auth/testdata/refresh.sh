#!/bin/sh
# Refreshes auth's copies of the shared wire oracle and GoTrue fixtures.
#   SHARED=/path/to/shared ./refresh.sh   (default: ../../../shared from this folder)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=${SHARED:-$here/../../../shared}
jq '{meta: input, vectors: [.[] | select(.area == "auth" or .area == "mfa" or .area == "admin")]}' \
	"$shared/oracle/vectors.json" "$shared/oracle/vectors-meta.json" > "$here/oracle-auth.json"
rm -rf "$here/gotrue"
mkdir -p "$here/gotrue"
cp "$shared"/fixtures/gotrue/*.json "$here/gotrue/"
chmod 0644 "$here"/gotrue/*.json "$here/oracle-auth.json"
echo "oracle: $(jq '.vectors | length' "$here/oracle-auth.json") vectors; gotrue: $(ls "$here/gotrue" | wc -l) fixtures"
