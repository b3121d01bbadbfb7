package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/storage"
)

// blockingReader yields a first chunk, then blocks until released: an
// upload source that stalls (a slow network peer, a pipe).
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

// Cancelling an upload whose source stalls returns promptly with the
// context's error, in both upload encodings.
func TestCancelMidUpload(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) })
	c := newStorage(t, srv.URL, "k", nil, nil)
	for name, opts := range map[string][]storage.Option{
		"raw":       {storage.ContentType("application/octet-stream")},
		"multipart": {storage.ContentType("application/octet-stream"), storage.Multipart()},
		"sniffed":   nil,
	} {
		t.Run(name, func(t *testing.T) {
			body := &blockingReader{release: make(chan struct{})}
			defer close(body.release)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.Bucket("b").Upload(ctx, "big.bin", body, opts...)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want context.DeadlineExceeded wrapped", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("returned after %v", d)
			}
		})
	}
}

// Cancelling while a download streams returns promptly with the context's
// error, and the connection is released.
func TestCancelMidDownload(t *testing.T) {
	gone := make(chan struct{}, 2)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(bytes.Repeat([]byte("y"), 4096))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			gone <- struct{}{}
		case <-time.After(10 * time.Second):
		}
	})
	c := newStorage(t, srv.URL, "k", nil, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var buf bytes.Buffer
	start := time.Now()
	n, err := c.Bucket("b").Download(ctx, "big.bin", &buf)
	if !errors.Is(err, context.DeadlineExceeded) || n != 4096 {
		t.Fatalf("Download = %d, %v; want 4096 bytes then context.DeadlineExceeded", n, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("returned after %v", d)
	}
	select {
	case <-gone:
	case <-time.After(2 * time.Second):
		t.Fatal("the server still holds the connection")
	}

	ctx2, cancel2 := context.WithCancel(context.Background())
	o, err := c.Bucket("b").DownloadStream(ctx2, "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, cancel2)
	_, err = io.Copy(io.Discard, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stream read: %v, want context.Canceled", err)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-gone:
	case <-time.After(2 * time.Second):
		t.Fatal("the server still holds the connection")
	}
}

// A nil context is refused with an error, never a panic, even with a
// stalled source.
func TestNilContext(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { t.Error("request sent") })
	c := newStorage(t, srv.URL, "k", nil, nil)
	var nilCtx context.Context
	if _, err := c.Bucket("b").Upload(nilCtx, "a.bin", &blockingReader{release: make(chan struct{})}); err == nil {
		t.Fatal("nil context accepted")
	}
	if _, err := c.Bucket("b").Download(nilCtx, "a.bin", io.Discard); err == nil {
		t.Fatal("nil context accepted")
	}
}
