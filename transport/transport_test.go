package transport_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supakit/supakit/transport"
)

const legacyKey = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl"

func newT(t *testing.T, base string, mod func(*transport.Config)) *transport.Transport {
	t.Helper()
	cfg := transport.Config{BaseURL: base + "/rest/v1", APIKey: legacyKey, ClientInfo: "supakit-go/test"}
	if mod != nil {
		mod(&cfg)
	}
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name    string
		cfg     transport.Config
		wantErr error
	}{
		{"empty url", transport.Config{APIKey: "k"}, transport.ErrInvalidURL},
		{"no scheme", transport.Config{BaseURL: "example.com", APIKey: "k"}, transport.ErrInvalidURL},
		{"ftp", transport.Config{BaseURL: "ftp://example.com", APIKey: "k"}, transport.ErrInvalidURL},
		{"query", transport.Config{BaseURL: "https://example.com?x=1", APIKey: "k"}, transport.ErrInvalidURL},
		{"bad escape", transport.Config{BaseURL: "https://example.com/%zz", APIKey: "k"}, transport.ErrInvalidURL},
		{"empty key", transport.Config{BaseURL: "https://example.com"}, transport.ErrEmptyKey},
		{"blank key", transport.Config{BaseURL: "https://example.com", APIKey: "  "}, transport.ErrEmptyKey},
		{"credentials", transport.Config{BaseURL: "https://user:hunter2@example.com", APIKey: "k"}, transport.ErrInvalidURL},
		{"credentials and bad escape", transport.Config{BaseURL: "https://user:hunter2@example.com/%zz", APIKey: "k"}, transport.ErrInvalidURL},
		{"ok", transport.Config{BaseURL: "https://example.com/rest/v1/", APIKey: "k"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := transport.New(tt.cfg)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error shows the password: %v", err)
			}
		})
	}
}

func TestIsNewFormatKey(t *testing.T) {
	for key, want := range map[string]bool{
		legacyKey:               false,
		"anon-key":              false,
		"sb_publishable_abc":    true,
		"sb_secret_abc.def.ghi": true,
	} {
		if got := transport.IsNewFormatKey(key); got != want {
			t.Errorf("IsNewFormatKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestHeaders(t *testing.T) {
	var got http.Header
	var gotURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		gotURL = r.URL.String()
	}))
	defer srv.Close()

	tests := []struct {
		name       string
		key        string
		tokens     transport.TokenSource
		bearer     string
		wantAuth   string
		wantHeader map[string]string
	}{
		{name: "legacy key as bearer", key: legacyKey, wantAuth: "Bearer " + legacyKey},
		{name: "new key never bearer", key: "sb_publishable_xyz", wantAuth: ""},
		{name: "secret key never bearer", key: "sb_secret_xyz", wantAuth: ""},
		{name: "token source wins", key: legacyKey, tokens: transport.StaticToken("user.jwt.tok"), wantAuth: "Bearer user.jwt.tok"},
		{name: "token with new key", key: "sb_publishable_xyz", tokens: transport.StaticToken("user.jwt.tok"), wantAuth: "Bearer user.jwt.tok"},
		{name: "empty token falls back to key", key: legacyKey, tokens: transport.StaticToken(""), wantAuth: "Bearer " + legacyKey},
		{name: "explicit bearer", key: legacyKey, tokens: transport.StaticToken("user.jwt.tok"), bearer: "sess.jwt.tok", wantAuth: "Bearer sess.jwt.tok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newT(t, srv.URL, func(c *transport.Config) {
				c.APIKey = tt.key
				c.Tokens = tt.tokens
				c.Header = http.Header{"X-Custom": {"yes"}}
			})
			resp, err := tr.Do(context.Background(), &transport.Request{
				Method: "GET", Path: "/countries", RawQuery: "select=id", Bearer: tt.bearer,
				Header: http.Header{"Prefer": {"count=exact"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			transport.DrainClose(resp)
			if gotURL != "/rest/v1/countries?select=id" {
				t.Errorf("url = %q", gotURL)
			}
			if a := got.Get("Authorization"); a != tt.wantAuth {
				t.Errorf("Authorization = %q, want %q", a, tt.wantAuth)
			}
			if k := got.Get("apikey"); k != tt.key {
				t.Errorf("apikey = %q, want %q", k, tt.key)
			}
			for k, v := range map[string]string{"X-Client-Info": "supakit-go/test", "X-Custom": "yes", "Prefer": "count=exact"} {
				if got.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, got.Get(k), v)
				}
			}
		})
	}
}

func TestTokenSourceError(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	boom := errors.New("session expired")
	tr := newT(t, srv.URL, func(c *transport.Config) {
		c.Tokens = transport.TokenSourceFunc(func(context.Context) (string, error) { return "", boom })
	})
	_, err := tr.Do(context.Background(), &transport.Request{Method: "GET", Path: "/x"})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if hits.Load() != 0 {
		t.Fatal("request sent despite token error")
	}
}

