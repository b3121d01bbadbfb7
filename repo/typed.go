package repo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"reflect"
	"strings"
	"sync/atomic"

	"github.com/supakit/supakit/internal/jsoncodec"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/schema"
	"github.com/supakit/supakit/transport"
)

// Query is a typed query on a [Repo]'s table (or a function's result, see
// [Func]). It is immutable: every method returns a new Query, so a Query
// can be shared and reused as a template. Nothing is sent until a method
// taking a context runs.
type Query[T any] struct {
	r          *Repo[T]
	sel        []any
	selSet     bool
	ops        []func(query.Query) query.Query
	pageSize   int
	unfiltered bool
	errs       []error

	// built is the query.Query of base(true), made once on first use: a
	// reused Query is neither replayed nor encoded again (query.Query
	// caches its own Read).
	built atomic.Pointer[builtQuery]
}

type builtQuery struct {
	x   query.Query
	err error
}

// clone copies q without its built query.
func (q *Query[T]) clone() *Query[T] {
	return &Query[T]{r: q.r, sel: q.sel, selSet: q.selSet, ops: q.ops, pageSize: q.pageSize, unfiltered: q.unfiltered, errs: q.errs}
}

func (q *Query[T]) with(f func(query.Query) query.Query) *Query[T] {
	c := q.clone()
	c.ops = append(q.ops[:len(q.ops):len(q.ops)], f)
	return c
}

// Select sets the columns: field pointers into schema.Cols[T]() (columns,
// or relation fields to embed whole), query.As/Cast/Embed items, or raw
// PostgREST select text. Without Select, T's columns and its embedded
// resources (nested) are selected, so rows decode into whole object
// graphs. Raw text must produce the JSON keys T decodes.
func (q *Query[T]) Select(items ...any) *Query[T] {
	c := q.clone()
	c.sel = append([]any(nil), items...)
	c.selSet = true
	return c
}

// Where adds filters (query.Eq, query.In, query.Or…), combined with AND.
func (q *Query[T]) Where(fs ...query.Filter) *Query[T] {
	if len(fs) == 0 {
		return q
	}
	fs = append([]query.Filter(nil), fs...)
	return q.with(func(x query.Query) query.Query { return x.Where(fs...) })
}

// Order adds sort keys (query.Asc, query.Desc, with NullsFirst/NullsLast).
func (q *Query[T]) Order(os ...query.Order) *Query[T] {
	os = append([]query.Order(nil), os...)
	return q.with(func(x query.Query) query.Query { return x.Order(os...) })
}

// OrderOf sorts the rows of the embedded resource rel (a relation field pointer).
func (q *Query[T]) OrderOf(rel any, os ...query.Order) *Query[T] {
	os = append([]query.Order(nil), os...)
	return q.with(func(x query.Query) query.Query { return x.OrderOf(rel, os...) })
}

// Limit returns at most n rows.
func (q *Query[T]) Limit(n int) *Query[T] {
	return q.with(func(x query.Query) query.Query { return x.Limit(n) })
}

// Offset skips n rows.
func (q *Query[T]) Offset(n int) *Query[T] {
	return q.with(func(x query.Query) query.Query { return x.Offset(n) })
}

// Range returns rows from to to (0-based, inclusive).
func (q *Query[T]) Range(from, to int) *Query[T] {
	return q.with(func(x query.Query) query.Query { return x.Range(from, to) })
}

// LimitOf limits the rows of the embedded resource rel.
func (q *Query[T]) LimitOf(rel any, n int) *Query[T] {
	return q.with(func(x query.Query) query.Query { return x.LimitOf(rel, n) })
}

// RangeOf is Range on the embedded resource rel.
func (q *Query[T]) RangeOf(rel any, from, to int) *Query[T] {
	return q.with(func(x query.Query) query.Query { return x.RangeOf(rel, from, to) })
}

