package integration_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/supakit/supakit/functions"
)

// registerFunction serves h as an Edge Function with a unique name, or skips
// when the stack cannot host Go handlers.
func registerFunction(t *testing.T, prefix string, h http.HandlerFunc) string {
	t.Helper()
	s := need(t)
	if s.Functions == nil {
		t.Skipf("capability missing on the %s tier: Edge Functions from Go handlers (the emulator has them)", s.Tier)
	}
	name := uniq(prefix)
	if err := s.Functions.RegisterFunction(name, h); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestFunctionsInvoke: functions.invoke with JSON, text and bytes bodies,
// methods, headers, query, and the caller's identity.
func TestFunctionsInvoke(t *testing.T) {
	ctx := ctxFor(t)
	type seen struct {
		Method, Path, ContentType, Query, Custom, Auth string
		Body                                           string
	}
	name := registerFunction(t, "echo-", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(seen{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"),
			Query: r.URL.Query().Get("q"), Custom: r.Header.Get("X-Custom"),
			Auth: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), Body: string(b)})
	})
	fn := anonClient(t).Functions()

	// The reference's call: a JSON body, typed both ways.
	type hello struct {
		Name string `json:"name"`
	}
	got, err := functions.InvokeJSON[hello, seen](ctx, fn, name, hello{Name: "Functions"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodPost || got.ContentType != "application/json" || got.Body != `{"name":"Functions"}` ||
		got.Path != "/"+name || got.Auth != need(t).AnonKey {
		t.Fatalf("JSON invoke: %+v", got)
	}

	resp, err := fn.Invoke(ctx, name+"/sub path", functions.Text("plain"), functions.Method(http.MethodPut),
		functions.Header("X-Custom", "yes"), functions.Query("q", "a b"))
	if err != nil {
		t.Fatal(err)
	}
	var s seen
	if err := resp.DecodeJSON(&s); err != nil {
		t.Fatal(err)
	}
	if s.Method != http.MethodPut || s.ContentType != "text/plain" || s.Body != "plain" || s.Custom != "yes" ||
		s.Query != "a b" || s.Path != "/"+name+"/sub path" {
		t.Fatalf("text invoke: %+v", s)
	}

	resp, err = fn.Invoke(ctx, name, functions.Bytes([]byte{0, 1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.DecodeJSON(&s); err != nil || s.ContentType != "application/octet-stream" || s.Body != "\x00\x01\x02" {
		t.Fatalf("bytes invoke: %+v, %v", s, err)
	}

	// As a signed-in user, the function sees the user's token.
	u := newUser(t)
	tok, err := u.Auth.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err = functions.InvokeJSON[hello, seen](ctx, u.Client.Functions(), name, hello{Name: "me"})
	if err != nil || got.Auth != tok {
		t.Fatalf("user invoke: auth matches=%v, %v", got.Auth == tok, err)
	}
}

// TestFunctionsErrors: a non-2xx answer is an *HTTPError with the status
// and body; an unknown function is an error too.
func TestFunctionsErrors(t *testing.T) {
	ctx := ctxFor(t)
	name := registerFunction(t, "fail-", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, `{"error":"short and stout"}`)
	})
	fn := anonClient(t).Functions()
	_, err := fn.Invoke(ctx, name)
	var he *functions.HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusTeapot || !strings.Contains(string(he.Body), "short and stout") {
		t.Fatalf("error answer: %v", err)
	}
	if _, err := fn.Invoke(ctx, uniq("missing-")); !errors.As(err, &he) || he.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown function: %v", err)
	}
}
