package storage_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/storage"
	"github.com/supakit/supakit/transport"
)

type cannedRT string

func (b cannedRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}, "Content-Range": {string(b)}},
		Body: io.NopCloser(strings.NewReader(string(b))), Request: r}, nil
}

// FuzzCallsNeverPanic feeds arbitrary bucket names, keys, option values
// and server answers to the public calls: each returns a result or an
// error, never panics.
func FuzzCallsNeverPanic(f *testing.F) {
	for _, s := range [][3]string{
		{"avatars", "a b/ü#1.png", `{"Key":"avatars/a","Id":"1","signedURL":"/object/sign/avatars/a?token=t","url":"/x?token=t"}`},
		{"", "../x", `[{"name":"a","id":"1","metadata":{"size":1}}]`},
		{"b", "k", `null`},
		{"b/c", "%2e%2e", `[{"error":null,"path":"k","signedURL":null}]`},
	} {
		f.Add(s[0], s[1], s[2], int64(3), 10)
	}
	f.Fuzz(func(t *testing.T, bucket, key, answer string, n int64, width int) {
		tr, err := transport.New(transport.Config{BaseURL: "http://storage.test/storage/v1", APIKey: "k",
			HTTPClient: &http.Client{Transport: cannedRT(answer)}, Retry: transport.RetryPolicy{}})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := storage.New(tr)
		ctx := context.Background()
		b := c.Bucket(bucket)
		tf := storage.Transform{Width: width, Height: width, Quality: width, Resize: storage.Resize(key), Format: key}
		_, _ = c.CreateBucket(ctx, bucket, storage.FileSizeLimit(n), storage.AllowedMIMETypes(key), storage.FileSizeLimitText(key))
		_, _ = c.GetBucket(ctx, bucket)
		_, _ = c.ListBuckets(ctx, storage.Limit(width), storage.Offset(width), storage.Search(key), storage.SortBy(key, storage.SortOrder(key)))
		_, _ = b.Upload(ctx, key, strings.NewReader(answer), storage.Size(n), storage.ContentType(key), storage.Metadata(map[string]string{key: key}), storage.Header(key, key))
		_, _ = b.Upload(ctx, key, strings.NewReader(answer), storage.Multipart(), storage.CacheControl(time.Duration(n)))
		_, _ = b.Download(ctx, key, io.Discard, storage.Range(n, int64(width)), storage.WithTransform(tf))
		_, _ = b.Download(ctx, key, io.Discard, storage.Range(n, -1))
		_, _ = b.List(ctx, key, storage.Limit(width), storage.SortBy(key, storage.Asc))
		_, _ = b.ListV2(ctx, key, storage.Cursor(key), storage.WithDelimiter())
		_ = b.Move(ctx, key, answer, storage.ToBucket(bucket))
		_, _ = b.Copy(ctx, key, key+"x")
		_, _ = b.Remove(ctx, key, answer)
		_, _ = b.CreateSignedURL(ctx, key, time.Duration(n)*time.Second, storage.DownloadAs(key), storage.WithTransform(tf))
		_, _ = b.CreateSignedURLs(ctx, []string{key, answer}, time.Minute, storage.AsAttachment())
		_, _ = b.CreateSignedUploadURL(ctx, key, storage.Upsert())
		_, _ = b.UploadToSignedURL(ctx, key, answer, strings.NewReader(key))
		_, _ = b.GetPublicURL(key, storage.WithTransform(tf), storage.DownloadAs(key))
		_, _ = b.Info(ctx, key)
		_, _ = b.Exists(ctx, key)
	})
}
