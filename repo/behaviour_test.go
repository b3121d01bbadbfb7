package repo_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
	"github.com/supakit/supakit/transport"
)

// TestReadsRetriedWritesNot checks that the repository sends through the
// transport's retry policy: a read answered 503 is retried with
// X-Retry-Count, a write answered 503 is sent once.
func TestReadsRetriedWritesNot(t *testing.T) {
	var calls atomic.Int32
	var retryHeaders []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		retryHeaders = append(retryHeaders, r.Header.Get("X-Retry-Count"))
		if n <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"id":1,"name":"Chad"}]`))
	}))
	defer srv.Close()
	policy := transport.RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, Statuses: []int{503, 520}}
	cl, err := supakit.New(srv.URL, "anon-key", supakit.WithRetryPolicy(policy))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rows, err := repo.New[Country](cl).Find(ctx)
	if err != nil || len(rows) != 1 {
		t.Fatalf("Find: %v %v", rows, err)
	}
	if calls.Load() != 3 || strings.Join(retryHeaders, ",") != ",1,2" {
		t.Errorf("read: %d calls, X-Retry-Count %q; want 3 calls, \",1,2\"", calls.Load(), retryHeaders)
	}

	for name, write := range map[string]func() error{
		"insert": func() error { _, err := repo.New[Country](cl).Insert(ctx, Country{Name: "Chad"}); return err },
		"rpc post": func() error {
			_, err := repo.Call[int](ctx, cl, "fn", nil)
			return err
		},
		"builder update": func() error {
			_, err := repo.Table(cl, "countries").Update(map[string]any{"name": "x"}).Eq("id", 1).Execute(ctx)
			return err
		},
	} {
		calls.Store(0)
		retryHeaders = nil
		err := write()
		var pe *repo.Error
		if !errors.As(err, &pe) || pe.Status != 503 {
			t.Errorf("%s: %v, want the 503 answer", name, err)
		}
		if calls.Load() != 1 {
			t.Errorf("%s: sent %d times; writes are never retried", name, calls.Load())
		}
	}
}

// stallAfterHeaders answers 200 with the start of a JSON array, flushes,
// then stalls until the client goes away; closed records that it saw the
// client close the connection.
func stallAfterHeaders(closed chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Range", "0-1/*")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`[{"id":1,"name":"Chad"},`))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			closed <- struct{}{}
		case <-time.After(10 * time.Second):
		}
	}
}

// TestCancelMidBody checks that a server stalling after the headers does
// not hold a call: every reading call returns the context's error promptly
// and the connection is closed.
func TestCancelMidBody(t *testing.T) {
	closed := make(chan struct{}, 16)
	srv := httptest.NewServer(stallAfterHeaders(closed))
	defer srv.Close()
	cl, err := supakit.New(srv.URL, "anon-key", supakit.WithRetryPolicy(transport.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	countries := repo.New[Country](cl)
	c := schema.Cols[Country]()
	calls := map[string]func(ctx context.Context) error{
		"Find": func(ctx context.Context) error { _, err := countries.Find(ctx); return err },
		"All": func(ctx context.Context) error {
			var last error
			for _, err := range countries.Query().All(ctx) {
				if err != nil {
					last = err
				}
			}
			return last
		},
		"FindAndCount": func(ctx context.Context) error {
			_, _, err := countries.Query().FindAndCount(ctx, query.CountExact)
			return err
		},
		"MaybeSingle": func(ctx context.Context) error { _, err := countries.Query().MaybeSingle(ctx); return err },
		"Single":      func(ctx context.Context) error { _, err := countries.Query().Single(ctx); return err },
		"CSV":         func(ctx context.Context) error { _, err := countries.Query().CSV(ctx); return err },
		"Delete":      func(ctx context.Context) error { _, err := countries.Delete(ctx, query.Eq(&c.ID, 1)); return err },
		"Call":        func(ctx context.Context) error { _, err := repo.Call[[]Country](ctx, cl, "fn", nil); return err },
		"Execute": func(ctx context.Context) error {
			_, err := repo.Table(cl, "countries").Select("*").Execute(ctx)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := call(ctx)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("returned after %v", d)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want context.DeadlineExceeded", err)
			}
			select {
			case <-closed:
			case <-time.After(2 * time.Second):
				t.Error("the server never saw the connection closed")
			}
		})
	}
}

// TestSecretsNotInErrors makes every kind of failure with a secret key and
// a user token, and checks that neither appears in any error text.
func TestSecretsNotInErrors(t *testing.T) {
	const key = "sb_secret_SUPERSECRETKEY123"
	const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.TOKENSIGNATURE"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/rest/v1/error":
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"code":"PGRST301","message":"JWT expired","details":null,"hint":null}`))
		case "/rest/v1/html":
			w.WriteHeader(502)
			_, _ = w.Write([]byte(`<html>bad gateway</html>`))
		default:
			_, _ = w.Write([]byte(`[{"id":"not a number"}]`))
		}
	}))
	base := srv.URL
	cl, err := supakit.New(base, key, supakit.WithRetryPolicy(transport.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	user := cl.WithAccessToken(token)
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var errs []error
	collect := func(err error) {
		if err == nil {
			t.Error("expected an error")
		}
		errs = append(errs, err)
	}
	for _, c := range []*supakit.Client{cl, user} {
		_, err = repo.New[Country](c, repo.WithTableName("error")).Find(ctx)
		collect(err)
		_, err = repo.New[Country](c, repo.WithTableName("html")).Find(ctx)
		collect(err)
		_, err = repo.New[Country](c).Find(ctx) // decode error
		collect(err)
		_, err = repo.New[Country](c).Find(cancelled)
		collect(err)
		_, err = repo.Table(c, "error").Select("*").Execute(ctx)
		collect(err)
		_, err = repo.Call[int](ctx, c, "error", nil)
		collect(err)
	}
	srv.Close() // connection refused from now on
	for _, c := range []*supakit.Client{cl, user} {
		_, err = repo.New[Country](c).Find(ctx)
		collect(err)
		_, err = repo.New[Country](c).Insert(ctx, Country{Name: "x"})
		collect(err)
	}
	_, err = supakit.New("ftp://example.com", key)
	collect(err)
	for _, err := range errs {
		if err == nil {
			continue
		}
		s := err.Error()
		if strings.Contains(s, key) || strings.Contains(s, token) || strings.Contains(s, "SUPERSECRET") || strings.Contains(s, "TOKENSIGNATURE") {
			t.Errorf("error text holds a secret: %s", s)
		}
	}
}

// stamp has a custom decoder: encoding/json semantics must hold for it.
type stamp struct{ s string }

func (s *stamp) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s.s = "custom:" + v
	return nil
}

