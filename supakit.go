package supakit

import (
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/functions"
	"github.com/supakit/supakit/storage"
	"github.com/supakit/supakit/transport"
)

// Version is the library version sent in X-Client-Info.
const Version = "0.1.0"

// ClientInfo is the X-Client-Info value every request carries.
const ClientInfo = "supakit-go/" + Version

// Errors returned by [New] and the options.
var (
	ErrInvalidURL = transport.ErrInvalidURL
	ErrEmptyKey   = transport.ErrEmptyKey
	ErrOption     = errors.New("supakit: invalid option")
)

// Client ties the Supabase services of one project together. It is
// immutable: the With… methods return copies sharing the HTTP client.
type Client struct {
	base       *url.URL
	key        string
	hc         *http.Client
	header     http.Header
	schema     string
	tokens     transport.TokenSource
	userTokens bool // tokens were set by the caller, not by a session
	retry      transport.RetryPolicy

	rest, auth, storage, functions *transport.Transport

	authClient      *auth.Client
	storageClient   *storage.Client
	functionsClient *functions.Client
}

type options struct {
	hc     *http.Client
	header http.Header
	schema string
	tokens transport.TokenSource
	retry  *transport.RetryPolicy
	auth   []auth.Option
}

// Option configures [New]. Options may fail; New returns their errors.
type Option func(*options) error

// WithHTTPClient sends every request through hc instead of the tuned
// default ([transport.DefaultHTTPClient]).
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return fmt.Errorf("%w: WithHTTPClient(nil)", ErrOption)
		}
		o.hc = hc
		return nil
	}
}

// WithHeader adds a header to every request of every service.
func WithHeader(key, value string) Option {
	return func(o *options) error {
		if !validHeaderName(key) {
			return fmt.Errorf("%w: invalid header name %q", ErrOption, key)
		}
		if strings.ContainsAny(value, "\r\n") {
			return fmt.Errorf("%w: header %s: value contains a line break", ErrOption, key)
		}
		switch textproto.CanonicalMIMEHeaderKey(key) {
		case "Apikey", "Authorization":
			return fmt.Errorf("%w: header %s is set by the client; use the key, WithAccessToken or WithTokenSource", ErrOption, key)
		}
		if o.header == nil {
			o.header = http.Header{}
		}
		o.header.Add(key, value)
		return nil
	}
}

// WithSchema selects the database schema the repository talks to
// (Accept-Profile on reads, Content-Profile on writes). The default is
// "public".
func WithSchema(schema string) Option {
	return func(o *options) error {
		if strings.TrimSpace(schema) == "" {
			return fmt.Errorf("%w: empty schema", ErrOption)
		}
		o.schema = schema
		return nil
	}
}

// WithTokenSource makes every service call (except Auth's own) carry the
// access token ts returns. Use it to plug in a session managed elsewhere.
func WithTokenSource(ts transport.TokenSource) Option {
	return func(o *options) error {
		if ts == nil {
			return fmt.Errorf("%w: WithTokenSource(nil)", ErrOption)
		}
		o.tokens = ts
		return nil
	}
}

// WithRetryPolicy replaces the read retry policy
// ([transport.DefaultRetryPolicy]); the zero policy disables retries.
func WithRetryPolicy(p transport.RetryPolicy) Option {
	return func(o *options) error {
		if p.MaxRetries < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 {
			return fmt.Errorf("%w: negative retry setting", ErrOption)
		}
		o.retry = &p
		return nil
	}
}

// WithAuthOptions configures the Auth client ([Client.Auth]): session
// store, flow type, refresh margin, event hooks.
func WithAuthOptions(opts ...auth.Option) Option {
	return func(o *options) error {
		o.auth = append(o.auth, opts...)
		return nil
	}
}

