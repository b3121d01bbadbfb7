//go:build !linux

package query_test

import "testing"

func cpuPerOp(b *testing.B, f func()) {
	for b.Loop() {
		f()
	}
}
