package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/supakit/supakit/transport"
)

// Bucket gives access to the objects of one bucket. It is a cheap value
// made by [Client.Bucket]; a bad bucket name is reported by each call.
type Bucket struct {
	c    *Client
	name string
	err  error
}

// Bucket returns the object API of the bucket with the given id.
func (c *Client) Bucket(id string) *Bucket {
	if !c.usable() {
		return &Bucket{c: c, name: id, err: errZeroClient}
	}
	return &Bucket{c: c, name: id, err: validateBucketName(id)}
}

// Name returns the bucket id.
func (b *Bucket) Name() string { return b.name }

// ObjectRef identifies a stored object, as returned by uploads and Copy.
type ObjectRef struct {
	// ID is the object's id (empty when the server does not report it,
	// as for uploads to signed URLs).
	ID string
	// Path is the key inside the bucket.
	Path string
	// FullPath is "bucket/key", as the server reports it.
	FullPath string
}

// Object is an entry of a listing or of a removal. Folders (List groups
// keys by "/") have an empty ID and nil Metadata.
type Object struct {
	Name           string          `json:"name"`
	ID             string          `json:"id"`
	Key            string          `json:"key,omitempty"` // ListV2: name relative to the prefix
	BucketID       string          `json:"bucket_id,omitempty"`
	Owner          string          `json:"owner,omitempty"`
	OwnerID        string          `json:"owner_id,omitempty"`
	Version        string          `json:"version,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	LastAccessedAt time.Time       `json:"last_accessed_at"`
	Metadata       *ObjectMetadata `json:"metadata"`
	UserMetadata   map[string]any  `json:"user_metadata,omitempty"`
}

// IsFolder reports whether the entry is a folder rather than an object.
func (o Object) IsFolder() bool { return o.ID == "" }

// ObjectMetadata is the system metadata Storage keeps for an object.
type ObjectMetadata struct {
	ETag           string    `json:"eTag"`
	Size           int64     `json:"size"`
	MIMEType       string    `json:"mimetype"`
	CacheControl   string    `json:"cacheControl"`
	LastModified   time.Time `json:"lastModified"`
	ContentLength  int64     `json:"contentLength"`
	HTTPStatusCode int       `json:"httpStatusCode"`
}

// ObjectInfo is what Info returns.
type ObjectInfo struct {
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Version      string         `json:"version"`
	BucketID     string         `json:"bucket_id"`
	Size         int64          `json:"size"`
	ContentType  string         `json:"content_type"`
	CacheControl string         `json:"cache_control"`
	ETag         string         `json:"etag"`
	Metadata     map[string]any `json:"metadata"`
	LastModified time.Time      `json:"last_modified"`
	CreatedAt    time.Time      `json:"created_at"`
}

// objectPath validates the bucket and key and returns
// "<prefix>/<bucket>/<escaped key>".
func (b *Bucket) objectPath(prefix, key string) (string, error) {
	if b.err != nil {
		return "", b.err
	}
	k, err := EscapeKey(key)
	if err != nil {
		return "", err
	}
	return prefix + "/" + escapeSegment(b.name) + "/" + k, nil
}

func (b *Bucket) op(verb, key string) string { return verb + " " + b.name + "/" + key }

const uploadOpts = kContentType | kCacheControl | kMetadata | kHeader | kProgress | kSize | kMultipart

// Upload stores the content read from r under key. r is streamed, never
// held in memory. It fails with [ErrAlreadyExists] if the key exists,
// unless [Upsert] is given. Options: [ContentType] (else detected from the
// extension, then the first 512 bytes), [CacheControl] (default one hour),
// [Upsert], [Metadata], [Header], [Progress], [Size], [Multipart].
//
// POST /storage/v1/object/{bucket}/{key}
func (b *Bucket) Upload(ctx context.Context, key string, r io.Reader, opts ...Option) (ObjectRef, error) {
	p, err := b.objectPath("/object", key)
	if err != nil {
		return ObjectRef{}, err
	}
	s, err := collect("Upload", uploadOpts|kUpsert, opts)
	if err != nil {
		return ObjectRef{}, err
	}
	return b.upload(ctx, b.op("upload", key), http.MethodPost, p, "", key, r, s, true)
}

// Update replaces the content of key (creating it if missing) with what r
// yields, streamed. Options as for Upload, except [Upsert].
//
// PUT /storage/v1/object/{bucket}/{key}
func (b *Bucket) Update(ctx context.Context, key string, r io.Reader, opts ...Option) (ObjectRef, error) {
	p, err := b.objectPath("/object", key)
	if err != nil {
		return ObjectRef{}, err
	}
	s, err := collect("Update", uploadOpts, opts)
	if err != nil {
		return ObjectRef{}, err
	}
	return b.upload(ctx, b.op("update", key), http.MethodPut, p, "", key, r, s, false)
}

// UploadToSignedURL uploads to key with a token from
// [Bucket.CreateSignedUploadURL], without needing the caller's own rights.
// Options as for Upload.
//
// PUT /storage/v1/object/upload/sign/{bucket}/{key}?token={token}
func (b *Bucket) UploadToSignedURL(ctx context.Context, key, token string, r io.Reader, opts ...Option) (ObjectRef, error) {
	p, err := b.objectPath("/object/upload/sign", key)
	if err != nil {
		return ObjectRef{}, err
	}
	if token == "" {
		return ObjectRef{}, optErr("UploadToSignedURL: empty token")
	}
	s, err := collect("UploadToSignedURL", uploadOpts|kUpsert, opts)
	if err != nil {
		return ObjectRef{}, err
	}
	return b.upload(ctx, b.op("upload to signed url", key), http.MethodPut, p, "token="+queryEscape(token), key, r, s, true)
}

// errRequestDone ends the multipart writer once the request is over.
var errRequestDone = errors.New("storage: request finished")

func (b *Bucket) upload(ctx context.Context, op, method, p, rawQuery, key string, r io.Reader, s *settings, sendUpsert bool) (ObjectRef, error) {
	if r == nil {
		return ObjectRef{}, fmt.Errorf("storage: %s: %w: nil reader", op, ErrInvalidOption)
	}
	size := s.size
	if size < 0 {
		size = sizeOf(r)
	}
	// The source is read here too (sniffing, the multipart writer), so it
	// must end with ctx itself, not only as the request body.
	body, release := transport.CancelableBody(ctx, r)
	defer release()
	ct := s.contentType
	if ct == "" {
		var err error
		if ct, body, err = detectContentType(key, body); err != nil {
			return ObjectRef{}, fmt.Errorf("storage: %s: %w", op, err)
		}
	}
	cache := s.cacheControl
	if cache == "" {
		cache = "3600"
	}
	var meta []byte
	if s.metadata != nil {
		var err error
		if meta, err = json.Marshal(s.metadata); err != nil {
			return ObjectRef{}, fmt.Errorf("storage: %s: %w: metadata: %v", op, ErrInvalidOption, err)
		}
	}
	if s.progress != nil {
		body = &progressReader{r: body, total: size, fn: s.progress}
	}

	hdr := http.Header{}
	if sendUpsert {
		hdr.Set("X-Upsert", strconv.FormatBool(s.upsert))
	}
	req := &transport.Request{Method: method, Path: p, RawQuery: rawQuery, Header: hdr, NoRetry: true}
	var (
		pr   *io.PipeReader
		done chan struct{}
	)
	if s.multipart {
		var pw *io.PipeWriter
		pr, pw = io.Pipe()
		mw := multipart.NewWriter(pw)
		hdr.Set("Content-Type", mw.FormDataContentType())
		done = make(chan struct{})
		go func() {
			defer close(done)
			pw.CloseWithError(writeMultipart(mw, cache, meta, path.Base(key), ct, body))
		}()
		req.Body, req.ContentLength = pr, -1
	} else {
		hdr.Set("Cache-Control", "max-age="+cache)
		hdr.Set("Content-Type", ct)
		if meta != nil {
			hdr.Set("X-Metadata", base64.StdEncoding.EncodeToString(meta))
		}
		switch {
		case size == 0:
			req.Body, req.ContentLength = http.NoBody, 0
		default:
			req.Body, req.ContentLength = body, size
		}
	}
	for k, vs := range s.header {
		hdr[k] = append([]string(nil), vs...)
	}

	resp, err := b.c.send(ctx, op, req)
	if pr != nil {
		_ = pr.CloseWithError(errRequestDone)
		release() // the part writer may be waiting on a stalled source
		<-done
	}
	if err != nil {
		return ObjectRef{}, err
	}
	defer transport.DrainClose(resp)
	var out struct {
		Key string `json:"Key"`
		ID  string `json:"Id"`
	}
	if err := decodeJSON(op, resp, &out); err != nil {
		return ObjectRef{}, err
	}
	return ObjectRef{ID: out.ID, Path: key, FullPath: out.Key}, nil
}

func writeMultipart(mw *multipart.Writer, cache string, meta []byte, filename, ct string, body io.Reader) error {
	if err := mw.WriteField("cacheControl", cache); err != nil {
		return err
	}
	if meta != nil {
		if err := mw.WriteField("metadata", string(meta)); err != nil {
			return err
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=""; filename="%s"`, escapeQuotes(filename)))
	h.Set("Content-Type", ct)
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, body); err != nil {
		return err
	}
	return mw.Close()
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }

