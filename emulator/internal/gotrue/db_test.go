package gotrue_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/supakit/supakit/emulator/internal/dbrole"
	"github.com/supakit/supakit/emulator/internal/gotrue"
	"github.com/supakit/supakit/emulator/internal/pgtest"
	"github.com/supakit/supakit/emulator/internal/reqctx"
)

func TestTriggerOnAuthUsersFires(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `
		create table public.profiles (id uuid primary key references auth.users(id) on delete cascade, display_name text);
		create function public.handle_new_user() returns trigger language plpgsql security definer set search_path = '' as $$
		begin
			insert into public.profiles (id, display_name) values (new.id, new.raw_user_meta_data->>'display_name');
			return new;
		end $$;
		create trigger on_auth_user_created after insert on auth.users for each row execute procedure public.handle_new_user();`); err != nil {
		t.Fatal(err)
	}
	r := e.do("POST", "/signup", map[string]any{"email": "t@example.com", "password": "t-password-1", "data": map[string]any{"display_name": "Tess"}})
	e.expect(r, 200, "signup")
	var name string
	if err := e.pool.QueryRow(ctx, `select display_name from public.profiles where id = $1`, r.str("id")).Scan(&name); err != nil {
		t.Fatalf("trigger did not insert the profile: %v", err)
	}
	if name != "Tess" {
		t.Errorf("display_name %q", name)
	}
	// A trigger that fails rolls the sign-up back with GoTrue's error.
	if _, err := e.pool.Exec(ctx, `
		create function public.refuse_boom() returns trigger language plpgsql as $$
		begin
			if new.raw_user_meta_data->>'display_name' = 'boom' then raise exception 'no booms'; end if;
			return new;
		end $$;
		create trigger refuse_boom before insert on auth.users for each row execute procedure public.refuse_boom();`); err != nil {
		t.Fatal(err)
	}
	bad := e.do("POST", "/signup", map[string]any{"email": "boom@example.com", "password": "b-password-1", "data": map[string]any{"display_name": "boom"}})
	e.expect(bad, 500, "failing trigger")
	if bad.str("msg") != "Database error saving new user" {
		t.Errorf("failing trigger: %s", bad.Raw)
	}
	if len(e.h.Outbox().Messages("boom@example.com")) != 0 {
		t.Error("a rolled-back sign-up sent mail")
	}
	// Deleting the user cascades to the profile.
	e.expect(e.do("DELETE", "/admin/users/"+r.str("id"), nil, bearerOpt(e.admin)), 200, "delete")
	var n int
	if err := e.pool.QueryRow(ctx, `select count(*) from public.profiles`).Scan(&n); err != nil || n != 0 {
		t.Errorf("profiles left: %d %v", n, err)
	}
}

