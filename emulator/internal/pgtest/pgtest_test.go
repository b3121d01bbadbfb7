package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/supakit/supakit/emulator/internal/pgenv"
	"github.com/supakit/supakit/emulator/internal/pgtest"
)

func TestNewGivesAFreshDatabaseDroppedAfterTheTest(t *testing.T) {
	var name, admin string
	t.Run("inner", func(t *testing.T) {
		env := pgtest.New(t)
		if !env.Fresh {
			t.Fatal("pgtest.New returned a database it did not create")
		}
		name = env.Database
		var err error
		if admin, err = pgenv.WithDatabase(env.URL, "postgres"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := env.Pool.QueryRow(context.Background(), "select count(*) from pg_roles where rolname = 'service_role'").Scan(&n); err != nil || n != 1 {
			t.Fatalf("not bootstrapped: n=%d err=%v", n, err)
		}
	})
	if name == "" {
		t.Skip("inner test skipped")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "select count(*) from pg_database where datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database %s still exists after its test ended", name)
	}
}
