package gotrue_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/supakit/supakit/emulator/internal/gotrue"
	"github.com/supakit/supakit/emulator/internal/pgtest"
)

const secret = "super-secret-jwt-token-with-at-least-32-characters-long"

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t     *testing.T
	h     *gotrue.Handler
	pool  *pgxpool.Pool
	clock *clock
	anon  string
	admin string
}

func signKey(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newEnv starts a handler over a fresh database; mod adjusts the config.
func newEnv(t *testing.T, mod func(*gotrue.Config)) *env {
	t.Helper()
	db := pgtest.New(t)
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	cfg := gotrue.Config{
		JWTSecret:        []byte(secret),
		ExternalURL:      "http://127.0.0.1:54321/auth/v1",
		SiteURL:          "http://localhost:3000",
		AllowAnonymous:   true,
		PasswordHashCost: bcrypt.MinCost,
		Now:              c.Now,
		Logf:             t.Logf,
		ExternalProviders: map[string]gotrue.ProviderConfig{
			"github": {AuthorizeURL: "https://github.com/login/oauth/authorize", ClientID: "dummy-github-client-id", Scopes: []string{"user:email"}},
		},
		MFA: gotrue.MFAConfig{Issuer: "supabase-local"},
	}
	if mod != nil {
		mod(&cfg)
	}
	h, err := gotrue.New(context.Background(), db.Pool, cfg)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(24 * time.Hour).Unix()
	return &env{t: t, h: h, pool: db.Pool, clock: c,
		anon:  signKey(t, jwt.MapClaims{"iss": "supabase-demo", "role": "anon", "exp": exp}),
		admin: signKey(t, jwt.MapClaims{"iss": "supabase-demo", "role": "service_role", "exp": exp}),
	}
}

// resp is a recorded answer.
type resp struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   any
}

func (r *resp) obj() map[string]any {
	m, _ := r.Body.(map[string]any)
	return m
}

func (r *resp) str(path ...string) string {
	var cur any = r.Body
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[p]
	}
	s, _ := cur.(string)
	return s
}

type reqOpt func(*http.Request)

func bearerOpt(tok string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

func v2024(r *http.Request) { r.Header.Set("X-Supabase-Api-Version", "2024-01-01") }

func (e *env) do(method, path string, body any, opts ...reqOpt) *resp {
	e.t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("apikey", e.anon)
	req.Header.Set("Authorization", "Bearer "+e.anon)
	for _, o := range opts {
		o(req)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	out := &resp{Status: rec.Code, Header: rec.Header(), Raw: rec.Body.Bytes()}
	if len(out.Raw) > 0 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(out.Raw, &out.Body); err != nil {
			e.t.Fatalf("%s %s: invalid JSON %q: %v", method, path, out.Raw, err)
		}
	} else if len(out.Raw) > 0 {
		out.Body = string(out.Raw)
	}
	return out
}

func (e *env) expect(r *resp, status int, ctx string) {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("%s: status %d, want %d; body %s", ctx, r.Status, status, r.Raw)
	}
}

// fixture is one recorded exchange.
type fixture struct {
	Status  int
	Body    any
	Headers map[string]string
	Claims  map[string]any
}

