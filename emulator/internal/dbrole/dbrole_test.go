package dbrole_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/supakit/supakit/emulator/internal/dbrole"
	"github.com/supakit/supakit/emulator/internal/pgtest"
	"github.com/supakit/supakit/emulator/internal/reqctx"
)

func TestRunSetsRoleAndClaims(t *testing.T) {
	env := pgtest.New(t)
	ctx := context.Background()
	claimsTests := []struct {
		name   string
		claims string
	}{
		{"plain", `{"sub":"11111111-1111-1111-1111-111111111111","role":"authenticated"}`},
		{"quotes and backslashes", `{"sub":"a'b\\c","role":"authenticated","x":"'); drop table t; --"}`},
		{"unicode", `{"sub":"zoë ✓","role":"authenticated"}`},
		{"escaped NUL falls back to parameters", `{"sub":"a\u0000b","role":"authenticated"}`},
	}
	for _, tt := range claimsTests {
		t.Run(tt.name, func(t *testing.T) {
			claims := tt.claims
			if strings.Contains(tt.name, "NUL") {
				claims = strings.Replace(claims, `\u0000`, "\x00", 1) // a raw NUL byte in the text
			}
			var role, got, setting string
			err := dbrole.Run(ctx, env.Pool, reqctx.Identity{Role: "authenticated", Claims: json.RawMessage(claims)},
				dbrole.Options{Settings: map[string]string{"request.method": "GET'--"}},
				func(tx pgx.Tx) error {
					return tx.QueryRow(ctx, `select current_user, current_setting('request.jwt.claims', true), current_setting('request.method', true)`).Scan(&role, &got, &setting)
				})
			if strings.Contains(tt.name, "NUL") {
				// PostgreSQL text cannot hold NUL: the server refuses it as a
				// bound parameter too, and the error says so.
				if err == nil {
					t.Fatal("a NUL byte in the claims was accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if role != "authenticated" || got != claims || setting != "GET'--" {
				t.Fatalf("role=%q claims=%q setting=%q", role, got, setting)
			}
		})
	}
}

func TestRunRefusesHostileRole(t *testing.T) {
	env := pgtest.New(t)
	ctx := context.Background()
	err := dbrole.Run(ctx, env.Pool, reqctx.Identity{Role: "anon'; create table pwned(); --"}, dbrole.Options{}, func(pgx.Tx) error { return nil })
	if !errors.Is(err, dbrole.ErrSetRole) {
		t.Fatalf("a role that does not exist: %v, want ErrSetRole", err)
	}
	var exists bool
	if err := env.Pool.QueryRow(ctx, `select to_regclass('public.pwned') is not null`).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatal("role name was executed as SQL")
	}
	if err := dbrole.Run(ctx, env.Pool, reqctx.Identity{}, dbrole.Options{}, func(pgx.Tx) error { return nil }); !errors.Is(err, dbrole.ErrNoRole) {
		t.Fatalf("empty role: %v", err)
	}
}

func TestRunReadOnlyRollbackAndTimeout(t *testing.T) {
	env := pgtest.New(t)
	ctx := context.Background()
	if _, err := env.Pool.Exec(ctx, `create table t (n int); grant all on t to service_role`); err != nil {
		t.Fatal(err)
	}
	svc := reqctx.Identity{Role: "service_role"}
	insert := func(tx pgx.Tx) error { _, err := tx.Exec(ctx, `insert into t values (1)`); return err }

	var pgErr *pgconn.PgError
	if err := dbrole.Run(ctx, env.Pool, svc, dbrole.Options{ReadOnly: true}, insert); !errors.As(err, &pgErr) || pgErr.Code != "25006" {
		t.Fatalf("read-only insert: %v", err)
	}
	if err := dbrole.Run(ctx, env.Pool, svc, dbrole.Options{Rollback: true}, insert); err != nil {
		t.Fatal(err)
	}
	if err := dbrole.Run(ctx, env.Pool, svc, dbrole.Options{}, insert); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := env.Pool.QueryRow(ctx, `select count(*) from t`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows = %d, %v; want 1 (rolled back and read-only inserts must not persist)", n, err)
	}
	err := dbrole.Run(ctx, env.Pool, svc, dbrole.Options{StatementTimeout: 50 * time.Millisecond}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `select pg_sleep(2)`)
		return err
	})
	if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
		t.Fatalf("timeout: %v", err)
	}
}