// Schema runs the query in another database schema than the client's.
func (q *Query[T]) Schema(name string) *Query[T] {
	return q.with(func(x query.Query) query.Query { return x.Schema(name) })
}

// Header adds a request header.
func (q *Query[T]) Header(name, value string) *Query[T] {
	return q.with(func(x query.Query) query.Query { return x.Header(name, value) })
}

// StripNulls asks PostgREST to leave null fields out of the objects.
func (q *Query[T]) StripNulls() *Query[T] {
	return q.with(func(x query.Query) query.Query { return x.StripNulls() })
}

// Rollback runs writes in a transaction that is rolled back.
func (q *Query[T]) Rollback() *Query[T] {
	return q.with(func(x query.Query) query.Query { return x.Rollback() })
}

// MaxAffected makes an update or delete fail when it would touch more
// than n rows.
func (q *Query[T]) MaxAffected(n int) *Query[T] {
	return q.with(func(x query.Query) query.Query { return x.MaxAffected(n) })
}

// Apply applies any query.Query modifier, for what this type does not wrap.
func (q *Query[T]) Apply(f func(query.Query) query.Query) *Query[T] {
	if f == nil {
		c := q.clone()
		c.errs = append(q.errs[:len(q.errs):len(q.errs)], fmt.Errorf("%w: Apply(nil)", ErrInvalid))
		return c
	}
	return q.with(f)
}

// AllowUnfiltered lets Update and Delete run without a filter.
func (q *Query[T]) AllowUnfiltered() *Query[T] {
	c := q.clone()
	c.unfiltered = true
	return c
}

// PageSize sets how many rows each request of All asks for (default 1000).
// The server may return fewer (its max rows); All pages on regardless.
func (q *Query[T]) PageSize(n int) *Query[T] {
	c := q.clone()
	if n <= 0 {
		c.errs = append(q.errs[:len(q.errs):len(q.errs)], fmt.Errorf("%w: PageSize(%d)", ErrInvalid, n))
		return c
	}
	c.pageSize = n
	return c
}

// ready returns q, or for a nil or zero Query one over the zero Repo, so
// that its calls fail with ErrInvalid instead of panicking.
func (q *Query[T]) ready() *Query[T] {
	if q == nil {
		return &Query[T]{r: &Repo[T]{}}
	}
	if q.r == nil {
		c := q.clone()
		c.r = &Repo[T]{}
		return c
	}
	return q
}

func (q *Query[T]) label(op string) string { return op + " " + q.r.name() }

// items maps the select items so that rows decode into T: columns whose
// JSON key differs from the column name are aliased, and relation fields
// embed with the target's derived select.
func (q *Query[T]) items() ([]any, error) {
	out := make([]any, 0, len(q.sel))
	for _, x := range q.sel {
		if reflect.TypeOf(x) == nil || reflect.TypeOf(x).Kind() != reflect.Pointer {
			out = append(out, x)
			continue
		}
		f, err := schema.Resolve(x)
		if err != nil {
			out = append(out, x) // query reports it with its context
			continue
		}
		switch {
		case f.Column != nil && f.Table.Type == q.r.tbl.Type:
			if a, ok := q.r.codec.aliases[f.Column]; ok {
				out = append(out, query.As(a, x))
				continue
			}
		case f.Relation != nil:
			tc, err := codecFor(f.Relation.Target)
			if err != nil {
				return nil, err
			}
			out = append(out, query.Embed(x, tc.sel))
			continue
		}
		out = append(out, x)
	}
	return out, nil
}

// base returns the query.Query with the select (when withSelect) and the
// recorded modifiers applied.
func (q *Query[T]) base(withSelect bool) (query.Query, error) {
	if !withSelect {
		return q.baseSel(false, false)
	}
	if b := q.built.Load(); b != nil {
		return b.x, b.err
	}
	x, err := q.baseSel(true, false)
	q.built.Store(&builtQuery{x, err})
	return x, err
}

