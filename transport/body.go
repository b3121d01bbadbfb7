package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
)

// errBodyReleased ends the copy of a request body once the request is over.
var errBodyReleased = errors.New("transport: request finished")

// cancelableBody is a request body made by [CancelableBody]: it already
// ends with its context, so Do sends it as is.
type cancelableBody struct{ *io.PipeReader }

// CancelableBody returns a request body that stops with ctx.Err() as soon
// as ctx ends, even while a Read of r blocks: net/http waits for a blocked
// body Read before it gives up a request, so without this a stalled source
// would keep the call from returning. r is read by a goroutine through a
// pipe; release (call it once the request is over) ends that goroutine, at
// the latest when the pending Read of r returns. Bodies that never block
// (in-memory readers, regular files, [http.NoBody]) and contexts that
// cannot end are returned as is.
//
// [Transport.Do] applies this to every request body; a caller needs it
// only to read the source itself while the request is sent (e.g. to build
// a multipart body from it), and Do does not wrap the result again.
func CancelableBody(ctx context.Context, r io.Reader) (body io.Reader, release func()) {
	if ctx == nil || ctx.Done() == nil || !streamed(r) {
		return r, func() {}
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, r)
		pw.CloseWithError(err)
	}()
	stop := context.AfterFunc(ctx, func() { pr.CloseWithError(ctx.Err()) })
	return cancelableBody{pr}, func() {
		stop()
		pr.CloseWithError(errBodyReleased)
	}
}

// streamed reports whether a Read of r may block: false for in-memory
// readers, regular files, http.NoBody and bodies CancelableBody made.
func streamed(r io.Reader) bool {
	switch v := r.(type) {
	case nil, *bytes.Reader, *bytes.Buffer, *strings.Reader, cancelableBody:
		return false
	case *os.File:
		fi, err := v.Stat()
		return err != nil || !fi.Mode().IsRegular()
	}
	return r != http.NoBody
}
