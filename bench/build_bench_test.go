package bench_test

import (
	"context"
	"testing"

	"github.com/supakit/supakit/bench"
	"github.com/supakit/supakit/repo"
)

var sink string

// BenchmarkBuild builds and encodes the representative query to its query
// string, without HTTP.
func BenchmarkBuild(b *testing.B) {
	b.Run("impl=supakit", func(b *testing.B) {
		cpuLoop(b, func() {
			r, err := supakitQuery().Read()
			if err != nil {
				b.Fatal(err)
			}
			sink = r.RawQuery
		})
	})
	b.Run("impl=supakit-reused", func(b *testing.B) {
		q := supakitQuery()
		cpuLoop(b, func() {
			r, err := q.Read()
			if err != nil {
				b.Fatal(err)
			}
			sink = r.RawQuery
		})
	})
	b.Run("impl=postgrest-go", func(b *testing.B) {
		// postgrest-go encodes in its Execute; the URL is its Query().Encode
		// of the params map, which is what is measured here through a
		// transport that sends nothing (request building included).
		rt := &bench.CaptureRT{}
		pc := newPeer(b, "http://bench.invalid/rest/v1", rt)
		cpuLoop(b, func() {
			if _, _, err := peerQuery(pc).Execute(); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("impl=postgrest-go-builder", func(b *testing.B) {
		// the peer's builder calls alone, without the encoding and request
		// its Execute adds: a lower bound for its build+encode
		pc := newPeer(b, "http://bench.invalid/rest/v1", &bench.CaptureRT{})
		cpuLoop(b, func() {
			if peerQuery(pc) == nil {
				b.Fatal("nil builder")
			}
		})
	})
	b.Run("impl=url.Values", func(b *testing.B) {
		cpuLoop(b, func() {
			sink = bench.URLValuesQuery()
		})
	})
	b.Run("impl=floor", func(b *testing.B) {
		cpuLoop(b, func() {
			sink = bench.FloorQuery()
		})
	})
}

// BenchmarkRequest builds the whole HTTP request of the representative
// query (URL, headers) and hands it to a transport that sends nothing:
// everything a client does before the network.
func BenchmarkRequest(b *testing.B) {
	ctx := context.Background()
	const base = "http://bench.invalid"
	b.Run("impl=supakit", func(b *testing.B) {
		r := repo.New[bench.Row](newSupakit(b, base, newHTTPClient(&bench.CaptureRT{})))
		cpuLoop(b, func() {
			if _, err := repoQuery(r).Find(ctx); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("impl=supakit-reused", func(b *testing.B) {
		q := repoQuery(repo.New[bench.Row](newSupakit(b, base, newHTTPClient(&bench.CaptureRT{}))))
		cpuLoop(b, func() {
			if _, err := q.Find(ctx); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("impl=postgrest-go", func(b *testing.B) {
		pc := newPeer(b, base+"/rest/v1", &bench.CaptureRT{})
		var rows []bench.Row
		cpuLoop(b, func() {
			if _, err := peerQuery(pc).ExecuteToWithContext(ctx, &rows); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("impl=floor", func(b *testing.B) {
		hc := newHTTPClient(&bench.CaptureRT{})
		buf := make([]byte, 0, 1024)
		cpuLoop(b, func() {
			req, err := floorRequest(ctx, base+"/rest/v1", buf)
			if err != nil {
				b.Fatal(err)
			}
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_ = resp.Body.Close()
		})
	})
}