// baseSel is base; star selects * (for counts) instead of the rows' columns.
func (q *Query[T]) baseSel(withSelect, star bool) (query.Query, error) {
	if q.r.err != nil {
		return query.Query{}, q.r.err
	}
	if q.r.codec == nil {
		return query.Query{}, errZeroRepo
	}
	if len(q.errs) > 0 {
		return query.Query{}, errors.Join(q.errs...)
	}
	var x query.Query
	if q.r.rpc != nil {
		x = query.RPCFor[T](q.r.rpc.fn)
	} else {
		x = query.From(q.r.tbl)
	}
	if star && q.r.rpc == nil {
		x = x.Select("*")
	}
	if withSelect && !star {
		switch {
		case q.selSet:
			items, err := q.items()
			if err != nil {
				return x, err
			}
			x = x.Select(items...)
		case q.r.rpc == nil || len(q.r.codec.aliases) > 0 || len(q.r.tbl.Relations) > 0:
			x = x.Select(q.r.codec.sel)
		}
	}
	for _, op := range q.ops {
		x = op(x)
	}
	return x, nil
}

// read builds the GET/HEAD (or function call) of x.
func (q *Query[T]) read(x query.Query) (query.Request, []byte, error) {
	if c := q.r.rpc; c != nil {
		call := query.Call{Get: c.get}
		if c.get || c.head {
			call.Args = append(call.Args, c.params...)
			if c.head {
				x = x.Head()
			}
			qr, err := x.Call(call)
			return qr, nil, err
		}
		qr, err := x.Call(call)
		return qr, c.body, err
	}
	qr, err := x.Read()
	return qr, nil, err
}

func (q *Query[T]) fetch(ctx context.Context, op string, mod func(query.Query) query.Query) ([]T, error) {
	q = q.ready()
	x, err := q.base(true)
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", q.label(op), err)
	}
	if mod != nil {
		x = mod(x)
	}
	qr, body, err := q.read(x)
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", q.label(op), err)
	}
	return q.r.decodeManyOp(ctx, "", op, qr, body, true)
}

// Find returns the matching rows, decoded straight into []T.
func (q *Query[T]) Find(ctx context.Context) ([]T, error) { return q.fetch(ctx, "select", nil) }

// First returns the first matching row (in primary-key order unless the
// query orders), or an error matching [ErrNotFound].
func (q *Query[T]) First(ctx context.Context) (T, error) {
	q = q.ready()
	var zero T
	x, err := q.base(true)
	if err != nil {
		return zero, fmt.Errorf("repo: %s: %w", q.label("select"), err)
	}
	x, err = q.stableOrder(x)
	if err != nil && q.r.rpc == nil {
		return zero, fmt.Errorf("repo: %s: %w", q.label("select"), err)
	}
	x = x.Limit(1)
	qr, body, err := q.read(x)
	if err != nil {
		return zero, fmt.Errorf("repo: %s: %w", q.label("select"), err)
	}
	rows, err := q.r.decodeMany(ctx, q.label("select"), qr, body, true)
	if err != nil {
		return zero, err
	}
	if len(rows) == 0 {
		return zero, fmt.Errorf("repo: %s: %w", q.label("select"), ErrNotFound)
	}
	return rows[0], nil
}

// Single returns the one matching row; PostgREST refuses zero or several
// rows with PGRST116, matching [ErrNotFound] or [ErrMultipleRows].
func (q *Query[T]) Single(ctx context.Context) (T, error) {
	q = q.ready()
	var zero T
	x, err := q.base(true)
	if err != nil {
		return zero, fmt.Errorf("repo: %s: %w", q.label("select"), err)
	}
	qr, body, err := q.read(x.Single())
	if err != nil {
		return zero, fmt.Errorf("repo: %s: %w", q.label("select"), err)
	}
	resp, err := q.r.do(ctx, qr, body)
	if err != nil {
		return zero, fmt.Errorf("repo: %s: %w", q.label("select"), err)
	}
	defer transport.DrainClose(resp)
	var v T
	if err := jsoncodec.NewDecoder(resp.Body).Decode(&v); err != nil {
		return zero, fmt.Errorf("repo: %s: %w", q.label("select"), readErr(ctx, err))
	}
	return v, nil
}

