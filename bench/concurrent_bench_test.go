package bench_test

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/supakit/supakit/bench"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
)

const workers = 64

// runConcurrent runs one-row selects from 64 goroutines and reports
// req/s, p50 and p99 latency and the connections the server accepted per
// 1,000 requests after a warm-up (64 goroutines × 4 requests) that opens
// the pool.
func runConcurrent(b *testing.B, srv *bench.Server, one func() error) {
	b.ReportAllocs()
	b.SetParallelism((workers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	// warm up: every worker's connection is open before measuring, so
	// conns/1000req counts churn (connections closed and reopened) only
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 4 {
				if err := one(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	var mu sync.Mutex
	var lat []time.Duration
	conns0 := srv.Conns()
	b.ResetTimer()
	start, cpu0 := time.Now(), bench.ProcessCPU()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			t0 := time.Now()
			if err := one(); err != nil {
				b.Error(err)
				return
			}
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	el := time.Since(start)
	cpu1 := bench.ProcessCPU()
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	if cpu1 > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(len(lat)), "proc-cpu-ns/op")
	}
	b.ReportMetric(float64(len(lat))/el.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(srv.Conns()-conns0)*1000/float64(len(lat)), "conns/1000req")
}

// BenchmarkConcurrent: 64 goroutines of one-row selects over loopback,
// each client with its default HTTP client (the floor: a tuned transport
// and a hand-written request).
func BenchmarkConcurrent(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=supakit", func(b *testing.B) {
		srv := bench.NewServer(10)
		defer srv.Close()
		r := repo.New[bench.Row](newSupakit(b, srv.URL, nil))
		runConcurrent(b, srv, func() error {
			rows, err := r.Query().Where(query.Eq(&c.ID, int64(1))).Find(ctx)
			if err == nil && len(rows) != 1 {
				b.Errorf("%d rows", len(rows))
			}
			return err
		})
	})
	b.Run("impl=postgrest-go", func(b *testing.B) {
		srv := bench.NewServer(10)
		defer srv.Close()
		pc := newPeer(b, srv.RESTURL(), nil)
		runConcurrent(b, srv, func() error {
			var rows []bench.Row
			_, err := pc.From(bench.Table).Select("*", "", false).Eq("id", "1").ExecuteToWithContext(ctx, &rows)
			if err == nil && len(rows) != 1 {
				b.Errorf("%d rows", len(rows))
			}
			return err
		})
	})
	b.Run("impl=floor", func(b *testing.B) {
		srv := bench.NewServer(10)
		defer srv.Close()
		hc := tunedClient(workers)
		u := srv.RESTURL() + "/rows?select=*&id=eq.1"
		runConcurrent(b, srv, func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return err
			}
			req.Header = http.Header{"Apikey": {key}, "Authorization": {"Bearer " + key}, "Accept-Profile": {"public"}}
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			var rows []bench.Row
			if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil {
				return err
			}
			if len(rows) != 1 {
				b.Errorf("%d rows", len(rows))
			}
			return nil
		})
	})
}
