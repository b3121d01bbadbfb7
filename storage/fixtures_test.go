package storage_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/storage"
	"github.com/supakit/supakit/transport"
)

// storageFixture is one recorded exchange with the real Storage server
// (copied from the shared fixtures into testdata/fixtures).
type storageFixture struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
	Request     struct {
		Method       string          `json:"method"`
		Path         string          `json:"path"`
		Query        string          `json:"query"`
		Headers      [][2]string     `json:"headers"`
		Body         json.RawMessage `json:"body"`
		BodyEncoding string          `json:"body_encoding"`
	} `json:"request"`
	Response *struct {
		Status       int             `json:"status"`
		Headers      [][2]string     `json:"headers"`
		Body         json.RawMessage `json:"body"`
		BodyEncoding string          `json:"body_encoding"`
	} `json:"response"`
}

func rawBody(enc string, body json.RawMessage) []byte {
	switch enc {
	case "json":
		return body
	case "text":
		var s string
		_ = json.Unmarshal(body, &s)
		return []byte(s)
	case "base64":
		var s string
		_ = json.Unmarshal(body, &s)
		b, _ := base64.StdEncoding.DecodeString(s)
		return b
	}
	return nil
}

func (f storageFixture) requestHeader(name string) string {
	for _, h := range f.Request.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// notApplicable lists the fixtures whose successful answers have no
// client method to parse them, and why.
var notApplicable = map[string]string{
	"01-status":                               "health check, not a client call",
	"59-object-signed-download":               "a signed URL is fetched by whoever holds it, with a plain GET",
	"60-object-signed-download-as-attachment": "a signed URL is fetched by whoever holds it, with a plain GET",
	"72-public-download":                      "a public URL is fetched with a plain GET",
	"73-public-download-with-download-param":  "a public URL is fetched with a plain GET",
	"78-object-delete-one":                    "the client deletes through the bulk route (Remove)",
	"97-tus-create":                           "resumable (TUS) uploads are not implemented; uploads stream in one request",
	"98-tus-patch":                            "resumable (TUS) uploads are not implemented; uploads stream in one request",
}

// sentinelFor maps Storage codes to the sentinel the error must match.
var sentinelFor = map[string]error{
	"NoSuchKey":           storage.ErrNotFound,
	"NoSuchBucket":        storage.ErrNotFound,
	"KeyAlreadyExists":    storage.ErrAlreadyExists,
	"BucketAlreadyExists": storage.ErrAlreadyExists,
	"AccessDenied":        storage.ErrUnauthorized,
	"InvalidJWT":          storage.ErrUnauthorized,
	"EntityTooLarge":      storage.ErrPayloadTooLarge,
	"InvalidMimeType":     storage.ErrInvalidMIMEType,
	"ResourceNotEmpty":    storage.ErrBucketNotEmpty,
}

func TestFixturesParse(t *testing.T) {
	files, err := filepath.Glob("testdata/fixtures/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var served *storageFixture
	var gotMethod, gotPath string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		gotMethod, gotPath = r.Method, strings.SplitN(r.RequestURI, "?", 2)[0]
		_, _ = io.Copy(io.Discard, r.Body)
		f := served
		for _, h := range f.Response.Headers {
			switch strings.ToLower(h[0]) {
			case "content-length", "transfer-encoding", "date", "connection":
				continue
			}
			w.Header().Add(h[0], h[1])
		}
		w.WriteHeader(f.Response.Status)
		_, _ = w.Write(rawBody(f.Response.BodyEncoding, f.Response.Body))
	})
	tr, err := transport.New(transport.Config{BaseURL: srv.URL + "/storage/v1", APIKey: "service-key", Retry: transport.RetryPolicy{}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := storage.New(tr)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		var f storageFixture
		b, err := readFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		t.Run(f.Name, func(t *testing.T) {
			if f.Response == nil {
				if f.Kind != "sql" {
					t.Fatalf("fixture without response of kind %q", f.Kind)
				}
				return // SQL run between exchanges, nothing to parse
			}
			served = &f
			gotMethod, gotPath = "", ""
			body := rawBody(f.Response.BodyEncoding, f.Response.Body)
			ok := f.Response.Status >= 200 && f.Response.Status <= 299

			res, err, samePath, applicable := callFixture(t, c, f)
			if applicable && errors.Is(err, storage.ErrInvalidKey) && gotMethod == "" && !ok {
				// The client refuses this input itself; the server's
				// answer must still parse.
				t.Logf("refused before sending: %v", err)
				applicable = false
			}
			if !applicable {
				if ok {
					if reason, listed := notApplicable[f.Name]; listed {
						t.Logf("not applicable: %s", reason)
						return
					}
					t.Fatalf("no client call for %s %s", f.Request.Method, f.Request.Path)
				}
				err = storage.ParseError(f.Response.Status, body)
			} else {
				if gotMethod != f.Request.Method {
					t.Errorf("client sent %s, fixture %s", gotMethod, f.Request.Method)
				}
				if samePath && gotPath != f.Request.Path {
					t.Errorf("client path %s, fixture %s", gotPath, f.Request.Path)
				}
			}
			if ok {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				checkFixtureResult(t, f, res, body, srv.URL)
				return
			}
			checkFixtureError(t, f, err, body)
		})
	}
}

func checkFixtureError(t *testing.T, f storageFixture, err error, body []byte) {
	t.Helper()
	var se *storage.Error
	if !errors.As(err, &se) {
		t.Fatalf("want *storage.Error, got %T %v", err, err)
	}
	var want struct {
		StatusCode string `json:"statusCode"`
		Code       string `json:"code"`
		Error      string `json:"error"`
		Message    string `json:"message"`
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("fixture body: %v", err)
		}
	}
	wantStatus := f.Response.Status
	if want.StatusCode != "" {
		wantStatus, _ = strconv.Atoi(want.StatusCode)
	}
	if se.Status != wantStatus || se.HTTPStatus != f.Response.Status || se.Code != want.Code || se.Message != want.Message || se.ErrorName != want.Error {
		t.Errorf("parsed %+v from %s", se, body)
	}
	if s, ok := sentinelFor[want.Code]; ok && !errors.Is(err, s) {
		t.Errorf("%v does not match %v", err, s)
	}
	if wantStatus == 404 && !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("404 does not match ErrNotFound: %v", err)
	}
	if !strings.Contains(se.Error(), strconv.Itoa(wantStatus)) {
		t.Errorf("Error() %q does not show the status", se.Error())
	}
}

