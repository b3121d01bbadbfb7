// Package idlebody bounds how long a handler waits for a request body that
// stops arriving.
//
// A client that announces a body and then stalls (or a test that fails
// between writing half a body and closing its connection) would otherwise
// hold the handler in a read forever: net/http has no per-read timeout,
// only ReadTimeout for the whole request, which large streamed uploads
// cannot live with. [Wrap] moves the connection's read deadline forward
// before every read of the body, so a body that makes progress streams for
// as long as it needs, and one that makes none for the idle period fails
// with an error matching [ErrIdle]. Once the body is read to its end the
// deadline is cleared, so a long response after it is not cut short.
package idlebody

import (
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// ErrIdle is matched (errors.Is) by the error a wrapped body returns when
// no byte arrived for the idle period.
var ErrIdle = errors.New("idlebody: request body stalled")

// Wrap replaces r.Body with one whose reads fail after idle without
// progress, and returns a function to call when the handler returns
// (defer it): if the body was not read to its end, it bounds the server's
// own wait for the unread rest too (net/http drains a small unread body
// before it sends the response). Wrap does nothing when idle is not
// positive, when the request has no body, or when w cannot set read
// deadlines (e.g. httptest.Recorder).
func Wrap(w http.ResponseWriter, r *http.Request, idle time.Duration) (finish func()) {
	if idle <= 0 || r.Body == nil || r.Body == http.NoBody {
		return func() {}
	}
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Time{}); err != nil {
		return func() {} // not supported by this writer
	}
	b := &body{ReadCloser: r.Body, rc: rc, idle: idle}
	r.Body = b
	return func() {
		if !b.done.Load() {
			_ = rc.SetReadDeadline(time.Now().Add(idle))
		}
	}
}

type body struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
	done atomic.Bool
}

func (b *body) Read(p []byte) (int, error) {
	if b.done.Load() {
		return b.ReadCloser.Read(p)
	}
	_ = b.rc.SetReadDeadline(time.Now().Add(b.idle))
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		// Finished: later reads of the connection (the server's wait for
		// the next request, or for the client to go away while a long
		// response is written) get no deadline from us.
		b.done.Store(true)
		_ = b.rc.SetReadDeadline(time.Time{})
	default:
		// Failed: the deadline stays, so the server's own clean-up after
		// the handler (discarding the unread rest) does not wait either.
		b.done.Store(true)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			err = errors.Join(ErrIdle, err)
		}
	}
	return n, err
}