func loadFixture(t *testing.T, name string) fixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "fixtures", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Response struct {
			Status  int        `json:"status"`
			Headers [][]string `json:"headers"`
			Body    any        `json:"body"`
		} `json:"response"`
		Claims map[string]any `json:"claims"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	h := map[string]string{}
	for _, kv := range f.Response.Headers {
		h[kv[0]] = kv[1]
	}
	return fixture{Status: f.Response.Status, Body: f.Response.Body, Headers: h, Claims: f.Claims}
}

// matchFixture asserts r has the fixture's status and the same JSON shape:
// the same keys at every level (objects) and the same JSON kinds.
func (e *env) matchFixture(r *resp, name string) fixture {
	e.t.Helper()
	f := loadFixture(e.t, name)
	if r.Status != f.Status {
		e.t.Fatalf("%s: status %d, want %d; body %s", name, r.Status, f.Status, r.Raw)
	}
	if diffs := shapeDiff("$", f.Body, r.Body); len(diffs) > 0 {
		e.t.Errorf("%s: shape differs from the real GoTrue:\n  %s\n got %s", name, strings.Join(diffs, "\n  "), r.Raw)
	}
	if code := f.Headers["X-Sb-Error-Code"]; code != "" && r.Header.Get("X-Sb-Error-Code") != code {
		e.t.Errorf("%s: X-Sb-Error-Code %q, want %q", name, r.Header.Get("X-Sb-Error-Code"), code)
	}
	if v := f.Headers["X-Supabase-Api-Version"]; v != r.Header.Get("X-Supabase-Api-Version") {
		e.t.Errorf("%s: X-Supabase-Api-Version %q, want %q", name, r.Header.Get("X-Supabase-Api-Version"), v)
	}
	// Error bodies are deterministic: compare them whole.
	if f.Status >= 400 {
		if diffs := valueDiff("$", f.Body, r.Body); len(diffs) > 0 {
			e.t.Errorf("%s: error body differs:\n  %s", name, strings.Join(diffs, "\n  "))
		}
	}
	return f
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return fmt.Sprintf("%T", v)
}

func shapeDiff(path string, want, got any) []string {
	if kind(want) != kind(got) {
		return []string{fmt.Sprintf("%s: %s, want %s", path, kind(got), kind(want))}
	}
	var out []string
	if strings.HasSuffix(path, ".user_metadata") || strings.HasSuffix(path, ".identity_data") {
		return nil // free-form: whatever the test put in
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		var keys []string
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				out = append(out, fmt.Sprintf("%s.%s: unexpected key", path, k))
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			out = append(out, shapeDiff(path+"."+k, w[k], gv)...)
		}
	case []any:
		g := got.([]any)
		if len(w) > 0 && len(g) > 0 {
			out = append(out, shapeDiff(path+"[0]", w[0], g[0])...)
		} else if (len(w) == 0) != (len(g) == 0) {
			out = append(out, fmt.Sprintf("%s: %d elements, want %d", path, len(g), len(w)))
		}
	}
	return out
}

func valueDiff(path string, want, got any) []string {
	wb, _ := json.Marshal(want)
	gb, _ := json.Marshal(got)
	if !bytes.Equal(wb, gb) {
		return []string{fmt.Sprintf("%s: %s, want %s", path, gb, wb)}
	}
	return nil
}

// claims decodes a JWT payload without verifying it.
func claims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// matchClaims compares the claim shape with a recorded jwt fixture (the
// emulator adds iss).
func matchClaims(t *testing.T, tok, name string) map[string]any {
	t.Helper()
	got := claims(t, tok)
	f := loadFixture(t, name)
	want := map[string]any{}
	for k, v := range f.Claims {
		want[k] = v
	}
	want["iss"] = "http://127.0.0.1:54321/auth/v1"
	if d := shapeDiff("$", want, any(got)); len(d) > 0 {
		t.Errorf("%s: claims shape differs:\n  %s", name, strings.Join(d, "\n  "))
	}
	// And the signature verifies with the secret.
	if _, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte(secret), nil }, jwt.WithValidMethods([]string{"HS256"})); err != nil {
		t.Errorf("%s: token does not verify: %v", name, err)
	}
	return got
}

func outboxLatest(t *testing.T, e *env, to, kind string) gotrue.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	m, err := e.h.Outbox().Wait(ctx, to, func(m gotrue.Message) bool { return m.Kind == kind })
	if err != nil {
		t.Fatalf("no %s message to %s: %v", kind, to, err)
	}
	return m
}

// confirmedUser signs up email/password and confirms it through the outbox.
func (e *env) confirmedUser(email, password string) map[string]any {
	e.t.Helper()
	r := e.do("POST", "/signup", map[string]any{"email": email, "password": password})
	e.expect(r, 200, "signup "+email)
	m := outboxLatest(e.t, e, email, gotrue.KindSignup)
	r = e.do("POST", "/verify", map[string]any{"type": "signup", "email": email, "token": m.OTP})
	e.expect(r, 200, "verify "+email)
	return r.obj()
}

func (e *env) signIn(email, password string) *resp {
	e.t.Helper()
	r := e.do("POST", "/token?grant_type=password", map[string]any{"email": email, "password": password})
	e.expect(r, 200, "sign in "+email)
	return r
}
