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

// param is one query parameter, unescaped.
type param struct{ key, value string }

// request is the neutral form of one PostgREST call, built by the
// builders and sent by send.
type request struct {
	method   string
	path     string // escaped, relative to /rest/v1: "/countries", "/rpc/fn"
	rawQuery string // encoded query; when set, params are ignored
	params   []param
	prefer   string
	accept   string
	header   http.Header // extra headers (SetHeader)
	body     []byte
	hasBody  bool
	schema   string // "" = the connection's
}

// prefer holds the Prefer preferences; they are written in the order the
// official clients use.
type prefer struct {
	resolution  string // merge-duplicates | ignore-duplicates
	count       string // exact | planned | estimated
	missing     bool   // missing=default
	returnRep   bool   // return=representation
	rollback    bool   // tx=rollback
	maxAffected int64  // handling=strict, max-affected=n (0 = none)
}

func (p prefer) String() string {
	var parts []string
	if p.resolution != "" {
		parts = append(parts, "resolution="+p.resolution)
	}
	if p.count != "" {
		parts = append(parts, "count="+p.count)
	}
	if p.missing {
		parts = append(parts, "missing=default")
	}
	if p.returnRep {
		parts = append(parts, "return=representation")
	}
	if p.rollback {
		parts = append(parts, "tx=rollback")
	}
	if p.maxAffected > 0 {
		parts = append(parts, "handling=strict", "max-affected="+strconv.FormatInt(p.maxAffected, 10))
	}
	return strings.Join(parts, ", ")
}

// encodeQuery encodes params as application/x-www-form-urlencoded the way
// the official clients do (URLSearchParams): letters, digits and "*-._"
// stay raw, space becomes '+', everything else is percent-encoded.
func encodeQuery(ps []param) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		formEscape(&b, p.key)
		b.WriteByte('=')
		formEscape(&b, p.value)
	}
	return b.String()
}

func formEscape(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}

// pathEscape escapes a table or function name as one path segment.
func pathEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
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
	if raw == "" {
		raw = encodeQuery(r.params)
	}
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
