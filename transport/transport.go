package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// TokenSource supplies the access token of the current user, if any. An empty
// token with a nil error means "no user": the request then carries the
// project key as bearer when the key is a legacy JWT, and no Authorization
// header otherwise.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// TokenSourceFunc adapts a function to [TokenSource].
type TokenSourceFunc func(ctx context.Context) (string, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

// StaticToken is a [TokenSource] that always returns the same token.
type StaticToken string

// Token returns s.
func (s StaticToken) Token(context.Context) (string, error) { return string(s), nil }

// RetryPolicy says how reads are retried. The zero value disables retries;
// [DefaultRetryPolicy] is what clients use unless told otherwise.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// BaseDelay is the first backoff; each retry doubles it.
	BaseDelay time.Duration
	// MaxDelay caps one backoff, including a server's Retry-After.
	MaxDelay time.Duration
	// Statuses are the response codes that are retried.
	Statuses []int
}

// DefaultRetryPolicy retries reads 3 times on 503 and 520, starting at 100ms.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second, Statuses: []int{503, 520}}
}

// Config builds a [Transport].
type Config struct {
	// BaseURL is the service root, e.g. https://xyz.supabase.co/rest/v1.
	BaseURL string
	// APIKey is the project key (anon, service role, or sb_… format).
	APIKey string
	// HTTPClient sends the requests; nil means [DefaultHTTPClient].
	HTTPClient *http.Client
	// Header holds custom headers added to every request.
	Header http.Header
	// Tokens supplies the user's access token; nil means none.
	Tokens TokenSource
	// Retry is the read retry policy.
	Retry RetryPolicy
	// ClientInfo is the X-Client-Info value, e.g. "supakit-go/0.1.0".
	ClientInfo string
}

// Transport sends requests to one Supabase service. See the package doc.
type Transport struct {
	base        *url.URL
	baseStr     string // base without trailing slash
	apiKey      string
	keyAsBearer bool
	hc          *http.Client
	header      http.Header
	tokens      TokenSource
	retry       RetryPolicy
	clientInfo  string

	// Prepared once per Transport (see prepare): header values shared,
	// read-only, by every request, and the parts of the base URL a request
	// URL is built from without parsing a joined string.
	apiKeyVals     []string // {apiKey}
	keyBearerVals  []string // {"Bearer " + apiKey}
	clientInfoVals []string // {clientInfo}
	basePath       string   // base path without trailing slash, when plain
	baseFast       bool     // basePath can be used as is (no escapes in the base)
}

// Errors returned by [New].
var (
	ErrInvalidURL = errors.New("transport: invalid base URL")
	ErrEmptyKey   = errors.New("transport: empty API key")
)

// New validates cfg and returns a Transport.
func New(cfg Config) (*Transport, error) {
	u, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, ErrEmptyKey
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = DefaultHTTPClient()
	}
	t := &Transport{
		base:        u,
		baseStr:     strings.TrimRight(u.String(), "/"),
		apiKey:      cfg.APIKey,
		keyAsBearer: !IsNewFormatKey(cfg.APIKey),
		hc:          hc,
		header:      cfg.Header.Clone(),
		tokens:      cfg.Tokens,
		retry:       cfg.Retry,
		clientInfo:  cfg.ClientInfo,
	}
	t.prepare()
	return t, nil
}

// prepare computes what every request shares: the static header values (so
// Do assigns them by canonical key instead of allocating them per request)
// and whether request URLs can be built from the parsed base directly.
func (t *Transport) prepare() {
	t.apiKeyVals = []string{t.apiKey}
	t.keyBearerVals = []string{"Bearer " + t.apiKey}
	t.clientInfoVals = nil
	if t.clientInfo != "" {
		t.clientInfoVals = []string{t.clientInfo}
	}
	t.basePath = strings.TrimRight(t.base.Path, "/")
	t.baseFast = t.base.RawPath == "" && t.base.Opaque == "" && !t.base.ForceQuery &&
		plainPath(t.basePath) && t.baseStr == t.base.Scheme+"://"+t.base.Host+t.basePath && t.base.User == nil
}

