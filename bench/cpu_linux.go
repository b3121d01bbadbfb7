//go:build linux

package bench

import "syscall"

// ThreadCPU returns the CPU time (ns) the calling OS thread has consumed;
// lock the goroutine to its thread (runtime.LockOSThread) around a
// measurement. 0 where it cannot be read.
func ThreadCPU() int64 { return rusage(1) } // RUSAGE_THREAD

// ProcessCPU returns the CPU time (ns) the whole process (every thread:
// client, in-process server, GC) has consumed. 0 where it cannot be read.
func ProcessCPU() int64 { return rusage(syscall.RUSAGE_SELF) }

func rusage(who int) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// offHeap copies b into anonymous memory outside the Go heap, so a large
// data set held by the test server does not raise the garbage collector's
// target (which would inflate every peak-heap figure measured beside it).
func offHeap(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	m, err := syscall.Mmap(-1, 0, len(b), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return b
	}
	copy(m, b)
	return m
}

func freeOffHeap(b []byte, heap bool) {
	if !heap && len(b) > 0 {
		_ = syscall.Munmap(b)
	}
}
