package bench_test

import (
	"runtime"
	"testing"

	"github.com/supakit/supakit/bench"
)

// cpuLoop runs f in the benchmark loop on one locked OS thread and
// reports that thread's CPU time per operation (cpu-ns/op): unlike ns/op
// it does not count time spent waiting for a core on a loaded machine.
func cpuLoop(b *testing.B, f func()) {
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := bench.ThreadCPU()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	if end := bench.ThreadCPU(); n > 0 && end > 0 {
		b.ReportMetric(float64(end-start)/float64(n), "cpu-ns/op")
	}
}