// sizeOf returns the number of bytes r will yield when it is a kind whose
// length is known, else -1.
func sizeOf(r io.Reader) int64 {
	switch v := r.(type) {
	case *bytes.Reader:
		return int64(v.Len())
	case *bytes.Buffer:
		return int64(v.Len())
	case *strings.Reader:
		return int64(v.Len())
	case *os.File:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		pos, err := v.Seek(0, io.SeekCurrent)
		if err != nil || pos > fi.Size() {
			return -1
		}
		return fi.Size() - pos
	}
	return -1
}

type progressReader struct {
	r     io.Reader
	done  int64
	total int64
	fn    ProgressFunc
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.done += int64(n)
		p.fn(p.done, p.total)
	}
	return n, err
}

// ObjectReader streams a downloaded object. Close it when done.
type ObjectReader struct {
	body io.Reader
	resp *http.Response

	// StatusCode is 200, or 206 for a partial (Range) answer.
	StatusCode int
	// ContentType is the object's content type.
	ContentType string
	// ContentLength is the number of bytes this reader yields, or -1.
	ContentLength int64
	// Size is the whole object's size when known, else -1.
	Size int64
	// ETag, CacheControl and LastModified come from the response headers.
	ETag         string
	CacheControl string
	LastModified time.Time
	// Header holds every response header.
	Header http.Header
}

