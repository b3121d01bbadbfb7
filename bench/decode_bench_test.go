package bench_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/supakit/supakit/bench"
	"github.com/supakit/supakit/repo"
)

var rowSizes = []int{1, 100, 10_000, 100_000}

// reportRows reports rows/s and the peak heap of a decode benchmark.
func reportRows(b *testing.B, rows int, start time.Time, cpu0 int64, hp *bench.HeapPeak) {
	el := time.Since(start)
	peak := hp.Stop()
	if cpu := bench.ProcessCPU(); cpu > cpu0 && b.N > 0 {
		b.ReportMetric(float64(cpu-cpu0)/float64(b.N), "proc-cpu-ns/op")
		// throughput per CPU second of the whole process (client, server,
		// GC): steadier than rows/s when other work shares the cores
		b.ReportMetric(float64(rows)*float64(b.N)/(float64(cpu-cpu0)/1e9), "rows/cpu-s")
	}
	b.ReportMetric(float64(rows)*float64(b.N)/el.Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
}

// tunedClient is the floor's HTTP client: keep-alive with an idle pool
// large enough for the benchmark's concurrency.
func tunedClient(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns * 2
	tr.MaxIdleConnsPerHost = conns
	return &http.Client{Transport: tr}
}

// BenchmarkDecode reads n rows over loopback and decodes them into
// []Row (supakit's Find, postgrest-go's ExecuteTo, the floor's
// json.Decoder on the body) or row by row (supakit's All, pages of 1,000).
func BenchmarkDecode(b *testing.B) {
	ctx := context.Background()
	for _, n := range rowSizes {
		srv := bench.NewServer(n)
		name := "rows=" + strconv.Itoa(n)
		b.Run(name+"/impl=supakit", func(b *testing.B) {
			b.ReportAllocs()
			r := repo.New[bench.Row](newSupakit(b, srv.URL, nil))
			hp := bench.StartHeapPeak(0)
			start, cpu0 := time.Now(), bench.ProcessCPU()
			for b.Loop() {
				rows, err := r.Find(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if len(rows) != n {
					b.Fatalf("%d rows, want %d", len(rows), n)
				}
			}
			reportRows(b, n, start, cpu0, hp)
		})
		b.Run(name+"/impl=supakit-all", func(b *testing.B) {
			b.ReportAllocs()
			r := repo.New[bench.Row](newSupakit(b, srv.URL, nil))
			hp := bench.StartHeapPeak(0)
			start, cpu0 := time.Now(), bench.ProcessCPU()
			for b.Loop() {
				got := 0
				for _, err := range r.Query().All(ctx) {
					if err != nil {
						b.Fatal(err)
					}
					got++
				}
				if got != n {
					b.Fatalf("%d rows, want %d", got, n)
				}
			}
			reportRows(b, n, start, cpu0, hp)
		})
		b.Run(name+"/impl=postgrest-go", func(b *testing.B) {
			b.ReportAllocs()
			pc := newPeer(b, srv.RESTURL(), nil)
			hp := bench.StartHeapPeak(0)
			start, cpu0 := time.Now(), bench.ProcessCPU()
			for b.Loop() {
				var rows []bench.Row
				if _, err := pc.From(bench.Table).Select("*", "", false).ExecuteToWithContext(ctx, &rows); err != nil {
					b.Fatal(err)
				}
				if len(rows) != n {
					b.Fatalf("%d rows, want %d", len(rows), n)
				}
			}
			reportRows(b, n, start, cpu0, hp)
		})
		b.Run(name+"/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			hc := tunedClient(4)
			u := srv.RESTURL() + "/rows?select=*"
			hp := bench.StartHeapPeak(0)
			start, cpu0 := time.Now(), bench.ProcessCPU()
			for b.Loop() {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
				if err != nil {
					b.Fatal(err)
				}
				req.Header = http.Header{"Apikey": {key}, "Authorization": {"Bearer " + key}, "Accept-Profile": {"public"}}
				resp, err := hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var rows []bench.Row
				err = json.NewDecoder(resp.Body).Decode(&rows)
				_ = resp.Body.Close()
				if err != nil {
					b.Fatal(err)
				}
				if len(rows) != n {
					b.Fatalf("%d rows, want %d", len(rows), n)
				}
			}
			reportRows(b, n, start, cpu0, hp)
		})
		// what a codec swap would give: the floor's request, rows decoded
		// one by one (constant memory) by another codec
		for _, cd := range []codec{codecs[1], codecs[2]} {
			b.Run(name+"/impl="+cd.name+"-stream", func(b *testing.B) {
				b.ReportAllocs()
				hc := tunedClient(4)
				u := srv.RESTURL() + "/rows?select=*"
				hp := bench.StartHeapPeak(0)
				start, cpu0 := time.Now(), bench.ProcessCPU()
				for b.Loop() {
					req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
					if err != nil {
						b.Fatal(err)
					}
					req.Header = http.Header{"Apikey": {key}, "Authorization": {"Bearer " + key}, "Accept-Profile": {"public"}}
					resp, err := hc.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					rows := make([]bench.Row, 0, n)
					err = cd.stream(resp.Body, func(r *bench.Row) error { rows = append(rows, *r); return nil })
					_ = resp.Body.Close()
					if err != nil {
						b.Fatal(err)
					}
					if len(rows) != n {
						b.Fatalf("%d rows, want %d", len(rows), n)
					}
				}
				reportRows(b, n, start, cpu0, hp)
			})
		}
		srv.Close()
	}
}
