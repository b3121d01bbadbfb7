#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 (user postgres,
# no password), the way the tests and the quickstart expect. Sourced by
# scripts/test.sh and scripts/quickstart.sh; honours DATABASE_URL (then it
# does nothing).
#
#   1. a server already answers: use it;
#   2. Debian's cluster is installed but stopped: start it;
#   3. nothing is installed and we are root: install Debian's postgresql
#      package, let local connections in without a password, start it.
# Otherwise the emulator falls back to a throwaway cluster of its own when it
# finds the binaries, and the database tests say why they skip.

ensure_postgres() {
	if [ -n "${DATABASE_URL:-}" ]; then
		return 0
	fi
	if pg_answers; then
		return 0
	fi
	if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
			echo "postgres.sh: installing PostgreSQL from Debian's packages" >&2
			export DEBIAN_FRONTEND=noninteractive
			apt-get update -qq >/dev/null
			apt-get install -y -qq postgresql >/dev/null
			trust_local
		else
			echo "postgres.sh: no PostgreSQL on 127.0.0.1:5432 and none installed (run as root to install it)" >&2
			return 0
		fi
	fi
	local v
	v=$(ls /etc/postgresql | sort -V | tail -1)
	echo "postgres.sh: starting the PostgreSQL $v cluster" >&2
	pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
	for _ in $(seq 1 60); do
		if pg_answers; then
			return 0
		fi
		sleep 0.5
	done
	echo "postgres.sh: PostgreSQL did not answer on 127.0.0.1:5432" >&2
	return 1
}

pg_answers() {
	if command -v pg_isready >/dev/null; then
		pg_isready -q -h 127.0.0.1 -p 5432
	else
		(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
	fi
}

# A fresh package install only lets local users in with a password; the
# tests connect as postgres without one, as on this project's machines.
trust_local() {
	local hba
	for hba in /etc/postgresql/*/main/pg_hba.conf; do
		[ -f "$hba" ] || continue
		cp "$hba" "$hba.orig"
		{
			echo "local all all trust"
			echo "host all all 127.0.0.1/32 trust"
			echo "host all all ::1/128 trust"
		} >"$hba"
	done
}