// TestRunBatch: the one-round-trip form runs as the role with the claims,
// in a read-only transaction when asked, and leaves the connection idle
// (transaction ended) whether the work succeeds or fails.
func TestRunBatch(t *testing.T) {
	env := pgtest.New(t)
	ctx := context.Background()
	if _, err := env.Pool.Exec(ctx, `create table t (x int); grant all on t to authenticated`); err != nil {
		t.Fatal(err)
	}
	id := reqctx.Identity{Role: "authenticated", Claims: json.RawMessage(`{"sub":"u'1","role":"authenticated"}`)}
	one := func(opts dbrole.Options, sql string, scan ...any) error {
		return dbrole.RunBatch(ctx, env.Pool, id, opts,
			func(b *pgx.Batch) { b.Queue(sql) },
			func(br pgx.BatchResults) error { return br.QueryRow().Scan(scan...) })
	}
	var role, sub, setting, ro string
	err := dbrole.RunBatch(ctx, env.Pool, id, dbrole.Options{ReadOnly: true, Settings: map[string]string{"request.method": "GET"}},
		func(b *pgx.Batch) {
			b.Queue(`select current_user, current_setting('request.jwt.claims')::json->>'sub', current_setting('request.method'), current_setting('transaction_read_only')`)
		},
		func(br pgx.BatchResults) error { return br.QueryRow().Scan(&role, &sub, &setting, &ro) })
	if err != nil || role != "authenticated" || sub != "u'1" || setting != "GET" || ro != "on" {
		t.Fatalf("role=%q sub=%q method=%q read_only=%q err=%v", role, sub, setting, ro, err)
	}
	// A write in a read-only run fails with 25006 and is not kept.
	var n int
	err = one(dbrole.Options{ReadOnly: true}, `insert into t values (1) returning x`, &n)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "25006" {
		t.Fatalf("write in a read-only run: %v", err)
	}
	// Committed, rolled back on request, rolled back on a later error.
	if err := one(dbrole.Options{}, `insert into t values (2) returning x`, &n); err != nil {
		t.Fatal(err)
	}
	if err := one(dbrole.Options{Rollback: true}, `insert into t values (3) returning x`, &n); err != nil {
		t.Fatal(err)
	}
	err = dbrole.RunBatch(ctx, env.Pool, id, dbrole.Options{},
		func(b *pgx.Batch) { b.Queue(`insert into t values (4)`); b.Queue(`select 1/0`) },
		func(br pgx.BatchResults) error {
			if _, err := br.Exec(); err != nil {
				return err
			}
			_, err := br.Exec()
			return err
		})
	if !errors.As(err, &pe) || pe.Code != "22012" {
		t.Fatalf("division by zero: %v", err)
	}
	// A refused role is ErrSetRole, as with Run.
	err = dbrole.RunBatch(ctx, env.Pool, reqctx.Identity{Role: "no_such_role_x"}, dbrole.Options{},
		func(*pgx.Batch) {}, func(pgx.BatchResults) error { return nil })
	if !errors.Is(err, dbrole.ErrSetRole) {
		t.Fatalf("unknown role: %v", err)
	}
	// A statement timeout set in the pipeline applies to the statements
	// after it.
	err = one(dbrole.Options{StatementTimeout: 100 * time.Millisecond}, `select 1 from pg_sleep(2)`, &n)
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Fatalf("statement timeout: %v", err)
	}
	var got []int
	rows, err := env.Pool.Query(ctx, `select x from t order by x`)
	if err == nil {
		got, err = pgx.CollectRows(rows, pgx.RowTo[int])
	}
	if err != nil || len(got) != 1 || got[0] != 2 {
		t.Fatalf("rows kept: %v (%v), want [2]", got, err)
	}
	// Every connection went back idle.
	for range 3 {
		c, err := env.Pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s := c.Conn().PgConn().TxStatus(); s != 'I' {
			t.Fatalf("pooled connection in transaction state %q", s)
		}
		c.Release()
	}
}
