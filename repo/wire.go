package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/transport"
)

// Conn is what a repository needs from a client: the PostgREST transport
// and the database schema. *supakit.Client satisfies it.
type Conn interface {
	Rest() *transport.Transport
	Schema() string
}

// request is the neutral form of one PostgREST call, built by the
// builders and sent by send.
type request struct {
	method   string
	path     string // escaped, relative to /rest/v1: "/countries", "/rpc/fn"
	rawQuery string // encoded query (package query's encoding)
	prefer   string
	accept   string
	header   http.Header // extra headers (SetHeader)
	body     []byte
	hasBody  bool
	schema   string // "" = the connection's
	count    bool   // a count was asked (Content-Range)
}

// Header values every request shares; never modified.
var (
	publicVals   = []string{"public"}
	jsonTypeVals = []string{"application/json"}
)

// send performs r and returns the response when its status is 2xx; any
// other status is read into an *Error and the body closed. The caller
// closes the body of a successful response (transport.DrainClose).
func send(ctx context.Context, c Conn, r *request) (*http.Response, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context", ErrInvalid)
	}
	if c == nil || c.Rest() == nil {
		return nil, fmt.Errorf("%w: nil connection", ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// One header map, handed to the transport as is (it shares the values
	// and does not copy again); the fixed values are shared, read-only.
	h := make(http.Header, len(r.header)+4)
	for k, vs := range r.header {
		h[k] = vs[:len(vs):len(vs)]
	}
	schema := r.schema
	if schema == "" {
		schema = c.Schema()
	}
	schemaVals := publicVals
	if schema != "" && schema != "public" {
		schemaVals = []string{schema}
	}
	if r.method == http.MethodGet || r.method == http.MethodHead {
		h["Accept-Profile"] = schemaVals[:1:1]
	} else {
		h["Content-Profile"] = schemaVals[:1:1]
		h["Content-Type"] = jsonTypeVals[:1:1]
	}
	if r.prefer != "" {
		h["Prefer"] = []string{r.prefer}
	}
	if r.accept != "" {
		h["Accept"] = []string{r.accept}
	}
	raw := r.rawQuery
	if n := len(r.path) + 1 + len(raw); n > query.MaxURLLength {
		// the same error as package query's, so errors.Is(err,
		// query.ErrURLTooLong) holds for typed and untyped calls alike
		return nil, fmt.Errorf("%w: %w: the request URL would be %d characters (limit %d); pass long value lists to a function through RPC instead",
			ErrInvalid, query.ErrURLTooLong, n, query.MaxURLLength)
	}
	treq := &transport.Request{
		Method:   r.method,
		Path:     r.path,
		RawQuery: raw,
		Header:   h,
	}
	if r.hasBody {
		body := r.body
		treq.Body = bytes.NewReader(body)
		treq.ContentLength = int64(len(body))
		treq.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	resp, err := c.Rest().Do(ctx, treq)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			return nil, fmt.Errorf("%w (%v)", ctxErr, err)
		}
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := errorFromResponse(resp)
		transport.DrainClose(resp)
		return nil, e
	}
	return resp, nil
}

// contentRangeCount reads the total from a Content-Range header
// ("0-24/3573", "*/3573"); -1 when absent or unknown ("0-24/*").
func contentRangeCount(h http.Header) int64 {
	cr := h.Get("Content-Range")
	i := strings.LastIndexByte(cr, '/')
	if i < 0 {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(cr[i+1:]), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}
