package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/supakit/supakit/emulator"
	"github.com/supakit/supakit/emulator/internal/reqctx"
)

// TestAuthSessionActsOnREST: a user signed up through /auth/v1 gets an
// access token that /rest/v1 accepts, and auth.uid() in a policy is that
// user's id.
func TestAuthSessionActsOnREST(t *testing.T) {
	srv := start(t, emulator.Config{Auth: emulator.AuthConfig{Autoconfirm: true}})
	ctx := context.Background()
	if _, err := srv.Pool().Exec(ctx, `
		create table profiles (id uuid primary key default auth.uid(), name text);
		alter table profiles enable row level security;
		create policy own on profiles for all to authenticated
		  using (id = auth.uid()) with check (id = auth.uid());`); err != nil {
		t.Fatal(err)
	}
	if err := srv.ReloadSchema(ctx); err != nil {
		t.Fatal(err)
	}
	status, body := send(t, "POST", srv.URL+"/auth/v1/signup", `{"email":"ada@example.com","password":"correct horse"}`,
		map[string]string{"apikey": srv.AnonKey})
	if status != http.StatusOK {
		t.Fatalf("signup: %d %s", status, body)
	}
	var session struct {
		AccessToken string `json:"access_token"`
		User        struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if err := json.Unmarshal([]byte(body), &session); err != nil || session.AccessToken == "" || session.User.ID == "" {
		t.Fatalf("signup body %s (%v)", body, err)
	}
	h := map[string]string{"apikey": srv.AnonKey, "Authorization": "Bearer " + session.AccessToken, "Prefer": "return=representation"}
	status, body = send(t, "POST", srv.URL+"/rest/v1/profiles", `{"name":"Ada"}`, h)
	if status != http.StatusCreated || !strings.Contains(body, session.User.ID) {
		t.Fatalf("insert as the signed-up user: %d %s (user %s)", status, body, session.User.ID)
	}
	status, body = send(t, "GET", srv.URL+"/rest/v1/profiles?select=name", "", map[string]string{"apikey": srv.AnonKey})
	if status != http.StatusOK || body != "[]" {
		t.Fatalf("anon read: %d %s", status, body)
	}
}

func TestRegisteredFunction(t *testing.T) {
	srv := start(t, emulator.Config{})
	err := srv.RegisterFunction("hello", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := reqctx.From(r.Context())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path, "role": id.Role})
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.RegisterFunction("bad name!", http.NotFoundHandler()); err == nil {
		t.Fatal("invalid function name accepted")
	}
	status, body := send(t, "POST", srv.URL+"/functions/v1/hello/sub", `{}`, map[string]string{"Authorization": "Bearer " + srv.ServiceRoleKey})
	if status != http.StatusOK || !strings.Contains(body, `"path":"/hello/sub"`) || !strings.Contains(body, `"role":"service_role"`) {
		t.Fatalf("%d %s", status, body)
	}
	srv.UnregisterFunction("hello")
	if status, _ := send(t, "GET", srv.URL+"/functions/v1/hello", "", nil); status != http.StatusNotFound {
		t.Fatalf("unregistered function answers %d", status)
	}
}

// TestParallelStarts: emulators started at the same time on one server
// (each with its own database) all come up and stay isolated.
func TestParallelStarts(t *testing.T) {
	const n = 4
	urls := make(chan string, n)
	t.Run("group", func(t *testing.T) {
		for i := range n {
			t.Run(string(rune('a'+i)), func(t *testing.T) {
				t.Parallel()
				srv := start(t, emulator.Config{})
				if _, err := srv.Pool().Exec(context.Background(), "create table mine (x int); insert into mine values (1)"); err != nil {
					t.Fatal(err)
				}
				if err := srv.ReloadSchema(context.Background()); err != nil {
					t.Fatal(err)
				}
				status, body := send(t, "GET", srv.URL+"/rest/v1/mine?select=x", "", map[string]string{"apikey": srv.ServiceRoleKey})
				if status != http.StatusOK || body != `[{"x":1}]` {
					t.Fatalf("%d %s", status, body)
				}
				urls <- srv.DatabaseURL
			})
		}
	})
	close(urls)
	seen := map[string]bool{}
	for u := range urls {
		if seen[u] {
			t.Fatalf("two emulators shared the database %s", u)
		}
		seen[u] = true
	}
}
