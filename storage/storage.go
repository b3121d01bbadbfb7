package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/supakit/supakit/transport"
)

// Client talks to one project's Storage API (/storage/v1). It is
// immutable and safe for concurrent use.
type Client struct {
	t       *transport.Transport
	urlBase string // root of the URLs handed out (signed, public)
}

// ClientOption configures [New].
type ClientOption func(*Client) error

// WithURLBase makes GetPublicURL, CreateSignedURL(s) and
// CreateSignedUploadURL hand out URLs under base (for example a custom
// domain or CDN in front of /storage/v1) instead of the transport's root.
func WithURLBase(base string) ClientOption {
	return func(c *Client) error {
		u, err := transport.ParseBaseURL(base)
		if err != nil {
			return fmt.Errorf("%w: WithURLBase: %v", ErrInvalidOption, err)
		}
		c.urlBase = strings.TrimRight(u.String(), "/")
		return nil
	}
}

// New returns a Storage client over t, the Storage transport (in the root
// package: client.StorageTransport()).
func New(t *transport.Transport, opts ...ClientOption) (*Client, error) {
	if t == nil {
		return nil, fmt.Errorf("%w: nil transport", ErrInvalidOption)
	}
	c := &Client{t: t, urlBase: strings.TrimRight(t.URL(""), "/")}
	var errs []error
	for _, o := range opts {
		if o == nil {
			errs = append(errs, fmt.Errorf("%w: nil ClientOption", ErrInvalidOption))
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

// errZeroClient is returned by every call on a Client not made by New.
var errZeroClient = fmt.Errorf("%w: zero or nil Client (build one with New)", ErrInvalidOption)

func (c *Client) usable() bool { return c != nil && c.t != nil }

// Transport returns the transport the client sends through (nil for a
// zero Client).
func (c *Client) Transport() *transport.Transport {
	if c == nil {
		return nil
	}
	return c.t
}

// WithTransport returns a copy sending through t (for example
// t.WithTokens(user) to act as a user).
func (c *Client) WithTransport(t *transport.Transport) *Client {
	if t == nil {
		return c
	}
	if c == nil {
		return &Client{t: t, urlBase: strings.TrimRight(t.URL(""), "/")}
	}
	cp := *c
	cp.t = t
	return &cp
}

// send performs req and returns the response when its status is 2xx; any
// other status becomes an [*Error].
func (c *Client) send(ctx context.Context, op string, req *transport.Request) (*http.Response, error) {
	if !c.usable() {
		return nil, fmt.Errorf("storage: %s: %w", op, errZeroClient)
	}
	resp, err := c.t.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("storage: %s: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer transport.DrainClose(resp)
		return nil, readError(op, resp)
	}
	return resp, nil
}

func jsonRequest(method, path, rawQuery string, body any, hdr http.Header) (*transport.Request, error) {
	req := &transport.Request{Method: method, Path: path, RawQuery: rawQuery, Header: hdr}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%w: encode body: %v", ErrInvalidOption, err)
		}
		if req.Header == nil {
			req.Header = http.Header{}
		}
		req.Header.Set("Content-Type", "application/json")
		req.Body = bytes.NewReader(b)
		req.ContentLength = int64(len(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	return req, nil
}

// doJSON sends a JSON request and decodes a JSON answer into out (nil:
// the body is discarded).
func (c *Client) doJSON(ctx context.Context, op, method, path, rawQuery string, body any, hdr http.Header, out any) error {
	req, err := jsonRequest(method, path, rawQuery, body, hdr)
	if err != nil {
		return fmt.Errorf("storage: %s: %w", op, err)
	}
	resp, err := c.send(ctx, op, req)
	if err != nil {
		return err
	}
	defer transport.DrainClose(resp)
	return decodeJSON(op, resp, out)
}

func decodeJSON(op string, resp *http.Response, out any) error {
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrDecode, op, err)
	}
	return nil
}

type messageResponse struct {
	Message string `json:"message"`
}