// Read reads the object's bytes.
func (o *ObjectReader) Read(p []byte) (int, error) { return o.body.Read(p) }

// Close releases the connection.
func (o *ObjectReader) Close() error {
	transport.DrainClose(o.resp)
	return nil
}

const downloadOpts = kTransform | kCacheNonce | kRange | kProgress

// DownloadStream opens key for reading; the caller must Close the result.
// Options: [WithTransform] (render endpoint), [CacheNonce], [Range],
// [Progress].
//
// GET /storage/v1/object/{bucket}/{key}
// GET /storage/v1/render/image/authenticated/{bucket}/{key}?width=… (with a transform)
func (b *Bucket) DownloadStream(ctx context.Context, key string, opts ...Option) (*ObjectReader, error) {
	s, err := collect("Download", downloadOpts, opts)
	if err != nil {
		return nil, err
	}
	prefix := "/object"
	var q []string
	if s.transform != nil {
		prefix = "/render/image/authenticated"
		q = s.transform.query()
	}
	if s.cacheNonce != "" {
		q = append(q, "cacheNonce="+queryEscape(s.cacheNonce))
	}
	p, err := b.objectPath(prefix, key)
	if err != nil {
		return nil, err
	}
	req := &transport.Request{Method: http.MethodGet, Path: p, RawQuery: strings.Join(q, "&")}
	if s.rangeSet {
		rg := "bytes=" + strconv.FormatInt(s.rangeStart, 10) + "-"
		if s.rangeEnd >= 0 {
			rg += strconv.FormatInt(s.rangeEnd, 10)
		}
		req.Header = http.Header{"Range": {rg}}
	}
	op := b.op("download", key)
	resp, err := b.c.send(ctx, op, req)
	if err != nil {
		return nil, err
	}
	o := &ObjectReader{
		resp:          resp,
		body:          resp.Body,
		StatusCode:    resp.StatusCode,
		ContentType:   resp.Header.Get("Content-Type"),
		ContentLength: resp.ContentLength,
		Size:          -1,
		ETag:          resp.Header.Get("ETag"),
		CacheControl:  resp.Header.Get("Cache-Control"),
		Header:        resp.Header,
	}
	if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		o.LastModified = lm
	}
	switch resp.StatusCode {
	case http.StatusPartialContent:
		o.Size = totalFromContentRange(resp.Header.Get("Content-Range"))
	default:
		o.Size = resp.ContentLength
		if s.rangeSet {
			// The server ignored the range: cut the full body down to it.
			if _, err := io.CopyN(io.Discard, resp.Body, s.rangeStart); err != nil {
				transport.DrainClose(resp)
				return nil, fmt.Errorf("storage: %s: skip to range start: %w", op, err)
			}
			o.ContentLength = -1
			if o.Size >= 0 {
				o.ContentLength = o.Size - s.rangeStart
			}
			if s.rangeEnd >= 0 {
				n := s.rangeEnd - s.rangeStart + 1
				o.body = io.LimitReader(resp.Body, n)
				if o.ContentLength < 0 || o.ContentLength > n {
					o.ContentLength = n
				}
			}
			o.StatusCode = http.StatusPartialContent
		}
	}
	if s.progress != nil {
		o.body = &progressReader{r: o.body, total: o.ContentLength, fn: s.progress}
	}
	return o, nil
}

