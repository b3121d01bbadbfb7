package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/storage"
	"github.com/supakit/supakit/transport"
)

func TestParseError(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantStatus int
		wantCode   string
		wantMsg    string
		is         []error
		isNot      []error
	}{
		{name: "400 carrying 404 as a string", status: 400, body: `{"statusCode":"404","error":"not_found","message":"Object not found","code":"NoSuchKey"}`,
			wantStatus: 404, wantCode: "NoSuchKey", wantMsg: "Object not found", is: []error{storage.ErrNotFound}, isNot: []error{storage.ErrAlreadyExists}},
		{name: "statusCode as a number", status: 400, body: `{"statusCode":409,"error":"Duplicate","message":"The resource already exists","code":"KeyAlreadyExists"}`,
			wantStatus: 409, wantCode: "KeyAlreadyExists", wantMsg: "The resource already exists", is: []error{storage.ErrAlreadyExists}},
		{name: "gateway passes the true status", status: 413, body: `{"statusCode":"413","error":"Payload too large","message":"too big","code":"EntityTooLarge"}`,
			wantStatus: 413, wantCode: "EntityTooLarge", wantMsg: "too big", is: []error{storage.ErrPayloadTooLarge}},
		{name: "body status ignored unless 400", status: 500, body: `{"statusCode":"404","message":"odd"}`,
			wantStatus: 500, wantMsg: "odd", isNot: []error{storage.ErrNotFound}},
		{name: "bucket not empty is a 409 but not already-exists", status: 400, body: `{"statusCode":"409","error":"ResourceNotEmpty","message":"not empty","code":"ResourceNotEmpty"}`,
			wantStatus: 409, wantCode: "ResourceNotEmpty", wantMsg: "not empty", is: []error{storage.ErrBucketNotEmpty}, isNot: []error{storage.ErrAlreadyExists}},
		{name: "policy denial", status: 400, body: `{"statusCode":"403","error":"Unauthorized","message":"new row violates row-level security policy","code":"AccessDenied"}`,
			wantStatus: 403, wantCode: "AccessDenied", wantMsg: "new row violates row-level security policy", is: []error{storage.ErrUnauthorized}},
		{name: "mime", status: 400, body: `{"statusCode":"415","error":"invalid_mime_type","message":"mime type application/json is not supported","code":"InvalidMimeType"}`,
			wantStatus: 415, wantCode: "InvalidMimeType", wantMsg: "mime type application/json is not supported", is: []error{storage.ErrInvalidMIMEType}},
		{name: "plain text body", status: 502, body: "Bad Gateway\n", wantStatus: 502, wantMsg: "Bad Gateway"},
		{name: "empty body", status: 401, body: "", wantStatus: 401, wantMsg: "Unauthorized", is: []error{storage.ErrUnauthorized}},
		{name: "bare 404", status: 404, body: "", wantStatus: 404, wantMsg: "Not Found", is: []error{storage.ErrNotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := storage.ParseError(tt.status, []byte(tt.body))
			if e.Status != tt.wantStatus || e.HTTPStatus != tt.status || e.Code != tt.wantCode || e.Message != tt.wantMsg {
				t.Fatalf("got %+v", e)
			}
			for _, s := range tt.is {
				if !errors.Is(e, s) {
					t.Errorf("%v is not %v", e, s)
				}
			}
			for _, s := range tt.isNot {
				if errors.Is(e, s) {
					t.Errorf("%v should not be %v", e, s)
				}
			}
		})
	}
}