func TestAccessTokenDrivesRLS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `
		create table public.notes (id serial primary key, owner uuid not null default auth.uid(), body text);
		alter table public.notes enable row level security;
		create policy own on public.notes for all to authenticated using (owner = auth.uid()) with check (owner = auth.uid());`); err != nil {
		t.Fatal(err)
	}
	a := e.confirmedUser("a@example.com", "a-password-1")
	b := e.confirmedUser("b@example.com", "b-password-1")
	run := func(tok, sql string) (int, error) {
		payload, err := json.Marshal(claims(t, tok))
		if err != nil {
			t.Fatal(err)
		}
		var n int
		err = dbrole.Run(ctx, e.pool, reqctx.Identity{Role: "authenticated", Claims: payload, Token: tok}, dbrole.Options{}, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, sql).Scan(&n)
		})
		return n, err
	}
	aTok, bTok := a["access_token"].(string), b["access_token"].(string)
	if _, err := run(aTok, `with x as (insert into public.notes (body) values ('mine') returning 1) select count(*)::int from x`); err != nil {
		t.Fatal(err)
	}
	if n, err := run(aTok, `select count(*)::int from public.notes`); err != nil || n != 1 {
		t.Errorf("a sees %d notes (%v), want 1", n, err)
	}
	if n, err := run(bTok, `select count(*)::int from public.notes`); err != nil || n != 0 {
		t.Errorf("b sees %d notes (%v), want 0", n, err)
	}
	var uid string
	payload, _ := json.Marshal(claims(t, aTok))
	if err := dbrole.Run(ctx, e.pool, reqctx.Identity{Role: "authenticated", Claims: payload}, dbrole.Options{}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `select auth.uid()::text`).Scan(&uid)
	}); err != nil || uid != a["user"].(map[string]any)["id"] {
		t.Errorf("auth.uid() = %q (%v)", uid, err)
	}
}

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = gotrue.Migrate(ctx, db.Pool)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := gotrue.Migrate(ctx, db.Pool); err != nil {
		t.Fatal(err)
	}
	var tables []string
	rows, err := db.Pool.Query(ctx, `select table_name from information_schema.tables where table_schema = 'auth' order by 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := "audit_log_entries,flow_state,identities,mfa_amr_claims,mfa_challenges,mfa_factors,refresh_tokens,schema_migrations,sessions,users"
	if got := strings.Join(tables, ","); got != want {
		t.Errorf("auth tables %s, want %s", got, want)
	}
	// Users-facing columns exist under Supabase's names.
	var n int
	if err := db.Pool.QueryRow(ctx, `select count(*) from information_schema.columns where table_schema = 'auth' and table_name = 'users'
		and column_name in ('id','aud','role','email','encrypted_password','email_confirmed_at','phone','phone_confirmed_at','confirmed_at',
		'last_sign_in_at','raw_app_meta_data','raw_user_meta_data','is_anonymous','banned_until','deleted_at','created_at','updated_at')`).Scan(&n); err != nil || n != 17 {
		t.Errorf("auth.users has %d of 17 columns (%v)", n, err)
	}
}

func TestOutbox(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ob := e.h.Outbox()
	if _, ok := ob.Latest("w@example.com"); ok {
		t.Fatal("empty outbox has a message")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan gotrue.Message, 1)
	go func() {
		m, err := ob.Wait(ctx, "W@Example.com", func(m gotrue.Message) bool { return m.Kind == gotrue.KindSignup })
		if err != nil {
			t.Error(err)
		}
		got <- m
	}()
	e.expect(e.do("POST", "/signup", map[string]any{"email": "w@example.com", "password": "w-password-1"}), 200, "signup")
	m := <-got
	if m.To != "w@example.com" || m.Kind != gotrue.KindSignup || m.VerifyType != "signup" || len(m.OTP) != 6 || m.Subject == "" || m.At.IsZero() {
		t.Errorf("message %+v", m)
	}
	if latest, ok := ob.Latest("w@example.com"); !ok || latest.OTP != m.OTP {
		t.Errorf("Latest %+v", latest)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if _, err := ob.Wait(short, "w@example.com", func(m gotrue.Message) bool { return m.Kind == gotrue.KindRecovery }); err == nil {
		t.Error("Wait returned without a matching message")
	}
	ob.Reset()
	if len(ob.Messages("w@example.com")) != 0 {
		t.Error("Reset kept messages")
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var logs []string
	e := newEnv(t, func(c *gotrue.Config) {
		c.Logf = func(f string, a ...any) {
			mu.Lock()
			logs = append(logs, f)
			for _, x := range a {
				if s, ok := x.(string); ok {
					logs = append(logs, s)
				}
			}
			mu.Unlock()
		}
	})
	e.confirmedUser("s@example.com", "s-password-secret")
	s := e.signIn("s@example.com", "s-password-secret")
	rt := s.str("refresh_token")
	rt1 := e.refresh(rt).str("refresh_token")
	e.refresh(rt1)
	e.clock.Advance(time.Minute)
	e.expect(e.refresh(rt), 400, "reuse detected") // logs the revocation
	mu.Lock()
	if len(logs) == 0 {
		t.Error("reuse detection logged nothing")
	}
	defer mu.Unlock()
	for _, l := range logs {
		if strings.Contains(l, "s-password-secret") || strings.Contains(l, rt) {
			t.Errorf("secret in log line %q", l)
		}
	}
}
