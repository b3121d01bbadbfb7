package bench

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

const heapMetric = "/memory/classes/heap/objects:bytes"

// HeapPeak samples the bytes held by heap objects (live and not yet swept)
// every interval until Stop, and reports the highest value seen above the
// baseline taken at Start (after a GC). Sampling can miss a peak shorter
// than the interval.
type HeapPeak struct {
	base     uint64
	peak     uint64
	stop     chan struct{}
	done     sync.WaitGroup
	interval time.Duration
}

// StartHeapPeak starts sampling every interval (a millisecond when 0).
func StartHeapPeak(interval time.Duration) *HeapPeak {
	if interval <= 0 {
		interval = time.Millisecond
	}
	runtime.GC()
	h := &HeapPeak{base: heapNow(), stop: make(chan struct{}), interval: interval}
	h.done.Add(1)
	go h.loop()
	return h
}

func heapNow() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func (h *HeapPeak) loop() {
	defer h.done.Done()
	s := []metrics.Sample{{Name: heapMetric}}
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for {
		metrics.Read(s)
		if s[0].Value.Kind() == metrics.KindUint64 {
			h.peak = max(h.peak, s[0].Value.Uint64())
		}
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
	}
}

// Stop ends sampling and returns the peak above the baseline, in bytes.
func (h *HeapPeak) Stop() uint64 {
	close(h.stop)
	h.done.Wait()
	h.peak = max(h.peak, heapNow())
	if h.peak < h.base {
		return 0
	}
	return h.peak - h.base
}

// OffHeap returns a copy of b held outside the Go heap where the platform
// allows (anonymous memory on Linux), so a large input kept for a
// benchmark does not raise the garbage collector's target and inflate the
// peak heap measured beside it; free releases it. Elsewhere it returns b.
func OffHeap(b []byte) (data []byte, free func()) {
	m := offHeap(b)
	onHeap := len(b) == 0 || &m[0] == &b[0]
	return m, func() { freeOffHeap(m, onHeap) }
}
