package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/supakit/supakit/transport"
)

// APIVersion is the GoTrue API version every request announces in
// X-Supabase-Api-Version, as supabase-js does. It selects GoTrue's newer
// error shape ({"code":"…","message":"…"}).
const APIVersion = "2024-01-01"

// FlowType selects how email links and OAuth sign-ins hand the session
// back: PKCE (a code exchanged with [Client.ExchangeCodeForSession]) or
// implicit (tokens in the redirect URL's fragment).
type FlowType string

// Flow types.
const (
	FlowPKCE     FlowType = "pkce"
	FlowImplicit FlowType = "implicit"
)

// DefaultRefreshMargin is how long before expiry an access token is
// refreshed.
const DefaultRefreshMargin = 90 * time.Second

// refreshTimeout bounds one shared refresh request, which runs detached from
// the context of the caller that started it.
const refreshTimeout = 30 * time.Second

// maxBody bounds the answers read from GoTrue.
const maxBody = 16 << 20

// Client is a GoTrue client holding at most one user session. It is safe
// for concurrent use: concurrent callers of [Client.Token] on a session about
// to expire share a single refresh request.
//
// *Client implements [transport.TokenSource], so the other services can
// send the signed-in user's access token (see supakit.WithTokenSource).
type Client struct {
	t           *transport.Transport
	store       Store
	key         string
	flow        FlowType
	autoRefresh bool
	margin      time.Duration
	now         func() time.Time

	mu       sync.Mutex
	loaded   bool
	cur      *Session
	gen      uint64 // bumped whenever the session is replaced or removed
	inflight *refreshCall
	subs     map[int]func(Event, *Session)
	nextSub  int
	vmu      sync.Mutex
	verifier *Verifier // for GetClaims, built on first use
}

var _ transport.TokenSource = (*Client)(nil)

type config struct {
	store       Store
	key         string
	flow        FlowType
	autoRefresh bool
	margin      time.Duration
	now         func() time.Time
	hooks       []func(Event, *Session)
}

// Option configures [New].
type Option func(*config) error

// WithStore keeps the session and PKCE verifier in s instead of memory
// (e.g. a [FileStore] for command-line tools).
func WithStore(s Store) Option {
	return func(c *config) error {
		if s == nil {
			return invalidArg("WithStore(nil)")
		}
		c.store = s
		return nil
	}
}

// WithStorageKey sets the key under which the session is stored (default
// "sb-<first label of the host>-auth-token", as supabase-js names it); the
// PKCE verifier is stored under the same key plus "-code-verifier".
func WithStorageKey(key string) Option {
	return func(c *config) error {
		if strings.TrimSpace(key) == "" {
			return invalidArg("WithStorageKey: empty key")
		}
		c.key = key
		return nil
	}
}

// WithFlowType selects PKCE (the default) or the implicit flow.
func WithFlowType(f FlowType) Option {
	return func(c *config) error {
		if f != FlowPKCE && f != FlowImplicit {
			return invalidArg("WithFlowType: unknown flow %q", f)
		}
		c.flow = f
		return nil
	}
}

// WithAutoRefresh turns automatic refresh on (the default) or off. When it
// is off, Token and GetSession return the stored access token even if it
// has expired; call [Client.RefreshSession] yourself.
func WithAutoRefresh(on bool) Option {
	return func(c *config) error { c.autoRefresh = on; return nil }
}

// WithRefreshMargin sets how long before expiry the access token is
// refreshed (default [DefaultRefreshMargin]).
func WithRefreshMargin(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidArg("WithRefreshMargin: negative duration")
		}
		c.margin = d
		return nil
	}
}

// WithClock replaces time.Now (for tests).
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return invalidArg("WithClock(nil)")
		}
		c.now = now
		return nil
	}
}

// WithEventHook subscribes fn to every auth event for the client's
// lifetime (see [Client.OnAuthStateChange]).
func WithEventHook(fn func(Event, *Session)) Option {
	return func(c *config) error {
		if fn == nil {
			return invalidArg("WithEventHook(nil)")
		}
		c.hooks = append(c.hooks, fn)
		return nil
	}
}

