package storageapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/supakit/supakit/emulator/internal/dbrole"
	"github.com/supakit/supakit/emulator/internal/idlebody"
	"github.com/supakit/supakit/emulator/internal/reqctx"
)

// DefaultMaxFileSize is the global upload limit when Config.MaxFileSize is
// zero: 50 MiB, the default of Supabase's hosted free plan and of the
// self-hosted Storage server (FILE_SIZE_LIMIT=52428800).
const DefaultMaxFileSize int64 = 50 << 20

// Signed upload URLs are valid for two hours, as on Supabase.
const uploadURLExpiry = 2 * 60 * 60

// Config configures a [Handler].
type Config struct {
	// DataDir holds object bytes. Empty means a temporary directory that
	// Close removes.
	DataDir string
	// JWTSecret verifies request tokens (HS256) and signs signed-URL
	// tokens. Required.
	JWTSecret []byte
	// MaxFileSize is the global per-object limit in bytes; buckets may set
	// a lower one. Zero means DefaultMaxFileSize; negative means no global
	// limit.
	MaxFileSize int64
	// Now is the clock (tokens, timestamps). Nil means time.Now.
	Now func() time.Time
	// Logf receives unexpected failures. Nil discards them.
	Logf func(string, ...any)
	// BodyIdleTimeout abandons an upload whose body sends no byte for this
	// long (the client is answered and the partial bytes removed). Zero
	// means DefaultBodyIdleTimeout; negative means wait forever.
	BodyIdleTimeout time.Duration
}

// DefaultBodyIdleTimeout is how long an upload may stall without a byte
// before it is abandoned, when Config.BodyIdleTimeout is zero.
const DefaultBodyIdleTimeout = time.Minute

// Handler serves Supabase Storage's HTTP API (the part mounted at
// /storage/v1, prefix stripped). It is safe for concurrent use.
type Handler struct {
	pool  *pgxpool.Pool
	cfg   Config
	store *store
	tus   tusState
}

var _ http.Handler = (*Handler)(nil)

// ErrNoSecret is returned by New without a JWT secret.
var ErrNoSecret = errors.New("storageapi: Config.JWTSecret is required")

// New prepares the storage schema in the pool's database (idempotent, safe
// to run concurrently) and returns the handler.
func New(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*Handler, error) {
	if pool == nil {
		return nil, errors.New("storageapi: nil pool")
	}
	if len(cfg.JWTSecret) == 0 {
		return nil, ErrNoSecret
	}
	if cfg.MaxFileSize == 0 {
		cfg.MaxFileSize = DefaultMaxFileSize
	}
	if cfg.BodyIdleTimeout == 0 {
		cfg.BodyIdleTimeout = DefaultBodyIdleTimeout
	}
	if err := migrate(ctx, pool); err != nil {
		return nil, err
	}
	st, err := newStore(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	return &Handler{pool: pool, cfg: cfg, store: st}, nil
}

// Close releases the handler's resources: the temporary data directory, if
// New created one. It does not close the pool.
func (h *Handler) Close() error {
	h.tus.closeAll()
	return h.store.close()
}

func (h *Handler) now() time.Time {
	if h.cfg.Now != nil {
		return h.cfg.Now()
	}
	return time.Now()
}

func (h *Handler) logf(format string, args ...any) {
	if h.cfg.Logf != nil {
		h.cfg.Logf(format, args...)
	}
}

// asRole runs fn in a transaction as id, so RLS policies apply.
func (h *Handler) asRole(ctx context.Context, id reqctx.Identity, fn func(pgx.Tx) error) error {
	return dbrole.Run(ctx, h.pool, id, dbrole.Options{}, fn)
}

// asService runs fn as service_role (Storage's "superuser" lookups).
func (h *Handler) asService(ctx context.Context, fn func(pgx.Tx) error) error {
	return dbrole.Run(ctx, h.pool, serviceIdentity, dbrole.Options{}, fn)
}

// ServeHTTP routes a request (path relative to /storage/v1).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer idlebody.Wrap(w, r, h.cfg.BodyIdleTimeout)()
	if err := h.route(w, r); err != nil {
		h.writeError(w, r, err)
	}
}

