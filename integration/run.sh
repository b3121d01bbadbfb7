#!/usr/bin/env bash
# Runs the integration suite (vet, then the tests under the race detector)
# against the stack the environment selects:
#
#   integration/run.sh            auto: SUPABASE_URL (+ keys) if set, else
#                                 Docker if an engine answers, else the
#                                 emulator on PostgreSQL
#   integration/run.sh emulator   the emulator ($DATABASE_URL or 127.0.0.1:5432)
#   integration/run.sh docker     the Docker stack (fails if no engine answers)
#   integration/run.sh hosted     SUPABASE_URL, SUPABASE_ANON_KEY,
#                                 SUPABASE_SERVICE_ROLE_KEY (and SUPABASE_DB_URL
#                                 to apply the migrations)
#
# Further arguments go to `go test` (e.g. -run Storage -v).
set -euo pipefail
cd "$(dirname "$0")"
tier="${1:-auto}"
case "$tier" in
auto | emulator | docker | hosted) [ $# -gt 0 ] && shift ;;
-*) tier=auto ;;
*)
	echo "usage: $0 [auto|emulator|docker|hosted] [go test flags...]" >&2
	exit 2
	;;
esac
export SUPAKIT_STACK="$tier"
if [ "$tier" = emulator ] || { [ "$tier" = auto ] && [ -z "${SUPABASE_URL:-}" ]; }; then
	. ../scripts/postgres.sh
	ensure_postgres
fi
go vet ./...
exec go test -race -count=1 -timeout 30m ./... "$@"
