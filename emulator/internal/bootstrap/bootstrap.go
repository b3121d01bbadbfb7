// Package bootstrap prepares a PostgreSQL database the way Supabase's
// Postgres image is prepared, so that schemas, grants and Row Level Security
// policies written for Supabase work unchanged against the emulator.
//
// [Apply] creates (when missing):
//   - the cluster-wide roles anon, authenticated, service_role (BYPASSRLS)
//     and authenticator (LOGIN NOINHERIT, granted the three);
//   - the schemas auth and extensions, with USAGE for the three API roles,
//     and the extensions pgcrypto and uuid-ossp in extensions when the
//     server has them;
//   - the functions auth.uid(), auth.role(), auth.email() and auth.jwt(),
//     defined as Supabase defines them: they read the transaction setting
//     request.jwt.claims, falling back to the legacy request.jwt.claim.*
//     settings;
//   - USAGE on schema public and default privileges so that tables,
//     sequences and functions the connecting role later creates in public
//     are usable by anon, authenticated and service_role, as on Supabase.
//
// Apply is idempotent and safe to run concurrently, on the same database
// (serialised by a transaction-scoped advisory lock) and on different
// databases of one cluster (roles are cluster-wide: concurrent creation is
// tolerated, and transient catalog conflicts are retried).
package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Execer is what Apply needs: *pgx.Conn, *pgxpool.Pool, *pgxpool.Conn and
// pgx.Tx all satisfy it.
type Execer interface {
	Exec(ctx context.Context, sql string, arguments ...any) (pgconn.CommandTag, error)
}

// Roles are the API roles Supabase's gateway maps JWTs to.
var Roles = []string{"anon", "authenticated", "service_role"}

// lockKey is the advisory lock that serialises Apply within a database
// ("supakit bootstrap").
const lockKey = 0x5375_7061_6B69_7401

// script runs as one simple-protocol query: PostgreSQL executes the
// statements in one implicit transaction, so the advisory lock taken first
// is held until the end and released however the script ends.
var script = fmt.Sprintf(`
select pg_advisory_xact_lock(%d);

do $bootstrap$
declare
  r record;
begin
  for r in select * from (values
      ('anon',          'nologin noinherit'),
      ('authenticated', 'nologin noinherit'),
      ('service_role',  'nologin noinherit bypassrls'),
      ('authenticator', 'login noinherit')) as t(name, attrs)
  loop
    if not exists (select 1 from pg_roles where rolname = r.name) then
      begin
        execute format('create role %%I %%s', r.name, r.attrs);
      exception when duplicate_object or unique_violation then
        null; -- created concurrently from another database
      end;
    end if;
  end loop;

  -- authenticator may switch to the three API roles, as PostgREST's login
  -- role does; a connecting role that is not a superuser needs the same.
  for r in
    select g.grantee, x.role
    from (select 'authenticator'::name as grantee
          union
          select current_user
          where not (select rolsuper from pg_roles where rolname = current_user)) as g
    cross join unnest(array['anon', 'authenticated', 'service_role']::name[]) as x(role)
  loop
    if not exists (select 1 from pg_auth_members m
                   join pg_roles a on a.oid = m.roleid
                   join pg_roles b on b.oid = m.member
                   where a.rolname = r.role and b.rolname = r.grantee) then
      begin
        execute format('grant %%I to %%I', r.role, r.grantee);
      exception when duplicate_object or unique_violation then
        null;
      end;
    end if;
  end loop;
end
$bootstrap$;

create schema if not exists extensions;
create schema if not exists auth;
grant usage on schema public, extensions, auth to anon, authenticated, service_role;

do $ext$
declare
  e text;
begin
  foreach e in array array['pgcrypto', 'uuid-ossp'] loop
    if exists (select 1 from pg_available_extensions where name = e)
       and not exists (select 1 from pg_extension where extname = e) then
      execute format('create extension if not exists %%I with schema extensions', e);
    end if;
  end loop;
end
$ext$;

alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
  to anon, authenticated, service_role;
`, lockKey)

// ErrNilConn is returned when Apply is given no connection.
var ErrNilConn = errors.New("bootstrap: nil connection")

// Apply brings the database conn is connected to up to what Supabase's
// Postgres provides. It is idempotent. The connecting role needs CREATEROLE
// (or superuser) and the right to create schemas in the database.
func Apply(ctx context.Context, conn Execer) error {
	if conn == nil {
		return ErrNilConn
	}
	const attempts = 5
	var err error
	for i := range attempts {
		if _, err = conn.Exec(ctx, script); err == nil {
			return nil
		}
		if ctx.Err() != nil || !transient(err) {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bootstrap: %w", ctx.Err())
		case <-time.After(time.Duration(i+1) * 20 * time.Millisecond):
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("bootstrap: %w", ctx.Err())
	}
	return fmt.Errorf("bootstrap: %w", err)
}

// transient reports errors that a concurrent bootstrap of another database
// of the same cluster can cause on shared catalogs, and that a retry fixes.
func transient(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "40001", "40P01", "23505", "42710":
		return true
	case "XX000":
		return strings.Contains(pgErr.Message, "concurrently")
	}
	return false
}
