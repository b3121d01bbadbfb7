package storage

import (
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// ProgressFunc is called as bytes move: done so far, and the total when
// known (-1 otherwise). It runs on the goroutine doing the I/O and must be
// quick.
type ProgressFunc func(done, total int64)

// SortOrder is the direction of a sort.
type SortOrder string

// Sort directions.
const (
	Asc  SortOrder = "asc"
	Desc SortOrder = "desc"
)

// Resize is how an image transform fits the requested box.
type Resize string

// Resize modes understood by Storage's image transformation.
const (
	ResizeCover   Resize = "cover"
	ResizeContain Resize = "contain"
	ResizeFill    Resize = "fill"
)

// Transform asks Storage to transform an image on the fly (render
// endpoints). Zero fields are not sent.
type Transform struct {
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Resize  Resize `json:"resize,omitempty"`
	Format  string `json:"format,omitempty"` // "origin" keeps the source format
	Quality int    `json:"quality,omitempty"`
}

func (t Transform) validate() error {
	if t == (Transform{}) {
		return optErr("empty Transform")
	}
	if t.Width < 0 || t.Height < 0 {
		return optErr("Transform: negative width or height")
	}
	if t.Quality < 0 || t.Quality > 100 {
		return optErr("Transform: quality %d outside 1..100", t.Quality)
	}
	switch t.Resize {
	case "", ResizeCover, ResizeContain, ResizeFill:
	default:
		return optErr("Transform: unknown resize mode %q", t.Resize)
	}
	for i := 0; i < len(t.Format); i++ {
		if c := t.Format[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return optErr("Transform: invalid format %q", t.Format)
		}
	}
	return nil
}

// query renders the transform in Storage's fixed order:
// width, height, resize, format, quality.
func (t Transform) query() []string {
	var q []string
	if t.Width > 0 {
		q = append(q, "width="+strconv.Itoa(t.Width))
	}
	if t.Height > 0 {
		q = append(q, "height="+strconv.Itoa(t.Height))
	}
	if t.Resize != "" {
		q = append(q, "resize="+string(t.Resize))
	}
	if t.Format != "" {
		q = append(q, "format="+t.Format)
	}
	if t.Quality > 0 {
		q = append(q, "quality="+strconv.Itoa(t.Quality))
	}
	return q
}

type optKind uint32

const (
	kPublic optKind = 1 << iota
	kFileSizeLimit
	kAllowedMIME
	kLimit
	kOffset
	kSearch
	kSortBy
	kContentType
	kCacheControl
	kUpsert
	kMetadata
	kHeader
	kProgress
	kSize
	kMultipart
	kTransform
	kCacheNonce
	kRange
	kDownload
	kDestBucket
	kCursor
	kDelimiter
)

// Option adjusts one call (buckets and objects alike). Each method
// documents the options it accepts; passing another one is an error
// wrapping [ErrInvalidOption], never silently ignored.
type Option struct {
	name  string
	kind  optKind
	apply func(*settings) error
}

// settings gathers the options of one call.
type settings struct {
	public           *bool
	fileSizeLimit    any // int64, string, or nil for null
	fileSizeLimitSet bool
	allowedMIME      []string
	allowedMIMESet   bool

	limit, offset int
	limitSet      bool
	offsetSet     bool
	search        string
	sortColumn    string
	sortOrder     SortOrder
	cursor        string
	withDelimiter bool

	contentType  string
	cacheControl string
	upsert       bool
	metadata     any
	header       http.Header
	progress     ProgressFunc
	size         int64 // -1 unknown
	multipart    bool

	transform  *Transform
	cacheNonce string
	rangeSet   bool
	rangeStart int64
	rangeEnd   int64 // -1 open

	download   bool
	downloadAs string
	destBucket string
}

func collect(op string, allowed optKind, opts []Option) (*settings, error) {
	s := &settings{size: -1, rangeEnd: -1}
	var seen optKind
	for _, o := range opts {
		if o.apply == nil {
			return nil, optErr("%s: zero Option", op)
		}
		if allowed&o.kind == 0 {
			return nil, optErr("%s does not apply to %s", o.name, op)
		}
		if seen&o.kind != 0 && o.kind != kHeader {
			return nil, optErr("%s given twice to %s", o.name, op)
		}
		seen |= o.kind
		if err := o.apply(s); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	return s, nil
}

// Public makes a bucket public (true) or private (false). CreateBucket
// sends false when it is not given; UpdateBucket leaves the setting alone.
// Applies to CreateBucket and UpdateBucket.
func Public(public bool) Option {
	return Option{name: "Public", kind: kPublic, apply: func(s *settings) error { s.public = &public; return nil }}
}

// FileSizeLimit limits the size of each object in a bucket, in bytes.
// Applies to CreateBucket and UpdateBucket.
func FileSizeLimit(bytes int64) Option {
	return Option{name: "FileSizeLimit", kind: kFileSizeLimit, apply: func(s *settings) error {
		if bytes <= 0 {
			return optErr("FileSizeLimit(%d): must be positive (use NoFileSizeLimit to lift it)", bytes)
		}
		s.fileSizeLimit, s.fileSizeLimitSet = bytes, true
		return nil
	}}
}

// FileSizeLimitText limits the size of each object with a size and unit
// Storage parses, e.g. "1MB" or "500kb". Applies to CreateBucket and
// UpdateBucket.
func FileSizeLimitText(size string) Option {
	return Option{name: "FileSizeLimitText", kind: kFileSizeLimit, apply: func(s *settings) error {
		t := strings.TrimSpace(size)
		if t == "" || t[0] < '0' || t[0] > '9' {
			return optErr("FileSizeLimitText(%q): want a number with an optional unit", size)
		}
		s.fileSizeLimit, s.fileSizeLimitSet = t, true
		return nil
	}}
}

// NoFileSizeLimit lifts a bucket's size limit (sends null). Applies to
// CreateBucket and UpdateBucket.
func NoFileSizeLimit() Option {
	return Option{name: "NoFileSizeLimit", kind: kFileSizeLimit, apply: func(s *settings) error {
		s.fileSizeLimit, s.fileSizeLimitSet = nil, true
		return nil
	}}
}

// AllowedMIMETypes restricts the content types a bucket accepts
// ("image/png", "image/*"). With no types it lifts the restriction (sends
// null). Applies to CreateBucket and UpdateBucket.
func AllowedMIMETypes(types ...string) Option {
	return Option{name: "AllowedMIMETypes", kind: kAllowedMIME, apply: func(s *settings) error {
		for _, t := range types {
			if !strings.Contains(t, "/") || strings.ContainsAny(t, " \t\r\n,") {
				return optErr("AllowedMIMETypes: invalid type %q", t)
			}
		}
		s.allowedMIME, s.allowedMIMESet = append([]string(nil), types...), true
		return nil
	}}
}

// Limit caps the number of entries returned. Applies to ListBuckets, List
// and ListV2.
func Limit(n int) Option {
	return Option{name: "Limit", kind: kLimit, apply: func(s *settings) error {
		if n <= 0 {
			return optErr("Limit(%d): must be positive", n)
		}
		s.limit, s.limitSet = n, true
		return nil
	}}
}

// Offset skips entries. Applies to ListBuckets and List.
func Offset(n int) Option {
	return Option{name: "Offset", kind: kOffset, apply: func(s *settings) error {
		if n < 0 {
			return optErr("Offset(%d): must not be negative", n)
		}
		s.offset, s.offsetSet = n, true
		return nil
	}}
}

// Search filters by name: bucket names for ListBuckets, file names within
// the prefix for List.
func Search(text string) Option {
	return Option{name: "Search", kind: kSearch, apply: func(s *settings) error { s.search = text; return nil }}
}

// SortBy orders the result. Columns: for ListBuckets id, name, created_at,
// updated_at; for List and ListV2 name, created_at, updated_at,
// last_accessed_at.
func SortBy(column string, order SortOrder) Option {
	return Option{name: "SortBy", kind: kSortBy, apply: func(s *settings) error {
		if order != Asc && order != Desc {
			return optErr("SortBy: order %q is neither asc nor desc", order)
		}
		s.sortColumn, s.sortOrder = column, order
		return nil
	}}
}

// Cursor continues a ListV2 listing where the previous page ended.
func Cursor(cursor string) Option {
	return Option{name: "Cursor", kind: kCursor, apply: func(s *settings) error { s.cursor = cursor; return nil }}
}

// WithDelimiter makes ListV2 group keys below the prefix into folders.
func WithDelimiter() Option {
	return Option{name: "WithDelimiter", kind: kDelimiter, apply: func(s *settings) error { s.withDelimiter = true; return nil }}
}

// ContentType sets the object's content type. Without it the type is
// detected from the key's extension, then from the first 512 bytes, and
// falls back to application/octet-stream. Applies to uploads.
func ContentType(contentType string) Option {
	return Option{name: "ContentType", kind: kContentType, apply: func(s *settings) error {
		if strings.TrimSpace(contentType) == "" || strings.ContainsAny(contentType, "\r\n") {
			return optErr("ContentType(%q): invalid", contentType)
		}
		s.contentType = contentType
		return nil
	}}
}

// CacheControl sets how long caches may keep the object (Cache-Control
// max-age, whole seconds); the default is one hour. Applies to uploads.
func CacheControl(maxAge time.Duration) Option {
	return Option{name: "CacheControl", kind: kCacheControl, apply: func(s *settings) error {
		if maxAge < 0 {
			return optErr("CacheControl(%v): negative", maxAge)
		}
		s.cacheControl = strconv.FormatInt(int64(maxAge/time.Second), 10)
		return nil
	}}
}

// Upsert overwrites an existing object instead of failing with
// [ErrAlreadyExists]. Applies to Upload, UploadToSignedURL and
// CreateSignedUploadURL.
func Upsert() Option {
	return Option{name: "Upsert", kind: kUpsert, apply: func(s *settings) error { s.upsert = true; return nil }}
}

// Metadata attaches user metadata (any JSON-encodable value, usually a
// map) to the object. Applies to uploads.
func Metadata(v any) Option {
	return Option{name: "Metadata", kind: kMetadata, apply: func(s *settings) error {
		if v == nil {
			return optErr("Metadata(nil)")
		}
		s.metadata = v
		return nil
	}}
}

// Header adds a request header to an upload. It may not set apikey or
// Authorization. Applies to uploads.
func Header(key, value string) Option {
	return Option{name: "Header", kind: kHeader, apply: func(s *settings) error {
		if !validHeaderName(key) {
			return optErr("Header: invalid name %q", key)
		}
		if strings.ContainsAny(value, "\r\n") {
			return optErr("Header %s: value contains a line break", key)
		}
		ck := textproto.CanonicalMIMEHeaderKey(key)
		if ck == "Apikey" || ck == "Authorization" {
			return optErr("Header %s is set by the client", key)
		}
		if s.header == nil {
			s.header = http.Header{}
		}
		s.header.Add(ck, value)
		return nil
	}}
}

// Progress reports bytes sent (uploads) or received (downloads).
func Progress(fn ProgressFunc) Option {
	return Option{name: "Progress", kind: kProgress, apply: func(s *settings) error {
		if fn == nil {
			return optErr("Progress(nil)")
		}
		s.progress = fn
		return nil
	}}
}

// Size declares the upload's length in bytes, so it is sent with a
// Content-Length instead of chunked and progress knows the total. It is
// detected for *os.File, *bytes.Reader, *bytes.Buffer and *strings.Reader.
// A reader yielding a different number of bytes fails the upload.
func Size(n int64) Option {
	return Option{name: "Size", kind: kSize, apply: func(s *settings) error {
		if n < 0 {
			return optErr("Size(%d): negative", n)
		}
		s.size = n
		return nil
	}}
}

// Multipart sends the upload as multipart/form-data (fields cacheControl,
// metadata, then the file part named after the key's last segment), as the
// JavaScript client does for Blob and File bodies. The body is still
// streamed. Applies to uploads.
func Multipart() Option {
	return Option{name: "Multipart", kind: kMultipart, apply: func(s *settings) error { s.multipart = true; return nil }}
}

// WithTransform transforms an image: Download and DownloadStream use the
// render endpoint, CreateSignedURL signs a transformed URL, GetPublicURL
// returns a render URL.
func WithTransform(t Transform) Option {
	return Option{name: "WithTransform", kind: kTransform, apply: func(s *settings) error {
		if err := t.validate(); err != nil {
			return err
		}
		s.transform = &t
		return nil
	}}
}

// CacheNonce adds cacheNonce=<nonce> to a download, to bypass caches.
func CacheNonce(nonce string) Option {
	return Option{name: "CacheNonce", kind: kCacheNonce, apply: func(s *settings) error {
		if nonce == "" {
			return optErr("CacheNonce: empty")
		}
		s.cacheNonce = nonce
		return nil
	}}
}

// Range downloads bytes start..end inclusive (end -1: to the end of the
// object). Applies to Download and DownloadStream.
func Range(start, end int64) Option {
	return Option{name: "Range", kind: kRange, apply: func(s *settings) error {
		if start < 0 || end < -1 || (end >= 0 && end < start) {
			return optErr("Range(%d, %d): invalid", start, end)
		}
		s.rangeSet, s.rangeStart, s.rangeEnd = true, start, end
		return nil
	}}
}

// AsAttachment makes the URL answer with Content-Disposition: attachment
// under the object's own name (download=). Applies to CreateSignedURL,
// CreateSignedURLs and GetPublicURL.
func AsAttachment() Option {
	return Option{name: "AsAttachment", kind: kDownload, apply: func(s *settings) error { s.download = true; return nil }}
}

// DownloadAs makes the URL answer as an attachment saved under filename.
// Applies to CreateSignedURL, CreateSignedURLs and GetPublicURL.
func DownloadAs(filename string) Option {
	return Option{name: "DownloadAs", kind: kDownload, apply: func(s *settings) error {
		if filename == "" {
			return optErr("DownloadAs: empty filename (use AsAttachment)")
		}
		s.download, s.downloadAs = true, filename
		return nil
	}}
}

// ToBucket moves or copies into another bucket. Applies to Move and Copy.
func ToBucket(bucket string) Option {
	return Option{name: "ToBucket", kind: kDestBucket, apply: func(s *settings) error {
		if err := validateBucketName(bucket); err != nil {
			return err
		}
		s.destBucket = bucket
		return nil
	}}
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}