// New returns a client for the GoTrue service behind t (the /auth/v1
// transport, e.g. supakit's client.AuthTransport()). The transport's own
// token source, if any, is ignored: Auth chooses the bearer per call.
func New(t *transport.Transport, opts ...Option) (*Client, error) {
	if t == nil {
		return nil, invalidArg("New: nil transport")
	}
	cfg := config{flow: FlowPKCE, autoRefresh: true, margin: DefaultRefreshMargin, now: time.Now}
	var errs []error
	for _, o := range opts {
		if o == nil {
			errs = append(errs, invalidArg("nil option"))
			continue
		}
		if err := o(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if cfg.store == nil {
		cfg.store = NewMemoryStore()
	}
	if cfg.key == "" {
		host := t.BaseURL().Hostname()
		label, _, _ := strings.Cut(host, ".")
		cfg.key = "sb-" + label + "-auth-token"
	}
	c := &Client{
		t:           t.WithTokens(nil),
		store:       cfg.store,
		key:         cfg.key,
		flow:        cfg.flow,
		autoRefresh: cfg.autoRefresh,
		margin:      cfg.margin,
		now:         cfg.now,
		subs:        map[int]func(Event, *Session){},
	}
	for _, h := range cfg.hooks {
		c.subs[c.nextSub] = h
		c.nextSub++
	}
	return c, nil
}

// StorageKey returns the key the session is stored under.
func (c *Client) StorageKey() string {
	if c == nil {
		return ""
	}
	return c.key
}

// Transport returns the /auth/v1 transport the client uses.
func (c *Client) Transport() *transport.Transport {
	if c == nil {
		return nil
	}
	return c.t
}

// request is one GoTrue call.
type request struct {
	method string
	path   string // relative to /auth/v1, escaped
	query  string // encoded
	body   any    // JSON-encoded when non-nil
	bearer string // the user's access token; "" sends the project key
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// errZeroClient is returned by calls on a Client not made by [New].
var errZeroClient = invalidArg("zero or nil Client (build one with New)")

// check reports whether c was made by New.
func (c *Client) check() error {
	if c == nil || c.t == nil || c.store == nil {
		return errZeroClient
	}
	return nil
}

// send performs r and returns the answer; non-2xx answers become *Error.
func (c *Client) send(ctx context.Context, r request) (*response, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, invalidArg("nil context")
	}
	h := http.Header{}
	h.Set("X-Supabase-Api-Version", APIVersion)
	treq := &transport.Request{Method: r.method, Path: r.path, RawQuery: r.query, Header: h, Bearer: r.bearer, ContentLength: -1}
	if r.method != http.MethodGet && r.method != http.MethodHead {
		h.Set("Content-Type", "application/json;charset=UTF-8")
		var b []byte
		if r.body != nil {
			var err error
			if b, err = json.Marshal(r.body); err != nil {
				return nil, fmt.Errorf("auth: %s %s: encode body: %w", r.method, r.path, err)
			}
			treq.Body = bytes.NewReader(b)
			treq.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		}
		treq.ContentLength = int64(len(b))
	}
	resp, err := c.t.Do(ctx, treq)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	defer transport.DrainClose(resp)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, readError(resp, r.method, r.path)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("auth: %s %s: %w", r.method, r.path, ctxErr)
		}
		return nil, fmt.Errorf("auth: %s %s: read body: %w", r.method, r.path, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// sendJSON performs r and decodes a JSON answer into out (when non-nil).
func (c *Client) sendJSON(ctx context.Context, r request, out any) (*response, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	if out != nil {
		if len(bytes.TrimSpace(resp.body)) == 0 {
			return nil, fmt.Errorf("%w: %s %s: empty body", ErrUnexpectedResponse, r.method, r.path)
		}
		if err := json.Unmarshal(resp.body, out); err != nil {
			return nil, fmt.Errorf("%w: %s %s: %v", ErrUnexpectedResponse, r.method, r.path, err)
		}
	}
	return resp, nil
}

// redirectQuery returns "redirect_to=<escaped>" or "".
func redirectQuery(redirectTo string) string {
	if redirectTo == "" {
		return ""
	}
	return "redirect_to=" + escapeComponent(redirectTo)
}

// escapeComponent escapes like JavaScript's encodeURIComponent for the
// characters that matter (spaces become %20, not +).
func escapeComponent(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// nonEmpty returns a request body holding the given key, value pairs
// whose value is not empty.
func nonEmpty(pairs ...string) map[string]any {
	b := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			b[pairs[i]] = pairs[i+1]
		}
	}
	return b
}

// security is GoTrue's gotrue_meta_security object.
type security struct {
	CaptchaToken string `json:"captcha_token,omitempty"`
}

func metadata(data any) any {
	if data == nil {
		return map[string]any{}
	}
	return data
}

func validateRedirect(redirectTo string) error {
	if redirectTo == "" {
		return nil
	}
	u, err := url.Parse(redirectTo)
	if err != nil || u.Scheme == "" {
		return invalidArg("redirect URL %q is not an absolute URL", redirectTo)
	}
	return nil
}
