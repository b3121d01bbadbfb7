package rest_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/supakit/supakit/emulator/internal/rest"
)

// A volatile function called by POST commits its writes: the call's
// transaction must end in COMMIT, not ROLLBACK, when nothing failed.
func TestRPCWritesAreCommitted(t *testing.T) {
	s := newServer(t, rest.Config{})
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, `
		create function add_canary(n int) returns int language sql volatile as 'insert into canary values (n) returning id';
		create function add_canary_void(n int) returns void language sql volatile as 'insert into canary values (n)';
		grant execute on function add_canary(int), add_canary_void(int) to anon`); err != nil {
		t.Fatal(err)
	}
	if err := s.h.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		fn   string
		n    int
		want int
	}{{"add_canary", 7, http.StatusOK}, {"add_canary_void", 8, http.StatusNoContent}} {
		rec := s.do(call{method: http.MethodPost, target: "/rpc/" + c.fn, headers: map[string]string{"Content-Type": "application/json"}, body: `{"n":` + strconv.Itoa(c.n) + `}`})
		if rec.Code != c.want {
			t.Fatalf("%s: status %d: %s", c.fn, rec.Code, rec.Body)
		}
		var found bool
		if err := s.pool.QueryRow(ctx, `select exists(select 1 from canary where id = $1)`, c.n).Scan(&found); err != nil {
			t.Fatal(err)
		}
		if !found {
			t.Fatalf("%s answered %d but its insert was rolled back", c.fn, rec.Code)
		}
	}
}