func totalFromContentRange(cr string) int64 {
	i := strings.LastIndexByte(cr, '/')
	if i < 0 {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(cr[i+1:]), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// Download writes key's content to w, streamed, and returns the number of
// bytes written. Options as for DownloadStream.
//
// GET /storage/v1/object/{bucket}/{key}
func (b *Bucket) Download(ctx context.Context, key string, w io.Writer, opts ...Option) (int64, error) {
	if w == nil {
		return 0, fmt.Errorf("storage: %s: %w: nil writer", b.op("download", key), ErrInvalidOption)
	}
	o, err := b.DownloadStream(ctx, key, opts...)
	if err != nil {
		return 0, err
	}
	defer o.Close()
	n, err := io.Copy(w, o)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		return n, fmt.Errorf("storage: %s: %w", b.op("download", key), err)
	}
	return n, nil
}

// Info returns an object's details.
//
// GET /storage/v1/object/info/{bucket}/{key}
func (b *Bucket) Info(ctx context.Context, key string) (*ObjectInfo, error) {
	p, err := b.objectPath("/object/info", key)
	if err != nil {
		return nil, err
	}
	var out ObjectInfo
	if err := b.c.doJSON(ctx, b.op("info", key), http.MethodGet, p, "", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Exists reports whether key exists. Like the official clients it answers
// false for a 404 and for a bare 400 (Storage's answer to a HEAD on a
// missing object); other failures are errors.
//
// HEAD /storage/v1/object/{bucket}/{key}
func (b *Bucket) Exists(ctx context.Context, key string) (bool, error) {
	p, err := b.objectPath("/object", key)
	if err != nil {
		return false, err
	}
	resp, err := b.c.send(ctx, b.op("exists", key), &transport.Request{Method: http.MethodHead, Path: p})
	if err == nil {
		transport.DrainClose(resp)
		return true, nil
	}
	var se *Error
	if errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusBadRequest) {
		return false, nil
	}
	return false, err
}

const (
	defaultListLimit = 100
)

// List lists the objects and folders directly under prefix ("" for the
// bucket's root; "folder" and "folder/" are the same). Options: [Limit]
// (default 100), [Offset], [SortBy] (default name asc), [Search].
//
// POST /storage/v1/object/list/{bucket}
func (b *Bucket) List(ctx context.Context, prefix string, opts ...Option) ([]Object, error) {
	if b.err != nil {
		return nil, b.err
	}
	if err := validatePrefix(prefix); err != nil {
		return nil, err
	}
	s, err := collect("List", kLimit|kOffset|kSortBy|kSearch, opts)
	if err != nil {
		return nil, err
	}
	if err := checkObjectSort("List", s); err != nil {
		return nil, err
	}
	limit, col, ord := defaultListLimit, "name", Asc
	if s.limitSet {
		limit = s.limit
	}
	if s.sortColumn != "" {
		col, ord = s.sortColumn, s.sortOrder
	}
	body := orderedJSON{
		{"limit", limit},
		{"offset", s.offset},
		{"sortBy", orderedJSON{{"column", col}, {"order", ord}}},
	}
	if s.search != "" {
		body = append(body, kv{"search", s.search})
	}
	body = append(body, kv{"prefix", prefix})
	var out []Object
	if err := b.c.doJSON(ctx, "list "+b.name+"/"+prefix, http.MethodPost, "/object/list/"+escapeSegment(b.name), "", body, nil, &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []Object{}
	}
	return out, nil
}

func checkObjectSort(op string, s *settings) error {
	switch s.sortColumn {
	case "", "name", "created_at", "updated_at", "last_accessed_at":
		return nil
	}
	return optErr("%s: cannot sort by %q", op, s.sortColumn)
}

// Folder is a common prefix in a ListV2 answer.
type Folder struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// ListV2Result is a page of ListV2.
type ListV2Result struct {
	HasNext       bool     `json:"hasNext"`
	NextCursor    string   `json:"nextCursor"`
	NextCursorKey string   `json:"nextCursorKey,omitempty"`
	Folders       []Folder `json:"folders"`
	Objects       []Object `json:"objects"`
}

// ListV2 lists keys under prefix with cursor pagination. Options: [Limit],
// [Cursor] (from the previous page's NextCursor), [WithDelimiter],
// [SortBy].
//
// POST /storage/v1/object/list-v2/{bucket}
func (b *Bucket) ListV2(ctx context.Context, prefix string, opts ...Option) (*ListV2Result, error) {
	if b.err != nil {
		return nil, b.err
	}
	if err := validatePrefix(prefix); err != nil {
		return nil, err
	}
	s, err := collect("ListV2", kLimit|kCursor|kDelimiter|kSortBy, opts)
	if err != nil {
		return nil, err
	}
	if err := checkObjectSort("ListV2", s); err != nil {
		return nil, err
	}
	body := orderedJSON{{"prefix", prefix}}
	if s.limitSet {
		body = append(body, kv{"limit", s.limit})
	}
	if s.cursor != "" {
		body = append(body, kv{"cursor", s.cursor})
	}
	if s.withDelimiter {
		body = append(body, kv{"with_delimiter", true})
	}
	if s.sortColumn != "" {
		body = append(body, kv{"sortBy", orderedJSON{{"column", s.sortColumn}, {"order", s.sortOrder}}})
	}
	var out ListV2Result
	if err := b.c.doJSON(ctx, "list-v2 "+b.name+"/"+prefix, http.MethodPost, "/object/list-v2/"+escapeSegment(b.name), "", body, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (b *Bucket) moveBody(from, to string, s *settings) (orderedJSON, error) {
	if b.err != nil {
		return nil, b.err
	}
	if err := ValidateKey(from); err != nil {
		return nil, err
	}
	if err := ValidateKey(to); err != nil {
		return nil, err
	}
	body := orderedJSON{{"bucketId", b.name}, {"sourceKey", from}, {"destinationKey", to}}
	if s.destBucket != "" {
		body = append(body, kv{"destinationBucket", s.destBucket})
	}
	return body, nil
}

// Move renames from to to, in this bucket or, with [ToBucket], into
// another one.
//
// POST /storage/v1/object/move
func (b *Bucket) Move(ctx context.Context, from, to string, opts ...Option) error {
	s, err := collect("Move", kDestBucket, opts)
	if err != nil {
		return err
	}
	body, err := b.moveBody(from, to, s)
	if err != nil {
		return err
	}
	return b.c.doJSON(ctx, b.op("move", from), http.MethodPost, "/object/move", "", body, nil, &messageResponse{})
}

// Copy copies from to to, in this bucket or, with [ToBucket], into
// another one, and returns the new object.
//
// POST /storage/v1/object/copy
func (b *Bucket) Copy(ctx context.Context, from, to string, opts ...Option) (ObjectRef, error) {
	s, err := collect("Copy", kDestBucket, opts)
	if err != nil {
		return ObjectRef{}, err
	}
	body, err := b.moveBody(from, to, s)
	if err != nil {
		return ObjectRef{}, err
	}
	var out struct {
		Key string `json:"Key"`
		ID  string `json:"Id"`
	}
	if err := b.c.doJSON(ctx, b.op("copy", from), http.MethodPost, "/object/copy", "", body, nil, &out); err != nil {
		return ObjectRef{}, err
	}
	return ObjectRef{ID: out.ID, Path: to, FullPath: out.Key}, nil
}

// Remove deletes the objects with the given keys and returns those that
// were deleted (keys that did not exist are left out, not errors). With
// no keys it does nothing.
//
// DELETE /storage/v1/object/{bucket}  {"prefixes": [...]}
func (b *Bucket) Remove(ctx context.Context, keys ...string) ([]Object, error) {
	if b.err != nil {
		return nil, b.err
	}
	if len(keys) == 0 {
		return []Object{}, nil
	}
	for _, k := range keys {
		if err := ValidateKey(k); err != nil {
			return nil, err
		}
	}
	var out []Object
	body := orderedJSON{{"prefixes", keys}}
	if err := b.c.doJSON(ctx, "remove from "+b.name, http.MethodDelete, "/object/"+escapeSegment(b.name), "", body, nil, &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []Object{}
	}
	return out, nil
}

// PurgeCache asks the CDN to drop its cached copy of key (Supabase
// platform only).
//
// DELETE /storage/v1/cdn/{bucket}/{key}
func (b *Bucket) PurgeCache(ctx context.Context, key string) error {
	p, err := b.objectPath("/cdn", key)
	if err != nil {
		return err
	}
	return b.c.doJSON(ctx, b.op("purge cache", key), http.MethodDelete, p, "", struct{}{}, nil, nil)
}
