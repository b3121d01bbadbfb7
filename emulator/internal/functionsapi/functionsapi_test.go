package functionsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/supakit/supakit/emulator/internal/functionsapi"
	"github.com/supakit/supakit/emulator/internal/reqctx"
)

func TestRegister(t *testing.T) {
	h := functionsapi.New()
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	tests := []struct {
		name    string
		fn      http.Handler
		wantErr error
	}{
		{"hello-world", ok, nil},
		{"hello-world", ok, functionsapi.ErrDuplicate},
		{"snake_case2", ok, nil},
		{"", ok, functionsapi.ErrInvalidName},
		{"1abc", ok, functionsapi.ErrInvalidName},
		{"a/b", ok, functionsapi.ErrInvalidName},
		{"a b", ok, functionsapi.ErrInvalidName},
		{"nilfn", nil, functionsapi.ErrNilHandler},
	}
	for _, tt := range tests {
		err := h.Register(tt.name, tt.fn)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("Register(%q) = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	h.Unregister("hello-world")
	if err := h.Register("hello-world", ok); err != nil {
		t.Errorf("Register after Unregister: %v", err)
	}
}

// seen is what a function observed of its request.
type seen struct {
	Method, Path, Query, Body, Auth, Custom, ContentType, Role string
}

func echo() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		id, _ := reqctx.From(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		_ = json.NewEncoder(w).Encode(seen{r.Method, r.URL.Path, r.URL.RawQuery, string(b),
			r.Header.Get("Authorization"), r.Header.Get("my-custom-header"), r.Header.Get("Content-Type"), id.Role})
	})
}

func TestRouting(t *testing.T) {
	h := functionsapi.New()
	if err := h.Register("hello-world", echo()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		method     string
		target     string
		body       string
		header     map[string]string
		wantStatus int
		want       seen
		wantBody   string
	}{
		{name: "json post", method: "POST", target: "/hello-world", body: `{"name":"Functions"}`,
			header:     map[string]string{"Content-Type": "application/json", "Authorization": "Bearer anon-key", "my-custom-header": "v"},
			wantStatus: http.StatusTeapot,
			want:       seen{"POST", "/hello-world", "", `{"name":"Functions"}`, "Bearer anon-key", "v", "application/json", "authenticated"}},
		{name: "get with sub path and query", method: "GET", target: "/hello-world/sub%20path?x=1",
			wantStatus: http.StatusTeapot, want: seen{Method: "GET", Path: "/hello-world/sub path", Query: "x=1", Role: "authenticated"}},
		{name: "delete", method: "DELETE", target: "/hello-world",
			wantStatus: http.StatusTeapot, want: seen{Method: "DELETE", Path: "/hello-world", Role: "authenticated"}},
		{name: "unknown", method: "POST", target: "/nope", wantStatus: http.StatusNotFound,
			wantBody: `{"code":"NOT_FOUND","message":"Requested function was not found"}`},
		{name: "prefix of a name is not the name", method: "POST", target: "/hello", wantStatus: http.StatusNotFound,
			wantBody: `{"code":"NOT_FOUND","message":"Requested function was not found"}`},
		{name: "root", method: "GET", target: "/", wantStatus: http.StatusNotFound,
			wantBody: `{"code":"NOT_FOUND","message":"Requested function was not found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			req = req.WithContext(reqctx.With(context.Background(), reqctx.Identity{Role: "authenticated"}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tt.wantStatus, rec.Body)
			}
			if tt.wantBody != "" {
				if rec.Body.String() != tt.wantBody {
					t.Fatalf("body %s, want %s", rec.Body, tt.wantBody)
				}
				if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
					t.Fatalf("content-type %q", ct)
				}
				return
			}
			var got seen
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("function saw %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPanic(t *testing.T) {
	h := functionsapi.New()
	_ = h.Register("boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/boom", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "WORKER_ERROR") {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}

	// Through a real server: a panic after the response began must not
	// look like a complete response.
	_ = h.Register("half", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write([]byte("partial"))
		panic("late")
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	srv.Config.ErrorLog = nil
	resp, err := http.Post(srv.URL+"/half", "text/plain", nil)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("a truncated response was read without error")
	}
}

func TestZeroValue(t *testing.T) {
	var h functionsapi.Handler
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("status %d", rec.Code)
	}
	if err := h.Register("x", echo()); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != http.StatusTeapot {
		t.Fatalf("status %d", rec.Code)
	}
}
