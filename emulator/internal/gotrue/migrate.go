package gotrue

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationLock is the advisory lock key serialising schema changes of the
// auth schema across concurrent emulators on one database.
const migrationLock int64 = 0x5375_7061_4175_7468 // "SupaAuth"

// migrations are applied in order, each once, recorded in
// auth.schema_migrations. Every statement is also idempotent on its own.
var migrations = []struct{ version, sql string }{
	{"supakit_20260101000000_auth", `
create schema if not exists auth;

create table if not exists auth.users (
	instance_id uuid,
	id uuid not null primary key,
	aud varchar(255),
	role varchar(255),
	email varchar(255),
	encrypted_password varchar(255),
	email_confirmed_at timestamptz,
	invited_at timestamptz,
	confirmation_token varchar(255),
	confirmation_sent_at timestamptz,
	recovery_token varchar(255),
	recovery_sent_at timestamptz,
	email_change_token_new varchar(255),
	email_change varchar(255),
	email_change_sent_at timestamptz,
	last_sign_in_at timestamptz,
	raw_app_meta_data jsonb,
	raw_user_meta_data jsonb,
	is_super_admin boolean,
	created_at timestamptz,
	updated_at timestamptz,
	phone text unique default null,
	phone_confirmed_at timestamptz,
	phone_change text default '',
	phone_change_token varchar(255) default '',
	phone_change_sent_at timestamptz,
	confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
	email_change_token_current varchar(255) default '',
	email_change_confirm_status smallint default 0 check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
	banned_until timestamptz,
	reauthentication_token varchar(255) default '',
	reauthentication_sent_at timestamptz,
	is_sso_user boolean not null default false,
	deleted_at timestamptz,
	is_anonymous boolean not null default false
);
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';
create unique index if not exists users_email_partial_key on auth.users (email) where (is_sso_user = false);
create index if not exists users_instance_id_email_idx on auth.users (instance_id, lower(email));
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);

create table if not exists auth.identities (
	provider_id text not null,
	user_id uuid not null references auth.users(id) on delete cascade,
	identity_data jsonb not null,
	provider text not null,
	last_sign_in_at timestamptz,
	created_at timestamptz,
	updated_at timestamptz,
	email text generated always as (lower(identity_data->>'email')) stored,
	id uuid not null default gen_random_uuid() primary key,
	constraint identities_provider_id_provider_unique unique (provider_id, provider)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);

create table if not exists auth.sessions (
	id uuid not null primary key,
	user_id uuid not null references auth.users(id) on delete cascade,
	created_at timestamptz,
	updated_at timestamptz,
	factor_id uuid,
	aal text check (aal in ('aal1', 'aal2', 'aal3')),
	not_after timestamptz,
	refreshed_at timestamp,
	user_agent text,
	ip inet,
	tag text
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

create table if not exists auth.refresh_tokens (
	instance_id uuid,
	id bigserial primary key,
	token varchar(255) unique,
	user_id varchar(255),
	revoked boolean,
	created_at timestamptz,
	updated_at timestamptz,
	parent varchar(255),
	session_id uuid references auth.sessions(id) on delete cascade
);
create index if not exists refresh_tokens_session_id_revoked_idx on auth.refresh_tokens (session_id, revoked);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);

create table if not exists auth.mfa_factors (
	id uuid not null primary key,
	user_id uuid not null references auth.users(id) on delete cascade,
	friendly_name text,
	factor_type text not null check (factor_type in ('totp', 'webauthn', 'phone')),
	status text not null check (status in ('unverified', 'verified')),
	created_at timestamptz not null,
	updated_at timestamptz not null,
	secret text,
	phone text,
	last_challenged_at timestamptz unique
);
create unique index if not exists mfa_factors_user_friendly_name_unique on auth.mfa_factors (friendly_name, user_id) where trim(friendly_name) <> '';

create table if not exists auth.mfa_challenges (
	id uuid not null primary key,
	factor_id uuid not null references auth.mfa_factors(id) on delete cascade,
	created_at timestamptz not null,
	verified_at timestamptz,
	ip_address inet not null,
	otp_code text
);

create table if not exists auth.mfa_amr_claims (
	session_id uuid not null references auth.sessions(id) on delete cascade,
	created_at timestamptz not null,
	updated_at timestamptz not null,
	authentication_method text not null,
	id uuid not null primary key,
	constraint mfa_amr_claims_session_id_authentication_method_pkey unique (session_id, authentication_method)
);

create table if not exists auth.flow_state (
	id uuid primary key,
	user_id uuid,
	auth_code text not null,
	code_challenge_method text not null,
	code_challenge text not null,
	provider_type text not null,
	provider_access_token text,
	provider_refresh_token text,
	created_at timestamptz,
	updated_at timestamptz,
	authentication_method text not null,
	auth_code_issued_at timestamptz,
	redirect_to text
);
create index if not exists idx_auth_code on auth.flow_state (auth_code);
create index if not exists idx_user_id_auth_method on auth.flow_state (user_id, authentication_method);

create table if not exists auth.audit_log_entries (
	instance_id uuid,
	id uuid not null primary key,
	payload json,
	created_at timestamptz,
	ip_address varchar(64) not null default ''
);
`},
}

// Migrate applies the auth schema to the database behind pool. It is
// idempotent and safe to run from several processes at once.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("gotrue: migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `create schema if not exists auth;
			create table if not exists auth.schema_migrations (version varchar(255) not null primary key)`); err != nil {
			return fmt.Errorf("gotrue: migrate: %w", err)
		}
		for _, m := range migrations {
			var done bool
			if err := tx.QueryRow(ctx, `select exists (select 1 from auth.schema_migrations where version = $1)`, m.version).Scan(&done); err != nil {
				return fmt.Errorf("gotrue: migrate: %w", err)
			}
			if done {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("gotrue: migrate %s: %w", m.version, err)
			}
			if _, err := tx.Exec(ctx, `insert into auth.schema_migrations (version) values ($1)`, m.version); err != nil {
				return fmt.Errorf("gotrue: migrate %s: %w", m.version, err)
			}
		}
		return nil
	})
}
