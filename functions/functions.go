package functions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/supakit/supakit/transport"
)

// Client invokes a project's Edge Functions (/functions/v1). It is
// immutable and safe for concurrent use.
type Client struct {
	t      *transport.Transport
	region string
}

// Option configures [New].
type Option func(*Client) error

// WithRegion sends every invocation to region (e.g. "us-east-1") unless
// the call names another; "any" or "" lets the platform choose.
func WithRegion(region string) Option {
	return func(c *Client) error {
		if err := checkRegion(region); err != nil {
			return err
		}
		c.region = region
		return nil
	}
}

// New returns a Functions client over t, the Functions transport (in the
// root package: client.FunctionsTransport()).
func New(t *transport.Transport, opts ...Option) (*Client, error) {
	if t == nil {
		return nil, fmt.Errorf("%w: nil transport", ErrInvalidOption)
	}
	c := &Client{t: t}
	var errs []error
	for _, o := range opts {
		if o == nil {
			errs = append(errs, fmt.Errorf("%w: nil Option", ErrInvalidOption))
			continue
		}
		if err := o(c); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// WithTransport returns a copy sending through t (for example
// t.WithTokens(user) to act as a user).
func (c *Client) WithTransport(t *transport.Transport) *Client {
	if t == nil {
		return c
	}
	if c == nil {
		return &Client{t: t}
	}
	cp := *c
	cp.t = t
	return &cp
}

type invokeSettings struct {
	method      string
	header      http.Header
	query       []string
	region      string
	regionSet   bool
	body        io.Reader
	bodyBytes   []byte // when the body is in memory (retryable, known length)
	bodySet     bool
	contentType string
	jsonErr     error
}

// InvokeOption adjusts one invocation.
type InvokeOption func(*invokeSettings) error

// JSON sends v encoded as JSON with Content-Type application/json.
func JSON(v any) InvokeOption {
	return func(s *invokeSettings) error {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("%w: encode JSON body: %v", ErrInvalidOption, err)
		}
		return s.setBody(b, nil, "application/json")
	}
}

// Text sends s with Content-Type text/plain.
func Text(text string) InvokeOption {
	return func(s *invokeSettings) error { return s.setBody([]byte(text), nil, "text/plain") }
}

// Bytes sends b with Content-Type application/octet-stream.
func Bytes(b []byte) InvokeOption {
	return func(s *invokeSettings) error {
		if b == nil {
			b = []byte{}
		}
		return s.setBody(b, nil, "application/octet-stream")
	}
}

// Body streams r as the request body with the given content type
// (application/octet-stream when empty), for large or generated payloads
// and multipart forms. The body is sent chunked and the call is never
// retried.
func Body(r io.Reader, contentType string) InvokeOption {
	return func(s *invokeSettings) error {
		if r == nil {
			return fmt.Errorf("%w: Body(nil)", ErrInvalidOption)
		}
		if contentType == "" {
			contentType = "application/octet-stream"
		}
		if strings.ContainsAny(contentType, "\r\n") {
			return fmt.Errorf("%w: Body: content type contains a line break", ErrInvalidOption)
		}
		return s.setBody(nil, r, contentType)
	}
}

func (s *invokeSettings) setBody(b []byte, r io.Reader, ct string) error {
	if s.bodySet {
		return fmt.Errorf("%w: more than one body", ErrInvalidOption)
	}
	s.bodySet, s.bodyBytes, s.body, s.contentType = true, b, r, ct
	return nil
}

// Method sets the HTTP method (default POST).
func Method(method string) InvokeOption {
	return func(s *invokeSettings) error {
		switch m := strings.ToUpper(method); m {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions:
			s.method = m
			return nil
		}
		return fmt.Errorf("%w: unsupported method %q", ErrInvalidOption, method)
	}
}

// Header adds a request header. A Content-Type given here overrides the
// one the body implies. It may not set apikey or Authorization.
func Header(key, value string) InvokeOption {
	return func(s *invokeSettings) error {
		if !validHeaderName(key) {
			return fmt.Errorf("%w: invalid header name %q", ErrInvalidOption, key)
		}
		if strings.ContainsAny(value, "\r\n") {
			return fmt.Errorf("%w: header %s: value contains a line break", ErrInvalidOption, key)
		}
		ck := textproto.CanonicalMIMEHeaderKey(key)
		if ck == "Apikey" || ck == "Authorization" {
			return fmt.Errorf("%w: header %s is set by the client", ErrInvalidOption, key)
		}
		if s.header == nil {
			s.header = http.Header{}
		}
		s.header.Add(ck, value)
		return nil
	}
}

// Query adds a query parameter to the function's URL.
func Query(key, value string) InvokeOption {
	return func(s *invokeSettings) error {
		if key == "" {
			return fmt.Errorf("%w: empty query key", ErrInvalidOption)
		}
		s.query = append(s.query, url.QueryEscape(key)+"="+url.QueryEscape(value))
		return nil
	}
}

// Region runs the function in region (header x-region and query
// forceFunctionRegion); "any" lets the platform choose.
func Region(region string) InvokeOption {
	return func(s *invokeSettings) error {
		if err := checkRegion(region); err != nil {
			return err
		}
		s.region, s.regionSet = region, true
		return nil
	}
}

func checkRegion(r string) error {
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("%w: invalid region %q", ErrInvalidOption, r)
		}
	}
	return nil
}

// Response is a function's 2xx answer. Its Body streams; close it (or use
// Bytes, Text or DecodeJSON, which close it).
type Response struct {
	StatusCode int
	Header     http.Header
	Body       io.ReadCloser
}

