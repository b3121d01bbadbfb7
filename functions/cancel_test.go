package functions_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/functions"
)

// slowBody writes a first chunk, then waits (for the client to give up)
// and reports whether the connection was closed by the client.
func slowBody(first string, gone chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, first)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			close(gone)
		case <-time.After(10 * time.Second):
		}
	}
}

// Cancelling the context while a function's answer is being read ends the
// read promptly with the context's error (wrapped), and the connection is
// closed.
func TestCancelMidResponse(t *testing.T) {
	read := map[string]func(*functions.Response) error{
		"Bytes":      func(r *functions.Response) error { _, err := r.Bytes(); return err },
		"Text":       func(r *functions.Response) error { _, err := r.Text(); return err },
		"DecodeJSON": func(r *functions.Response) error { var v map[string]any; return r.DecodeJSON(&v) },
	}
	for name, readAll := range read {
		t.Run(name, func(t *testing.T) {
			gone := make(chan struct{})
			c := newClient(t, slowBody(`{"partial":`, gone))
			ctx, cancel := context.WithCancel(context.Background())
			resp, err := c.Invoke(ctx, "stream")
			if err != nil {
				t.Fatal(err)
			}
			time.AfterFunc(50*time.Millisecond, cancel)
			start := time.Now()
			err = readAll(resp)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled wrapped", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("returned after %v", d)
			}
			select {
			case <-gone:
			case <-time.After(2 * time.Second):
				t.Fatal("the server still holds the connection")
			}
		})
	}

	t.Run("InvokeJSON", func(t *testing.T) {
		gone := make(chan struct{})
		c := newClient(t, slowBody(`{"partial":`, gone))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := functions.InvokeJSON[map[string]int, map[string]any](ctx, c, "stream", map[string]int{"a": 1})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded wrapped", err)
		}
		<-gone
	})
}

// blockingReader yields a little, then blocks until released: a request
// body that never ends on its own.
type blockingReader struct {
	sent    bool
	release chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, strings.Repeat("x", 1024)), nil
	}
	<-b.release
	return 0, io.EOF
}

// Cancelling while a streamed request body is being sent returns
// promptly with the context's error, as a *FetchError.
func TestCancelMidRequestBody(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	})
	body := &blockingReader{release: make(chan struct{})}
	defer close(body.release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Invoke(ctx, "ingest", functions.Body(body, "application/octet-stream"))
	var fe *functions.FetchError
	if !errors.As(err, &fe) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a *FetchError wrapping context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("returned after %v", d)
	}
}

// A nil context is refused with an error, never a panic, even with a
// streamed body.
func TestNilContext(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) { t.Error("request sent") })
	var nilCtx context.Context
	if _, err := c.Invoke(nilCtx, "fn", functions.Body(&blockingReader{release: make(chan struct{})}, "")); err == nil {
		t.Fatal("nil context accepted")
	}
}

// Calls on a zero or nil Client fail with ErrInvalidOption, never panic.
func TestZeroClient(t *testing.T) {
	var zero functions.Client
	var nilClient *functions.Client
	ctx := context.Background()
	if _, err := zero.Invoke(ctx, "fn"); !errors.Is(err, functions.ErrInvalidOption) {
		t.Errorf("zero client: %v", err)
	}
	if _, err := nilClient.Invoke(ctx, "fn", functions.Text("x")); !errors.Is(err, functions.ErrInvalidOption) {
		t.Errorf("nil client: %v", err)
	}
	if _, err := functions.InvokeJSON[int, int](ctx, &zero, "fn", 1); !errors.Is(err, functions.ErrInvalidOption) {
		t.Errorf("InvokeJSON on a zero client: %v", err)
	}
}
