package repo_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
)

// A short page is confirmed by a further request, even on a repository
// that has seen the server return whole pages: the server's max rows may
// have been lowered since, and All must not lose a row to it.
func TestAllShortPageIsConfirmed(t *testing.T) {
	f, cl := newFake(t)
	var requests atomic.Int32
	var order atomic.Value
	r := repo.New[Country](cl)
	ctx := context.Background()

	count := func(q *repo.Query[Country]) (rows int, reqs int32) {
		t.Helper()
		requests.Store(0)
		var failed error
		for _, err := range q.All(ctx) {
			if err != nil {
				failed = err
				break
			}
			rows++
		}
		if failed != nil {
			t.Fatal(failed)
		}
		return rows, requests.Load()
	}

	f.handler = pager(t, 7, 1000, &requests, &order)
	if rows, reqs := count(r.Query()); rows != 7 || reqs != 2 {
		t.Fatalf("%d rows in %d requests, want 7 in 2", rows, reqs)
	}
	// The server once served whole pages of 1000 ...
	f.handler = pager(t, 1500, 1000, &requests, &order)
	got, err := r.Find(ctx)
	if err != nil || len(got) != 1000 {
		t.Fatalf("Find: %d rows, %v", len(got), err)
	}
	// ... then its max rows was lowered to 3: every row still arrives.
	f.handler = pager(t, 8, 3, &requests, &order)
	if rows, _ := count(r.Query()); rows != 8 {
		t.Fatalf("after the server's cap was lowered: %d rows, want 8", rows)
	}
	if rows, _ := count(r.Query().PageSize(5)); rows != 8 {
		t.Fatalf("server capping below the page: %d rows, want 8", rows)
	}
}

// A Query reused from many goroutines sends the same request each time,
// and a query derived from it after use sends its own.
func TestReusedQueryConcurrent(t *testing.T) {
	f, cl := newFake(t)
	f.body = `[{"id":1,"name":"a","cities":[]}]`
	c := schema.Cols[Country]()
	q := repo.New[Country](cl).Query().Where(query.Eq(&c.Name, "a")).Order(query.Asc(&c.ID))
	ctx := context.Background()
	if _, err := q.Find(ctx); err != nil {
		t.Fatal(err)
	}
	want := f.last(t).RawQuery
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if rows, err := q.Find(ctx); err != nil || len(rows) != 1 {
					t.Errorf("Find: %v, %v", rows, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	f.mu.Lock()
	for _, s := range f.reqs {
		if s.RawQuery != want {
			t.Errorf("sent %q, want %q", s.RawQuery, want)
		}
	}
	f.mu.Unlock()

	if _, err := q.Limit(1).Find(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.last(t).RawQuery; got != want+"&limit=1" {
		t.Fatalf("derived query sent %q, want %q", got, want+"&limit=1")
	}
	if _, err := q.Find(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.last(t).RawQuery; got != want {
		t.Fatalf("parent after derivation sent %q, want %q", got, want)
	}
}

// shout has a custom UnmarshalJSON, which row decoding must call.
type shout string

func (s *shout) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v == "refuse" {
		return errors.New("shout: refused")
	}
	*s = shout(strings.ToUpper(v))
	return nil
}

type codecRow struct {
	ID    int64           `db:"id,pk" json:"id"`
	Name  shout           `db:"name" json:"name"`
	Meta  json.RawMessage `db:"meta" json:"meta"`
	At    time.Time       `db:"at" json:"at"`
	Label *string         `db:"label" json:"label"`
}

func (codecRow) TableName() string { return "codec_rows" }

// Rows are decoded with encoding/json's semantics for the user's types,
// by Find (whole []T) and All (streaming) alike.
func TestRowDecodingSemantics(t *testing.T) {
	at := time.Date(2024, 5, 1, 10, 20, 30, 123456000, time.FixedZone("", 2*3600))
	tests := []struct {
		name    string
		body    string
		want    codecRow
		wantErr bool
	}{
		{"custom unmarshal, raw message, timestamptz",
			`[{"id":1,"name":"abc","meta":{"b": [1, 2.50]},"at":"2024-05-01T10:20:30.123456+02:00","label":null}]`,
			codecRow{ID: 1, Name: "ABC", Meta: json.RawMessage(`{"b": [1, 2.50]}`), At: at}, false},
		{"keys matched without case",
			`[{"ID":2,"NAME":"x","Meta":null,"AT":"2024-05-01T08:20:30.123456Z","Label":"l"}]`,
			codecRow{ID: 2, Name: "X", Meta: json.RawMessage(`null`), At: at.UTC(), Label: ptr("l")}, false},
		{"custom unmarshal error", `[{"id":3,"name":"refuse"}]`, codecRow{}, true},
		{"timestamp without zone", `[{"id":4,"at":"2024-05-01T10:20:30"}]`, codecRow{}, true},
		{"wrong type", `[{"id":"x"}]`, codecRow{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, cl := newFake(t)
			f.body = tt.body
			r := repo.New[codecRow](cl)
			rows, err := r.Find(context.Background())
			var streamed []codecRow
			var serr error
			for row, err := range r.Query().All(context.Background()) {
				if err != nil {
					serr = err
					break
				}
				streamed = append(streamed, row)
				break // the fake answers every page with the same row
			}
			for how, e := range map[string]error{"Find": err, "All": serr} {
				if (e != nil) != tt.wantErr {
					t.Fatalf("%s err = %v, wantErr %v", how, e, tt.wantErr)
				}
			}
			if tt.wantErr {
				return
			}
			for how, got := range map[string][]codecRow{"Find": rows, "All": streamed} {
				if len(got) != 1 {
					t.Fatalf("%s: %d rows", how, len(got))
				}
				g := got[0]
				if g.ID != tt.want.ID || g.Name != tt.want.Name || string(g.Meta) != string(tt.want.Meta) ||
					!g.At.Equal(tt.want.At) || g.At.Format(time.RFC3339Nano) != tt.want.At.Format(time.RFC3339Nano) ||
					(g.Label == nil) != (tt.want.Label == nil) || (g.Label != nil && *g.Label != *tt.want.Label) {
					t.Fatalf("%s = %+v, want %+v", how, g, tt.want)
				}
			}
		})
	}
}

func ptr[V any](v V) *V { return &v }