// MaybeSingle returns the matching row, nil when there is none, or an
// error matching [ErrMultipleRows] when there are several.
func (q *Query[T]) MaybeSingle(ctx context.Context) (*T, error) {
	q = q.ready()
	rows, err := q.fetch(ctx, "select", nil)
	if err != nil {
		return nil, err
	}
	switch len(rows) {
	case 0:
		return nil, nil
	case 1:
		return &rows[0], nil
	}
	return nil, fmt.Errorf("repo: %s: %w (%d rows)", q.label("select"), ErrMultipleRows, len(rows))
}

// Count returns the number of matching rows with a HEAD request; the
// method is exact unless given (planned, estimated).
func (q *Query[T]) Count(ctx context.Context, method ...query.Count) (int64, error) {
	q = q.ready()
	m := query.CountExact
	if len(method) > 0 {
		m = method[0]
	}
	if m == query.CountNone {
		return 0, fmt.Errorf("repo: %s: %w: CountNone", q.label("count"), ErrInvalid)
	}
	x, err := q.baseSel(false, true)
	if err != nil {
		return 0, fmt.Errorf("repo: %s: %w", q.label("count"), err)
	}
	x = x.Count(m)
	var qr query.Request
	var body []byte
	if q.r.rpc != nil {
		c := q.clone()
		rc := *q.r.rpc
		rc.head, rc.get = true, false
		r := *q.r
		r.rpc = &rc
		c.r = &r
		qr, body, err = c.read(x)
	} else {
		qr, body, err = q.read(x.Head())
	}
	if err != nil {
		return 0, fmt.Errorf("repo: %s: %w", q.label("count"), err)
	}
	resp, err := q.r.do(ctx, qr, body)
	if err != nil {
		return 0, fmt.Errorf("repo: %s: %w", q.label("count"), err)
	}
	transport.DrainClose(resp)
	n := contentRangeCount(resp.Header)
	if n < 0 {
		return 0, fmt.Errorf("repo: %s: no count in Content-Range %q", q.label("count"), resp.Header.Get("Content-Range"))
	}
	return n, nil
}

// FindAndCount returns the matching rows (as limited by the query) and
// the total count of matching rows, in one request. A response without a
// total in Content-Range is an error, never a made-up count.
func (q *Query[T]) FindAndCount(ctx context.Context, method query.Count) ([]T, int64, error) {
	q = q.ready()
	if method == query.CountNone {
		return nil, 0, fmt.Errorf("repo: %s: %w: CountNone", q.label("select"), ErrInvalid)
	}
	x, err := q.base(true)
	if err != nil {
		return nil, 0, fmt.Errorf("repo: %s: %w", q.label("select"), err)
	}
	qr, body, err := q.read(x.Count(method))
	if err != nil {
		return nil, 0, fmt.Errorf("repo: %s: %w", q.label("select"), err)
	}
	resp, err := q.r.do(ctx, qr, body)
	if err != nil {
		return nil, 0, fmt.Errorf("repo: %s: %w", q.label("select"), err)
	}
	defer transport.DrainClose(resp)
	rows, err := decodeRowsHint[T](resp.Body, rangeRows(resp.Header))
	if err != nil {
		return nil, 0, fmt.Errorf("repo: %s: %w", q.label("select"), readErr(ctx, err))
	}
	n := contentRangeCount(resp.Header)
	if n < 0 {
		return nil, 0, fmt.Errorf("repo: %s: no count in Content-Range %q", q.label("select"), resp.Header.Get("Content-Range"))
	}
	return rows, n, nil
}