// callFixture makes the client call that produces the fixture's request.
// samePath says whether the client uses the fixture's exact route.
func callFixture(t *testing.T, c *storage.Client, f storageFixture) (res any, err error, samePath, applicable bool) {
	ctx := context.Background()
	m := f.Request.Method
	route := strings.TrimPrefix(f.Request.Path, "/storage/v1")
	var reqBody map[string]any
	if f.Request.BodyEncoding == "json" {
		_ = json.Unmarshal(f.Request.Body, &reqBody)
	}
	segs := strings.Split(strings.TrimPrefix(route, "/"), "/")
	keyAfter := func(n int) (bucket, key string) {
		bucket = segs[n]
		key, _ = url.PathUnescape(strings.Join(segs[n+1:], "/"))
		return
	}
	text := rawBody(f.Request.BodyEncoding, f.Request.Body)
	upOpts := func() []storage.Option {
		var o []storage.Option
		if ct := f.requestHeader("Content-Type"); ct != "" && !strings.HasPrefix(ct, "multipart/") {
			o = append(o, storage.ContentType(ct))
		}
		return o
	}
	switch {
	case m == "POST" && route == "/bucket":
		res, err = c.CreateBucket(ctx, reqBody["name"].(string))
		return res, err, true, true
	case m == "GET" && route == "/bucket":
		res, err = c.ListBuckets(ctx)
		return res, err, true, true
	case m == "GET" && len(segs) == 2 && segs[0] == "bucket":
		res, err = c.GetBucket(ctx, segs[1])
		return res, err, true, true
	case m == "PUT" && len(segs) == 2 && segs[0] == "bucket":
		return nil, c.UpdateBucket(ctx, segs[1], storage.Public(false)), true, true
	case m == "DELETE" && len(segs) == 2 && segs[0] == "bucket":
		return nil, c.DeleteBucket(ctx, segs[1]), true, true
	case m == "POST" && len(segs) == 3 && segs[0] == "bucket" && segs[2] == "empty":
		return nil, c.EmptyBucket(ctx, segs[1]), true, true
	case m == "POST" && strings.HasPrefix(route, "/object/list/"):
		prefix, _ := reqBody["prefix"].(string)
		res, err = c.Bucket(segs[2]).List(ctx, prefix)
		return res, err, true, true
	case m == "POST" && strings.HasPrefix(route, "/object/list-v2/"):
		prefix, _ := reqBody["prefix"].(string)
		res, err = c.Bucket(segs[2]).ListV2(ctx, prefix, storage.WithDelimiter(), storage.Limit(3))
		return res, err, true, true
	case m == "POST" && (route == "/object/move" || route == "/object/copy"):
		var opts []storage.Option
		if db, ok := reqBody["destinationBucket"].(string); ok {
			opts = append(opts, storage.ToBucket(db))
		}
		b := c.Bucket(reqBody["bucketId"].(string))
		from, to := reqBody["sourceKey"].(string), reqBody["destinationKey"].(string)
		if route == "/object/move" {
			return nil, b.Move(ctx, from, to, opts...), true, true
		}
		res, err = b.Copy(ctx, from, to, opts...)
		return res, err, true, true
	case m == "POST" && strings.HasPrefix(route, "/object/upload/sign/"):
		bucket, key := keyAfter(3)
		res, err = c.Bucket(bucket).CreateSignedUploadURL(ctx, key)
		return res, err, true, true
	case m == "PUT" && strings.HasPrefix(route, "/object/upload/sign/"):
		bucket, key := keyAfter(3)
		q, _ := url.ParseQuery(f.Request.Query)
		res, err = c.Bucket(bucket).UploadToSignedURL(ctx, key, q.Get("token"), bytes.NewReader(text), upOpts()...)
		return res, err, true, true
	case m == "POST" && strings.HasPrefix(route, "/object/sign/") && len(segs) == 3:
		var paths []string
		for _, p := range reqBody["paths"].([]any) {
			paths = append(paths, p.(string))
		}
		res, err = c.Bucket(segs[2]).CreateSignedURLs(ctx, paths, time.Minute)
		return res, err, true, true
	case m == "POST" && strings.HasPrefix(route, "/object/sign/"):
		bucket, key := keyAfter(2)
		u, err := c.Bucket(bucket).CreateSignedURL(ctx, key, time.Minute)
		return signedOne(u), err, true, true
	case m == "GET" && (strings.HasPrefix(route, "/object/sign/") || strings.HasPrefix(route, "/object/public/")):
		return nil, nil, false, false
	case m == "GET" && strings.HasPrefix(route, "/object/info/public/"):
		bucket, key := keyAfter(3)
		res, err = c.Bucket(bucket).Info(ctx, key)
		return res, err, false, true
	case m == "GET" && strings.HasPrefix(route, "/object/info/"):
		bucket, key := keyAfter(2)
		res, err = c.Bucket(bucket).Info(ctx, key)
		return res, err, true, true
	case m == "GET" && strings.HasPrefix(route, "/object/authenticated/"):
		bucket, key := keyAfter(2)
		res, err = fixtureDownload(ctx, c.Bucket(bucket), key)
		return res, err, false, true
	case m == "GET" && strings.HasPrefix(route, "/object/"):
		bucket, key := keyAfter(1)
		var opts []storage.Option
		if f.requestHeader("Range") == "bytes=0-4" {
			opts = append(opts, storage.Range(0, 4))
		}
		res, err = fixtureDownload(ctx, c.Bucket(bucket), key, opts...)
		return res, err, true, true
	case m == "HEAD" && strings.HasPrefix(route, "/object/"):
		bucket, key := keyAfter(1)
		res, err = c.Bucket(bucket).Exists(ctx, key)
		return res, err, true, true
	case m == "POST" && strings.HasPrefix(route, "/object/"):
		bucket, key := keyAfter(1)
		opts := upOpts()
		if f.requestHeader("x-upsert") == "true" {
			opts = append(opts, storage.Upsert())
		}
		res, err = c.Bucket(bucket).Upload(ctx, key, bytes.NewReader(text), opts...)
		return res, err, true, true
	case m == "PUT" && strings.HasPrefix(route, "/object/"):
		bucket, key := keyAfter(1)
		res, err = c.Bucket(bucket).Update(ctx, key, bytes.NewReader(text), upOpts()...)
		return res, err, true, true
	case m == "DELETE" && len(segs) == 2 && segs[0] == "object":
		var keys []string
		for _, p := range reqBody["prefixes"].([]any) {
			keys = append(keys, p.(string))
		}
		res, err = c.Bucket(segs[1]).Remove(ctx, keys...)
		return res, err, true, true
	}
	return nil, nil, false, false
}

