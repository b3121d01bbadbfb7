package bootstrap_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/supakit/supakit/emulator/internal/bootstrap"
	"github.com/supakit/supakit/emulator/internal/dbrole"
	"github.com/supakit/supakit/emulator/internal/pgtest"
	"github.com/supakit/supakit/emulator/internal/reqctx"
)

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestApplyNil(t *testing.T) {
	if err := bootstrap.Apply(context.Background(), nil); !errors.Is(err, bootstrap.ErrNilConn) {
		t.Fatalf("err = %v, want ErrNilConn", err)
	}
}

func TestApplyIsIdempotent(t *testing.T) {
	env := pgtest.New(t) // already applied once
	ctx := ctxT(t)
	for range 2 {
		if err := bootstrap.Apply(ctx, env.Pool); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := env.Pool.Query(ctx, `
		select r.rolname, r.rolcanlogin, r.rolinherit, r.rolbypassrls,
		       coalesce((select array_agg(g.rolname order by g.rolname) from pg_auth_members m
		                 join pg_roles g on g.oid = m.roleid where m.member = r.oid), '{}')
		from pg_roles r
		where r.rolname in ('anon','authenticated','service_role','authenticator')
		order by r.rolname`)
	if err != nil {
		t.Fatal(err)
	}
	type role struct {
		login, inherit, bypass bool
		memberOf               []string
	}
	got := map[string]role{}
	for rows.Next() {
		var name string
		var r role
		if err := rows.Scan(&name, &r.login, &r.inherit, &r.bypass, &r.memberOf); err != nil {
			t.Fatal(err)
		}
		got[name] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want role
	}{
		{"anon", role{memberOf: []string{}}},
		{"authenticated", role{memberOf: []string{}}},
		{"service_role", role{bypass: true, memberOf: []string{}}},
		{"authenticator", role{login: true, memberOf: []string{"anon", "authenticated", "service_role"}}},
	}
	for _, tt := range tests {
		g, ok := got[tt.name]
		if !ok {
			t.Errorf("role %s missing", tt.name)
			continue
		}
		if g.login != tt.want.login || g.inherit != tt.want.inherit || g.bypass != tt.want.bypass ||
			len(g.memberOf) != len(tt.want.memberOf) {
			t.Errorf("role %s = %+v, want %+v", tt.name, g, tt.want)
			continue
		}
		for i := range g.memberOf {
			if g.memberOf[i] != tt.want.memberOf[i] {
				t.Errorf("role %s member of %v, want %v", tt.name, g.memberOf, tt.want.memberOf)
			}
		}
	}
	var schemas int
	if err := env.Pool.QueryRow(ctx, `select count(*) from pg_namespace where nspname in ('auth','extensions')
		and has_schema_privilege('anon', oid, 'usage')`).Scan(&schemas); err != nil {
		t.Fatal(err)
	}
	if schemas != 2 {
		t.Fatalf("anon has usage on %d of auth, extensions", schemas)
	}
}

func TestApplyConcurrently(t *testing.T) {
	ctx := ctxT(t)
	// Same database, many sessions.
	env := pgtest.New(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 6 {
		wg.Go(func() { errs <- bootstrap.Apply(ctx, env.Pool) })
	}
	// Different databases of the same cluster (roles are cluster-wide).
	others := []*pgxPool{{pgtest.New(t).Pool}, {pgtest.New(t).Pool}, {pgtest.New(t).Pool}}
	for _, o := range others {
		for range 2 {
			wg.Go(func() { errs <- bootstrap.Apply(ctx, o.Execer) })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

type pgxPool struct{ bootstrap.Execer }

type claimsResult struct {
	User, Role, Email, JWTSub, CurrentUser *string
}

func readAuth(t *testing.T, ctx context.Context, tx pgx.Tx) claimsResult {
	t.Helper()
	var r claimsResult
	if err := tx.QueryRow(ctx, `select auth.uid()::text, auth.role(), auth.email(), auth.jwt() ->> 'sub', current_user::text`).
		Scan(&r.User, &r.Role, &r.Email, &r.JWTSub, &r.CurrentUser); err != nil {
		t.Fatal(err)
	}
	return r
}

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

func TestAuthFunctionsReadClaims(t *testing.T) {
	env := pgtest.New(t)
	ctx := ctxT(t)
	const sub = "6f1d9a4e-3b2c-4d5e-8f70-1a2b3c4d5e6f"
	tests := []struct {
		name     string
		id       reqctx.Identity
		settings map[string]string
		want     [5]string // uid, role, email, jwt sub, current_user
	}{
		{
			name: "authenticated",
			id:   reqctx.Identity{Role: "authenticated", Claims: json.RawMessage(`{"sub":"` + sub + `","role":"authenticated","email":"a@example.com"}`)},
			want: [5]string{sub, "authenticated", "a@example.com", sub, "authenticated"},
		},
		{
			name: "anon without sub",
			id:   reqctx.Identity{Role: "anon", Claims: json.RawMessage(`{"role":"anon","iss":"supabase-demo"}`)},
			want: [5]string{"<null>", "anon", "<null>", "<null>", "anon"},
		},
		{
			name: "service role",
			id:   reqctx.Identity{Role: "service_role", Claims: json.RawMessage(`{"role":"service_role"}`)},
			want: [5]string{"<null>", "service_role", "<null>", "<null>", "service_role"},
		},
		{
			name:     "legacy claim settings win",
			id:       reqctx.Identity{Role: "authenticated", Claims: json.RawMessage(`{"sub":"00000000-0000-0000-0000-000000000001","role":"authenticated"}`)},
			settings: map[string]string{"request.jwt.claim.sub": sub, "request.jwt.claim.role": "legacy"},
			want:     [5]string{sub, "legacy", "<null>", "00000000-0000-0000-0000-000000000001", "authenticated"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got claimsResult
			err := dbrole.Run(ctx, env.Pool, tt.id, dbrole.Options{Settings: tt.settings, ReadOnly: true}, func(tx pgx.Tx) error {
				got = readAuth(t, ctx, tx)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			g := [5]string{str(got.User), str(got.Role), str(got.Email), str(got.JWTSub), str(got.CurrentUser)}
			if g != tt.want {
				t.Fatalf("got %v, want %v", g, tt.want)
			}
		})
	}
}

// TestDefaultPrivilegesAndRLS: a table created later by the connecting role
// in public is usable by the API roles, and a Supabase-style policy using
// auth.uid() filters rows, while service_role bypasses RLS.
func TestDefaultPrivilegesAndRLS(t *testing.T) {
	env := pgtest.New(t)
	ctx := ctxT(t)
	const alice, bob = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
	if _, err := env.Pool.Exec(ctx, `
		create table notes (id bigserial primary key, owner uuid not null default auth.uid(), body text);
		alter table notes enable row level security;
		create policy own_notes on notes for all to authenticated
		  using (owner = auth.uid()) with check (owner = auth.uid());
		create policy public_read on notes for select to anon using (body like 'public%');
		create function note_count() returns bigint language sql stable as 'select count(*) from notes';
	`); err != nil {
		t.Fatal(err)
	}
	as := func(role, sub string) reqctx.Identity {
		m := map[string]string{"role": role}
		if sub != "" {
			m["sub"] = sub
		}
		c, _ := json.Marshal(m)
		return reqctx.Identity{Role: role, Claims: c}
	}
	insert := func(id reqctx.Identity, body string) error {
		return dbrole.Run(ctx, env.Pool, id, dbrole.Options{}, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "insert into notes (body) values ($1)", body)
			return err
		})
	}
	count := func(id reqctx.Identity) int64 {
		var n int64
		if err := dbrole.Run(ctx, env.Pool, id, dbrole.Options{ReadOnly: true}, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "select note_count()").Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, ins := range []struct {
		id   reqctx.Identity
		body string
	}{{as("authenticated", alice), "public a"}, {as("authenticated", alice), "private a"}, {as("authenticated", bob), "private b"}} {
		if err := insert(ins.id, ins.body); err != nil {
			t.Fatalf("insert %q: %v", ins.body, err)
		}
	}
	if got := count(as("authenticated", alice)); got != 2 {
		t.Errorf("alice sees %d notes, want 2", got)
	}
	if got := count(as("authenticated", bob)); got != 1 {
		t.Errorf("bob sees %d notes, want 1", got)
	}
	if got := count(as("anon", "")); got != 1 {
		t.Errorf("anon sees %d notes, want 1", got)
	}
	if got := count(as("service_role", "")); got != 3 {
		t.Errorf("service_role sees %d notes, want 3", got)
	}
	// Anon may not write (no policy): RLS rejects with 42501.
	err := insert(as("anon", ""), "public x")
	if pgErr := (*pgconn.PgError)(nil); !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Errorf("anon insert: err = %v, want 42501", err)
	}
}
