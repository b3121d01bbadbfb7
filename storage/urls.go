package storage

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func queryEscape(s string) string { return url.QueryEscape(s) }

// SignedURL is one entry of CreateSignedURLs.
type SignedURL struct {
	// Path is the key the entry is for.
	Path string
	// URL is the absolute signed URL; empty when Error is set.
	URL string
	// Error is the server's reason when this key could not be signed
	// (missing object or no access).
	Error string
}

// SignedUploadURL is what CreateSignedUploadURL returns.
type SignedUploadURL struct {
	// URL is the absolute URL to PUT the content to.
	URL string
	// Path is the key.
	Path string
	// Token authorises the upload; pass it to UploadToSignedURL.
	Token string
}

func expirySeconds(op string, d time.Duration) (int64, error) {
	if d < time.Second {
		return 0, optErr("%s: expiry %v is shorter than one second", op, d)
	}
	return int64(d / time.Second), nil
}

// downloadQuery renders download= for AsAttachment / DownloadAs.
func downloadQuery(s *settings) string {
	if !s.download {
		return ""
	}
	return "download=" + queryEscape(s.downloadAs)
}

// CreateSignedURL returns an absolute URL that downloads key without
// credentials until expiresIn has passed (whole seconds, at least one).
// Options: [AsAttachment], [DownloadAs], [WithTransform].
//
// POST /storage/v1/object/sign/{bucket}/{key}
func (b *Bucket) CreateSignedURL(ctx context.Context, key string, expiresIn time.Duration, opts ...Option) (string, error) {
	p, err := b.objectPath("/object/sign", key)
	if err != nil {
		return "", err
	}
	s, err := collect("CreateSignedURL", kDownload|kTransform, opts)
	if err != nil {
		return "", err
	}
	secs, err := expirySeconds("CreateSignedURL", expiresIn)
	if err != nil {
		return "", err
	}
	body := orderedJSON{{"expiresIn", secs}}
	if s.transform != nil {
		body = append(body, kv{"transform", *s.transform})
	}
	var out struct {
		SignedURL string `json:"signedURL"`
	}
	if err := b.c.doJSON(ctx, b.op("sign", key), http.MethodPost, p, "", body, nil, &out); err != nil {
		return "", err
	}
	if out.SignedURL == "" {
		return "", &Error{Op: b.op("sign", key), Status: http.StatusOK, HTTPStatus: http.StatusOK, Message: "no signedURL in the answer"}
	}
	return addQuery(b.c.absolute(out.SignedURL, b.name, key), downloadQuery(s)), nil
}

// CreateSignedURLs signs several keys at once. Keys the caller cannot read
// come back with Error set rather than failing the call. Options:
// [AsAttachment], [DownloadAs].
//
// POST /storage/v1/object/sign/{bucket}  {"expiresIn", "paths"}
func (b *Bucket) CreateSignedURLs(ctx context.Context, keys []string, expiresIn time.Duration, opts ...Option) ([]SignedURL, error) {
	if b.err != nil {
		return nil, b.err
	}
	s, err := collect("CreateSignedURLs", kDownload, opts)
	if err != nil {
		return nil, err
	}
	secs, err := expirySeconds("CreateSignedURLs", expiresIn)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return []SignedURL{}, nil
	}
	for _, k := range keys {
		if err := ValidateKey(k); err != nil {
			return nil, err
		}
	}
	body := orderedJSON{{"expiresIn", secs}, {"paths", keys}}
	var out []struct {
		Error     *string `json:"error"`
		Path      string  `json:"path"`
		SignedURL *string `json:"signedURL"`
	}
	if err := b.c.doJSON(ctx, "sign in "+b.name, http.MethodPost, "/object/sign/"+escapeSegment(b.name), "", body, nil, &out); err != nil {
		return nil, err
	}
	res := make([]SignedURL, 0, len(out))
	dq := downloadQuery(s)
	for _, e := range out {
		item := SignedURL{Path: e.Path}
		if e.Error != nil {
			item.Error = *e.Error
		}
		if e.SignedURL != nil && *e.SignedURL != "" {
			item.URL = addQuery(b.c.absolute(*e.SignedURL, b.name, e.Path), dq)
		} else if item.Error == "" {
			item.Error = "not signed"
		}
		res = append(res, item)
	}
	return res, nil
}

