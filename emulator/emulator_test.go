package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/supakit/supakit/emulator"
	"github.com/supakit/supakit/emulator/internal/pgenv"
)

func start(t *testing.T, cfg emulator.Config) *emulator.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg.FreshDatabase = true
	cfg.Logf = t.Logf
	srv, err := emulator.Start(ctx, cfg)
	if errors.Is(err, emulator.ErrNoPostgreSQL) {
		t.Skipf("no PostgreSQL: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func get(t *testing.T, url string, headers map[string]string) response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: string(b)}
	_ = json.Unmarshal(b, &r.body)
	return r
}

func TestStartServesTheGatewayAndCloseLeavesNothing(t *testing.T) {
	// Hold the server (a shared throwaway cluster would otherwise stop with
	// srv, and the check below could not look).
	holder, err := pgenv.Acquire(context.Background(), pgenv.Options{SkipBootstrap: true})
	if errors.Is(err, pgenv.ErrNoServer) {
		t.Skipf("no PostgreSQL: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	srv := start(t, emulator.Config{})
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %s", srv.URL)
	}
	if srv.JWTSecret != emulator.DemoJWTSecret {
		t.Fatal("default secret is not the demo secret")
	}
	const cliAnon = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
	if srv.AnonKey != cliAnon || srv.ServiceRoleKey == "" || srv.ServiceRoleKey == srv.AnonKey {
		t.Fatalf("keys: anon %q service %q", srv.AnonKey, srv.ServiceRoleKey)
	}

	tests := []struct {
		name    string
		path    string
		headers map[string]string
		status  int
		message string // substring of body.message
		code    string // body.code
	}{
		{"no apikey on rest", "/rest/v1/todos", nil, 401, "No API key found in request", ""},
		{"unknown apikey", "/rest/v1/todos", map[string]string{"apikey": "nope"}, 401, "Invalid authentication credentials", ""},
		{"bad bearer", "/rest/v1/todos", map[string]string{"apikey": srv.AnonKey, "Authorization": "Bearer a.b.c"}, 401, "JWT cryptographic operation failed", "PGRST301"},
		{"auth settings", "/auth/v1/settings", map[string]string{"apikey": srv.AnonKey}, 200, "", ""},
		{"auth needs a key", "/auth/v1/settings", nil, 401, "No API key found in request", ""},
		{"storage checks the token itself", "/storage/v1/bucket", nil, 400, "authorization", "InvalidRequest"},
		{"unknown function", "/functions/v1/hello", nil, 404, "Requested function was not found", "NOT_FOUND"},
		{"unknown route", "/nope", nil, 404, "no Route matched with those values", ""},
		{"graphql not implemented", "/graphql/v1", map[string]string{"apikey": srv.AnonKey}, 501, "GraphQL", ""},
		{"realtime not implemented", "/realtime/v1/websocket", map[string]string{"apikey": srv.AnonKey}, 501, "Realtime", ""},
		{"realtime needs a key", "/realtime/v1/websocket", nil, 401, "No API key found in request", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv.URL+tt.path, tt.headers)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			msg, _ := r.body["message"].(string)
			if !strings.Contains(msg, tt.message) {
				t.Errorf("message %q, want it to contain %q", msg, tt.message)
			}
			if tt.code != "" && r.body["code"] != tt.code {
				t.Errorf("code %v, want %s", r.body["code"], tt.code)
			}
		})
	}

	ctx := context.Background()
	var db string
	if err := srv.Pool().QueryRow(ctx, "select current_database()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	admin, err := pgenv.WithDatabase(srv.DatabaseURL, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "select count(*) from pg_database where datname = $1", db).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s left behind by Close", db)
	}
	if _, err := http.Get(srv.URL + "/rest/v1/"); err == nil {
		t.Error("server still answers after Close")
	}
}

func TestCustomSecret(t *testing.T) {
	secret := strings.Repeat("s", 40)
	srv := start(t, emulator.Config{JWTSecret: secret})
	if srv.JWTSecret != secret {
		t.Fatal("secret not kept")
	}
	other := start(t, emulator.Config{})
	if srv.AnonKey == other.AnonKey {
		t.Fatal("a custom secret gives the demo keys")
	}
	// The demo anon key is not a key of this instance.
	r := get(t, srv.URL+"/rest/v1/x", map[string]string{"apikey": other.AnonKey})
	if r.status != 401 || r.body["message"] != "Invalid authentication credentials" {
		t.Fatalf("foreign key: %d %s", r.status, r.raw)
	}
}

func TestStartWithoutPostgreSQL(t *testing.T) {
	_, err := emulator.Start(context.Background(), emulator.Config{DatabaseURL: "postgres://postgres@127.0.0.1:1/postgres?connect_timeout=1"})
	if !errors.Is(err, emulator.ErrNoPostgreSQL) {
		t.Fatalf("err = %v, want ErrNoPostgreSQL", err)
	}
}

func TestStartRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  emulator.Config
	}{
		{"short secret", emulator.Config{JWTSecret: "short"}},
		{"negative body limit", emulator.Config{MaxBodyBytes: -1}},
		{"negative timeout", emulator.Config{StatementTimeout: -time.Second}},
		{"empty schema", emulator.Config{Schemas: []string{"public", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := emulator.Start(context.Background(), tt.cfg)
			if !errors.Is(err, emulator.ErrConfig) {
				if srv != nil {
					srv.Close()
				}
				t.Fatalf("err = %v, want ErrConfig", err)
			}
		})
	}
	if _, err := emulator.Start(context.Background(), emulator.Config{Addr: "256.0.0.1:bad"}); err == nil {
		t.Fatal("bad address accepted")
	}
}