func (h *Handler) route(w http.ResponseWriter, r *http.Request) error {
	p := strings.TrimPrefix(r.URL.Path, "/")
	seg := strings.SplitN(p, "/", 2)
	rest := ""
	if len(seg) == 2 {
		rest = seg[1]
	}
	m := r.Method
	switch seg[0] {
	case "status":
		if rest == "" && (m == http.MethodGet || m == http.MethodHead) {
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusOK)
			return nil
		}
	case "bucket":
		return h.routeBucket(w, r, rest)
	case "object":
		return h.routeObject(w, r, rest)
	case "render":
		return errNotImplemented("image transformation (/render/image)")
	case "upload":
		if tail, ok := strings.CutPrefix(rest, "resumable"); ok && (tail == "" || tail[0] == '/') {
			return h.routeTUS(w, r, strings.TrimPrefix(tail, "/"))
		}
	case "cdn":
		return errNotImplemented("CDN cache purge")
	case "s3":
		return errNotImplemented("the S3 protocol endpoint")
	case "iceberg", "vector":
		return errNotImplemented("analytics and vector buckets")
	}
	return errNotFoundRoute(m, r.URL.Path)
}

func (h *Handler) routeBucket(w http.ResponseWriter, r *http.Request, rest string) error {
	m := r.Method
	id, tail, _ := strings.Cut(rest, "/")
	switch {
	case rest == "" && m == http.MethodGet:
		return h.listBuckets(w, r)
	case rest == "" && m == http.MethodPost:
		return h.createBucket(w, r)
	case id != "" && tail == "" && m == http.MethodGet:
		return h.getBucket(w, r, id)
	case id != "" && tail == "" && m == http.MethodPut:
		return h.updateBucket(w, r, id)
	case id != "" && tail == "" && m == http.MethodDelete:
		return h.deleteBucket(w, r, id)
	case id != "" && tail == "empty" && m == http.MethodPost:
		return h.emptyBucket(w, r, id)
	}
	return errNotFoundRoute(m, r.URL.Path)
}

func (h *Handler) routeObject(w http.ResponseWriter, r *http.Request, rest string) error {
	m := r.Method
	first, tail, _ := strings.Cut(rest, "/")
	get := m == http.MethodGet || m == http.MethodHead
	switch first {
	case "list":
		if m == http.MethodPost && tail != "" && !strings.Contains(tail, "/") {
			return h.listObjects(w, r, tail)
		}
	case "list-v2":
		if m == http.MethodPost && tail != "" && !strings.Contains(tail, "/") {
			return h.listObjectsV2(w, r, tail)
		}
	case "move":
		if m == http.MethodPost && tail == "" {
			return h.moveObject(w, r)
		}
	case "copy":
		if m == http.MethodPost && tail == "" {
			return h.copyObject(w, r)
		}
	case "sign":
		b, key, hasKey := strings.Cut(tail, "/")
		switch {
		case m == http.MethodPost && b != "" && !hasKey:
			return h.signURLs(w, r, b)
		case m == http.MethodPost && b != "" && key != "":
			return h.signURL(w, r, b, key)
		case get && b != "" && key != "":
			return h.getSigned(w, r, b, key)
		}
	case "upload":
		sign, t2, _ := strings.Cut(tail, "/")
		b, key, _ := strings.Cut(t2, "/")
		if sign == "sign" && b != "" && key != "" {
			switch m {
			case http.MethodPost:
				return h.signUploadURL(w, r, b, key)
			case http.MethodPut:
				return h.uploadSigned(w, r, b, key)
			}
		}
	case "info":
		mode, t2, _ := strings.Cut(tail, "/")
		if m == http.MethodGet {
			switch mode {
			case "public", "authenticated":
				if b, key, _ := strings.Cut(t2, "/"); b != "" && key != "" {
					return h.objectInfo(w, r, b, key, mode == "public")
				}
			default:
				if b, key, _ := strings.Cut(tail, "/"); b != "" && key != "" {
					return h.objectInfo(w, r, b, key, false)
				}
			}
		}
	case "public", "authenticated":
		if b, key, _ := strings.Cut(tail, "/"); get && b != "" && key != "" {
			return h.download(w, r, b, key, first == "public")
		}
	default:
		if first == "" {
			break
		}
		if tail == "" {
			if m == http.MethodDelete {
				return h.deleteObjects(w, r, first)
			}
			break
		}
		switch m {
		case http.MethodPost:
			return h.upload(w, r, first, tail, r.Header.Get("x-upsert") == "true")
		case http.MethodPut:
			return h.upload(w, r, first, tail, true)
		case http.MethodGet, http.MethodHead:
			return h.download(w, r, first, tail, false)
		case http.MethodDelete:
			return h.deleteObject(w, r, first, tail)
		}
	}
	return errNotFoundRoute(m, r.URL.Path)
}