type event struct {
	ID      int64           `db:"id,pk"`
	At      time.Time       `db:"at"`
	When    *time.Time      `db:"when_at"`
	Payload json.RawMessage `db:"payload,json"`
	Tag     stamp           `db:"tag,json"`
	Extra   map[string]any  `db:"extra,json"`
}

func (event) TableName() string { return "events" }

// TestDecodingKeepsJSONSemantics decodes rows through every reading call
// and checks custom UnmarshalJSON, json.RawMessage (kept verbatim) and
// time.Time (RFC 3339, nullable pointer).
func TestDecodingKeepsJSONSemantics(t *testing.T) {
	f, cl := newFake(t)
	const row = `{"id":7,"at":"2024-05-06T07:08:09.123456+02:00","when_at":null,"payload":{"b": [1, 2],"a":"x"},"tag":"t1","extra":{"n":1.5}}`
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.FixedZone("", 2*3600))
	check := func(name string, e event) {
		t.Helper()
		if e.ID != 7 || !e.At.Equal(at) || e.When != nil || string(e.Payload) != `{"b": [1, 2],"a":"x"}` ||
			e.Tag.s != "custom:t1" || e.Extra["n"] != 1.5 {
			t.Errorf("%s: decoded %+v", name, e)
		}
	}
	ctx := context.Background()
	events := repo.New[event](cl)
	f.body = "[" + row + "]"
	rows, err := events.Find(ctx)
	if err != nil || len(rows) != 1 {
		t.Fatalf("Find: %v %v", rows, err)
	}
	check("Find", rows[0])
	for e, err := range events.Query().All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		check("All", e)
		break // the fake answers every page with the same row
	}
	m, err := events.Query().MaybeSingle(ctx)
	if err != nil || m == nil {
		t.Fatalf("MaybeSingle: %v", err)
	}
	check("MaybeSingle", *m)
	f.body = row
	s, err := events.Query().Single(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check("Single", s)
	c, err := repo.Call[event](ctx, cl, "get_event", nil)
	if err != nil {
		t.Fatal(err)
	}
	check("Call", c)

	f.body = `[{"id":7,"at":"yesterday"}]`
	if _, err := events.Find(ctx); err == nil || !strings.Contains(err.Error(), "decode response") {
		t.Errorf("bad time: %v", err)
	}
}