func TestOptionMisuse(t *testing.T) {
	rt := &recordingRT{}
	c := rtStorage(t, rt)
	ctx := context.Background()
	b := c.Bucket("b")
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"upload option on a bucket call", func() error { _, err := c.CreateBucket(ctx, "x", storage.Upsert()); return err }, "Upsert does not apply to CreateBucket"},
		{"upsert on update", func() error { _, err := b.Update(ctx, "k", strings.NewReader("x"), storage.Upsert()); return err }, "Upsert does not apply to Update"},
		{"twice", func() error { _, err := c.ListBuckets(ctx, storage.Limit(1), storage.Limit(2)); return err }, "Limit given twice"},
		{"bad sort column", func() error { _, err := c.ListBuckets(ctx, storage.SortBy("owner", storage.Asc)); return err }, `cannot sort by "owner"`},
		{"bad sort order", func() error { _, err := b.List(ctx, "", storage.SortBy("name", "up")); return err }, "neither asc nor desc"},
		{"negative limit", func() error { _, err := b.List(ctx, "", storage.Limit(0)); return err }, "must be positive"},
		{"nothing to update", func() error { return c.UpdateBucket(ctx, "x") }, "nothing to update"},
		{"expiry too short", func() error { _, err := b.CreateSignedURL(ctx, "k", time.Millisecond); return err }, "shorter than one second"},
		{"transform on batch signing", func() error {
			_, err := b.CreateSignedURLs(ctx, []string{"k"}, time.Minute, storage.WithTransform(storage.Transform{Width: 1}))
			return err
		}, "WithTransform does not apply to CreateSignedURLs"},
		{"empty transform", func() error { _, err := b.GetPublicURL("k", storage.WithTransform(storage.Transform{})); return err }, "empty Transform"},
		{"bad quality", func() error {
			_, err := b.GetPublicURL("k", storage.WithTransform(storage.Transform{Quality: 101}))
			return err
		}, "quality 101"},
		{"bad resize", func() error {
			_, err := b.GetPublicURL("k", storage.WithTransform(storage.Transform{Width: 1, Resize: "stretch"}))
			return err
		}, `unknown resize mode "stretch"`},
		{"authorization header", func() error {
			_, err := b.Upload(ctx, "k", strings.NewReader("x"), storage.Header("Authorization", "Bearer x"))
			return err
		}, "set by the client"},
		{"header injection", func() error {
			_, err := b.Upload(ctx, "k", strings.NewReader("x"), storage.Header("X-A", "1\r\nX-B: 2"))
			return err
		}, "line break"},
		{"bad range", func() error { _, err := b.DownloadStream(ctx, "k", storage.Range(5, 2)); return err }, "Range(5, 2)"},
		{"empty token", func() error { _, err := b.UploadToSignedURL(ctx, "k", "", strings.NewReader("x")); return err }, "empty token"},
		{"zero option", func() error { _, err := b.List(ctx, "", storage.Option{}); return err }, "zero Option"},
		{"bad destination bucket", func() error { return b.Move(ctx, "a", "b", storage.ToBucket("x/y")) }, "bucket name contains"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if !errors.Is(err, storage.ErrInvalidOption) && !errors.Is(err, storage.ErrInvalidKey) {
				t.Errorf("%v matches neither ErrInvalidOption nor ErrInvalidKey", err)
			}
		})
	}
	if n := rt.n.Load(); n != 0 {
		t.Fatalf("%d invalid calls were sent", n)
	}
}

func TestRangeIgnoredByServer(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "bytes=2-4" {
			t.Errorf("Range header %q", r.Header.Get("Range"))
		}
		_, _ = io.WriteString(w, "0123456789") // a full 200 answer
	})
	c := newStorage(t, srv.URL, "k", nil, nil)
	var sb strings.Builder
	n, err := c.Bucket("b").Download(context.Background(), "k", &sb, storage.Range(2, 4))
	if err != nil || sb.String() != "234" || n != 3 {
		t.Fatalf("got %q (%d), %v", sb.String(), n, err)
	}
}

func TestExists(t *testing.T) {
	tests := []struct {
		status  int
		want    bool
		wantErr error
	}{
		{200, true, nil},
		{404, false, nil},
		{400, false, nil},
		{403, false, storage.ErrUnauthorized},
		{500, false, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodHead {
					t.Errorf("method %s", r.Method)
				}
				w.WriteHeader(tt.status)
			})
			tr, _ := transport.New(transport.Config{BaseURL: srv.URL, APIKey: "k"})
			c, _ := storage.New(tr)
			got, err := c.Bucket("b").Exists(context.Background(), "k")
			if got != tt.want {
				t.Errorf("got %v", got)
			}
			switch {
			case tt.status == 500:
				var se *storage.Error
				if !errors.As(err, &se) || se.Status != 500 {
					t.Errorf("want a 500 *Error, got %v", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("want %v, got %v", tt.wantErr, err)
				}
			case err != nil:
				t.Errorf("unexpected %v", err)
			}
		})
	}
}

