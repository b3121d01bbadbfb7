package storage_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/supakit/supakit/storage"
	"github.com/supakit/supakit/transport"
)

func TestEscapeKey(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		want    string
		wantErr string
	}{
		{name: "plain", key: "folder/avatar1.png", want: "folder/avatar1.png"},
		{name: "space and parens", key: "folder/my file (1).png", want: "folder/my%20file%20(1).png"},
		{name: "unicode", key: "dossier/ünï 日本.png", want: "dossier/%C3%BCn%C3%AF%20%E6%97%A5%E6%9C%AC.png"},
		{name: "hash and question mark", key: "a#b?c.png", want: "a%23b%3Fc.png"},
		{name: "percent", key: "100%.txt", want: "100%25.txt"},
		{name: "already escaped stays literal", key: "a%20b", want: "a%2520b"},
		{name: "plus ampersand equals kept", key: "100+50&x=1.png", want: "100+50&x=1.png"},
		{name: "semicolon escaped", key: "a;b", want: "a%3Bb"},
		{name: "backslash and quotes", key: `a\b"c'`, want: `a%5Cb%22c'`},
		{name: "dots inside a name", key: "a/..b/c..", want: "a/..b/c.."},
		{name: "tilde dash underscore", key: "~a-b_c", want: "~a-b_c"},
		{name: "empty", key: "", wantErr: "empty"},
		{name: "leading slash", key: "/a", wantErr: "leading slash"},
		{name: "trailing slash", key: "a/", wantErr: "empty path segment"},
		{name: "double slash", key: "a//b", wantErr: "empty path segment"},
		{name: "dot dot", key: "a/../b", wantErr: `".." segment`},
		{name: "only dot dot", key: "..", wantErr: `".." segment`},
		{name: "dot", key: "./a", wantErr: `"." segment`},
		{name: "newline", key: "a\nb", wantErr: "control character 0x0a"},
		{name: "nul", key: "a\x00", wantErr: "control character 0x00"},
		{name: "del", key: "a\x7f", wantErr: "control character 0x7f"},
		{name: "invalid utf8", key: "a\xffb", wantErr: "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storage.EscapeKey(tt.key)
			if tt.wantErr != "" {
				if !errors.Is(err, storage.ErrInvalidKey) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("EscapeKey(%q) error %v, want ErrInvalidKey with %q", tt.key, err, tt.wantErr)
				}
				var ke *storage.KeyError
				if !errors.As(err, &ke) || ke.Key != tt.key {
					t.Fatalf("want *KeyError naming the key, got %#v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("EscapeKey(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

// recordingRT answers every request with an upload result and counts them.
type recordingRT struct {
	n    atomic.Int64
	last atomic.Value // *http.Request
}

func (r *recordingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	r.n.Add(1)
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	r.last.Store(req)
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`{"Key":"b/k","Id":"1"}`)), Request: req}, nil
}

func rtStorage(t testing.TB, rt http.RoundTripper) *storage.Client {
	tr, err := transport.New(transport.Config{BaseURL: "http://storage.test/storage/v1", APIKey: "k", HTTPClient: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := storage.New(tr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzEscapeKey: an accepted key survives the trip to the server (decoding
// the request path gives the key back); a refused key never reaches it.
func FuzzEscapeKey(f *testing.F) {
	for _, s := range []string{"a", "folder/my file (1).png", "a#b?c", "100%+50&x=1", "ünï/日本", "../x", "a//b", "/a", "a/", "a\x00", "a;b", "%2e%2e/x", "..%2F..", "a\\..\\b"} {
		f.Add(s)
	}
	rt := &recordingRT{}
	c := rtStorage(f, rt)
	f.Fuzz(func(t *testing.T, key string) {
		before := rt.n.Load()
		esc, escErr := storage.EscapeKey(key)
		_, err := c.Bucket("b").Upload(context.Background(), key, strings.NewReader("x"), storage.ContentType("text/plain"))
		if escErr != nil {
			if !errors.Is(escErr, storage.ErrInvalidKey) || !errors.Is(err, storage.ErrInvalidKey) {
				t.Fatalf("refused key %q: EscapeKey %v, Upload %v", key, escErr, err)
			}
			if rt.n.Load() != before {
				t.Fatalf("refused key %q reached the server", key)
			}
			return
		}
		if err != nil {
			t.Fatalf("Upload(%q): %v", key, err)
		}
		req := rt.last.Load().(*http.Request)
		raw := req.URL.EscapedPath()
		const prefix = "/storage/v1/object/b/"
		if !strings.HasPrefix(raw, prefix) || raw[len(prefix):] != esc {
			t.Fatalf("key %q: wire path %q, escaped %q", key, raw, esc)
		}
		var segs []string
		for _, s := range strings.Split(esc, "/") {
			d, err := url.PathUnescape(s)
			if err != nil {
				t.Fatalf("segment %q does not decode: %v", s, err)
			}
			if d == "" || d == "." || d == ".." {
				t.Fatalf("key %q has escaping segment %q", key, d)
			}
			segs = append(segs, d)
		}
		if got := strings.Join(segs, "/"); got != key {
			t.Fatalf("round trip: %q -> %q -> %q", key, esc, got)
		}
		for i := 0; i < len(esc); i++ {
			if c := esc[i]; c <= ' ' || c >= 0x7f || strings.IndexByte("#?;\"<>\\^`{|}", c) >= 0 {
				t.Fatalf("escaped key %q has raw byte %q", esc, c)
			}
		}
	})
}

func TestBucketNameValidated(t *testing.T) {
	rt := &recordingRT{}
	c := rtStorage(t, rt)
	ctx := context.Background()
	for _, name := range []string{"", "a/b", "..", "a\nb"} {
		if _, err := c.GetBucket(ctx, name); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("GetBucket(%q): %v", name, err)
		}
		if _, err := c.Bucket(name).List(ctx, ""); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("Bucket(%q).List: %v", name, err)
		}
		if _, err := c.Bucket(name).GetPublicURL("a"); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("Bucket(%q).GetPublicURL: %v", name, err)
		}
	}
	for _, prefix := range []string{"../x", "a//", "/"} {
		if _, err := c.Bucket("b").List(ctx, prefix); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("List(%q): %v", prefix, err)
		}
	}
	if _, err := c.Bucket("b").Remove(ctx, "ok", "../escape"); !errors.Is(err, storage.ErrInvalidKey) {
		t.Errorf("Remove: %v", err)
	}
	if err := c.Bucket("b").Move(ctx, "a", "../b"); !errors.Is(err, storage.ErrInvalidKey) {
		t.Errorf("Move: %v", err)
	}
	if n := rt.n.Load(); n != 0 {
		t.Fatalf("%d refused calls reached the server", n)
	}
}
