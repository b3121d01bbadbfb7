package bench

import (
	"io"
	"net/http"
	"strings"
	"sync"
)

// CaptureRT is an http.RoundTripper that sends nothing: it answers every
// request with 200 and an empty JSON array, and keeps the last request so
// tests can compare what each client would have sent.
type CaptureRT struct {
	mu   sync.Mutex
	last *http.Request
	// Keep makes RoundTrip remember the request (off in benchmarks).
	Keep bool
}

type emptyArray struct{ strings.Reader }

func (*emptyArray) Close() error { return nil }

// RoundTrip implements http.RoundTripper.
func (c *CaptureRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	if c.Keep {
		c.mu.Lock()
		c.last = r
		c.mu.Unlock()
	}
	body := &emptyArray{}
	body.Reset("[]")
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          body,
		ContentLength: 2,
		Request:       r,
	}, nil
}

// Last returns the last request seen (with Keep set).
func (c *CaptureRT) Last() *http.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}
