//go:build !linux

package bench

// ThreadCPU is not available on this platform: always 0.
func ThreadCPU() int64 { return 0 }

// ProcessCPU is not available on this platform: always 0.
func ProcessCPU() int64 { return 0 }

func offHeap(b []byte) []byte { return b }

func freeOffHeap([]byte, bool) {}