func (q *Query[T]) text(ctx context.Context, op string, mod func(query.Query) query.Query) (string, error) {
	q = q.ready()
	x, err := q.base(true)
	if err != nil {
		return "", fmt.Errorf("repo: %s: %w", q.label(op), err)
	}
	qr, body, err := q.read(mod(x))
	if err != nil {
		return "", fmt.Errorf("repo: %s: %w", q.label(op), err)
	}
	resp, err := q.r.do(ctx, qr, body)
	if err != nil {
		return "", fmt.Errorf("repo: %s: %w", q.label(op), err)
	}
	defer transport.DrainClose(resp)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("repo: %s: %w", q.label(op), readErr(ctx, err))
	}
	return string(b), nil
}

// CSV returns the matching rows as CSV text (Accept: text/csv).
func (q *Query[T]) CSV(ctx context.Context) (string, error) {
	return q.text(ctx, "select", query.Query.CSV)
}

// Explain returns PostgreSQL's plan for the query (PostgREST must allow
// it: db-plan-enabled).
func (q *Query[T]) Explain(ctx context.Context, o query.ExplainOptions) (string, error) {
	return q.text(ctx, "explain", func(x query.Query) query.Query { return x.Explain(o) })
}

// Change is one column assignment of an update, made by [Set].
type Change struct {
	col any
	val any
}

// Set assigns v to the column col (a field pointer into schema.Cols[T]()).
// The value's type is the column's.
func Set[V any](col *V, v V) Change { return Change{col: col, val: v} }

