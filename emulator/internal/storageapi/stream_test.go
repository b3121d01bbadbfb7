package storageapi_test

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supakit/supakit/emulator/internal/storageapi"
)

// pattern is a deterministic byte stream generated on the fly: a block of
// xorshift bytes whose length (1 MiB + 7) is prime to every buffer size,
// repeated, so the test itself holds nothing the size of the object.
type pattern struct {
	block []byte
	pos   int64
	left  int64
}

func newPattern(size int64) *pattern {
	b := make([]byte, 1<<20+7)
	x := uint64(88172645463325252)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return &pattern{block: b, left: size}
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n := 0
	for n < len(b) {
		off := p.pos % int64(len(p.block))
		c := copy(b[n:], p.block[off:])
		n += c
		p.pos += int64(c)
	}
	p.left -= int64(n)
	return n, nil
}

// heapWatch samples the heap while work runs and reports the peak growth
// over the starting point.
func heapWatch(work func()) (growth uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	peak.Store(base)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	work()
	close(stop)
	wg.Wait()
	return peak.Load() - base
}

// TestStreamingMemory uploads and downloads a large object through the
// HTTP API (client and server in this process) and checks that the heap
// grows by far less than the object: bytes stream through, never whole in
// memory. 256 MiB normally (skipped with -short); 1 GiB with
// SUPAKIT_STORAGE_1GIB=1.
func TestStreamingMemory(t *testing.T) {
	size := int64(256 << 20)
	if os.Getenv("SUPAKIT_STORAGE_1GIB") == "1" {
		size = 1 << 30
	} else if testing.Short() {
		t.Skip("large object streaming; runs without -short")
	}
	const maxGrowth = 64 << 20
	e := newEnv(t, func(c *storageapi.Config) { c.MaxFileSize = -1 })
	svc := e.service()
	wantStatus(t, e.doJSON("POST", "/bucket", svc, `{"name":"big"}`), 200)

	sum := md5.New()
	var upStatus int
	src := newPattern(size)
	upGrowth := heapWatch(func() {
		body := io.TeeReader(src, sum)
		req, err := http.NewRequest("POST", e.srv.URL+"/object/big/blob.bin", body)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = size
		req.Header.Set("Authorization", "Bearer "+svc)
		req.Header.Set("Content-Type", "application/octet-stream")
		res, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		upStatus = res.StatusCode
	})
	if upStatus != 200 {
		t.Fatalf("upload status %d", upStatus)
	}
	wantSum := hex.EncodeToString(sum.Sum(nil))

	var n int64
	got := md5.New()
	var etag string
	downGrowth := heapWatch(func() {
		req, _ := http.NewRequest("GET", e.srv.URL+"/object/big/blob.bin", nil)
		req.Header.Set("Authorization", "Bearer "+svc)
		res, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		etag = res.Header.Get("ETag")
		if n, err = io.Copy(got, res.Body); err != nil {
			t.Fatal(err)
		}
	})
	if n != size || hex.EncodeToString(got.Sum(nil)) != wantSum || etag != `"`+wantSum+`"` {
		t.Fatalf("downloaded %d bytes, md5 %x, etag %s; want %d, %s", n, got.Sum(nil), etag, size, wantSum)
	}
	t.Logf("%d MiB object: heap grew by %.1f MiB during upload, %.1f MiB during download",
		size>>20, float64(upGrowth)/(1<<20), float64(downGrowth)/(1<<20))
	if upGrowth > maxGrowth || downGrowth > maxGrowth {
		t.Fatalf("heap grew by %d (upload) / %d (download) bytes, limit %d", upGrowth, downGrowth, maxGrowth)
	}
	// A ranged read from the middle streams too.
	r := e.do("GET", "/object/big/blob.bin", svc, nil, "Range", "bytes=100000000-100000009")
	wantStatus(t, r, http.StatusPartialContent)
	if len(r.body) != 10 {
		t.Fatalf("range body %d bytes", len(r.body))
	}
}
