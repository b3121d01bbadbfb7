package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/supakit/supakit/query"
	"io"
	"net/http"
	"strings"

	"github.com/supakit/supakit/schema"
	"github.com/supakit/supakit/transport"
)

// Call calls the database function fn with args (a struct or map encoded
// as a JSON object; nil for none) and decodes its result into R: a scalar
// (string, int64…), one row (a struct) or a set (a slice). It is a POST
// /rpc/fn, or a GET with [Get] (arguments in the query string). For
// set-returning functions with filters, ordering or paging use [Func].
func Call[R any](ctx context.Context, c Conn, fn string, args any, opts ...Option) (R, error) {
	var zero R
	label := "rpc " + fn
	b := RPC(c, fn, args, opts...)
	if b.opts.head {
		return zero, fmt.Errorf("repo: %s: %w: Head returns no result; use Func(...).Count", label, ErrInvalid)
	}
	if b.opts.count != query.CountNone {
		return zero, fmt.Errorf("repo: %s: %w: WithCount has no result here; use Func(...).FindAndCount", label, ErrInvalid)
	}
	r, err := b.build()
	if err != nil {
		return zero, fmt.Errorf("repo: %s: %w", label, err)
	}
	resp, err := send(ctx, c, r)
	if err != nil {
		return zero, fmt.Errorf("repo: %s: %w", label, err)
	}
	defer transport.DrainClose(resp)
	var v R
	if resp.StatusCode == http.StatusNoContent {
		return v, nil // a void function
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return v, nil
		}
		return zero, fmt.Errorf("repo: %s: %w", label, readErr(ctx, err))
	}
	return v, nil
}

// Func returns a typed query over the rows of the set-returning function
// fn called with args: chain Where, Order, Limit… and Find, First, Single,
// MaybeSingle, Count, FindAndCount, CSV, Explain or All, as on a table.
// Options: [Get] (GET with the arguments in the URL), [Head] is implied by
// Count. R is a struct mapped with db tags (it needs no table name).
func Func[R any](c Conn, fn string, args any, opts ...Option) *Query[R] {
	r := &Repo[R]{conn: c}
	rc := &rpcCall{fn: fn, args: args}
	r.rpc = rc
	fail := func(err error) *Query[R] {
		r.err = errors.Join(r.err, err)
		return r.Query()
	}
	if strings.TrimSpace(fn) == "" {
		return fail(fmt.Errorf("%w: empty function name", ErrInvalid))
	}
	if c == nil {
		return fail(fmt.Errorf("%w: nil connection", ErrInvalid))
	}
	o, err := collect(opts)
	if err != nil {
		return fail(err)
	}
	if o.head || o.count != query.CountNone || o.conflictSet || o.ignoreDup || o.defaultToNull != nil || o.unfiltered || o.minimal {
		return fail(fmt.Errorf("%w: only Get applies to Func (Count and FindAndCount count)", ErrInvalid))
	}
	rc.get = o.get
	tbl, err := schema.Of[R]()
	if err != nil {
		return fail(err)
	}
	r.tbl = tbl
	if r.codec, err = codecFor(tbl); err != nil {
		return fail(err)
	}
	if rc.params, err = callArgs(args); err != nil {
		return fail(err)
	}
	if !o.get {
		rc.body = []byte("{}")
		if args != nil {
			body, err := marshalJSON(args)
			if err != nil {
				return fail(fmt.Errorf("%w: arguments: %v", ErrInvalid, err))
			}
			if string(body) != "null" {
				rc.body = body
			}
		}
	}
	return r.Query()
}