type signedOne string

type fixtureDownloaded struct {
	reader *storage.ObjectReader
	body   []byte
}

func fixtureDownload(ctx context.Context, b *storage.Bucket, key string, opts ...storage.Option) (any, error) {
	o, err := b.DownloadStream(ctx, key, opts...)
	if err != nil {
		return nil, err
	}
	defer o.Close()
	body, err := io.ReadAll(o)
	return fixtureDownloaded{reader: o, body: body}, err
}

func checkFixtureResult(t *testing.T, f storageFixture, res any, body []byte, base string) {
	t.Helper()
	var data any
	_ = json.Unmarshal(body, &data)
	switch r := res.(type) {
	case string: // CreateBucket
		wantEq(t, "name", r, field(data, "name"))
	case []storage.BucketInfo:
		if len(r) != len(data.([]any)) {
			t.Errorf("got %d buckets, want %d", len(r), len(data.([]any)))
		}
		for i, b := range r {
			wantEq(t, "id", b.ID, field(data.([]any)[i], "id"))
			if b.CreatedAt.IsZero() {
				t.Error("created_at not decoded")
			}
		}
	case *storage.BucketInfo:
		wantEq(t, "id", r.ID, field(data, "id"))
		if lim, ok := field(data, "file_size_limit").(float64); ok && (r.FileSizeLimit == nil || *r.FileSizeLimit != int64(lim)) {
			t.Errorf("file_size_limit: got %v, want %v", r.FileSizeLimit, lim)
		}
	case []storage.Object:
		want := data.([]any)
		if len(r) != len(want) {
			t.Fatalf("got %d objects, want %d", len(r), len(want))
		}
		for i, o := range r {
			wantEq(t, "name", o.Name, field(want[i], "name"))
			if id, _ := field(want[i], "id").(string); id == "" {
				if !o.IsFolder() || o.Metadata != nil {
					t.Errorf("%s should be a folder: %+v", o.Name, o)
				}
			} else if o.IsFolder() || o.Metadata == nil || o.Metadata.ETag == "" || o.CreatedAt.IsZero() {
				t.Errorf("%s decoded as %+v", o.Name, o)
			}
		}
	case *storage.ListV2Result:
		wantEq(t, "hasNext", r.HasNext, field(data, "hasNext"))
		wantEq(t, "nextCursor", r.NextCursor, field(data, "nextCursor"))
		if len(r.Objects) != len(field(data, "objects").([]any)) || r.Objects[0].Key != "a.txt" {
			t.Errorf("objects decoded as %+v", r.Objects)
		}
	case storage.ObjectRef:
		wantEq(t, "fullPath", r.FullPath, field(data, "Key"))
		if id, ok := field(data, "Id").(string); ok {
			wantEq(t, "id", r.ID, id)
		}
	case *storage.SignedUploadURL:
		wantEq(t, "token", r.Token, field(data, "token"))
		if !strings.HasPrefix(r.URL, base+"/storage/v1/object/upload/sign/") || !strings.HasSuffix(r.URL, "?token="+r.Token) {
			t.Errorf("url %s", r.URL)
		}
	case []storage.SignedURL:
		want := data.([]any)
		if len(r) != len(want) {
			t.Fatalf("got %d, want %d", len(r), len(want))
		}
		for i, s := range r {
			if e, _ := field(want[i], "error").(string); e != "" {
				wantEq(t, "error", s.Error, e)
				wantEq(t, "url", s.URL, "")
			} else {
				wantEq(t, "url", s.URL, base+"/storage/v1"+field(want[i], "signedURL").(string))
			}
		}
	case *storage.ObjectInfo:
		wantEq(t, "id", r.ID, field(data, "id"))
		wantEq(t, "size", float64(r.Size), field(data, "size"))
		wantEq(t, "content type", r.ContentType, field(data, "content_type"))
		if len(r.Metadata) != len(field(data, "metadata").(map[string]any)) {
			t.Errorf("metadata %v", r.Metadata)
		}
	case fixtureDownloaded:
		if !bytes.Equal(r.body, body) {
			t.Errorf("body %q, want %q", r.body, body)
		}
		wantEq(t, "status", r.reader.StatusCode, f.Response.Status)
		if r.reader.ETag == "" || r.reader.ContentType == "" || r.reader.LastModified.IsZero() {
			t.Errorf("headers not read: %+v", r.reader)
		}
		if f.Response.Status == 206 && r.reader.Size != 20 {
			t.Errorf("size from Content-Range: %d", r.reader.Size)
		}
	case signedOne:
		wantEq(t, "url", string(r), base+"/storage/v1"+field(data, "signedURL").(string))
	case bool:
		wantEq(t, "exists", r, true)
	case nil:
		// Update, delete, empty, move: success is the absence of error.
	default:
		t.Fatalf("unexpected result %T", res)
	}
}
