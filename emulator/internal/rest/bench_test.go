package rest_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/supakit/supakit/emulator/internal/pgtest"
	"github.com/supakit/supakit/emulator/internal/reqctx"
	"github.com/supakit/supakit/emulator/internal/rest"
)

// BenchmarkOneRow compares a one-row select through the handler with the
// same query through pgx directly.
func BenchmarkOneRow(b *testing.B) {
	env := pgtest.New(b)
	ctx := context.Background()
	if _, err := env.Pool.Exec(ctx, testSchema); err != nil {
		b.Fatal(err)
	}
	h, err := rest.New(ctx, env.Pool, rest.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	id := reqctx.Identity{Role: "anon", Claims: []byte(`{"role":"anon"}`)}
	b.Run("rest", func(b *testing.B) {
		for b.Loop() {
			req := httptest.NewRequest("GET", "/countries?select=id,name&id=eq.1", nil)
			req = req.WithContext(reqctx.With(req.Context(), id))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatal(rec.Code, rec.Body.String())
			}
		}
	})
	b.Run("pgx", func(b *testing.B) {
		for b.Loop() {
			var id int64
			var name string
			if err := env.Pool.QueryRow(ctx, `select id, name from countries where id = $1`, 1).Scan(&id, &name); err != nil {
				b.Fatal(err)
			}
		}
	})
}
