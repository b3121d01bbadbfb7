package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/supakit/supakit/emulator/internal/rest"
)

// TestErrorStatusMapping raises each SQLSTATE from SQL and checks the HTTP
// status PostgREST documents for it, and the JSON shape of the answer,
// through both the read path (GET of a stable function) and the write
// path (POST of a volatile one).
func TestErrorStatusMapping(t *testing.T) {
	s := newServer(t, rest.Config{})
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, `
		create function fail_v(code text) returns int language plpgsql as
		  $$ begin raise exception 'failed with %', code using errcode = code, detail = 'the detail', hint = 'the hint'; end $$;
		create function fail_s(code text) returns int language plpgsql stable as
		  $$ begin raise exception 'failed with %', code using errcode = code, detail = 'the detail', hint = 'the hint'; end $$;
		grant execute on function fail_v(text), fail_s(text) to anon, authenticated;`); err != nil {
		t.Fatal(err)
	}
	if err := s.h.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code       string
		anon, user int
	}{
		{"23505", 409, 409}, // unique violation
		{"23503", 409, 409}, // foreign key violation
		{"23514", 400, 400}, // other integrity errors
		{"42501", 401, 403}, // insufficient privilege: 401 for anon
		{"42P01", 404, 404}, // undefined table
		{"42883", 404, 404}, // undefined function
		{"42703", 400, 400},
		{"42P17", 500, 500},
		{"22P02", 400, 400}, // invalid text representation
		{"57014", 500, 500}, // statement timeout / cancel
		{"25006", 405, 405}, // read-only transaction
		{"25P02", 500, 500},
		{"08006", 503, 503},
		{"53300", 503, 503},
		{"53400", 500, 500},
		{"54000", 500, 500},
		{"40001", 500, 500},
		{"28000", 403, 403},
		{"0P000", 403, 403},
		{"2D000", 500, 500},
		{"XX000", 500, 500},
		{"P0001", 400, 400},
		{"P0002", 500, 500},
		{"PT418", 418, 418}, // custom status from RAISE
	}
	for _, tt := range tests {
		for _, role := range []string{"anon", "authenticated"} {
			want := tt.user
			if role == "anon" {
				want = tt.anon
			}
			for _, c := range []call{
				{role: role, target: "/rpc/fail_s?code=" + tt.code},
				{role: role, method: "POST", target: "/rpc/fail_v", body: fmt.Sprintf(`{"code":%q}`, tt.code)},
			} {
				rec := s.do(c)
				var e map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
					t.Fatalf("%s %s as %s: not JSON: %s", c.method, tt.code, role, rec.Body.String())
				}
				if rec.Code != want || e["code"] != tt.code || e["message"] != "failed with "+tt.code ||
					e["details"] != "the detail" || e["hint"] != "the hint" || len(e) != 4 {
					t.Errorf("%s %s as %s: %d %s, want status %d in PostgREST's shape", c.method, tt.code, role, rec.Code, rec.Body.String(), want)
				}
			}
		}
	}
}
