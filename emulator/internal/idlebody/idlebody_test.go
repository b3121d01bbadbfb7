package idlebody_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/emulator/internal/idlebody"
)

// serve answers with what reading the whole body gave: its length, or
// "idle" when it stalled.
func serve(t *testing.T, idle time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer idlebody.Wrap(w, r, idle)()
		if r.URL.Path == "/ignore" {
			http.Error(w, "not reading that", http.StatusBadRequest)
			return
		}
		b, err := io.ReadAll(r.Body)
		if errors.Is(err, idlebody.ErrIdle) {
			http.Error(w, "idle", http.StatusRequestTimeout)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// A response slower than the idle period after the body is done
		// must not be cut short.
		time.Sleep(2 * idle)
		fmt.Fprint(w, len(b))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func dial(t *testing.T, srv *httptest.Server) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() }) // before srv.Close, which waits for handlers
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	return conn
}

// TestStalledBodyIsAbandoned: half a body, then silence with the
// connection open: the handler gives up after the idle period.
func TestStalledBodyIsAbandoned(t *testing.T) {
	srv := serve(t, 300*time.Millisecond)
	conn := dial(t, srv)
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("status %d, want 408", res.StatusCode)
	}
}

// TestUnreadStalledBodyIsAnswered: a handler that answers without reading
// a small body that then stalls still gets its answer out (net/http would
// otherwise wait to drain the body before sending the response).
func TestUnreadStalledBodyIsAnswered(t *testing.T) {
	srv := serve(t, 300*time.Millisecond)
	conn := dial(t, srv)
	fmt.Fprintf(conn, "POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.StatusCode)
	}
}

// TestSlowBodyThatProgressesStreams: pieces arriving more often than the
// idle period, over longer than it in total, are all read.
func TestSlowBodyThatProgressesStreams(t *testing.T) {
	// Pieces every 100 ms against a 1 s idle period: a tenfold margin for
	// a loaded machine, 1.5 s in all.
	const idle = time.Second
	srv := serve(t, idle)
	conn := dial(t, srv)
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\n")
	for i := range 15 {
		time.Sleep(100 * time.Millisecond)
		fmt.Fprint(conn, i%10)
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(b) != "15" {
		t.Fatalf("status %d body %q", res.StatusCode, b)
	}
	// The connection is still usable: no deadline left behind.
	time.Sleep(idle + 500*time.Millisecond)
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
	res, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("second request on the connection: %v", err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "2" {
		t.Fatalf("second body %q", b)
	}
}

func TestNoDeadlineSupport(t *testing.T) {
	r := httptest.NewRequest("POST", "/", strings.NewReader("abc"))
	orig := r.Body
	idlebody.Wrap(httptest.NewRecorder(), r, time.Second)()
	if r.Body != orig {
		t.Fatal("a writer without deadlines got a wrapped body")
	}
}
