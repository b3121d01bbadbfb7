package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/supakit/supakit/storage"
	"github.com/supakit/supakit/transport"
)

// fakeStorage is a tiny in-memory stand-in for the Storage API, enough for
// the examples.
func fakeStorage() *httptest.Server {
	var mu sync.Mutex
	objects := map[string]string{}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		p := strings.TrimPrefix(r.URL.Path, "/storage/v1")
		switch {
		case r.Method == http.MethodPost && strings.HasPrefix(p, "/object/sign/"):
			fmt.Fprintf(w, `{"signedURL":"%s?token=tok"}`, p)
		case r.Method == http.MethodPost && strings.HasPrefix(p, "/object/"):
			key := strings.TrimPrefix(p, "/object/")
			b, _ := io.ReadAll(r.Body)
			objects[key] = r.Header.Get("Content-Type") + "|" + string(b)
			fmt.Fprintf(w, `{"Key":%q,"Id":"0b1c"}`, key)
		case r.Method == http.MethodGet && strings.HasPrefix(p, "/object/"):
			v, ok := objects[strings.TrimPrefix(p, "/object/")]
			if !ok {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"statusCode":"404","error":"not_found","message":"Object not found","code":"NoSuchKey"}`)
				return
			}
			ct, body, _ := strings.Cut(v, "|")
			w.Header().Set("Content-Type", ct)
			io.WriteString(w, body)
		default:
			http.NotFound(w, r)
		}
	}))
}

func exampleClient(srv *httptest.Server) *storage.Client {
	// With the root package: storage.New(client.StorageTransport()).
	tr, err := transport.New(transport.Config{BaseURL: srv.URL + "/storage/v1", APIKey: "service-role-key"})
	if err != nil {
		panic(err)
	}
	st, err := storage.New(tr)
	if err != nil {
		panic(err)
	}
	return st
}

func Example() {
	srv := fakeStorage()
	defer srv.Close()
	st := exampleClient(srv)
	ctx := context.Background()
	docs := st.Bucket("docs")

	ref, err := docs.Upload(ctx, "reports/q1 summary.txt", strings.NewReader("revenue up"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("stored", ref.FullPath)

	n, err := docs.Download(ctx, "reports/q1 summary.txt", os.Stdout)
	fmt.Println()
	fmt.Println(n, "bytes", err)

	_, err = docs.Download(ctx, "reports/missing.txt", io.Discard)
	fmt.Println(errors.Is(err, storage.ErrNotFound))
	// Output:
	// stored docs/reports/q1 summary.txt
	// revenue up
	// 10 bytes <nil>
	// true
}

func ExampleBucket_Upload_progress() {
	srv := fakeStorage()
	defer srv.Close()
	st := exampleClient(srv)

	var last int64
	_, err := st.Bucket("media").Upload(context.Background(), "clip.mp4", strings.NewReader(strings.Repeat("x", 4096)),
		storage.Upsert(),
		storage.Progress(func(done, total int64) { last = done }))
	fmt.Println(last, err)
	// Output: 4096 <nil>
}

func ExampleBucket_GetPublicURL() {
	tr, _ := transport.New(transport.Config{BaseURL: "https://xyz.supabase.co/storage/v1", APIKey: "anon-key"})
	st, _ := storage.New(tr)
	avatars := st.Bucket("avatars")

	u, _ := avatars.GetPublicURL("users/ada lovelace.png")
	fmt.Println(u)
	u, _ = avatars.GetPublicURL("users/ada lovelace.png", storage.WithTransform(storage.Transform{Width: 200, Height: 200, Resize: storage.ResizeCover}))
	fmt.Println(u)
	_, err := avatars.GetPublicURL("../secrets.txt")
	fmt.Println(errors.Is(err, storage.ErrInvalidKey))
	// Output:
	// https://xyz.supabase.co/storage/v1/object/public/avatars/users/ada%20lovelace.png
	// https://xyz.supabase.co/storage/v1/render/image/public/avatars/users/ada%20lovelace.png?width=200&height=200&resize=cover
	// true
}

func ExampleBucket_CreateSignedURL() {
	srv := fakeStorage()
	defer srv.Close()
	st := exampleClient(srv)

	u, err := st.Bucket("invoices").CreateSignedURL(context.Background(), "2024/inv #7.pdf", time.Hour, storage.DownloadAs("invoice.pdf"))
	fmt.Println(strings.TrimPrefix(u, srv.URL), err)
	// Output: /storage/v1/object/sign/invoices/2024/inv%20%237.pdf?token=tok&download=invoice.pdf <nil>
}

func ExampleEscapeKey() {
	for _, k := range []string{"a b/ü#1.txt", "../etc/passwd"} {
		esc, err := storage.EscapeKey(k)
		fmt.Printf("%q %v\n", esc, err)
	}
	// Output:
	// "a%20b/%C3%BC%231.txt" <nil>
	// "" storage: invalid object key "../etc/passwd": ".." segment
}
