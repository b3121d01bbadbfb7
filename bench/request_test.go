package bench_test

import (
	"context"
	"net/url"
	"slices"
	"testing"

	"github.com/supakit/supakit/bench"
	"github.com/supakit/supakit/repo"
)

// sortedParams decodes a query string into sorted key=value pairs.
func sortedParams(t *testing.T, raw string) []string {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	var out []string
	for k, vs := range v {
		for _, x := range vs {
			out = append(out, k+"="+x)
		}
	}
	slices.Sort(out)
	return out
}

// TestRequestsMatchFloor checks that every builder benchmarked sends the
// floor's request: package query and the repository byte for byte, the
// peer and url.Values with the same parameters (they sort keys), and all
// of them the same headers that matter to PostgREST.
func TestRequestsMatchFloor(t *testing.T) {
	ctx := context.Background()
	floor := bench.FloorQuery()
	want := sortedParams(t, floor)

	qr, err := supakitQuery().Read()
	if err != nil {
		t.Fatal(err)
	}

	rt := &bench.CaptureRT{Keep: true}
	const base = "http://bench.invalid"
	sk := newSupakit(t, base, newHTTPClient(rt))
	if _, err := repoQuery(repo.New[bench.Row](sk)).Find(ctx); err != nil {
		t.Fatal(err)
	}
	repoReq := rt.Last()

	if _, _, err := peerQuery(newPeer(t, base+"/rest/v1", rt)).Execute(); err != nil {
		t.Fatal(err)
	}
	peerReq := rt.Last()

	floorReq, err := floorRequest(ctx, base+"/rest/v1", nil)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		raw   string
		exact bool // byte for byte, else the same parameters
	}{
		{"query", qr.RawQuery, true},
		{"repo", repoReq.URL.RawQuery, true},
		{"postgrest-go", peerReq.URL.RawQuery, false},
		{"url.Values", bench.URLValuesQuery(), false},
		{"floor request", floorReq.URL.RawQuery, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.exact && tt.raw != floor {
				t.Errorf("query string\n got %s\nwant %s", tt.raw, floor)
			}
			if got := sortedParams(t, tt.raw); !slices.Equal(got, want) {
				t.Errorf("parameters\n got %q\nwant %q", got, want)
			}
		})
	}

	for _, r := range []struct {
		name string
		path string
		get  func(string) string
	}{
		{"repo", repoReq.URL.Path, repoReq.Header.Get},
		{"postgrest-go", peerReq.URL.Path, peerReq.Header.Get},
		{"floor", floorReq.URL.Path, floorReq.Header.Get},
	} {
		if r.path != "/rest/v1/rows" {
			t.Errorf("%s: path %q", r.name, r.path)
		}
		for _, h := range []struct{ name, want string }{
			{"apikey", key},
			{"Authorization", "Bearer " + key},
			{"Accept-Profile", "public"},
		} {
			if got := r.get(h.name); got != h.want {
				t.Errorf("%s: header %s = %q, want %q", r.name, h.name, got, h.want)
			}
		}
	}
}

// TestServerPages checks the test server's paging, which the streaming
// benchmarks rely on.
func TestServerPages(t *testing.T) {
	srv := bench.NewServer(2500)
	defer srv.Close()
	ctx := context.Background()
	sk := newSupakit(t, srv.URL, nil)
	n := 0
	for row, err := range repo.New[bench.Row](sk).Query().All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if want := bench.MakeRow(n); row.ID != want.ID || row.Name != want.Name || !row.CreatedAt.Equal(want.CreatedAt) {
			t.Fatalf("row %d: got id %d %q, want id %d %q", n, row.ID, row.Name, want.ID, want.Name)
		}
		n++
	}
	if n != 2500 {
		t.Fatalf("All yielded %d rows, want 2500", n)
	}
	rows, err := repo.New[bench.Row](sk).Find(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2500 || rows[2499].ID != 2500 {
		t.Fatalf("Find: %d rows", len(rows))
	}
	var peer []bench.Row
	if _, err := newPeer(t, srv.RESTURL(), nil).From("rows").Select("*", "", false).ExecuteTo(&peer); err != nil {
		t.Fatal(err)
	}
	if len(peer) != 2500 || peer[0].Name != rows[0].Name {
		t.Fatalf("postgrest-go: %d rows", len(peer))
	}
}
