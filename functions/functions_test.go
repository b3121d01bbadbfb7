package functions_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supakit/supakit/functions"
	"github.com/supakit/supakit/transport"
)

func newClient(t testing.TB, h http.HandlerFunc, opts ...functions.Option) *functions.Client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tr, err := transport.New(transport.Config{BaseURL: srv.URL + "/functions/v1", APIKey: "anon-key", Retry: transport.RetryPolicy{}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := functions.New(tr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestErrorsAreDistinguished(t *testing.T) {
	tests := []struct {
		name   string
		status int
		relay  bool
		body   string
		check  func(t *testing.T, err error)
	}{
		{name: "function error keeps status and body", status: 422, body: `{"error":"bad input"}`, check: func(t *testing.T, err error) {
			var he *functions.HTTPError
			if !errors.As(err, &he) || he.StatusCode != 422 || string(he.Body) != `{"error":"bad input"}` || he.Truncated || he.Function != "fn" {
				t.Fatalf("got %#v", err)
			}
			if !strings.Contains(err.Error(), "422") || !strings.Contains(err.Error(), "bad input") {
				t.Errorf("Error() = %q", err.Error())
			}
		}},
		{name: "relay error even with a 2xx-looking status", status: 200, relay: true, body: "relay failed", check: func(t *testing.T, err error) {
			var re *functions.RelayError
			if !errors.As(err, &re) || string(re.Body) != "relay failed" {
				t.Fatalf("got %#v", err)
			}
			var he *functions.HTTPError
			if errors.As(err, &he) {
				t.Error("a relay error is not an HTTPError")
			}
		}},
		{name: "relay error on 500", status: 500, relay: true, check: func(t *testing.T, err error) {
			var re *functions.RelayError
			if !errors.As(err, &re) || re.StatusCode != 500 {
				t.Fatalf("got %#v", err)
			}
		}},
		{name: "big body is bounded", status: 500, body: strings.Repeat("x", functions.MaxErrorBody+100), check: func(t *testing.T, err error) {
			var he *functions.HTTPError
			if !errors.As(err, &he) || len(he.Body) != functions.MaxErrorBody || !he.Truncated {
				t.Fatalf("got %d bytes, truncated %v", len(he.Body), he.Truncated)
			}
			if len(err.Error()) > 300 {
				t.Errorf("Error() is %d bytes long", len(err.Error()))
			}
		}},
		{name: "404 unknown function", status: 404, body: `{"code":"NOT_FOUND","message":"Requested function was not found"}`, check: func(t *testing.T, err error) {
			var he *functions.HTTPError
			if !errors.As(err, &he) || he.StatusCode != 404 {
				t.Fatalf("got %#v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.relay {
					w.Header().Set("x-relay-error", "true")
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			resp, err := c.Invoke(context.Background(), "fn")
			if err == nil {
				resp.Close()
				t.Fatal("no error")
			}
			tt.check(t, err)
		})
	}
}

func TestFetchError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	base := srv.URL
	srv.Close() // nothing listens any more
	tr, _ := transport.New(transport.Config{BaseURL: base + "/functions/v1", APIKey: "sb_secret_xyz", Retry: transport.RetryPolicy{}})
	c, _ := functions.New(tr)
	_, err := c.Invoke(context.Background(), "fn", functions.Text("x"))
	var fe *functions.FetchError
	if !errors.As(err, &fe) || fe.Function != "fn" {
		t.Fatalf("got %#v", err)
	}
	if strings.Contains(err.Error(), "sb_secret_xyz") {
		t.Error("key in error")
	}

	block := make(chan struct{})
	c = newClient(t, func(w http.ResponseWriter, r *http.Request) { <-block })
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err = c.Invoke(ctx, "fn")
	if !errors.As(err, &fe) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a FetchError wrapping the deadline, got %v", err)
	}
}

func TestInvokeJSON(t *testing.T) {
	type req struct {
		Name string `json:"name"`
	}
	type resp struct {
		Greeting string `json:"greeting"`
	}
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Accept") != "application/json" {
			t.Errorf("headers %v", r.Header)
		}
		b, _ := io.ReadAll(r.Body)
		switch string(b) {
		case `{"name":"Go"}`:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"greeting":"hello Go"}`)
		case `{"name":""}`:
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, "bad")
		}
	})
	ctx := context.Background()
	out, err := functions.InvokeJSON[req, resp](ctx, c, "greet", req{Name: "Go"})
	if err != nil || out.Greeting != "hello Go" {
		t.Fatalf("got %+v %v", out, err)
	}
	out, err = functions.InvokeJSON[req, resp](ctx, c, "greet", req{})
	if err != nil || out != (resp{}) {
		t.Fatalf("empty answer: %+v %v", out, err)
	}
	_, err = functions.InvokeJSON[req, resp](ctx, c, "greet", req{Name: "x"}, functions.Text("two bodies"))
	if !errors.Is(err, functions.ErrInvalidOption) {
		t.Fatalf("second body: %v", err)
	}
	_, err = functions.InvokeJSON[map[string]any, resp](ctx, c, "greet", map[string]any{"name": "zz"})
	var he *functions.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 400 {
		t.Fatalf("got %v", err)
	}
	_, err = functions.InvokeJSON[func(), resp](ctx, c, "greet", func() {})
	if !errors.Is(err, functions.ErrInvalidOption) {
		t.Fatalf("unencodable: %v", err)
	}
}

func TestNamesAndOptions(t *testing.T) {
	var hits atomic.Int64
	var lastURI atomic.Value
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		lastURI.Store(r.RequestURI)
		w.Header().Set("X-Region-Seen", r.Header.Get("X-Region"))
	}, functions.WithRegion("eu-west-1"))
	ctx := context.Background()
	tests := []struct {
		name    string
		fn      string
		opts    []functions.InvokeOption
		wantURI string
		wantErr error
	}{
		{name: "default region applies", fn: "a", wantURI: "/functions/v1/a?forceFunctionRegion=eu-west-1"},
		{name: "call region wins", fn: "a", opts: []functions.InvokeOption{functions.Region("us-east-1")}, wantURI: "/functions/v1/a?forceFunctionRegion=us-east-1"},
		{name: "any region", fn: "a", opts: []functions.InvokeOption{functions.Region("any")}, wantURI: "/functions/v1/a"},
		{name: "sub path encoded", fn: "a/b c/ü", opts: []functions.InvokeOption{functions.Region("any"), functions.Query("q", "x y&z")}, wantURI: "/functions/v1/a/b%20c/%C3%BC?q=x+y%26z"},
		{name: "empty", fn: "", wantErr: functions.ErrInvalidName},
		{name: "dot dot", fn: "a/../admin", wantErr: functions.ErrInvalidName},
		{name: "leading slash", fn: "/a", wantErr: functions.ErrInvalidName},
		{name: "trailing slash", fn: "a/", wantErr: functions.ErrInvalidName},
		{name: "question mark", fn: "a?x=1", wantErr: functions.ErrInvalidName},
		{name: "hash", fn: "a#b", wantErr: functions.ErrInvalidName},
		{name: "control", fn: "a\nb", wantErr: functions.ErrInvalidName},
		{name: "bad method", fn: "a", opts: []functions.InvokeOption{functions.Method("TRACE")}, wantErr: functions.ErrInvalidOption},
		{name: "bad region", fn: "a", opts: []functions.InvokeOption{functions.Region("us east")}, wantErr: functions.ErrInvalidOption},
		{name: "authorization header", fn: "a", opts: []functions.InvokeOption{functions.Header("Authorization", "x")}, wantErr: functions.ErrInvalidOption},
		{name: "two bodies", fn: "a", opts: []functions.InvokeOption{functions.Text("a"), functions.Bytes(nil)}, wantErr: functions.ErrInvalidOption},
		{name: "nil reader", fn: "a", opts: []functions.InvokeOption{functions.Body(nil, "")}, wantErr: functions.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hits.Load()
			resp, err := c.Invoke(ctx, tt.fn, tt.opts...)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("want %v, got %v", tt.wantErr, err)
				}
				if hits.Load() != before {
					t.Fatal("refused call reached the server")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Close()
			if got := lastURI.Load(); got != tt.wantURI {
				t.Errorf("uri %v, want %s", got, tt.wantURI)
			}
			_, rawQuery, _ := strings.Cut(tt.wantURI, "?")
			q, _ := url.ParseQuery(rawQuery)
			if r := q.Get("forceFunctionRegion"); resp.Header.Get("X-Region-Seen") != r {
				t.Errorf("x-region %q, want %q", resp.Header.Get("X-Region-Seen"), r)
			}
		})
	}
	if _, err := functions.New(nil); !errors.Is(err, functions.ErrInvalidOption) {
		t.Errorf("nil transport: %v", err)
	}
}

func TestStreamedBody(t *testing.T) {
	const n = 8 << 20
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != -1 || r.Header.Get("Content-Type") != "application/x-ndjson" {
			t.Errorf("length %d type %q", r.ContentLength, r.Header.Get("Content-Type"))
		}
		m, _ := io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, strings.Repeat("y", int(m/1024)))
	})
	resp, err := c.Invoke(context.Background(), "ingest", functions.Body(io.LimitReader(zeros{}, n), "application/x-ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := resp.Text()
	if err != nil || len(text) != n/1024 {
		t.Fatalf("got %d bytes back, %v", len(text), err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// FuzzInvokeName: an accepted name reaches the server as its segments,
// each decoding back to the name's; a refused name never reaches it.
func FuzzInvokeName(f *testing.F) {
	for _, s := range []string{"hello", "a/b c", "a/../b", "a?x", "ü/日本", "", "/a", "a//b", "%2e%2e"} {
		f.Add(s)
	}
	var hits atomic.Int64
	var last atomic.Value
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		hits.Add(1)
		last.Store(r.URL.EscapedPath())
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})
	tr, _ := transport.New(transport.Config{BaseURL: "http://fn.test/functions/v1", APIKey: "k", HTTPClient: &http.Client{Transport: rt}})
	c, _ := functions.New(tr)
	f.Fuzz(func(t *testing.T, name string) {
		before := hits.Load()
		resp, err := c.Invoke(context.Background(), name)
		if err != nil {
			if !errors.Is(err, functions.ErrInvalidName) {
				t.Fatalf("%q: %v", name, err)
			}
			if hits.Load() != before {
				t.Fatalf("refused name %q was sent", name)
			}
			return
		}
		resp.Close()
		p := strings.TrimPrefix(last.Load().(string), "/functions/v1/")
		var segs []string
		for _, s := range strings.Split(p, "/") {
			d, err := url.PathUnescape(s)
			if err != nil || d == "" || d == "." || d == ".." {
				t.Fatalf("name %q: bad segment %q (%v)", name, s, err)
			}
			segs = append(segs, d)
		}
		if strings.Join(segs, "/") != name {
			t.Fatalf("name %q sent as %q", name, p)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