// plainPath reports whether s is an escaped path whose unescaped form is the
// same string and that net/url would not escape again: unreserved
// characters, "$&+,;=:@" and "/".
// Such a path parses to itself, so it can be assigned to url.URL.Path as is.
func plainPath(s string) bool {
	for i := 0; i < len(s); i++ {
		if !pathSafe[s[i]] {
			return false
		}
	}
	return true
}

// plainQuery reports whether s parses back unchanged as a URL's raw query:
// no fragment marker and no control characters (url.Parse refuses those).
func plainQuery(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '#' || c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// removeEmptyPort strips a trailing ':' with no port after it, as
// http.NewRequest does for the Host field.
func removeEmptyPort(host string) string {
	if strings.LastIndexByte(host, ':') > strings.LastIndexByte(host, ']') {
		return strings.TrimSuffix(host, ":")
	}
	return host
}

var pathSafe = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~$&+,;=:@/" {
		t[c] = true
	}
	return t
}()

// requestURL returns the URL of a request to the escaped path with the raw
// query: the base's parts copied and the path appended when both are plain
// (the same value url.Parse gives for the joined string), and the joined
// string parsed otherwise.
func (t *Transport) requestURL(escapedPath, rawQuery string) (*url.URL, error) {
	if t.baseFast && plainPath(escapedPath) && plainQuery(rawQuery) {
		p := t.basePath
		switch {
		case escapedPath == "":
		case escapedPath[0] != '/':
			p += "/" + escapedPath
		default:
			p += escapedPath
		}
		return &url.URL{Scheme: t.base.Scheme, Host: t.base.Host, Path: p, RawQuery: rawQuery}, nil
	}
	full := t.URL(escapedPath)
	if rawQuery != "" {
		full += "?" + rawQuery
	}
	return url.Parse(full)
}

// ParseBaseURL checks that s is an absolute http(s) URL with a host.
func ParseBaseURL(s string) (*url.URL, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidURL)
	}
	u, err := url.Parse(s)
	if err != nil {
		// url.Error repeats the whole URL, which may hold a password: keep
		// only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	shown := u.Redacted()
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: %q: scheme must be http or https", ErrInvalidURL, shown)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%w: %q: no host", ErrInvalidURL, shown)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: %q: must not carry credentials (pass the key to New)", ErrInvalidURL, shown)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: %q: must not have a query or fragment", ErrInvalidURL, shown)
	}
	return u, nil
}

// IsNewFormatKey reports whether key is one of Supabase's new-format API
// keys (sb_publishable_…, sb_secret_…). They are not JWTs: they travel in
// the apikey header only and are never sent as a bearer token. Any other key
// (the legacy anon and service-role JWTs) is also sent as the bearer when no
// user token is at hand, as the official clients do.
func IsNewFormatKey(key string) bool {
	return strings.HasPrefix(key, "sb_")
}

// DefaultHTTPClient returns a client whose transport is tuned for many
// concurrent requests to one host: a large idle pool per host, keep-alive,
// and HTTP/2 where the server offers it.
func DefaultHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 128
	tr.IdleConnTimeout = 90 * time.Second
	tr.ForceAttemptHTTP2 = true
	return &http.Client{Transport: tr}
}

// BaseURL returns the service root (a copy).
func (t *Transport) BaseURL() *url.URL { u := *t.base; return &u }

// URL joins the service root and a path that is already escaped, e.g.
// "/countries" or "/object/bucket/a%20b.txt".
func (t *Transport) URL(escapedPath string) string {
	if escapedPath == "" {
		return t.baseStr
	}
	if escapedPath[0] != '/' {
		return t.baseStr + "/" + escapedPath
	}
	return t.baseStr + escapedPath
}

// KeyAsBearer reports whether the project key is sent as the bearer token
// when no user token is at hand (true for every key but the new formats).
func (t *Transport) KeyAsBearer() bool { return t.keyAsBearer }

// HTTPClient returns the client requests go through.
func (t *Transport) HTTPClient() *http.Client { return t.hc }

