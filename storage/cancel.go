package storage

import (
	"context"
	"errors"
	"io"
)

// errBodyReleased ends the copy of a request body once the request is over.
var errBodyReleased = errors.New("storage: request finished")

// cancelable returns a request body that stops with ctx.Err() as soon as
// ctx ends, even while a Read of r blocks: net/http waits for a blocked
// body Read before it gives up a request, so without this a stalled
// source would keep the call from returning. r is read by a goroutine
// through a pipe; release (call it once the request is over) ends that
// goroutine, at the latest when the pending Read of r returns. Readers
// that never block (sizeOf knows their length) and contexts that cannot
// end are used directly.
func cancelable(ctx context.Context, r io.Reader) (body io.Reader, release func()) {
	if ctx == nil || ctx.Done() == nil || sizeOf(r) >= 0 {
		return r, func() {}
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, r)
		pw.CloseWithError(err)
	}()
	stop := context.AfterFunc(ctx, func() { pr.CloseWithError(ctx.Err()) })
	return pr, func() {
		stop()
		pr.CloseWithError(errBodyReleased)
	}
}