// Close releases the connection.
func (r *Response) Close() error {
	if r == nil || r.Body == nil {
		return nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<10))
	return r.Body.Close()
}

// Bytes reads the whole body and closes it.
func (r *Response) Bytes() ([]byte, error) {
	defer r.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return b, fmt.Errorf("functions: read response: %w", err)
	}
	return b, nil
}

// Text reads the whole body as a string and closes it.
func (r *Response) Text() (string, error) {
	b, err := r.Bytes()
	return string(b), err
}

// DecodeJSON decodes the body into v and closes it. An empty body leaves v
// untouched.
func (r *Response) DecodeJSON(v any) error {
	defer r.Close()
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		// %w twice: a read cut short by a cancelled context stays
		// recognisable (errors.Is(err, context.Canceled)).
		return fmt.Errorf("%w: %w", ErrDecode, err)
	}
	return nil
}

// Invoke calls the function name (which may carry sub-path segments,
// "hello/sub path") and returns its 2xx response with the body unread.
// A non-2xx answer is an [*HTTPError]; a relay failure (x-relay-error:
// true) a [*RelayError]; a transport failure a [*FetchError]. The default
// method is POST; without a body nothing is sent and no Content-Type is
// set.
//
// {method} /functions/v1/{name}
func (c *Client) Invoke(ctx context.Context, name string, opts ...InvokeOption) (*Response, error) {
	if c == nil || c.t == nil {
		return nil, fmt.Errorf("functions: invoke %s: %w: zero or nil Client (build one with New)", name, ErrInvalidOption)
	}
	p, err := functionPath(name)
	if err != nil {
		return nil, err
	}
	s := &invokeSettings{method: http.MethodPost}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("functions: invoke %s: %w: nil option", name, ErrInvalidOption)
		}
		if err := o(s); err != nil {
			return nil, fmt.Errorf("functions: invoke %s: %w", name, err)
		}
	}
	region := c.region
	if s.regionSet {
		region = s.region
	}
	hdr := http.Header{}
	q := append([]string(nil), s.query...)
	if region != "" && region != "any" {
		hdr.Set("X-Region", region)
		q = append(q, "forceFunctionRegion="+url.QueryEscape(region))
	}
	req := &transport.Request{Method: s.method, Path: p, RawQuery: strings.Join(q, "&"), Header: hdr}
	if s.bodySet {
		hdr.Set("Content-Type", s.contentType)
		if s.body != nil {
			req.Body, req.ContentLength, req.NoRetry = s.body, -1, true
		} else {
			b := s.bodyBytes
			req.Body, req.ContentLength = bytes.NewReader(b), int64(len(b))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
			if len(b) == 0 {
				req.Body = http.NoBody
			}
		}
	} else if s.method == http.MethodPost || s.method == http.MethodPut || s.method == http.MethodPatch {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, vs := range s.header {
		hdr[k] = append([]string(nil), vs...)
	}
	resp, err := c.t.Do(ctx, req)
	if err != nil {
		return nil, &FetchError{Function: name, Err: err}
	}
	if resp.Header.Get("X-Relay-Error") == "true" {
		defer transport.DrainClose(resp)
		body, trunc := readBounded(resp.Body)
		return nil, &RelayError{Function: name, StatusCode: resp.StatusCode, Header: resp.Header, Body: body, Truncated: trunc}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer transport.DrainClose(resp)
		body, trunc := readBounded(resp.Body)
		return nil, &HTTPError{Function: name, StatusCode: resp.StatusCode, Header: resp.Header, Body: body, Truncated: trunc}
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: resp.Body}, nil
}

// InvokeJSON sends req as JSON to the function name and decodes its JSON
// answer into a Resp. An empty answer (204 or no body) yields Resp's zero
// value. Options as for Invoke (a body option is an error).
//
// POST /functions/v1/{name}
func InvokeJSON[Req, Resp any](ctx context.Context, c *Client, name string, req Req, opts ...InvokeOption) (Resp, error) {
	var zero Resp
	if c == nil {
		return zero, fmt.Errorf("%w: nil client", ErrInvalidOption)
	}
	all := make([]InvokeOption, 0, len(opts)+2)
	all = append(all, JSON(req))
	all = append(all, opts...)
	all = append(all, Header("Accept", "application/json"))
	resp, err := c.Invoke(ctx, name, all...)
	if err != nil {
		return zero, err
	}
	var out Resp
	if err := resp.DecodeJSON(&out); err != nil {
		return zero, fmt.Errorf("functions: invoke %s: %w", name, err)
	}
	return out, nil
}

// functionPath validates name and returns "/<escaped segments>".
func functionPath(name string) (string, error) {
	bad := func(reason string) error {
		return &NameError{Name: name, Reason: reason}
	}
	if name == "" {
		return "", bad("empty")
	}
	if !utf8.ValidString(name) {
		return "", bad("not valid UTF-8")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c < 0x20 || c == 0x7f:
			return "", bad(fmt.Sprintf("control character 0x%02x", c))
		case c == '?' || c == '#':
			return "", bad(fmt.Sprintf("%q in the name (use the Query option for query parameters)", c))
		}
	}
	segs := strings.Split(name, "/")
	var b strings.Builder
	for _, seg := range segs {
		switch seg {
		case "":
			return "", bad("empty path segment (leading, doubled or trailing slash)")
		case ".", "..":
			return "", bad(fmt.Sprintf("%q segment", seg))
		}
		b.WriteByte('/')
		b.WriteString(escapeSegment(seg))
	}
	return b.String(), nil
}

const upperhex = "0123456789ABCDEF"

func escapeSegment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keepRaw(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
	return b.String()
}

func keepRaw(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,=:@", c) >= 0
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