// New returns a client for the project at rawURL (e.g.
// https://xyz.supabase.co) with its anon, service-role or new-format key.
func New(rawURL, key string, opts ...Option) (*Client, error) {
	base, err := transport.ParseBaseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("supakit: %w", err)
	}
	if strings.TrimSpace(key) == "" {
		return nil, fmt.Errorf("supakit: %w", ErrEmptyKey)
	}
	var o options
	var errs []error
	for _, opt := range opts {
		if opt == nil {
			errs = append(errs, fmt.Errorf("%w: nil option", ErrOption))
			continue
		}
		if err := opt(&o); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("supakit: %w", errors.Join(errs...))
	}
	c := &Client{
		base:       base,
		key:        key,
		hc:         o.hc,
		header:     o.header,
		schema:     o.schema,
		tokens:     o.tokens,
		userTokens: o.tokens != nil,
		retry:      transport.DefaultRetryPolicy(),
	}
	if c.hc == nil {
		c.hc = transport.DefaultHTTPClient()
	}
	if c.schema == "" {
		c.schema = "public"
	}
	if o.retry != nil {
		c.retry = *o.retry
	}
	if err := c.build(o.auth); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Client) build(authOpts []auth.Option) error {
	root := strings.TrimRight(c.base.String(), "/")
	mk := func(path string, tokens transport.TokenSource) (*transport.Transport, error) {
		return transport.New(transport.Config{
			BaseURL:    root + path,
			APIKey:     c.key,
			HTTPClient: c.hc,
			Header:     c.header,
			Tokens:     tokens,
			Retry:      c.retry,
			ClientInfo: ClientInfo,
		})
	}
	var err error
	// Auth calls choose their bearer per call (the session's token).
	if c.auth, err = mk("/auth/v1", nil); err != nil {
		return fmt.Errorf("supakit: %w", err)
	}
	if c.authClient, err = auth.New(c.auth, authOpts...); err != nil {
		return fmt.Errorf("supakit: %w", err)
	}
	if c.tokens == nil {
		// The signed-in user's session, refreshed as needed; signed out,
		// requests carry the project key alone.
		c.tokens = c.authClient
	}
	if c.rest, err = mk("/rest/v1", c.tokens); err != nil {
		return fmt.Errorf("supakit: %w", err)
	}
	if c.storage, err = mk("/storage/v1", c.tokens); err != nil {
		return fmt.Errorf("supakit: %w", err)
	}
	if c.functions, err = mk("/functions/v1", c.tokens); err != nil {
		return fmt.Errorf("supakit: %w", err)
	}
	if c.storageClient, err = storage.New(c.storage); err != nil {
		return fmt.Errorf("supakit: %w", err)
	}
	if c.functionsClient, err = functions.New(c.functions); err != nil {
		return fmt.Errorf("supakit: %w", err)
	}
	return nil
}

// Auth returns the Auth client (/auth/v1). Unless [WithTokenSource] was
// given, its session feeds the other services: once a user signs in, REST,
// Storage and Functions calls carry that user's access token, refreshed
// before it expires. Copies made with [Client.WithAccessToken] share this
// Auth client but act as the token they were given.
func (c *Client) Auth() *auth.Client { return c.authClient }

// Storage returns the Storage client (/storage/v1), acting with this
// client's identity.
func (c *Client) Storage() *storage.Client { return c.storageClient }

// Functions returns the Edge Functions client (/functions/v1), acting with
// this client's identity.
func (c *Client) Functions() *functions.Client { return c.functionsClient }

// URL returns the project URL.
func (c *Client) URL() string { return c.base.String() }

// Schema returns the database schema the repository uses.
func (c *Client) Schema() string { return c.schema }

// Rest returns the PostgREST transport (/rest/v1).
func (c *Client) Rest() *transport.Transport { return c.rest }

// AuthTransport returns the GoTrue transport (/auth/v1).
func (c *Client) AuthTransport() *transport.Transport { return c.auth }

// StorageTransport returns the Storage transport (/storage/v1).
func (c *Client) StorageTransport() *transport.Transport { return c.storage }

// FunctionsTransport returns the Edge Functions transport (/functions/v1).
func (c *Client) FunctionsTransport() *transport.Transport { return c.functions }

// HTTPClient returns the HTTP client every service shares.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// WithAccessToken returns a shallow copy whose REST, Storage and Functions
// calls carry accessToken as the user's bearer token: the copy acts as that
// user under Row Level Security, on the same connection pool, whatever the
// Auth session holds. An empty token returns a copy that acts with the
// project key alone.
func (c *Client) WithAccessToken(accessToken string) *Client {
	cp := *c
	if accessToken == "" {
		cp.tokens = nil
	} else {
		cp.tokens = transport.StaticToken(accessToken)
	}
	cp.userTokens = true
	cp.rest = c.rest.WithTokens(cp.tokens)
	cp.storage = c.storage.WithTokens(cp.tokens)
	cp.functions = c.functions.WithTokens(cp.tokens)
	cp.storageClient = c.storageClient.WithTransport(cp.storage)
	cp.functionsClient = c.functionsClient.WithTransport(cp.functions)
	return &cp
}

// WithSchema returns a copy whose repository talks to another schema.
// An empty name keeps the current schema.
func (c *Client) WithSchema(schema string) *Client {
	cp := *c
	if strings.TrimSpace(schema) != "" {
		cp.schema = schema
	}
	return &cp
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
