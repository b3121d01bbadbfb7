package stack_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/supakit/supakit/emulator"
	"github.com/supakit/supakit/integration/migrations"
	"github.com/supakit/supakit/integration/stack"
)

// TestMigrationsIdempotent applies the suite's migrations twice to a fresh
// database bootstrapped like Supabase's (the emulator's), as a re-run on a
// reused stack does, and checks what they created.
func TestMigrationsIdempotent(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL; skipped in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := emulator.Start(ctx, emulator.Config{FreshDatabase: true})
	if err != nil && strings.Contains(err.Error(), "no PostgreSQL server available") {
		t.Skipf("no PostgreSQL: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for i := range 2 {
		if err := stack.ApplyMigrations(ctx, srv.DatabaseURL, migrations.FS); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
	}
	conn, err := pgx.Connect(ctx, srv.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var tables, policies int
	if err := conn.QueryRow(ctx, `select count(*) from pg_tables where schemaname = 'public' and tablename = any($1)`,
		[]string{"countries", "cities", "profiles", "messages", "reservations", "issues", "teams", "team_members"}).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `select count(*) from pg_policies where (schemaname, tablename) in (('public', 'messages'), ('storage', 'objects'))`).Scan(&policies); err != nil {
		t.Fatal(err)
	}
	if tables != 8 || policies != 8 {
		t.Fatalf("after two runs: %d tables, %d policies", tables, policies)
	}

	// A failing file stops the run and is named.
	bad := fstest.MapFS{"001_ok.sql": {Data: []byte("select 1")}, "002_bad.sql": {Data: []byte("select * from no_such_table")}}
	if err := stack.ApplyMigrations(ctx, srv.DatabaseURL, bad); err == nil || !strings.Contains(err.Error(), "002_bad.sql") {
		t.Fatalf("bad migration: %v", err)
	}
}

// TestOpenHostedTier runs Open's hosted tier against an emulator standing
// in for a project: the migrations go through SUPABASE_DB_URL, and Open
// returns once REST serves them (PostgREST's NOTIFY reload, no shortcut).
func TestOpenHostedTier(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL; skipped in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := emulator.Start(ctx, emulator.Config{FreshDatabase: true})
	if err != nil && strings.Contains(err.Error(), "no PostgreSQL server available") {
		t.Skipf("no PostgreSQL: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := map[string]string{"SUPABASE_URL": srv.URL, "SUPABASE_ANON_KEY": srv.AnonKey,
		"SUPABASE_SERVICE_ROLE_KEY": srv.ServiceRoleKey, "SUPABASE_DB_URL": srv.DatabaseURL}
	var lines []string
	s, err := stack.Open(ctx, stack.Options{Getenv: envOf(env), Migrations: migrations.FS,
		Logf: func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Tier != stack.TierHosted || s.URL != srv.URL || s.Mailbox != nil || s.Functions != nil || s.MaxRows != 1000 {
		t.Fatalf("hosted stack: %+v", s)
	}
	if len(lines) == 0 || !strings.Contains(lines[0], "hosted tier (SUPABASE_URL is set)") {
		t.Fatalf("log lines: %q", lines)
	}
	for _, l := range lines {
		if strings.Contains(l, srv.ServiceRoleKey) || strings.Contains(l, srv.AnonKey) {
			t.Fatalf("a key was logged: %q", l)
		}
	}
	if strings.Contains(s.String(), srv.ServiceRoleKey) {
		t.Fatal("String shows a key")
	}
	// Without SUPABASE_DB_URL the migrations are assumed applied and said so.
	delete(env, "SUPABASE_DB_URL")
	lines = nil
	s2, err := stack.Open(ctx, stack.Options{Getenv: envOf(env), Migrations: migrations.FS,
		Logf: func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if !strings.Contains(strings.Join(lines, "\n"), "migrations must already be applied") {
		t.Fatalf("log lines: %q", lines)
	}
}
