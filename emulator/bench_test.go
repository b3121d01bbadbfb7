package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/supakit/supakit/emulator"
	"github.com/supakit/supakit/emulator/internal/dbrole"
	"github.com/supakit/supakit/emulator/internal/pgenv"
	"github.com/supakit/supakit/emulator/internal/reqctx"
)

// BenchmarkOneRowSelect compares a one-row select through the emulator
// (HTTP, gateway, JWT, role switch, PostgREST engine) with the same query
// through pgx directly, as the service role would run it.
func BenchmarkOneRowSelect(b *testing.B) {
	ctx := context.Background()
	srv, err := emulator.Start(ctx, emulator.Config{FreshDatabase: true})
	if err != nil {
		if isNoServer(err) {
			b.Skip(err)
		}
		b.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Pool().Exec(ctx, `create table items (id int primary key, name text);
		insert into items select g, 'item ' || g from generate_series(1, 1000) g`); err != nil {
		b.Fatal(err)
	}
	if err := srv.ReloadSchema(ctx); err != nil {
		b.Fatal(err)
	}

	b.Run("emulator", func(b *testing.B) {
		client := &http.Client{}
		req, _ := http.NewRequest("GET", srv.URL+"/rest/v1/items?select=id,name&id=eq.500", nil)
		req.Header.Set("apikey", srv.ServiceRoleKey)
		req.Header.Set("Authorization", "Bearer "+srv.ServiceRoleKey)
		for b.Loop() {
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || len(body) < 10 {
				b.Fatalf("%d %s", res.StatusCode, body)
			}
		}
	})
	// The same query in dbrole's transaction (BEGIN, role and claims,
	// query, COMMIT): the floor for any request under RLS.
	b.Run("pgx-as-role", func(b *testing.B) {
		id := reqctx.Identity{Role: "service_role", Claims: json.RawMessage(`{"role":"service_role"}`)}
		for b.Loop() {
			var got int
			var name string
			err := dbrole.Run(ctx, srv.Pool(), id, dbrole.Options{ReadOnly: true}, func(tx pgx.Tx) error {
				return tx.QueryRow(ctx, "select id, name from items where id = $1", 500).Scan(&got, &name)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same transaction in one round trip (dbrole.RunBatch), as the
	// emulator runs read-only requests.
	b.Run("pgx-as-role-pipelined", func(b *testing.B) {
		id := reqctx.Identity{Role: "service_role", Claims: json.RawMessage(`{"role":"service_role"}`)}
		for b.Loop() {
			var got int
			var name string
			err := dbrole.RunBatch(ctx, srv.Pool(), id, dbrole.Options{ReadOnly: true},
				func(bt *pgx.Batch) { bt.Queue("select id, name from items where id = $1", 500) },
				func(br pgx.BatchResults) error { return br.QueryRow().Scan(&got, &name) })
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pgx", func(b *testing.B) {
		for b.Loop() {
			var id int
			var name string
			if err := srv.Pool().QueryRow(ctx, "select id, name from items where id = $1", 500).Scan(&id, &name); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func isNoServer(err error) bool { return errors.Is(err, pgenv.ErrNoServer) }