// WithTokens returns a copy that takes access tokens from ts.
func (t *Transport) WithTokens(ts TokenSource) *Transport {
	c := *t
	c.tokens = ts
	return &c
}

// WithBaseURL returns a copy rooted at another service URL.
func (t *Transport) WithBaseURL(base string) (*Transport, error) {
	u, err := ParseBaseURL(base)
	if err != nil {
		return nil, err
	}
	c := *t
	c.base = u
	c.baseStr = strings.TrimRight(u.String(), "/")
	c.prepare()
	return &c, nil
}

// WithHeader returns a copy that also sends the header key: value.
func (t *Transport) WithHeader(key, value string) *Transport {
	c := *t
	c.header = t.header.Clone()
	if c.header == nil {
		c.header = http.Header{}
	}
	c.header.Set(key, value)
	return &c
}

// WithRetry returns a copy with another retry policy.
func (t *Transport) WithRetry(p RetryPolicy) *Transport {
	c := *t
	c.retry = p
	return &c
}

// Request is one call to the service.
type Request struct {
	Method string
	// Path is relative to the service root and already escaped.
	Path string
	// RawQuery is the encoded query string, without '?'.
	RawQuery string
	// Header holds request-specific headers (Prefer, Accept, Range, …); they
	// override the transport's custom headers.
	Header http.Header
	// Body is sent as is; for a read that may be retried it must be nil or
	// GetBody must be set. A streamed Body (any but an in-memory reader, a
	// regular file or one made by [CancelableBody]) is read through
	// [CancelableBody], so the call ends with ctx even while a Read of it
	// blocks; such a Body is not closed.
	Body io.Reader
	// GetBody returns a fresh copy of Body for a retry.
	GetBody func() (io.ReadCloser, error)
	// ContentLength is the body length, or -1 when unknown (streamed).
	ContentLength int64
	// Bearer, when set, is sent as the Authorization bearer instead of the
	// token source's (Auth calls made with a specific session).
	Bearer string
	// NoRetry disables retries for this request even if it is a read.
	NoRetry bool
}

