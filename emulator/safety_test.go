package emulator_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/emulator"
)

// TestSafetyLimits: MaxRows caps reads, StatementTimeout cancels slow
// statements.
func TestSafetyLimits(t *testing.T) {
	srv := start(t, emulator.Config{MaxRows: 3, StatementTimeout: 300 * time.Millisecond})
	ctx := context.Background()
	if _, err := srv.Pool().Exec(ctx, `
		create table numbers as select g as n from generate_series(1, 10) g;
		create function slow() returns int language sql as 'select pg_sleep(3); select 1';`); err != nil {
		t.Fatal(err)
	}
	if err := srv.ReloadSchema(ctx); err != nil {
		t.Fatal(err)
	}
	key := map[string]string{"apikey": srv.ServiceRoleKey}
	status, body := send(t, "GET", srv.URL+"/rest/v1/numbers?select=n&order=n", "", key)
	var rows []map[string]int
	if err := json.Unmarshal([]byte(body), &rows); status != 200 || err != nil || len(rows) != 3 {
		t.Fatalf("max rows: %d %s (%v)", status, body, err)
	}
	began := time.Now()
	status, body = send(t, "POST", srv.URL+"/rest/v1/rpc/slow", `{}`, key)
	if status < 500 || !strings.Contains(body, "57014") {
		t.Fatalf("slow statement: %d %s, want a 57014 error", status, body)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Fatalf("slow statement ran %v despite a 300ms timeout", d)
	}
}

// TestInjection sends SQL through every part of a request PostgREST
// reads; none may touch the sentinel table, and none may crash the server.
func TestInjection(t *testing.T) {
	srv := start(t, emulator.Config{})
	ctx := context.Background()
	if _, err := srv.Pool().Exec(ctx, `
		create table sentinel (x int); insert into sentinel values (42);
		create table items (id int primary key, name text);
		insert into items values (1, 'one');
		create function echo(a text) returns text language sql as 'select a';`); err != nil {
		t.Fatal(err)
	}
	if err := srv.ReloadSchema(ctx); err != nil {
		t.Fatal(err)
	}
	const evil = `x'); drop table sentinel; --`
	const evilID = `x"); drop table sentinel; --`
	q := url.QueryEscape
	type req struct {
		name, method, path, body string
		headers                  map[string]string
	}
	reqs := []req{
		{"select", "GET", "/rest/v1/items?select=" + q(evilID), "", nil},
		{"select alias", "GET", "/rest/v1/items?select=" + q(`a"b:name`), "", nil},
		{"select cast", "GET", "/rest/v1/items?select=" + q(`name::text);drop table sentinel;--`), "", nil},
		{"json path", "GET", "/rest/v1/items?select=" + q(`name->>'a'');drop table sentinel;--`), "", nil},
		{"filter value", "GET", "/rest/v1/items?name=eq." + q(evil), "", nil},
		{"filter column", "GET", "/rest/v1/items?" + q(evilID) + "=eq.1", "", nil},
		{"like pattern", "GET", "/rest/v1/items?name=like." + q(evil+"*"), "", nil},
		{"in list", "GET", "/rest/v1/items?id=in." + q(`(1,2);drop table sentinel;--)`), "", nil},
		{"in list quoted", "GET", "/rest/v1/items?name=in." + q(`("a""b",`+evil+`)`), "", nil},
		{"or tree", "GET", "/rest/v1/items?or=" + q(`(name.eq.`+evil+`,id.eq.1)`), "", nil},
		{"fts config", "GET", "/rest/v1/items?name=fts(" + q(evilID) + ")." + q("a"), "", nil},
		{"order", "GET", "/rest/v1/items?order=" + q(`name;drop table sentinel`), "", nil},
		{"order column", "GET", "/rest/v1/items?order=" + q(evilID+".desc"), "", nil},
		{"limit", "GET", "/rest/v1/items?limit=" + q(`1;drop table sentinel`), "", nil},
		{"offset", "GET", "/rest/v1/items?offset=" + q(`0;drop table sentinel`), "", nil},
		{"range header", "GET", "/rest/v1/items", "", map[string]string{"Range": "0-1;drop table sentinel"}},
		{"table", "GET", "/rest/v1/" + url.PathEscape(`items;drop table sentinel`), "", nil},
		{"profile", "GET", "/rest/v1/items", "", map[string]string{"Accept-Profile": `public";drop table sentinel;--`}},
		{"body value", "POST", "/rest/v1/items", `{"id":2,"name":"` + strings.ReplaceAll(evil, `"`, `\"`) + `"}`, nil},
		{"body key", "POST", "/rest/v1/items", `{"id":3,"name\"); drop table sentinel; --":"x"}`, nil},
		{"columns", "POST", "/rest/v1/items?columns=" + q(evilID), `{"id":4,"name":"y"}`, nil},
		{"on_conflict", "POST", "/rest/v1/items?on_conflict=" + q(evilID), `{"id":1,"name":"z"}`, map[string]string{"Prefer": "resolution=merge-duplicates"}},
		{"prefer", "POST", "/rest/v1/items", `{"id":5,"name":"w"}`, map[string]string{"Prefer": `return=representation;drop table sentinel`}},
		{"update filter", "PATCH", "/rest/v1/items?id=eq." + q(`1 or 1=1`), `{"name":"hacked"}`, nil},
		{"delete filter", "DELETE", "/rest/v1/items?id=" + q(`gt.0);drop table sentinel;--`), "", nil},
		{"rpc arg value", "POST", "/rest/v1/rpc/echo", `{"a":"` + strings.ReplaceAll(evil, `"`, `\"`) + `"}`, nil},
		{"rpc arg name", "POST", "/rest/v1/rpc/echo", `{"a\"); drop table sentinel; --":"x"}`, nil},
		{"rpc get arg", "GET", "/rest/v1/rpc/echo?a=" + q(evil), "", nil},
		{"rpc name", "POST", "/rest/v1/rpc/" + url.PathEscape(`echo";drop table sentinel;--`), `{}`, nil},
	}
	for _, r := range reqs {
		h := map[string]string{"apikey": srv.ServiceRoleKey}
		for k, v := range r.headers {
			h[k] = v
		}
		status, body := send(t, r.method, srv.URL+r.path, r.body, h)
		t.Logf("%-16s %d %.120s", r.name, status, body)
		if status >= 500 {
			t.Errorf("%s: server error %d: %s", r.name, status, body)
		}
	}
	var x int
	if err := srv.Pool().QueryRow(ctx, "select x from sentinel").Scan(&x); err != nil || x != 42 {
		t.Fatalf("sentinel damaged: x=%d err=%v", x, err)
	}
	var hacked int
	if err := srv.Pool().QueryRow(ctx, "select count(*) from items where name = 'hacked'").Scan(&hacked); err != nil || hacked != 0 {
		t.Fatalf("%d rows updated through an injected filter (%v)", hacked, err)
	}
	var stored string
	if err := srv.Pool().QueryRow(ctx, "select name from items where id = 2").Scan(&stored); err != nil || stored != evil {
		t.Fatalf("a value with quotes was not stored verbatim: %q (%v)", stored, err)
	}
}

