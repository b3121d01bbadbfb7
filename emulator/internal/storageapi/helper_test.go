package storageapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/supakit/supakit/emulator/internal/pgtest"
	"github.com/supakit/supakit/emulator/internal/storageapi"
)

// secret is the JWT secret of the recorded fixtures, so their tokens
// verify here.
var secret = []byte("super-secret-jwt-token-with-at-least-32-characters-long")

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     testing.TB
	h     *storageapi.Handler
	srv   *httptest.Server
	clock *clock
	exec  func(sql string, args ...any)
	query func(sql string, args ...any) string
	dir   string
}

// newEnv serves a fresh storage API over a fresh database.
func newEnv(t testing.TB, mutate ...func(*storageapi.Config)) *env {
	t.Helper()
	db := pgtest.New(t)
	ck := &clock{t: time.Now()}
	dir := t.TempDir()
	cfg := storageapi.Config{DataDir: dir, JWTSecret: secret, Now: ck.Now, Logf: t.Logf}
	for _, m := range mutate {
		m(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h, err := storageapi.New(ctx, db.Pool, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		if err := h.Close(); err != nil {
			t.Error(err)
		}
	})
	return &env{t: t, h: h, srv: srv, clock: ck, dir: dir,
		exec: func(sql string, args ...any) {
			t.Helper()
			if _, err := db.Pool.Exec(context.Background(), sql, args...); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		},
		query: func(sql string, args ...any) string {
			t.Helper()
			var s *string
			if err := db.Pool.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
			if s == nil {
				return "<null>"
			}
			return *s
		},
	}
}

// token signs claims with the test secret (exp one hour after the test
// clock unless given).
func (e *env) token(claims jwt.MapClaims) string {
	e.t.Helper()
	if _, ok := claims["exp"]; !ok {
		claims["exp"] = e.clock.Now().Add(time.Hour).Unix()
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) service() string { return e.token(jwt.MapClaims{"role": "service_role"}) }
func (e *env) anon() string    { return e.token(jwt.MapClaims{"role": "anon"}) }
func (e *env) user(sub string) string {
	return e.token(jwt.MapClaims{"role": "authenticated", "sub": sub, "aud": "authenticated"})
}

// testClient bounds every request of these tests: a handler that never
// answers fails the test instead of hanging the package until go test's
// own timeout.
var testClient = &http.Client{Timeout: 3 * time.Minute}

// dialRaw opens a bare connection to the test server, for requests that
// stop half-way. It is closed before the server (cleanups run last-in
// first-out), so a test that fails mid-request never leaves a handler
// waiting for bytes that httptest.Server.Close would wait on forever.
func (e *env) dialRaw() net.Conn {
	e.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = conn.Close() })
	return conn
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, r.body)
	}
	return v
}

// do sends a request; token "" sends no Authorization header.
func (e *env) do(method, path, token string, body io.Reader, header ...string) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := testClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, b}
}

func (e *env) doJSON(method, path, token, body string, header ...string) resp {
	e.t.Helper()
	return e.do(method, path, token, strings.NewReader(body), append([]string{"Content-Type", "application/json"}, header...)...)
}

// wantErr asserts Storage's error answer: HTTP 400 (or httpStatus) with
// statusCode and code in the body.
func wantErr(t testing.TB, r resp, httpStatus int, statusCode, code string) {
	t.Helper()
	var b struct {
		StatusCode string `json:"statusCode"`
		Code       string `json:"code"`
		Error      string `json:"error"`
		Message    string `json:"message"`
	}
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("error body is not JSON (%d): %s", r.status, r.body)
	}
	if r.status != httpStatus || b.StatusCode != statusCode || b.Code != code {
		t.Fatalf("got HTTP %d %s, want HTTP %d statusCode %s code %s", r.status, r.body, httpStatus, statusCode, code)
	}
	if b.Error == "" || b.Message == "" {
		t.Fatalf("error body lacks error/message: %s", r.body)
	}
}

func wantStatus(t testing.TB, r resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
}