// Do sends req and returns the response, whatever its status. The caller
// must close the body (see [DrainClose]). Transport failures are returned
// wrapped with the method and path; context errors are returned as
// ctx.Err() wrapped.
func (t *Transport) Do(ctx context.Context, req *Request) (*http.Response, error) {
	if ctx == nil {
		return nil, errors.New("transport: nil context")
	}
	bearer := req.Bearer
	if bearer == "" && t.tokens != nil {
		tok, err := t.tokens.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("transport: access token: %w", err)
		}
		bearer = tok
	}
	if bearer == "" && t.keyAsBearer {
		bearer = t.apiKey
	}
	u, err := t.requestURL(req.Path, req.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("transport: %s %s: %w", req.Method, req.Path, err)
	}
	retryable := !req.NoRetry && (req.Method == http.MethodGet || req.Method == http.MethodHead || req.Method == "") &&
		t.retry.MaxRetries > 0 && (req.Body == nil || req.GetBody != nil)

	// The header is built once per call: the transport's custom headers,
	// then the request's (which override them), then the key, the bearer
	// and the client info. Value slices are shared, capped so that an
	// append by a later handler copies instead of writing into them.
	h := make(http.Header, len(t.header)+len(req.Header)+3)
	for k, vs := range t.header {
		h[k] = vs[:len(vs):len(vs)]
	}
	for k, vs := range req.Header {
		h[k] = vs[:len(vs):len(vs)]
	}
	h["Apikey"] = t.apiKeyVals[:1:1]
	switch {
	case bearer == "":
	case bearer == t.apiKey:
		h["Authorization"] = t.keyBearerVals[:1:1]
	default:
		h["Authorization"] = []string{"Bearer " + bearer}
	}
	if t.clientInfoVals != nil {
		if vs := h["X-Client-Info"]; len(vs) == 0 || vs[0] == "" {
			h["X-Client-Info"] = t.clientInfoVals[:1:1]
		}
	}

	for attempt := 0; ; attempt++ {
		// An empty URL parses to nothing; the prepared one is set below, so
		// the method is still validated by net/http without a URL parse.
		hreq, err := http.NewRequestWithContext(ctx, req.Method, "", nil)
		if err != nil {
			return nil, fmt.Errorf("transport: %s %s: %w", req.Method, req.Path, err)
		}
		if attempt == 0 {
			hreq.URL = u
		} else {
			cu := *u
			hreq.URL = &cu
		}
		hreq.Host = removeEmptyPort(u.Host)
		if req.Body != nil {
			body := req.Body
			if attempt > 0 {
				rc, err := req.GetBody()
				if err != nil {
					return nil, fmt.Errorf("transport: %s %s: rewind body: %w", req.Method, req.Path, err)
				}
				body = rc
			}
			if streamed(body) {
				// A pipe in front of the source lets the request end with
				// ctx. The caller's Body is left open, as a copy from
				// GetBody is closed.
				cb, release := CancelableBody(ctx, body)
				defer release()
				if rc, ok := body.(io.ReadCloser); ok && attempt > 0 {
					hreq.Body = struct {
						io.Reader
						io.Closer
					}{cb, rc}
				} else {
					hreq.Body = io.NopCloser(cb)
				}
			} else if rc, ok := body.(io.ReadCloser); ok {
				hreq.Body = rc
			} else {
				hreq.Body = io.NopCloser(body)
			}
			hreq.ContentLength = req.ContentLength
			if req.GetBody != nil {
				hreq.GetBody = req.GetBody
			}
		}
		if attempt == 0 {
			hreq.Header = h
		} else {
			rh := h.Clone()
			rh["X-Retry-Count"] = []string{strconv.Itoa(attempt)}
			hreq.Header = rh
		}

		resp, err := t.hc.Do(hreq)
		if !retryable || attempt >= t.retry.MaxRetries {
			if err != nil {
				return nil, t.wrapErr(ctx, req, err)
			}
			return resp, nil
		}
		var wait time.Duration
		switch {
		case err != nil:
			if !isRetryableNetErr(err) || ctx.Err() != nil {
				return nil, t.wrapErr(ctx, req, err)
			}
			wait = t.backoff(attempt, "")
		case t.retryStatus(resp.StatusCode):
			wait = t.backoff(attempt, resp.Header.Get("Retry-After"))
			DrainClose(resp)
		default:
			return resp, nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("transport: %s %s: %w", req.Method, req.Path, ctx.Err())
		case <-timer.C:
		}
	}
}

func (t *Transport) wrapErr(ctx context.Context, req *Request, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("transport: %s %s: %w", req.Method, req.Path, ctxErr)
	}
	// url.Error repeats the full URL; the path is enough and never carries
	// secrets, so unwrap it.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("transport: %s %s: %w", req.Method, req.Path, err)
}

func (t *Transport) retryStatus(code int) bool {
	for _, s := range t.retry.Statuses {
		if s == code {
			return true
		}
	}
	return false
}

func (t *Transport) backoff(attempt int, retryAfter string) time.Duration {
	if retryAfter != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && secs >= 0 {
			return t.capDelay(time.Duration(secs) * time.Second)
		}
		if when, err := http.ParseTime(retryAfter); err == nil {
			return t.capDelay(time.Until(when))
		}
	}
	d := t.retry.BaseDelay << attempt
	if d <= 0 {
		d = 0
	}
	// Full jitter on the upper half keeps synchronized clients apart.
	if d > 1 {
		d = d/2 + rand.N(d/2+1)
	}
	return t.capDelay(d)
}

func (t *Transport) capDelay(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	if t.retry.MaxDelay > 0 && d > t.retry.MaxDelay {
		return t.retry.MaxDelay
	}
	return d
}

func isRetryableNetErr(err error) bool {
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() && !errors.Is(err, context.DeadlineExceeded)
}

// DrainClose reads what is left of resp.Body (up to 64 KiB, so the
// connection can be reused) and closes it.
func DrainClose(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}