// CreateSignedUploadURL returns a URL and token with which anyone can
// upload key once (see UploadToSignedURL) within two hours. Options:
// [Upsert] (the upload may overwrite).
//
// POST /storage/v1/object/upload/sign/{bucket}/{key}
func (b *Bucket) CreateSignedUploadURL(ctx context.Context, key string, opts ...Option) (*SignedUploadURL, error) {
	p, err := b.objectPath("/object/upload/sign", key)
	if err != nil {
		return nil, err
	}
	s, err := collect("CreateSignedUploadURL", kUpsert, opts)
	if err != nil {
		return nil, err
	}
	var hdr http.Header
	if s.upsert {
		hdr = http.Header{"X-Upsert": {"true"}}
	}
	var out struct {
		URL   string `json:"url"`
		Token string `json:"token"`
	}
	op := b.op("sign upload", key)
	if err := b.c.doJSON(ctx, op, http.MethodPost, p, "", struct{}{}, hdr, &out); err != nil {
		return nil, err
	}
	tok := out.Token
	if tok == "" {
		if i := strings.LastIndexByte(out.URL, '?'); i >= 0 {
			if q, err := url.ParseQuery(out.URL[i+1:]); err == nil {
				tok = q.Get("token")
			}
		}
	}
	if tok == "" {
		return nil, &Error{Op: op, Status: http.StatusOK, HTTPStatus: http.StatusOK, Message: "no token in the answer"}
	}
	u := out.URL
	if u == "" {
		u = "/object/upload/sign/" + b.name + "/" + key + "?token=" + queryEscape(tok)
	}
	return &SignedUploadURL{URL: b.c.absolute(u, b.name, key), Path: key, Token: tok}, nil
}

// GetPublicURL returns the URL of key in a public bucket. It makes no
// request and does not check that the bucket is public. Options:
// [AsAttachment], [DownloadAs], [WithTransform] (a render URL).
//
// (URL of GET /storage/v1/object/public/{bucket}/{key})
func (b *Bucket) GetPublicURL(key string, opts ...Option) (string, error) {
	s, err := collect("GetPublicURL", kDownload|kTransform, opts)
	if err != nil {
		return "", err
	}
	prefix := "/object/public"
	var q []string
	if dq := downloadQuery(s); dq != "" {
		q = append(q, dq)
	}
	if s.transform != nil {
		prefix = "/render/image/public"
		q = append(q, s.transform.query()...)
	}
	p, err := b.objectPath(prefix, key)
	if err != nil {
		return "", err
	}
	u := b.c.urlBase + p
	if len(q) > 0 {
		u += "?" + strings.Join(q, "&")
	}
	return u, nil
}

// absolute turns a URL the server returned relative to the storage root
// ("/object/sign/<bucket>/<key>?token=…", with the key not encoded, as the
// real server does) into an absolute, correctly encoded URL.
func (c *Client) absolute(rel, bucket, key string) string {
	if strings.HasPrefix(rel, "http://") || strings.HasPrefix(rel, "https://") {
		return rel
	}
	if !strings.HasPrefix(rel, "/") {
		rel = "/" + rel
	}
	raw := "/" + bucket + "/" + key
	if i := strings.Index(rel, raw+"?"); i >= 0 {
		return c.urlBase + escapeLoose(rel[:i]) + "/" + escapeSegment(bucket) + "/" + escapePath(key) + rel[i+len(raw):]
	}
	if strings.HasSuffix(rel, raw) {
		return c.urlBase + escapeLoose(rel[:len(rel)-len(raw)]) + "/" + escapeSegment(bucket) + "/" + escapePath(key)
	}
	// Another shape (already encoded, or a different route): keep existing
	// escapes and encode only what may not appear in a URL.
	pathPart, query, hasQuery := strings.Cut(rel, "?")
	out := c.urlBase + escapeLoose(pathPart)
	if hasQuery {
		out += "?" + query
	}
	return out
}

// escapeLoose encodes what may not appear raw in a path, keeping '/',
// and valid %XX escapes as they are.
func escapeLoose(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '/' || keepRaw(c) || c == ';':
			b.WriteByte(c)
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(upperhex[c>>4])
			b.WriteByte(upperhex[c&15])
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func addQuery(u, q string) string {
	if q == "" {
		return u
	}
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}
