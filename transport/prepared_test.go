package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"

	"github.com/supakit/supakit/transport"
)

// parsedURL is what Do built before it prepared URLs: the joined string
// parsed back.
func parsedURL(tr *transport.Transport, path, query string) (*url.URL, error) {
	full := tr.URL(path)
	if query != "" {
		full += "?" + query
	}
	return url.Parse(full)
}

func checkRequestURL(t *testing.T, tr *transport.Transport, path, query string) {
	t.Helper()
	want, wantErr := parsedURL(tr, path, query)
	got, err := tr.RequestURL(path, query)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("RequestURL(%q, %q) err = %v, want %v", path, query, err, wantErr)
	}
	if err != nil {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("RequestURL(%q, %q) = %#v, want %#v", path, query, got, want)
	}
	if got.String() != want.String() || got.RequestURI() != want.RequestURI() {
		t.Fatalf("RequestURL(%q, %q) = %s (%s), want %s (%s)", path, query, got, got.RequestURI(), want, want.RequestURI())
	}
}

func TestRequestURLMatchesParse(t *testing.T) {
	bases := []string{
		"https://x.supabase.co/rest/v1",
		"https://x.supabase.co/rest/v1/",
		"https://x.supabase.co",
		"http://127.0.0.1:54321/storage/v1",
		"https://x.supabase.co/a%20b/v1",
		"https://x.supabase.co:/rest/v1",
		"https://[::1]:8080/rest/v1",
	}
	tests := []struct{ name, path, query string }{
		{"root", "", ""},
		{"table", "/countries", ""},
		{"no slash", "rpc/fn", ""},
		{"query", "/countries", "select=id,name&id=in.(1,2)&order=name.asc"},
		{"escaped path", "/object/b/a%20b.txt", ""},
		{"escaped slash", "/object/b/a%2Fb.txt", "download="},
		{"bad escape", "/object/%zz", ""},
		{"question mark in path", "/a?b", "c=d"},
		{"fragment in query", "/t", "a=b#c"},
		{"control char in query", "/t", "a=\x00"},
		{"space in path", "/a b", ""},
		{"unicode in path", "/ä", ""},
		{"quotes in query", "/t", `name=eq."a,b"`},
	}
	for _, base := range bases {
		tr, err := transport.New(transport.Config{BaseURL: base, APIKey: legacyKey})
		if err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		for _, tt := range tests {
			t.Run(base+"/"+tt.name, func(t *testing.T) { checkRequestURL(t, tr, tt.path, tt.query) })
		}
	}
}

func FuzzRequestURL(f *testing.F) {
	f.Add("https://x.supabase.co/rest/v1", "/countries", "select=id")
	f.Add("https://x.supabase.co/a%20b", "a%2F", "#")
	f.Add("http://h:/", "?", "\x7f")
	f.Add("http://0", "!", "0") // net/url escapes "!" in paths: not plain
	f.Fuzz(func(t *testing.T, base, path, query string) {
		tr, err := transport.New(transport.Config{BaseURL: base, APIKey: legacyKey})
		if err != nil {
			return
		}
		checkRequestURL(t, tr, path, query)
	})
}

// A handler that appends to the request's header values must not change
// what the next request sends: the transport shares its prepared values.
func TestSharedHeaderValuesNotMutated(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("X-A")+"|"+r.Header.Get("Apikey")+"|"+r.Header.Get("Authorization")+"|"+r.Header.Get("X-Client-Info"))
	}))
	defer srv.Close()
	mutating := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		for k := range r.Header {
			r.Header[k] = append(r.Header[k], "extra")
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	tr, err := transport.New(transport.Config{
		BaseURL: srv.URL, APIKey: legacyKey, ClientInfo: "ci",
		Header:     http.Header{"X-A": {"1"}},
		HTTPClient: &http.Client{Transport: mutating},
	})
	if err != nil {
		t.Fatal(err)
	}
	reqHeader := http.Header{"Prefer": {"count=exact"}}
	for range 3 {
		resp, err := tr.Do(context.Background(), &transport.Request{Method: "GET", Path: "/t", Header: reqHeader})
		if err != nil {
			t.Fatal(err)
		}
		transport.DrainClose(resp)
	}
	want := "1|" + legacyKey + "|Bearer " + legacyKey + "|ci"
	for i, s := range seen {
		if s != want {
			t.Errorf("request %d sent %q, want %q", i, s, want)
		}
	}
	if got := reqHeader["Prefer"]; len(got) != 1 || got[0] != "count=exact" {
		t.Errorf("caller's header changed: %q", got)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