// Object keys: Storage accepts ASCII word characters, '/' and a few
// symbols (the fixture shows non-ASCII names refused with InvalidKey).
var keyRE = regexp.MustCompile(`^[\w/!\-.*'() &$@=;:+,?]+$`)

func checkKey(key string) error {
	if key == "" || !keyRE.MatchString(key) {
		return errInvalidKey(key)
	}
	return nil
}

var bucketRE = regexp.MustCompile(`^[\w!\-.*'() &$@=;:+,?]+$`)

func checkBucketName(name string) error {
	if name == "" || len(name) > 100 || !bucketRE.MatchString(name) {
		return errInvalidBucketName()
	}
	return nil
}

// jsTime formats t like JavaScript's Date.prototype.toISOString.
func jsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func jsTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := jsTime(*t)
	return &s
}

var sizeRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// parseSize reads a file_size_limit: a number of bytes, or a string with
// an optional decimal unit ("1MB" = 1,000,000 bytes, as Storage reads it).
func parseSize(v any) (*int64, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case float64:
		if x < 0 || x >= math.MaxInt64 || x != math.Trunc(x) {
			return nil, errInvalidRequest("file_size_limit must be a non-negative integer")
		}
		n := int64(x)
		return &n, nil
	case string:
		s := strings.ToUpper(strings.TrimSpace(x))
		mult := int64(1)
		for _, u := range []struct {
			suffix string
			mult   int64
		}{{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
			if strings.HasSuffix(s, u.suffix) {
				s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
				break
			}
		}
		if !sizeRE.MatchString(s) {
			return nil, errInvalidRequest(fmt.Sprintf("invalid file_size_limit %q", x))
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f*float64(mult) >= math.MaxInt64 {
			return nil, errInvalidRequest(fmt.Sprintf("invalid file_size_limit %q", x))
		}
		n := int64(f * float64(mult))
		return &n, nil
	}
	return nil, errInvalidRequest("file_size_limit must be a number or a string")
}

// effectiveLimit combines the bucket's limit with the global one (<0: none).
func (h *Handler) effectiveLimit(bucketLimit *int64) int64 {
	limit := h.cfg.MaxFileSize
	if bucketLimit != nil && *bucketLimit > 0 && (limit < 0 || *bucketLimit < limit) {
		limit = *bucketLimit
	}
	return limit
}

// mimeAllowed reports whether contentType matches one of the allowed types
// (exact, or a wildcard such as "image/*"); no list allows everything.
func mimeAllowed(contentType string, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	mt := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	for _, a := range allowed {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == mt || a == "*/*" || a == "*" {
			return true
		}
		if prefix, ok := strings.CutSuffix(a, "/*"); ok && strings.HasPrefix(mt, prefix+"/") {
			return true
		}
	}
	return false
}

// dbroleRollback runs fn as id in a transaction that is always rolled
// back (permission probes).
func dbroleRollback(h *Handler, r *http.Request, id reqctx.Identity, fn func(pgx.Tx) error) error {
	return dbrole.Run(r.Context(), h.pool, id, dbrole.Options{Rollback: true}, fn)
}
