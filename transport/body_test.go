package transport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/supakit/supakit/transport"
)

// stalledReader yields a first chunk, then blocks until released: a
// streamed request body whose source stalls.
type stalledReader struct {
	sent    bool
	release chan struct{}
}

func (s *stalledReader) Read(p []byte) (int, error) {
	if !s.sent {
		s.sent = true
		return copy(p, bytes.Repeat([]byte("x"), 1024)), nil
	}
	<-s.release
	return 0, io.EOF
}

// Do gives up a request whose streamed body blocks as soon as the context
// ends, with the context's error.
func TestCancelStalledBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	tr := newT(t, srv.URL, nil)

	body := &stalledReader{release: make(chan struct{})}
	defer close(body.release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		resp, err := tr.Do(ctx, &transport.Request{Method: http.MethodPost, Path: "/upload", Body: body, ContentLength: -1})
		if resp != nil {
			resp.Body.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded wrapped", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("returned after %v", d)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Do still waits for the stalled body after the context ended")
	}
}
