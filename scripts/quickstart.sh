#!/usr/bin/env bash
# Runs the quickstart: against SUPABASE_URL/SUPABASE_KEY when set, else
# against the embedded emulator on the local PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/postgres.sh
if [ -z "${SUPABASE_URL:-}" ]; then
	ensure_postgres
fi
exec go run ./examples/quickstart "$@"
