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