// Update applies changes to the matching rows and returns them as updated.
// Without a filter it fails with [ErrNoFilter] unless AllowUnfiltered was
// called. Each value is validated against its field's validate tag.
func (q *Query[T]) Update(ctx context.Context, changes ...Change) ([]T, error) {
	q = q.ready()
	label := q.label("update")
	if err := q.r.usable(); err != nil {
		return nil, fmt.Errorf("repo: %s: %w", label, err)
	}
	if len(changes) == 0 {
		return nil, fmt.Errorf("repo: %s: %w: no changes", label, ErrInvalid)
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	seen := map[*schema.Column]bool{}
	for i, ch := range changes {
		col, err := q.r.column(ch.col)
		if err != nil {
			return nil, fmt.Errorf("repo: %s: %w", label, err)
		}
		if col.ReadOnly {
			return nil, fmt.Errorf("repo: %s: %w: column %s (%s.%s) is read-only", label, ErrInvalid, col.Name, q.r.tbl.Type, col.GoName)
		}
		if seen[col] {
			return nil, fmt.Errorf("repo: %s: %w: column %s set twice", label, ErrInvalid, col.Name)
		}
		seen[col] = true
		sf := fieldOf(q.r.tbl.Type, col.Index)
		if tag := ownFieldRules(sf.Tag.Get("validate")); tag != "" {
			if err := runValidator(func() error { return validate.Var(ch.val, tag) }); err != nil {
				if errors.Is(err, errBadValidateTag) {
					return nil, fmt.Errorf("repo: %s: %w", label, err)
				}
				ve := validationError(err, 0).(*ValidationError)
				for j := range ve.Fields {
					ve.Fields[j] = q.r.tbl.Type.Name() + "." + col.GoName + " " + strings.TrimPrefix(ve.Fields[j], " ")
				}
				return nil, fmt.Errorf("repo: %s: %w", label, ve)
			}
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(col.Name)
		buf.Write(kb)
		buf.WriteByte(':')
		if err := encodeValue(&buf, col, ch.val); err != nil {
			return nil, fmt.Errorf("repo: %s: %w: column %s: %v", label, ErrInvalid, col.Name, err)
		}
	}
	buf.WriteByte('}')
	return q.patch(ctx, buf.Bytes())
}

// UpdateRow writes the chosen columns of row (field pointers into
// schema.Cols[T](); all writable columns when none) to the matching rows
// and returns them as updated. The chosen fields are validated first.
func (q *Query[T]) UpdateRow(ctx context.Context, row T, cols ...any) ([]T, error) {
	q = q.ready()
	label := q.label("update")
	if err := q.r.usable(); err != nil {
		return nil, fmt.Errorf("repo: %s: %w", label, err)
	}
	var only map[*schema.Column]bool
	var names []string
	if len(cols) > 0 {
		only = map[*schema.Column]bool{}
		for _, p := range cols {
			col, err := q.r.column(p)
			if err != nil {
				return nil, fmt.Errorf("repo: %s: %w", label, err)
			}
			if col.ReadOnly {
				return nil, fmt.Errorf("repo: %s: %w: column %s is read-only", label, ErrInvalid, col.Name)
			}
			only[col] = true
			names = append(names, strings.Join(fieldPath(q.r.tbl.Type, col.Index), "."))
		}
	} else {
		// every writable column but the primary key, which identifies
		// the rows rather than changing them
		only = map[*schema.Column]bool{}
		for _, col := range q.r.codec.writable {
			if !col.PK {
				only[col] = true
				names = append(names, strings.Join(fieldPath(q.r.tbl.Type, col.Index), "."))
			}
		}
	}
	if q.r.codec.validate && len(names) > 0 {
		if err := runValidator(func() error { return validate.StructPartial(&row, names...) }); err != nil {
			return nil, fmt.Errorf("repo: %s: %w", label, validationError(err, 0))
		}
	}
	var buf bytes.Buffer
	if _, err := q.r.codec.encodeRow(&buf, reflect.ValueOf(&row).Elem(), only); err != nil {
		return nil, fmt.Errorf("repo: %s: %w: %v", label, ErrInvalid, err)
	}
	return q.patch(ctx, buf.Bytes())
}

func fieldPath(t reflect.Type, index []int) []string {
	var out []string
	for _, i := range index {
		f := t.Field(i)
		if !f.Anonymous {
			out = append(out, f.Name)
		}
		t = f.Type
	}
	return out
}

func (q *Query[T]) patch(ctx context.Context, body []byte) ([]T, error) {
	label := q.label("update")
	if q.r.rpc != nil {
		return nil, fmt.Errorf("repo: %s: %w: update on a function result", label, ErrInvalid)
	}
	x, err := q.base(false)
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", label, err)
	}
	x = x.Select(q.selectForWrite()...)
	qr, err := x.Update(query.Write{Returning: true, AllowNoFilter: q.unfiltered})
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", label, noFilter(err))
	}
	return q.r.decodeMany(ctx, label, qr, body, true)
}

func (q *Query[T]) selectForWrite() []any {
	if q.selSet {
		if items, err := q.items(); err == nil {
			return items
		}
	}
	return []any{q.r.codec.sel}
}

func noFilter(err error) error {
	if errors.Is(err, query.ErrNoFilter) {
		return ErrNoFilter
	}
	return err
}

// Delete removes the matching rows and returns them ([ReturnMinimal]: no
// rows). Without a filter it fails with [ErrNoFilter] unless
// AllowUnfiltered was called or given.
func (q *Query[T]) Delete(ctx context.Context, opts ...Option) ([]T, error) {
	q = q.ready()
	label := q.label("delete")
	o, err := collect(opts)
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", label, err)
	}
	if o.count != query.CountNone || o.head || o.get || o.conflictSet || o.ignoreDup || o.defaultToNull != nil {
		return nil, fmt.Errorf("repo: %s: %w: only AllowUnfiltered and ReturnMinimal apply to Delete", label, ErrInvalid)
	}
	if q.r.rpc != nil {
		return nil, fmt.Errorf("repo: %s: %w: delete on a function result", label, ErrInvalid)
	}
	x, err := q.base(false)
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", label, err)
	}
	if !o.minimal {
		x = x.Select(q.selectForWrite()...)
	}
	qr, err := x.Delete(query.Write{Returning: !o.minimal, AllowNoFilter: q.unfiltered || o.unfiltered})
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", label, noFilter(err))
	}
	return q.r.decodeMany(ctx, label, qr, nil, !o.minimal)
}

