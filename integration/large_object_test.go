package integration_test

import (
	"bufio"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/emulator"
	"github.com/supakit/supakit/storage"
)

// TestLargeObjectStreams moves one large object up and back down through
// the Storage client and the emulator, in this process, and checks that
// neither side holds it in memory: the peak heap and the peak resident set
// may grow by less than 64 MiB, whatever the object's size. The default
// size keeps CI fast; SUPAKIT_LARGE_OBJECT_MIB=1024 runs the 1 GiB case.
func TestLargeObjectStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("large object test skipped in -short mode")
	}
	mib := int64(128)
	if v := os.Getenv("SUPAKIT_LARGE_OBJECT_MIB"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			t.Fatalf("SUPAKIT_LARGE_OBJECT_MIB=%q: want a positive number", v)
		}
		mib = n
	}
	size := mib << 20
	const limit = 64 << 20

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	srv, err := emulator.Start(ctx, emulator.Config{FreshDatabase: true, StorageMaxFileSize: -1, StorageDir: t.TempDir()})
	if errors.Is(err, emulator.ErrNoPostgreSQL) {
		t.Skipf("no PostgreSQL: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client, err := supakit.New(srv.URL, srv.ServiceRoleKey)
	if err != nil {
		t.Fatal(err)
	}
	st := client.Storage()
	if _, err := st.CreateBucket(ctx, "large"); err != nil {
		t.Fatal(err)
	}
	b := st.Bucket("large")

	runtime.GC()
	baseHeap := heapBytes()
	baseRSS := resetPeakRSS(t)
	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if h := heapBytes(); h > peakHeap.Load() {
					peakHeap.Store(h)
				}
			}
		}
	}()

	src := &patternReader{left: size}
	start := time.Now()
	if _, err := b.Upload(ctx, "big.bin", src, storage.ContentType("application/octet-stream"), storage.Size(size)); err != nil {
		t.Fatal(err)
	}
	up := time.Since(start)
	sum := crc32.NewIEEE()
	start = time.Now()
	n, err := b.Download(ctx, "big.bin", sum)
	down := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if n != size || sum.Sum32() != src.sum.Sum32() {
		t.Fatalf("downloaded %d bytes with CRC %08x, uploaded %d with CRC %08x", n, sum.Sum32(), size, src.sum.Sum32())
	}
	heapGrowth := int64(peakHeap.Load()) - int64(baseHeap)
	rssGrowth := peakRSS(t) - baseRSS
	t.Logf("%d MiB: upload %v, download %v; peak heap growth %.1f MiB, peak RSS growth %.1f MiB",
		mib, up.Round(time.Millisecond), down.Round(time.Millisecond), float64(heapGrowth)/(1<<20), float64(rssGrowth)/(1<<20))
	if heapGrowth >= limit {
		t.Fatalf("peak heap grew by %d bytes moving %d: the object is being buffered", heapGrowth, size)
	}
	if baseRSS > 0 && rssGrowth >= limit {
		t.Fatalf("peak RSS grew by %d bytes moving %d", rssGrowth, size)
	}
}

// patternReader yields left bytes of a fixed pseudo-random pattern and
// keeps their CRC.
type patternReader struct {
	left  int64
	state uint64
	sum   hashWriter
}

type hashWriter struct{ h uint32 }

func (w *hashWriter) Write(p []byte) { w.h = crc32.Update(w.h, crc32.IEEETable, p) }
func (w *hashWriter) Sum32() uint32  { return w.h }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	if r.state == 0 {
		r.state = 0x9e3779b97f4a7c15
	}
	for i := range p {
		r.state ^= r.state << 13
		r.state ^= r.state >> 7
		r.state ^= r.state << 17
		p[i] = byte(r.state)
	}
	r.sum.Write(p)
	r.left -= int64(len(p))
	return len(p), nil
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// resetPeakRSS resets the kernel's high-water mark of this process's
// resident set (Linux) and returns the current resident set, or 0 where
// that cannot be read.
func resetPeakRSS(t *testing.T) int64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("peak RSS not measured: %v", err)
		return 0
	}
	return procStatus(t, "VmRSS:")
}

func peakRSS(t *testing.T) int64 { return procStatus(t, "VmHWM:") }

func procStatus(t *testing.T, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, field) {
			kb, err := strconv.ParseInt(strings.Fields(strings.TrimPrefix(line, field))[0], 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return kb << 10
		}
	}
	return 0
}
