package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/transport"
)

func restGet(path string) *transport.Request {
	return &transport.Request{Method: http.MethodGet, Path: path}
}

// exampleGoTrue is a tiny stand-in for a project's /auth/v1 and /rest/v1.
func exampleGoTrue() *httptest.Server {
	tok := func(aal string) string {
		p, _ := json.Marshal(map[string]any{"sub": "6c46d140", "aud": "authenticated", "exp": 4102444800, "aal": aal})
		return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(p) + ".c2ln"
	}
	user := `{"id":"6c46d140","aud":"authenticated","email":"alice@example.com","user_metadata":{"display_name":"Alice"},
		"factors":[{"id":"f1","factor_type":"totp","status":"verified"}]}`
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/auth/v1/token":
			var body map[string]any
			if gt := r.URL.Query().Get("grant_type"); gt == "password" || gt == "pkce" {
				body = map[string]any{"access_token": tok("aal1"), "token_type": "bearer", "expires_in": 3600,
					"expires_at": 4102444800, "refresh_token": "r1", "user": json.RawMessage(user)}
			}
			_ = json.NewEncoder(w).Encode(body)
		case "/auth/v1/logout":
			w.WriteHeader(http.StatusNoContent)
		case "/rest/v1/todos":
			if r.Header.Get("Authorization") == "Bearer "+tok("aal1") {
				_, _ = io.WriteString(w, `[{"id":1,"title":"as alice"}]`)
			} else {
				_, _ = io.WriteString(w, `[]`)
			}
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
}

func Example() {
	srv := exampleGoTrue()
	defer srv.Close()
	ctx := context.Background()

	base, _ := supakit.New(srv.URL, "sb_publishable_example")
	a, _ := auth.New(base.AuthTransport())
	res, err := a.SignInWithPassword(ctx, auth.PasswordCredentials{Email: "alice@example.com", Password: "alice-password-123"})
	if err != nil {
		fmt.Println(err)
		return
	}
	var meta struct {
		DisplayName string `json:"display_name"`
	}
	_ = res.User.DecodeUserMetadata(&meta)
	fmt.Println("signed in:", res.User.Email, meta.DisplayName)
	fmt.Println(res.Session) // tokens are redacted

	// REST, Storage and Functions now carry the user's access token.
	client, _ := supakit.New(srv.URL, "sb_publishable_example", supakit.WithTokenSource(a))
	resp, _ := client.Rest().Do(ctx, restGet("/todos"))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(body))

	aal, _ := a.MFA().GetAuthenticatorAssuranceLevel(ctx)
	fmt.Println("assurance:", aal.Current, "->", aal.Next)

	_ = a.SignOut(ctx, auth.ScopeLocal)
	_, err = a.GetSession(ctx)
	fmt.Println(errors.Is(err, auth.ErrNoSession))
	// Output:
	// signed in: alice@example.com Alice
	// auth.Session{user:"6c46d140", expires_at:4102444800, access_token:[REDACTED], refresh_token:[REDACTED]}
	// [{"id":1,"title":"as alice"}]
	// assurance: aal1 -> aal2
	// true
}

func ExampleClient_OnAuthStateChange() {
	srv := exampleGoTrue()
	defer srv.Close()
	ctx := context.Background()
	base, _ := supakit.New(srv.URL, "sb_publishable_example")
	a, _ := auth.New(base.AuthTransport())

	unsubscribe := a.OnAuthStateChange(func(e auth.Event, s *auth.Session) {
		fmt.Println(e, s != nil)
	})
	defer unsubscribe()
	_, _ = a.SignInWithPassword(ctx, auth.PasswordCredentials{Email: "alice@example.com", Password: "alice-password-123"})
	_ = a.SignOut(ctx, "")
	// Output:
	// INITIAL_SESSION false
	// SIGNED_IN true
	// SIGNED_OUT false
}

func ExampleClient_SignInWithOAuth() {
	srv := exampleGoTrue()
	defer srv.Close()
	ctx := context.Background()
	base, _ := supakit.New(srv.URL, "sb_publishable_example")
	a, _ := auth.New(base.AuthTransport()) // PKCE flow by default

	res, _ := a.SignInWithOAuth(ctx, auth.OAuthParams{Provider: "github", RedirectTo: "https://app.example.com/callback"})
	u, _ := url.Parse(res.URL)
	fmt.Println(u.Path, u.Query().Get("provider"), u.Query().Get("code_challenge_method"))

	// GitHub, then GoTrue, send the user to the callback with ?code=…
	session, err := a.SessionFromURL(ctx, "https://app.example.com/callback?code=4c1b")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(session.User.Email)
	// Output:
	// /auth/v1/authorize github s256
	// alice@example.com
}

func ExampleError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"code":"invalid_credentials","message":"Invalid login credentials"}`)
	}))
	defer srv.Close()
	base, _ := supakit.New(srv.URL, "sb_publishable_example")
	a, _ := auth.New(base.AuthTransport())

	_, err := a.SignInWithPassword(context.Background(), auth.PasswordCredentials{Email: "alice@example.com", Password: "wrong"})
	fmt.Println(errors.Is(err, auth.ErrInvalidCredentials))
	var ae *auth.Error
	if errors.As(err, &ae) {
		fmt.Println(ae.Status, ae.Code)
	}
	fmt.Println(err)
	// Output:
	// true
	// 400 invalid_credentials
	// auth: POST /token: 400 invalid_credentials: Invalid login credentials
}

func ExampleVerifier() {
	secret := []byte("super-secret-jwt-token-with-at-least-32-characters-long")
	token, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "6c46d140", "aud": "authenticated", "role": "authenticated", "aal": "aal2",
		"exp": time.Now().Add(time.Hour).Unix(), "user_metadata": map[string]any{"display_name": "Alice"},
	}).SignedString(secret)

	v, _ := auth.NewVerifier(auth.WithHS256Secret(secret))
	claims, err := v.Verify(context.Background(), token)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(claims.Subject, claims.Role, claims.AAL)

	_, err = v.Verify(context.Background(), token+"x")
	fmt.Println(errors.Is(err, auth.ErrInvalidToken))
	// Output:
	// 6c46d140 authenticated aal2
	// true
}