func fastRetry() transport.RetryPolicy {
	p := transport.DefaultRetryPolicy()
	p.BaseDelay = time.Millisecond
	p.MaxDelay = 20 * time.Millisecond
	return p
}

func TestRetryReads(t *testing.T) {
	var hits atomic.Int32
	var counts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		counts = append(counts, r.Header.Get("X-Retry-Count"))
		if n < 3 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	tr := newT(t, srv.URL, func(c *transport.Config) { c.Retry = fastRetry() })
	resp, err := tr.Do(context.Background(), &transport.Request{Method: "GET", Path: "/x"})
	if err != nil {
		t.Fatal(err)
	}
	defer transport.DrainClose(resp)
	if resp.StatusCode != 200 || hits.Load() != 3 {
		t.Fatalf("status %d after %d hits", resp.StatusCode, hits.Load())
	}
	if strings.Join(counts, ",") != ",1,2" {
		t.Fatalf("X-Retry-Count sequence = %q", counts)
	}
}

func TestRetryGivesUpAfterMax(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(520)
	}))
	defer srv.Close()
	tr := newT(t, srv.URL, func(c *transport.Config) { c.Retry = fastRetry() })
	resp, err := tr.Do(context.Background(), &transport.Request{Method: "HEAD", Path: "/x"})
	if err != nil {
		t.Fatal(err)
	}
	transport.DrainClose(resp)
	if resp.StatusCode != 520 || hits.Load() != 4 {
		t.Fatalf("status %d after %d hits, want 520 after 4", resp.StatusCode, hits.Load())
	}
}

func TestWritesNeverRetried(t *testing.T) {
	for _, method := range []string{"POST", "PATCH", "DELETE", "PUT"} {
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		tr := newT(t, srv.URL, func(c *transport.Config) { c.Retry = fastRetry() })
		resp, err := tr.Do(context.Background(), &transport.Request{Method: method, Path: "/x", Body: strings.NewReader("{}"), ContentLength: 2})
		if err != nil {
			t.Fatal(err)
		}
		transport.DrainClose(resp)
		srv.Close()
		if hits.Load() != 1 {
			t.Errorf("%s sent %d times", method, hits.Load())
		}
	}
}

func TestRetryOnConnectionReset(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.SetLinger(0) // RST instead of FIN
				}
				conn.Close()
			}
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	tr := newT(t, srv.URL, func(c *transport.Config) { c.Retry = fastRetry() })
	resp, err := tr.Do(context.Background(), &transport.Request{Method: "GET", Path: "/x"})
	if err != nil {
		t.Fatal(err)
	}
	transport.DrainClose(resp)
	if hits.Load() != 2 || resp.StatusCode != 200 {
		t.Fatalf("hits=%d status=%d", hits.Load(), resp.StatusCode)
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	p := transport.DefaultRetryPolicy()
	tr := newT(t, srv.URL, func(c *transport.Config) { c.Retry = p })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := tr.Do(ctx, &transport.Request{Method: "GET", Path: "/x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("backoff ignored cancellation")
	}
}

func TestErrorsCarryNoSecrets(t *testing.T) {
	tr := newT(t, "http://127.0.0.1:1", func(c *transport.Config) {
		c.Tokens = transport.StaticToken("secret.user.token")
	})
	_, err := tr.Do(context.Background(), &transport.Request{Method: "POST", Path: "/countries"})
	if err == nil {
		t.Fatal("expected a connection error")
	}
	msg := err.Error()
	if strings.Contains(msg, legacyKey) || strings.Contains(msg, "secret.user.token") {
		t.Fatalf("error leaks a secret: %s", msg)
	}
	if !strings.Contains(msg, "POST /countries") {
		t.Fatalf("error does not name the call: %s", msg)
	}
}

func TestCopiesAreIndependent(t *testing.T) {
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization")+"|"+r.Header.Get("X-A"))
	}))
	defer srv.Close()
	base := newT(t, srv.URL, nil)
	user := base.WithTokens(transport.StaticToken("u.s.r")).WithHeader("X-A", "1")
	for _, tr := range []*transport.Transport{base, user, base} {
		resp, err := tr.Do(context.Background(), &transport.Request{Method: "GET", Path: "/"})
		if err != nil {
			t.Fatal(err)
		}
		transport.DrainClose(resp)
	}
	want := []string{"Bearer " + legacyKey + "|", "Bearer u.s.r|1", "Bearer " + legacyKey + "|"}
	if strings.Join(auth, " ") != strings.Join(want, " ") {
		t.Fatalf("got %q, want %q", auth, want)
	}
}

func TestURL(t *testing.T) {
	tr := newT(t, "https://x.supabase.co", nil)
	for in, want := range map[string]string{
		"":           "https://x.supabase.co/rest/v1",
		"/countries": "https://x.supabase.co/rest/v1/countries",
		"rpc/fn":     "https://x.supabase.co/rest/v1/rpc/fn",
	} {
		if got := tr.URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}