func TestUploadLengths(t *testing.T) {
	type seen struct {
		cl int64
		te []string
		n  int
	}
	got := make(chan seen, 1)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.ContentLength, r.TransferEncoding, len(b)}
		_, _ = io.WriteString(w, `{"Key":"b/k","Id":"1"}`)
	})
	c := newStorage(t, srv.URL, "k", nil, nil)
	ctx := context.Background()
	f := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(f, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	_, _ = file.Seek(4, io.SeekStart)

	tests := []struct {
		name   string
		r      io.Reader
		opts   []storage.Option
		wantCL int64
		wantN  int
	}{
		{"file from its offset", file, nil, 6, 6},
		{"strings reader", strings.NewReader("abc"), nil, 3, 3},
		{"empty", strings.NewReader(""), nil, 0, 0},
		{"unknown length is chunked", io.MultiReader(strings.NewReader("ab")), nil, -1, 2},
		{"declared size", io.MultiReader(strings.NewReader("abcd")), []storage.Option{storage.Size(4)}, 4, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Bucket("b").Upload(ctx, "k.txt", tt.r, tt.opts...); err != nil {
				t.Fatal(err)
			}
			s := <-got
			if s.cl != tt.wantCL || s.n != tt.wantN {
				t.Errorf("content length %d (te %v), %d bytes; want %d, %d", s.cl, s.te, s.n, tt.wantCL, tt.wantN)
			}
		})
	}
	// A reader shorter than the declared size fails instead of sending a
	// truncated object.
	_, err = c.Bucket("b").Upload(ctx, "k.txt", io.MultiReader(strings.NewReader("ab")), storage.Size(10))
	if err == nil {
		<-got
		t.Fatal("short body accepted")
	}
}

func TestDetectContentType(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n0000")
	tests := []struct {
		key  string
		head []byte
		want string
	}{
		{"a.PNG", nil, "image/png"},
		{"notes.txt", nil, "text/plain"},
		{"data.json", nil, "application/json"},
		{"noext", png, "image/png"},
		{"noext", []byte("hello"), "text/plain"},
		{"noext", []byte{0, 1, 2}, "application/octet-stream"},
		{"noext", nil, "application/octet-stream"},
		{"dir.v2/noext", []byte("<html><body>"), "text/html"},
	}
	for _, tt := range tests {
		if got := storage.DetectContentType(tt.key, tt.head); got != tt.want {
			t.Errorf("DetectContentType(%q, %q) = %q, want %q", tt.key, tt.head, got, tt.want)
		}
	}
}

func TestContextCancelled(t *testing.T) {
	block := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { <-block })
	defer close(block)
	c := newStorage(t, srv.URL, "k", nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Bucket("b").Upload(ctx, "k.txt", strings.NewReader("x"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
}

func TestErrorsHideKeys(t *testing.T) {
	const secret = "sb_secret_do-not-leak"
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		_, _ = io.WriteString(w, `{"statusCode":"403","error":"Unauthorized","message":"denied","code":"AccessDenied"}`)
	})
	c := newStorage(t, srv.URL, secret, nil, transport.StaticToken("user.jwt.token"))
	_, err := c.ListBuckets(context.Background())
	if err == nil || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "user.jwt.token") {
		t.Fatalf("error %v", err)
	}
	if !strings.Contains(err.Error(), "403 AccessDenied") {
		t.Errorf("error %q should show status and code", err)
	}
}

func TestURLs(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/storage/v1/object/sign/b/"):
			// An already-encoded answer is kept as is.
			_, _ = io.WriteString(w, `{"signedURL":"/object/sign/b/a%20b.txt?token=t1"}`)
		case strings.HasPrefix(r.URL.Path, "/storage/v1/object/upload/sign/"):
			_, _ = io.WriteString(w, `{"url":"/object/upload/sign/b/x#y?.txt?token=t2"}`)
		}
	})
	tr, _ := transport.New(transport.Config{BaseURL: srv.URL + "/storage/v1", APIKey: "k"})
	c, err := storage.New(tr, storage.WithURLBase("https://cdn.example.com/storage/v1/"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u, err := c.Bucket("b").CreateSignedURL(ctx, "a b.txt", time.Hour, storage.DownloadAs("r é.txt"))
	if err != nil || u != "https://cdn.example.com/storage/v1/object/sign/b/a%20b.txt?token=t1&download=r+%C3%A9.txt" {
		t.Errorf("signed: %s %v", u, err)
	}
	up, err := c.Bucket("b").CreateSignedUploadURL(ctx, "x#y?.txt")
	if err != nil || up.Token != "t2" || up.URL != "https://cdn.example.com/storage/v1/object/upload/sign/b/x%23y%3F.txt?token=t2" {
		t.Errorf("upload url: %+v %v", up, err)
	}
	pub, err := c.Bucket("b").GetPublicURL("a/ü.png", storage.WithTransform(storage.Transform{Width: 10, Resize: storage.ResizeCover}))
	if err != nil || pub != "https://cdn.example.com/storage/v1/render/image/public/b/a/%C3%BC.png?width=10&resize=cover" {
		t.Errorf("public: %s %v", pub, err)
	}
	if _, err := storage.New(tr, storage.WithURLBase("ftp://x")); !errors.Is(err, storage.ErrInvalidOption) {
		t.Errorf("bad base: %v", err)
	}
	if _, err := storage.New(nil); !errors.Is(err, storage.ErrInvalidOption) {
		t.Errorf("nil transport: %v", err)
	}
}
