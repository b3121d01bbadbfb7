package supakit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/transport"
)

const mwSecret = "super-secret-jwt-token-with-at-least-32-characters-long"

func mwToken(t *testing.T, sub string, exp time.Time, secret string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": sub, "aud": "authenticated", "role": "authenticated", "exp": exp.Unix(), "aal": "aal1",
		"session_id": "s1", "email": sub + "@example.com",
	}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMiddleware(t *testing.T) {
	// The project: REST answers with the bearer it received.
	project := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"authorization": r.Header.Get("Authorization"), "apikey": r.Header.Get("apikey")})
	}))
	defer project.Close()
	client, err := supakit.New(project.URL, "sb_publishable_test-key")
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(auth.WithHS256Secret([]byte(mwSecret)))
	if err != nil {
		t.Fatal(err)
	}

	// The service's handler queries REST with the request's client.
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := supakit.FromContext(r.Context())
		if !ok {
			http.Error(w, "no client in context", 500)
			return
		}
		resp, err := c.Rest().Do(r.Context(), &transport.Request{Method: http.MethodGet, Path: "/todos"})
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer transport.DrainClose(resp)
		var seen map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&seen)
		sub := ""
		if cl, ok := auth.ClaimsFromContext(r.Context()); ok {
			sub = cl.Subject
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"sub": sub, "rest_authorization": seen["authorization"]})
	})

	good := mwToken(t, "alice", time.Now().Add(time.Hour), mwSecret)
	tests := []struct {
		name       string
		mw         func(http.Handler) http.Handler
		header     string
		wantStatus int
		wantCode   string
		wantSub    string
		wantBearer string
	}{
		{"valid token", client.Middleware(v), "Bearer " + good, 200, "", "alice", "Bearer " + good},
		{"lower-case scheme", client.Middleware(v), "bearer " + good, 200, "", "alice", "Bearer " + good},
		{"missing", client.Middleware(v), "", 401, "no_authorization", "", ""},
		{"not bearer", client.Middleware(v), "Basic dXNlcjpwdw==", 401, "bad_jwt", "", ""},
		{"expired", client.Middleware(v), "Bearer " + mwToken(t, "alice", time.Now().Add(-time.Minute), mwSecret), 401, "token_expired", "", ""},
		{"wrong signature", client.Middleware(v), "Bearer " + mwToken(t, "alice", time.Now().Add(time.Hour), mwSecret+"!"), 401, "bad_jwt", "", ""},
		{"garbage", client.Middleware(v), "Bearer garbage", 401, "bad_jwt", "", ""},
		{"anonymous allowed", client.Middleware(v, supakit.AllowAnonymous()), "", 200, "", "", ""},
		{"anonymous allowed, bad token still rejected", client.Middleware(v, supakit.AllowAnonymous()), "Bearer garbage", 401, "bad_jwt", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.mw(handler))
			defer srv.Close()
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			var got map[string]string
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body is not JSON: %s", body)
			}
			if tt.wantStatus == 401 {
				if got["code"] != tt.wantCode || got["message"] == "" {
					t.Fatalf("error body = %v", got)
				}
				if resp.Header.Get("WWW-Authenticate") == "" || resp.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("headers = %v", resp.Header)
				}
				if strings.Contains(string(body), "eyJ") {
					t.Fatal("the token is echoed in the error")
				}
				return
			}
			if got["sub"] != tt.wantSub || got["rest_authorization"] != tt.wantBearer {
				t.Fatalf("handler saw %v", got)
			}
		})
	}
}

func TestMiddlewareRequireAAL(t *testing.T) {
	client, _ := supakit.New("https://example.supabase.co", "sb_publishable_x")
	v, _ := auth.NewVerifier(auth.WithHS256Secret([]byte(mwSecret)))
	mw := client.Middleware(v, supakit.RequireAAL(auth.AAL2))
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for aal, want := range map[string]int{"aal1": http.StatusForbidden, "aal2": http.StatusNoContent, "": http.StatusForbidden} {
		tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"sub": "alice", "aud": "authenticated", "exp": time.Now().Add(time.Hour).Unix(), "aal": aal,
		}).SignedString([]byte(mwSecret))
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		mw(ok).ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("aal %q: status %d, want %d", aal, rec.Code, want)
		}
		if want == http.StatusForbidden && !strings.Contains(rec.Body.String(), "insufficient_aal") {
			t.Errorf("aal %q: body %s", aal, rec.Body.String())
		}
	}
}

func TestMiddlewareWithoutVerifier(t *testing.T) {
	client, _ := supakit.New("https://example.supabase.co", "sb_publishable_x")
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer x.y.z")
	client.Middleware(nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Fatal("served without a verifier") })).ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestMiddlewareWithoutClient(t *testing.T) {
	v, _ := auth.NewVerifier(auth.WithHS256Secret([]byte(mwSecret)))
	var client *supakit.Client
	for _, h := range []string{"Bearer " + mwToken(t, "alice", time.Now().Add(time.Hour), mwSecret), ""} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		client.Middleware(v, supakit.AllowAnonymous())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			t.Error("served without a client")
		})).ServeHTTP(rec, req)
		if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "client_missing") {
			t.Fatalf("header %q: status %d %s", h, rec.Code, rec.Body.String())
		}
	}
}

func TestMiddlewareCustomErrorResponder(t *testing.T) {
	client, _ := supakit.New("https://example.supabase.co", "sb_publishable_x")
	v, _ := auth.NewVerifier(auth.WithHS256Secret([]byte(mwSecret)))
	var gotCode string
	mw := client.Middleware(v, supakit.WithErrorResponder(func(w http.ResponseWriter, _ *http.Request, status int, code, _ string) {
		gotCode = code
		w.WriteHeader(status)
	}))
	rec := httptest.NewRecorder()
	mw(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 401 || gotCode != "no_authorization" {
		t.Fatalf("status %d code %q", rec.Code, gotCode)
	}
	if _, ok := supakit.FromContext(context.Background()); ok {
		t.Fatal("FromContext on an empty context")
	}
}

func ExampleClient_Middleware() {
	secret := []byte(mwSecret)
	client, _ := supakit.New("https://example.supabase.co", "sb_publishable_example")
	v, _ := auth.NewVerifier(auth.WithHS256Secret(secret))

	api := client.Middleware(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := auth.ClaimsFromContext(r.Context())
		_, asUser := supakit.FromContext(r.Context()) // repo.New[T](that client) runs under RLS as the user
		fmt.Fprintln(w, "hello", claims.Subject, asUser)
	}))

	token, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "alice", "aud": "authenticated", "role": "authenticated", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString(secret)
	for _, h := range []string{"Bearer " + token, ""} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		api.ServeHTTP(rec, req)
		fmt.Print(rec.Code, " ", rec.Body.String())
	}
	// Output:
	// 200 hello alice true
	// 401 {"code":"no_authorization","message":"this endpoint requires a bearer token"}
}