// TestStalledBodyIsAnswered: a request whose body stops arriving, its
// connection left open, is answered once BodyIdleTimeout passes, on every
// service behind the gateway.
func TestStalledBodyIsAnswered(t *testing.T) {
	srv := start(t, emulator.Config{BodyIdleTimeout: 300 * time.Millisecond})
	for _, path := range []string{"/rest/v1/nothing", "/storage/v1/object/b/x.bin", "/auth/v1/signup"} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\napikey: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"a\":",
			path, srv.ServiceRoleKey, srv.ServiceRoleKey)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: a stalled body is never answered: %v", path, err)
		}
		res.Body.Close()
		if res.StatusCode < 400 {
			t.Fatalf("%s: status %d for a body that never arrived", path, res.StatusCode)
		}
	}
}

// TestDefaultMaxRows: with MaxRows unset a read returns at most 1,000 rows,
// as on Supabase, even when asked for more.
func TestDefaultMaxRows(t *testing.T) {
	srv := start(t, emulator.Config{})
	ctx := context.Background()
	if _, err := srv.Pool().Exec(ctx, `create table many as select g as n from generate_series(1, 1500) g`); err != nil {
		t.Fatal(err)
	}
	if err := srv.ReloadSchema(ctx); err != nil {
		t.Fatal(err)
	}
	key := map[string]string{"apikey": srv.ServiceRoleKey}
	for _, path := range []string{"/rest/v1/many?select=n&order=n", "/rest/v1/many?select=n&order=n&limit=2000"} {
		status, body := send(t, "GET", srv.URL+path, "", key)
		var rows []map[string]int
		if err := json.Unmarshal([]byte(body), &rows); status != 200 || err != nil || len(rows) != emulator.DefaultMaxRows || rows[999]["n"] != 1000 {
			t.Fatalf("%s: %d, %d rows (%v)", path, status, len(rows), err)
		}
	}
}