// stableOrder makes the order total: the query's order (if any) followed
// by the primary key; an error when there is neither.
func (q *Query[T]) stableOrder(x query.Query) (query.Query, error) {
	qr, err := x.Read()
	if err != nil && q.r.rpc == nil {
		return x, err
	}
	var order string
	ps, _ := qr.Params()
	for _, p := range ps {
		if p.Key == "order" {
			order = p.Value
		}
	}
	if q.r.tbl == nil || len(q.r.tbl.PrimaryKey) == 0 {
		if order == "" {
			return x, fmt.Errorf("%w: %s has no primary key and the query no order, so pages would not be stable; add Order", ErrInvalid, reflect.TypeFor[T]())
		}
		return x, nil
	}
	have := map[string]bool{}
	for _, t := range strings.Split(order, ",") {
		name, _, _ := strings.Cut(t, ".")
		have[name] = true
	}
	for _, col := range q.r.tbl.PrimaryKey {
		var b strings.Builder
		writeIdent(&b, col.Name)
		if !have[b.String()] {
			x = x.Order(query.OrderRaw(b.String() + ".asc"))
		}
	}
	return x, nil
}

// All iterates over every matching row, however many, at constant memory:
// it asks for pages of PageSize rows (limit/offset) in a stable order (the
// query's order, then the primary key) and decodes each row as it
// arrives. It keeps paging when the server returns fewer rows than asked
// (its max rows) and stops at the first page shorter than the longest
// seen, or empty. The query must not set its own Limit, Offset or Range.
// Stop early by breaking out of the loop; an error is yielded once, last.
func (q *Query[T]) All(ctx context.Context) iter.Seq2[T, error] {
	q = q.ready()
	return func(yield func(T, error) bool) {
		var zero T
		label := q.label("select")
		x, err := q.base(true)
		if err == nil {
			x, err = q.stableOrder(x)
		}
		if err == nil {
			if qr, _, rerr := q.read(x); rerr != nil {
				err = rerr
			} else if ps, _ := qr.Params(); hasParam(ps, "limit", "offset") {
				err = fmt.Errorf("%w: All pages by itself; remove Limit, Offset and Range (or use Find)", ErrInvalid)
			}
		}
		if err != nil {
			yield(zero, fmt.Errorf("repo: %s: %w", label, err))
			return
		}
		size := q.pageSize
		if size == 0 {
			size = 1000
		}
		offset, longest := 0, 0
		for {
			qr, body, err := q.read(x.Range(offset, offset+size-1))
			if err != nil {
				yield(zero, fmt.Errorf("repo: %s: %w", label, err))
				return
			}
			resp, err := q.r.do(ctx, qr, body)
			if err != nil {
				yield(zero, fmt.Errorf("repo: %s: %w", label, err))
				return
			}
			n, stopped, err := decodeStream(resp.Body, func(v T) bool { return yield(v, nil) })
			transport.DrainClose(resp)
			if stopped {
				return
			}
			if err != nil {
				yield(zero, fmt.Errorf("repo: %s: %w", label, readErr(ctx, err)))
				return
			}
			// A page shorter than asked may have been cut by the server's
			// max rows, which can change at any time: only an empty page,
			// or one shorter than a page of this same iteration, ends the
			// rows. This costs one request more for results shorter than a
			// page, and never loses a row.
			if n == 0 || n < longest {
				return
			}
			longest = max(longest, n)
			offset += n
		}
	}
}

func hasParam(ps []query.Param, keys ...string) bool {
	for _, p := range ps {
		for _, k := range keys {
			if p.Key == k {
				return true
			}
		}
	}
	return false
}
