package supakit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/transport"
)

const anonKey = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl"

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		key     string
		opts    []supakit.Option
		wantErr error
	}{
		{"empty url", "", anonKey, nil, supakit.ErrInvalidURL},
		{"relative url", "/x", anonKey, nil, supakit.ErrInvalidURL},
		{"no host", "https://", anonKey, nil, supakit.ErrInvalidURL},
		{"empty key", "https://x.supabase.co", "", nil, supakit.ErrEmptyKey},
		{"nil http client", "https://x.supabase.co", anonKey, []supakit.Option{supakit.WithHTTPClient(nil)}, supakit.ErrOption},
		{"nil option", "https://x.supabase.co", anonKey, []supakit.Option{nil}, supakit.ErrOption},
		{"bad header name", "https://x.supabase.co", anonKey, []supakit.Option{supakit.WithHeader("bad header", "v")}, supakit.ErrOption},
		{"header injection", "https://x.supabase.co", anonKey, []supakit.Option{supakit.WithHeader("X-A", "v\r\nX-B: w")}, supakit.ErrOption},
		{"authorization header", "https://x.supabase.co", anonKey, []supakit.Option{supakit.WithHeader("authorization", "Bearer x")}, supakit.ErrOption},
		{"empty schema", "https://x.supabase.co", anonKey, []supakit.Option{supakit.WithSchema(" ")}, supakit.ErrOption},
		{"nil token source", "https://x.supabase.co", anonKey, []supakit.Option{supakit.WithTokenSource(nil)}, supakit.ErrOption},
		{"ok", "https://x.supabase.co/", anonKey, []supakit.Option{supakit.WithSchema("api"), supakit.WithHeader("X-App", "1")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := supakit.New(tt.url, tt.key, tt.opts...)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && c == nil {
				t.Fatal("nil client without error")
			}
			if err != nil && strings.Contains(err.Error(), anonKey) {
				t.Fatalf("error leaks the key: %v", err)
			}
		})
	}
}

func TestServiceURLs(t *testing.T) {
	c, err := supakit.New("https://x.supabase.co/", anonKey)
	if err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{
		c.Rest().URL(""):               "https://x.supabase.co/rest/v1",
		c.AuthTransport().URL(""):      "https://x.supabase.co/auth/v1",
		c.StorageTransport().URL(""):   "https://x.supabase.co/storage/v1",
		c.FunctionsTransport().URL(""): "https://x.supabase.co/functions/v1",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if c.Schema() != "public" {
		t.Errorf("default schema = %q", c.Schema())
	}
}

func TestWithAccessTokenActsAsUser(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path+" "+r.Header.Get("Authorization")+" "+r.Header.Get("X-App"))
	}))
	defer srv.Close()
	c, err := supakit.New(srv.URL, anonKey, supakit.WithHeader("X-App", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	user := c.WithAccessToken("user.access.token")
	calls := []*transport.Transport{c.Rest(), user.Rest(), user.StorageTransport(), user.FunctionsTransport(), user.AuthTransport(), c.StorageTransport()}
	for _, tr := range calls {
		resp, err := tr.Do(context.Background(), &transport.Request{Method: "GET", Path: "/p"})
		if err != nil {
			t.Fatal(err)
		}
		transport.DrainClose(resp)
	}
	want := []string{
		"/rest/v1/p Bearer " + anonKey + " demo",
		"/rest/v1/p Bearer user.access.token demo",
		"/storage/v1/p Bearer user.access.token demo",
		"/functions/v1/p Bearer user.access.token demo",
		"/auth/v1/p Bearer " + anonKey + " demo", // Auth picks its bearer per call
		"/storage/v1/p Bearer " + anonKey + " demo",
	}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
	if user.HTTPClient() != c.HTTPClient() {
		t.Fatal("user copy does not share the HTTP client")
	}
}

func TestNewFormatKeyNeverBearer(t *testing.T) {
	var auth, apikey string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, apikey = r.Header.Get("Authorization"), r.Header.Get("apikey")
	}))
	defer srv.Close()
	c, err := supakit.New(srv.URL, "sb_publishable_abc123")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Rest().Do(context.Background(), &transport.Request{Method: "GET", Path: "/t"})
	if err != nil {
		t.Fatal(err)
	}
	transport.DrainClose(resp)
	if auth != "" || apikey != "sb_publishable_abc123" {
		t.Fatalf("Authorization=%q apikey=%q", auth, apikey)
	}
}

func TestWithSchema(t *testing.T) {
	c, err := supakit.New("https://x.supabase.co", anonKey)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.WithSchema("api").Schema(); got != "api" {
		t.Fatalf("schema = %q", got)
	}
	if c.Schema() != "public" {
		t.Fatal("WithSchema changed the original")
	}
}

func TestServicesActAsTheClient(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path+" "+r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/storage/v1/bucket"):
			w.Write([]byte(`[]`))
		default:
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	c, err := supakit.New(srv.URL, anonKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	user := c.WithAccessToken("user.access.token")
	for _, cl := range []*supakit.Client{c, user} {
		if _, err := cl.Storage().ListBuckets(ctx); err != nil {
			t.Fatal(err)
		}
		resp, err := cl.Functions().Invoke(ctx, "hello")
		if err != nil {
			t.Fatal(err)
		}
		resp.Close()
	}
	want := []string{
		"/storage/v1/bucket Bearer " + anonKey,
		"/functions/v1/hello Bearer " + anonKey,
		"/storage/v1/bucket Bearer user.access.token",
		"/functions/v1/hello Bearer user.access.token",
	}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}

func TestSignedInSessionFeedsServices(t *testing.T) {
	const userToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsImV4cCI6NDEwMjQ0NDgwMH0.c2ln"
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/auth/v1/token" {
			w.Write([]byte(`{"access_token":"` + userToken + `","token_type":"bearer","expires_in":3600,"expires_at":4102444800,"refresh_token":"r1","user":{"id":"u1","aud":"authenticated","role":"authenticated","email":"a@example.com"}}`))
			return
		}
		seen = append(seen, r.URL.Path+" "+r.Header.Get("Authorization"))
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	c, err := supakit.New(srv.URL, anonKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	call := func() {
		resp, err := c.Rest().Do(ctx, &transport.Request{Method: "GET", Path: "/t"})
		if err != nil {
			t.Fatal(err)
		}
		transport.DrainClose(resp)
	}
	call()
	if _, err := c.Auth().SignInWithPassword(ctx, auth.PasswordCredentials{Email: "a@example.com", Password: "secret-pw"}); err != nil {
		t.Fatal(err)
	}
	call()
	if _, err := c.Storage().ListBuckets(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"/rest/v1/t Bearer " + anonKey, "/rest/v1/t Bearer " + userToken, "/storage/v1/bucket Bearer " + userToken}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
	// An explicit token source wins over the session.
	c2, err := supakit.New(srv.URL, anonKey, supakit.WithTokenSource(transport.StaticToken("fixed.tok.en")))
	if err != nil {
		t.Fatal(err)
	}
	seen = nil
	resp, err := c2.Rest().Do(ctx, &transport.Request{Method: "GET", Path: "/t"})
	if err != nil {
		t.Fatal(err)
	}
	transport.DrainClose(resp)
	if len(seen) != 1 || seen[0] != "/rest/v1/t Bearer fixed.tok.en" {
		t.Fatalf("got %q", seen)
	}
}
