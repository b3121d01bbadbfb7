package repo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/textproto"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/transport"
)

type opKind uint8

const (
	opNone opKind = iota
	opSelect
	opInsert
	opUpdate
	opUpsert
	opDelete
	opRPC
)

func (o opKind) String() string {
	switch o {
	case opSelect:
		return "select"
	case opInsert:
		return "insert"
	case opUpdate:
		return "update"
	case opUpsert:
		return "upsert"
	case opDelete:
		return "delete"
	case opRPC:
		return "rpc"
	}
	return "query"
}

// Option tunes a select, write or function call: [WithCount], [Head],
// [Get], [DefaultToNull], [OnConflict], [IgnoreDuplicates],
// [AllowUnfiltered]. An option that does not apply to the call is an error
// at execution, never silently dropped.
type Option func(*options)

type options struct {
	count         query.Count
	head          bool
	get           bool
	defaultToNull *bool
	onConflict    string
	conflictSet   bool
	ignoreDup     bool
	unfiltered    bool
	minimal       bool
	conflictCols  []any
	errs          []error
}

// WithCount asks PostgREST to count the rows (query.CountExact,
// CountPlanned or CountEstimated); the count is returned in
// [Result.Count].
func WithCount(m query.Count) Option {
	return func(o *options) {
		switch m {
		case query.CountExact, query.CountPlanned, query.CountEstimated:
			o.count = m
		default:
			o.errs = append(o.errs, fmt.Errorf("%w: WithCount needs CountExact, CountPlanned or CountEstimated", ErrInvalid))
		}
	}
}

// Head sends a HEAD request: no rows come back, only the count (with
// [WithCount]). For a select or a function call.
func Head() Option { return func(o *options) { o.head = true } }

// Get calls a function with GET, its arguments in the query string
// (read-only functions). For [RPC] only.
func Get() Option { return func(o *options) { o.get = true } }

// DefaultToNull false makes columns missing from some rows of a bulk
// insert or upsert take their default value instead of NULL
// (Prefer: missing=default). True is PostgREST's behaviour.
func DefaultToNull(b bool) Option { return func(o *options) { o.defaultToNull = &b } }

// OnConflict names the unique columns an upsert resolves on
// (on_conflict=…), as PostgREST writes them ("handle,org").
func OnConflict(columns string) Option {
	return func(o *options) { o.onConflict, o.conflictSet = columns, true }
}

// IgnoreDuplicates makes an upsert skip rows that conflict instead of
// merging them (Prefer: resolution=ignore-duplicates).
func IgnoreDuplicates() Option { return func(o *options) { o.ignoreDup = true } }

// AllowUnfiltered lets an update or delete without any filter run; it then
// affects every row the role can see. Without it such calls fail with
// [ErrNoFilter] before anything is sent.
func AllowUnfiltered() Option { return func(o *options) { o.unfiltered = true } }

// Builder is an untyped PostgREST query on one table or function, with the
// reference's method names. Make one with [Table] or [RPC]; choose the
// operation (Select, Insert, Update, Upsert, Delete), chain filters and
// modifiers, then call [Builder.Execute].
//
// A Builder is immutable: every method returns a new Builder and leaves
// the receiver unchanged, so builders can be shared and reused. Errors in
// arguments are collected and returned by Execute.
type Builder struct {
	conn    Conn
	q       query.Query // the request, encoded by package query
	fn      bool
	op      opKind
	opts    options
	write   query.Write
	args    []query.Arg // arguments of a GET or HEAD call
	body    []byte
	hasBody bool
	nfilter int
	maybe   bool
	header  http.Header
	schema  string
	errs    []error
}

// Table starts a query on a table or view. Select, Insert, Update, Upsert
// or Delete then chooses the operation.
func Table(c Conn, name string) *Builder {
	b := &Builder{conn: c, q: query.Table(name)}
	if strings.TrimSpace(name) == "" {
		b.errs = append(b.errs, fmt.Errorf("%w: empty table name", ErrInvalid))
	}
	return b
}

// RPC calls the PostgreSQL function fn with args (a struct or map encoded
// as JSON, or nil for none): POST /rpc/fn, or GET/HEAD with [Get] and
// [Head], the arguments then in the query string. Filters and modifiers
// apply to set-returning functions.
func RPC(c Conn, fn string, args any, opts ...Option) *Builder {
	b := &Builder{conn: c, q: query.RPC(fn), fn: true, op: opRPC}
	if strings.TrimSpace(fn) == "" {
		b.errs = append(b.errs, fmt.Errorf("%w: empty function name", ErrInvalid))
	}
	b.applyOpts(opts, true, false, false, false)
	if b.opts.head && b.opts.get {
		b.errs = append(b.errs, fmt.Errorf("%w: Get and Head together", ErrInvalid))
	}
	if b.opts.get || b.opts.head {
		as, err := callArgs(args)
		if err != nil {
			b.errs = append(b.errs, err)
		}
		b.args = as
	} else {
		body := []byte("{}")
		if args != nil {
			var err error
			body, err = marshalJSON(args)
			if err != nil {
				b.errs = append(b.errs, fmt.Errorf("%w: arguments: %v", ErrInvalid, err))
			} else if t := firstByte(body); t != '{' && string(body) != "null" {
				b.errs = append(b.errs, fmt.Errorf("%w: function arguments must encode as a JSON object, got %T", ErrInvalid, args))
			} else if string(body) == "null" {
				body = []byte("{}")
			}
		}
		b.body, b.hasBody = body, true
	}
	b.q = b.q.Count(b.opts.count)
	if b.opts.head {
		b.q = b.q.Head()
	}
	return b
}

func (b *Builder) clone() *Builder {
	c := *b
	c.args = slices.Clip(c.args)
	c.write.Columns = slices.Clip(c.write.Columns)
	c.write.OnConflict = slices.Clip(c.write.OnConflict)
	c.errs = slices.Clip(c.errs)
	if b.header != nil {
		c.header = b.header.Clone()
	}
	return &c
}

func (b *Builder) fail(err error) *Builder {
	c := b.clone()
	c.errs = append(c.errs, err)
	return c
}

func (b *Builder) applyOpts(opts []Option, count, head, write, upsert bool) {
	var o options
	for _, f := range opts {
		if f == nil {
			b.errs = append(b.errs, fmt.Errorf("%w: nil option", ErrInvalid))
			continue
		}
		f(&o)
	}
	b.errs = append(b.errs, o.errs...)
	bad := func(name string) {
		b.errs = append(b.errs, fmt.Errorf("%w: option %s does not apply to %s", ErrInvalid, name, b.opName()))
	}
	if o.head && !head && b.op != opRPC {
		bad("Head")
	}
	if o.get && b.op != opRPC {
		bad("Get")
	}
	if o.defaultToNull != nil && !write {
		bad("DefaultToNull")
	}
	if (o.conflictSet || o.ignoreDup) && !upsert {
		bad("OnConflict/IgnoreDuplicates")
	}
	if o.unfiltered && b.op != opUpdate && b.op != opDelete {
		bad("AllowUnfiltered")
	}
	if o.count != query.CountNone && !count {
		bad("WithCount")
	}
	if o.minimal {
		bad("ReturnMinimal (a write without Select returns nothing already)")
	}
	if o.conflictCols != nil {
		bad("OnConflictColumns (field pointers need a typed Repo; use OnConflict)")
	}
	b.opts = o
}

func (b *Builder) opName() string {
	if b.op == opNone {
		return "select"
	}
	return b.op.String()
}

func (b *Builder) setOp(op opKind) *Builder {
	c := b.clone()
	if c.fn {
		c.errs = append(c.errs, fmt.Errorf("%w: %s on a function call", ErrInvalid, op))
		return c
	}
	if c.op != opNone {
		c.errs = append(c.errs, fmt.Errorf("%w: %s after %s", ErrInvalid, op, c.op))
		return c
	}
	c.op = op
	return c
}

// Select chooses the columns (PostgREST's select syntax: "id,name",
// "*, cities(name)", aliases, casts, JSON paths; white space outside
// double quotes is removed; "" means "*"). As the first call it makes the
// query a read, taking [WithCount] and [Head]; after a write or on a
// function it asks for the affected rows back (return=representation).
func (b *Builder) Select(columns string, opts ...Option) *Builder {
	var items []any // none: *
	if strings.TrimSpace(columns) != "" {
		items = []any{columns}
	}
	if b.op == opNone {
		c := b.setOp(opSelect)
		c.applyOpts(opts, true, true, false, false)
		c.q = c.q.Count(c.opts.count).Select(items...)
		if c.opts.head {
			c.q = c.q.Head()
		}
		return c
	}
	c := b.clone()
	if len(opts) > 0 {
		c.errs = append(c.errs, fmt.Errorf("%w: options on Select after %s; pass them to %s", ErrInvalid, c.op, c.op))
	}
	c.q = c.q.Select(items...)
	return c
}

// Insert adds one row (a struct or map, encoded with encoding/json, so
// json tags name the columns) or many (a slice of them).
// Options: [WithCount], [DefaultToNull]. Chain Select to get the rows back.
func (b *Builder) Insert(rows any, opts ...Option) *Builder {
	c := b.setOp(opInsert)
	c.applyOpts(opts, true, false, true, false)
	c.writeBody(rows, true)
	return c
}

// Upsert inserts rows or, on a conflict with the primary key (or the
// [OnConflict] columns), merges them (or skips them with
// [IgnoreDuplicates]). Options also: [WithCount], [DefaultToNull].
func (b *Builder) Upsert(rows any, opts ...Option) *Builder {
	c := b.setOp(opUpsert)
	c.applyOpts(opts, true, false, true, true)
	c.write.IgnoreDuplicates = c.opts.ignoreDup
	if c.opts.conflictSet {
		if strings.TrimSpace(c.opts.onConflict) == "" {
			c.errs = append(c.errs, fmt.Errorf("%w: empty OnConflict", ErrInvalid))
		}
		for name := range strings.SplitSeq(c.opts.onConflict, ",") {
			c.write.OnConflict = append(c.write.OnConflict, strings.TrimSpace(name))
		}
	}
	c.writeBody(rows, true)
	return c
}

// Update sets the given columns (a struct or map) on every row the filters
// match. Without a filter it fails with [ErrNoFilter] unless
// [AllowUnfiltered] is given. Options also: [WithCount].
func (b *Builder) Update(values any, opts ...Option) *Builder {
	c := b.setOp(opUpdate)
	c.applyOpts(opts, true, false, false, false)
	c.writeBody(values, false)
	return c
}

// Delete removes the rows the filters match. Without a filter it fails with
// [ErrNoFilter] unless [AllowUnfiltered] is given. Options also:
// [WithCount]. Chain Select to get the deleted rows back.
func (b *Builder) Delete(opts ...Option) *Builder {
	c := b.setOp(opDelete)
	c.applyOpts(opts, true, false, false, false)
	c.q = c.q.Count(c.opts.count)
	c.write.AllowNoFilter = c.opts.unfiltered
	return c
}

func (b *Builder) writeBody(rows any, bulk bool) {
	b.q = b.q.Count(b.opts.count)
	b.write.AllowNoFilter = b.opts.unfiltered
	if b.opts.defaultToNull != nil && !*b.opts.defaultToNull {
		b.write.MissingDefault = true
	}
	body, err := marshalJSON(rows)
	if err != nil {
		b.errs = append(b.errs, fmt.Errorf("%w: %s values: %v", ErrInvalid, b.op, err))
		return
	}
	switch firstByte(body) {
	case '{':
	case '[':
		if !bulk {
			b.errs = append(b.errs, fmt.Errorf("%w: update takes one object of values, not a list", ErrInvalid))
			return
		}
		cols, err := bulkColumns(body)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("%w: %s values: %v", ErrInvalid, b.op, err))
			return
		}
		b.write.Columns = cols
	default:
		b.errs = append(b.errs, fmt.Errorf("%w: %s values must be an object or a list of objects, got %T", ErrInvalid, b.op, rows))
		return
	}
	b.body, b.hasBody = body, true
}

func marshalJSON(v any) ([]byte, error) {
	if r, ok := v.(json.RawMessage); ok {
		if !json.Valid(r) {
			return nil, errors.New("invalid JSON")
		}
		return r, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func firstByte(b []byte) byte {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

// bulkColumns returns the columns of a bulk write: the union of the keys
// of all objects in first-seen order.
func bulkColumns(body []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // [
		return nil, err
	}
	seen := map[string]bool{}
	var cols []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if t != json.Delim('{') {
			return nil, fmt.Errorf("a bulk write takes objects, found %v", t)
		}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key := k.(string)
			if !seen[key] {
				seen[key] = true
				cols = append(cols, key)
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
		}
		if _, err := dec.Token(); err != nil { // }
			return nil, err
		}
	}
	return cols, nil
}

// callArgs turns function arguments into the URL arguments of a GET or
// HEAD call, in the order of the JSON object (struct field order; sorted
// keys for maps). Arrays become PostgreSQL array literals, objects JSON;
// null arguments are left out (PostgREST then uses the parameter's
// default).
func callArgs(args any) ([]query.Arg, error) {
	if args == nil {
		return nil, nil
	}
	body, err := marshalJSON(args)
	if err != nil {
		return nil, fmt.Errorf("%w: arguments: %v", ErrInvalid, err)
	}
	if string(body) == "null" {
		return nil, nil
	}
	if firstByte(body) != '{' {
		return nil, fmt.Errorf("%w: function arguments must encode as a JSON object, got %T", ErrInvalid, args)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	_, _ = dec.Token()
	var as []query.Arg
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		if n, ok := v.(json.Number); ok {
			v = string(n)
		}
		as = append(as, query.NamedArg(k.(string), v))
	}
	return as, nil
}

// col names a column (or PostgREST column text: a JSON path, "cities.name")
// for package query's untyped filters; the name is sent verbatim.
func col(name string) *any { return query.Col[any](name) }

// where adds f as a filter on column.
func (b *Builder) where(column string, f query.Filter) *Builder {
	c := b.clone()
	if strings.TrimSpace(column) == "" {
		c.errs = append(c.errs, fmt.Errorf("%w: filter with an empty column", ErrInvalid))
		return c
	}
	if err := f.Err(); err != nil {
		c.errs = append(c.errs, fmt.Errorf("%w: filter on %q: %w", ErrInvalid, column, err))
		return c
	}
	c.q = c.q.Where(f)
	c.nfilter++
	return c
}

// Eq matches rows where column equals value. A nil value matches NULL
// (column=is.null): eq.null would compare a text column with the string
// 'null'.
func (b *Builder) Eq(column string, value any) *Builder {
	return b.where(column, query.Eq(col(column), value))
}

// Neq matches rows where column is not value (nil: not.is.null).
func (b *Builder) Neq(column string, value any) *Builder {
	return b.where(column, query.Neq(col(column), value))
}

// Gt matches rows where column > value.
func (b *Builder) Gt(column string, value any) *Builder {
	return b.where(column, query.Gt(col(column), value))
}

// Gte matches rows where column >= value.
func (b *Builder) Gte(column string, value any) *Builder {
	return b.where(column, query.Gte(col(column), value))
}

// Lt matches rows where column < value.
func (b *Builder) Lt(column string, value any) *Builder {
	return b.where(column, query.Lt(col(column), value))
}

// Lte matches rows where column <= value.
func (b *Builder) Lte(column string, value any) *Builder {
	return b.where(column, query.Lte(col(column), value))
}

// Like matches column against a case-sensitive pattern (% and _, or *).
func (b *Builder) Like(column, pattern string) *Builder {
	return b.where(column, query.Like(col(column), pattern))
}

// ILike matches column against a case-insensitive pattern.
func (b *Builder) ILike(column, pattern string) *Builder {
	return b.where(column, query.ILike(col(column), pattern))
}

// LikeAllOf matches column against every pattern.
func (b *Builder) LikeAllOf(column string, patterns []string) *Builder {
	return b.where(column, query.LikeAllOf(col(column), patterns...))
}

// LikeAnyOf matches column against any of the patterns.
func (b *Builder) LikeAnyOf(column string, patterns []string) *Builder {
	return b.where(column, query.LikeAnyOf(col(column), patterns...))
}

// ILikeAllOf matches column case-insensitively against every pattern.
func (b *Builder) ILikeAllOf(column string, patterns []string) *Builder {
	return b.where(column, query.ILikeAllOf(col(column), patterns...))
}

// ILikeAnyOf matches column case-insensitively against any pattern.
func (b *Builder) ILikeAnyOf(column string, patterns []string) *Builder {
	return b.where(column, query.ILikeAnyOf(col(column), patterns...))
}

// RegexMatch matches column against a POSIX regular expression (~).
func (b *Builder) RegexMatch(column, pattern string) *Builder {
	return b.where(column, query.RegexMatch(col(column), pattern))
}

// RegexIMatch matches column case-insensitively against a regular expression (~*).
func (b *Builder) RegexIMatch(column, pattern string) *Builder {
	return b.where(column, query.RegexIMatch(col(column), pattern))
}

// trilean reads the value of an is filter.
func trilean(v any) (query.Trilean, error) {
	switch x := v.(type) {
	case nil:
		return query.Null, nil
	case bool:
		if x {
			return query.True, nil
		}
		return query.False, nil
	case *bool:
		if x == nil {
			return query.Null, nil
		}
		return trilean(*x)
	case string:
		switch strings.ToLower(x) {
		case "null":
			return query.Null, nil
		case "true":
			return query.True, nil
		case "false":
			return query.False, nil
		case "unknown":
			return query.Unknown, nil
		}
	}
	return 0, fmt.Errorf("%w: is takes nil, a bool, or \"null\"/\"true\"/\"false\"/\"unknown\", got %v", ErrInvalid, v)
}

// Is matches column IS value: nil (NULL), true, false, or the strings
// "null", "true", "false", "unknown".
func (b *Builder) Is(column string, value any) *Builder {
	t, err := trilean(value)
	if err != nil {
		return b.fail(fmt.Errorf("filter on %q: %w", column, err))
	}
	return b.where(column, query.Is(col(column), t))
}

// IsDistinct matches column IS DISTINCT FROM value. A nil value is
// column=not.is.null: isdistinct.null would compare a text column with
// the string 'null' (and match its NULLs), as package query also decides.
func (b *Builder) IsDistinct(column string, value any) *Builder {
	return b.where(column, query.IsDistinct(col(column), value))
}

// elements returns the elements of a slice or array value ([]byte is a
// value, not a list), or false.
func elements(v any) ([]any, bool) {
	if v == nil {
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

func inFilter(column string, values any) (query.Filter, error) {
	els, ok := elements(values)
	if !ok {
		return query.Filter{}, fmt.Errorf("%w: filter on %q: in needs a slice, got %T", ErrInvalid, column, values)
	}
	return query.In(col(column), els...), nil
}

// In matches column against a list (a slice). Values are quoted as
// PostgREST requires and sent in order, duplicates included. A list of
// only the empty string is sent as eq. (PostgREST reads in.("") as the
// empty list).
func (b *Builder) In(column string, values any) *Builder {
	f, err := inFilter(column, values)
	if err != nil {
		return b.fail(err)
	}
	return b.where(column, f)
}

// NotIn matches rows whose column is in none of the values.
func (b *Builder) NotIn(column string, values any) *Builder {
	f, err := inFilter(column, values)
	if err != nil {
		return b.fail(err)
	}
	return b.where(column, query.Not(f))
}

// Contains matches array, range or jsonb columns containing value (a slice,
// a range or array literal string, or a map/struct for jsonb).
func (b *Builder) Contains(column string, value any) *Builder {
	return b.where(column, query.Contains(col(column), value))
}

// ContainedBy matches columns contained by value.
func (b *Builder) ContainedBy(column string, value any) *Builder {
	return b.where(column, query.ContainedBy(col(column), value))
}

// Overlaps matches array or range columns sharing an element with value.
func (b *Builder) Overlaps(column string, value any) *Builder {
	return b.where(column, query.Overlaps(col(column), value))
}

// rangeText renders a range value: a string as written, or a two-element
// slice [lower, upper] as the half-open range "[lower,upper)", the
// inclusive-exclusive default of PostgreSQL's range constructors.
func rangeText(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	els, ok := elements(v)
	if !ok || len(els) != 2 {
		return "", fmt.Errorf("%w: a range is a string literal or a [lower, upper] pair, got %T", ErrInvalid, v)
	}
	var bound [2]string
	for i, e := range els {
		switch x := e.(type) {
		case string:
			bound[i] = x
		case time.Time:
			bound[i] = x.Format(time.RFC3339Nano)
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
			bound[i] = fmt.Sprint(x)
		default:
			return "", fmt.Errorf("%w: a range bound is a string, a number or a time, got %T", ErrInvalid, e)
		}
	}
	return "[" + bound[0] + "," + bound[1] + ")", nil
}

func (b *Builder) rangeOp(column, op string, r any) *Builder {
	s, err := rangeText(r)
	if err != nil {
		return b.fail(fmt.Errorf("filter on %q: %w", column, err))
	}
	return b.where(column, query.Raw(column, op, s))
}

// RangeGt matches ranges strictly right of r (a literal such as
// "[2000-01-01 08:00, 2000-01-01 09:00)" or a [lower, upper] pair).
func (b *Builder) RangeGt(column string, r any) *Builder { return b.rangeOp(column, "sr", r) }

// RangeGte matches ranges that do not extend left of r.
func (b *Builder) RangeGte(column string, r any) *Builder { return b.rangeOp(column, "nxl", r) }

// RangeLt matches ranges strictly left of r.
func (b *Builder) RangeLt(column string, r any) *Builder { return b.rangeOp(column, "sl", r) }

// RangeLte matches ranges that do not extend right of r.
func (b *Builder) RangeLte(column string, r any) *Builder { return b.rangeOp(column, "nxr", r) }

// RangeAdjacent matches ranges adjacent to r.
func (b *Builder) RangeAdjacent(column string, r any) *Builder { return b.rangeOp(column, "adj", r) }

// TextSearch matches a tsvector (or text) column against query, with the
// parser type and text search configuration of opts (query.FTS by
// default; query.Plain, query.Phrase, query.Websearch).
func (b *Builder) TextSearch(column, q string, opts ...query.TextSearchOptions) *Builder {
	if len(opts) > 1 {
		return b.fail(fmt.Errorf("%w: TextSearch takes at most one TextSearchOptions", ErrInvalid))
	}
	return b.where(column, query.TextSearch(col(column), q, opts...))
}

// Match adds one Eq per entry, in sorted key order (Go maps have none).
func (b *Builder) Match(values map[string]any) *Builder {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	c := b
	for _, k := range keys {
		c = c.Eq(k, values[k])
	}
	return c
}

// valueOps are the operators whose value package query encodes as it is.
var valueOps = map[string]func(*any, any) query.Filter{
	"eq": query.Eq[any], "neq": query.Neq[any], "gt": query.Gt[any], "gte": query.Gte[any],
	"lt": query.Lt[any], "lte": query.Lte[any], "isdistinct": query.IsDistinct[any],
	"cs": query.Contains[any], "cd": query.ContainedBy[any], "ov": query.Overlaps[any],
}

// opFilter builds column=operator.value: a string value is PostgREST
// syntax as written ("(1,2)" for in); other values are encoded for the
// operator by package query (lists for in, array literals for cs/cd/ov,
// is values for is).
func opFilter(column, operator string, v any) (query.Filter, error) {
	if s, ok := v.(string); ok {
		return query.Raw(column, operator, s), nil
	}
	base, neg := operator, false
	for strings.HasPrefix(base, "not.") {
		base, neg = base[len("not."):], !neg
	}
	name, mod, _ := strings.Cut(base, "(")
	c := col(column)
	var f query.Filter
	if op, ok := valueOps[name]; ok && mod == "" {
		f = op(c, v)
		if neg {
			f = query.Not(f)
		}
		return f, nil
	}
	switch name {
	case "in":
		var err error
		if f, err = inFilter(column, v); err != nil {
			return f, err
		}
	case "is":
		t, err := trilean(v)
		if err != nil {
			return f, err
		}
		f = query.Is(c, t)
	case "sr", "nxl", "sl", "nxr", "adj":
		s, err := rangeText(v)
		if err != nil {
			return f, err
		}
		return query.Raw(column, operator, s), nil
	case "like", "ilike":
		ps, ok := v.([]string)
		if !ok || (mod != "any)" && mod != "all)") {
			return f, fmt.Errorf("%w: %s takes a pattern string, or a []string with (any) or (all), got %T", ErrInvalid, operator, v)
		}
		switch name + mod {
		case "likeany)":
			f = query.LikeAnyOf(c, ps...)
		case "likeall)":
			f = query.LikeAllOf(c, ps...)
		case "ilikeany)":
			f = query.ILikeAnyOf(c, ps...)
		default:
			f = query.ILikeAllOf(c, ps...)
		}
	default:
		return f, fmt.Errorf("%w: operator %q takes its value as a PostgREST string, got %T", ErrInvalid, operator, v)
	}
	if neg {
		f = query.Not(f)
	}
	return f, nil
}

// Not negates one filter: column=not.operator.value. A string value is
// PostgREST syntax as written ("(1,2)" for in); other values are formatted
// for the operator.
func (b *Builder) Not(column, operator string, value any) *Builder {
	f, err := opFilter(column, "not."+operator, value)
	if err != nil {
		return b.fail(fmt.Errorf("filter on %q: %w", column, err))
	}
	return b.where(column, f)
}

// Filter adds column=operator.value in raw PostgREST syntax ("in",
// "(1,2)"; "not.eq", 1). Non-string values are formatted for the operator.
func (b *Builder) Filter(column, operator string, value any) *Builder {
	if strings.TrimSpace(operator) == "" {
		return b.fail(fmt.Errorf("%w: Filter on %q with an empty operator", ErrInvalid, column))
	}
	f, err := opFilter(column, operator, value)
	if err != nil {
		return b.fail(fmt.Errorf("filter on %q: %w", column, err))
	}
	return b.where(column, f)
}

// Or adds or=(filters) in PostgREST syntax ("id.eq.2,name.eq.Han"), on
// the table or on a referenced table given as the optional argument.
func (b *Builder) Or(filters string, referencedTable ...string) *Builder {
	f := query.OrRaw(filters)
	if len(referencedTable) > 0 && referencedTable[0] != "" {
		f = query.On(referencedTable[0], f)
	}
	return b.where("or", f)
}

// Nulls places NULLs in an order.
type Nulls uint8

// Null placements; NullsDefault leaves PostgreSQL's (last ascending, first
// descending) and writes nothing.
const (
	NullsDefault Nulls = iota
	NullsFirst
	NullsLast
)

// OrderOptions tunes [Builder.Order].
type OrderOptions struct {
	Descending      bool
	Nulls           Nulls
	ReferencedTable string // order the rows of this embedded resource
}

// Order sorts by column (a column, JSON path or "rel(col)"). Several calls
// add keys in order.
func (b *Builder) Order(column string, opts ...OrderOptions) *Builder {
	var o OrderOptions
	if len(opts) > 1 {
		return b.fail(fmt.Errorf("%w: Order takes at most one OrderOptions", ErrInvalid))
	}
	if len(opts) == 1 {
		o = opts[0]
	}
	if strings.TrimSpace(column) == "" {
		return b.fail(fmt.Errorf("%w: Order with an empty column", ErrInvalid))
	}
	term := column + ".asc"
	if o.Descending {
		term = column + ".desc"
	}
	switch o.Nulls {
	case NullsFirst:
		term += ".nullsfirst"
	case NullsLast:
		term += ".nullslast"
	}
	c := b.clone()
	if o.ReferencedTable != "" {
		c.q = c.q.OrderOf(o.ReferencedTable, query.OrderRaw(term))
	} else {
		c.q = c.q.Order(query.OrderRaw(term))
	}
	return c
}

// Limit returns at most n rows (of the referenced table, if given).
func (b *Builder) Limit(n int, referencedTable ...string) *Builder {
	if n < 0 {
		return b.fail(fmt.Errorf("%w: negative limit %d", ErrInvalid, n))
	}
	c := b.clone()
	if len(referencedTable) > 0 && referencedTable[0] != "" {
		c.q = c.q.LimitOf(referencedTable[0], n)
	} else {
		c.q = c.q.Limit(n)
	}
	return c
}

// Range returns the rows from and to (0-based, inclusive) as offset and
// limit (of the referenced table, if given).
func (b *Builder) Range(from, to int, referencedTable ...string) *Builder {
	if from < 0 || to < from {
		return b.fail(fmt.Errorf("%w: range %d..%d", ErrInvalid, from, to))
	}
	c := b.clone()
	if len(referencedTable) > 0 && referencedTable[0] != "" {
		c.q = c.q.RangeOf(referencedTable[0], from, to)
	} else {
		c.q = c.q.Range(from, to)
	}
	return c
}

func (b *Builder) with(f func(query.Query) query.Query) *Builder {
	c := b.clone()
	c.q = f(c.q)
	return c
}

// Single asks for exactly one row, returned as an object; PostgREST
// answers PGRST116 otherwise (matching [ErrNotFound] or [ErrMultipleRows]).
func (b *Builder) Single() *Builder { return b.with(query.Query.Single) }

// MaybeSingle returns the one row as an object, or JSON null when there
// is none; several rows are an error matching [ErrMultipleRows].
func (b *Builder) MaybeSingle() *Builder {
	c := b.with(query.Query.MaybeSingle)
	c.maybe = true
	return c
}

// CSV returns the rows as CSV text.
func (b *Builder) CSV() *Builder { return b.with(query.Query.CSV) }

// GeoJSON returns the rows as a GeoJSON FeatureCollection (PostGIS).
func (b *Builder) GeoJSON() *Builder { return b.with(query.Query.GeoJSON) }

// StripNulls leaves null values out of the returned objects.
func (b *Builder) StripNulls() *Builder { return b.with(query.Query.StripNulls) }

// Explain returns the PostgreSQL plan of the query instead of its rows.
// PostgREST must allow it (db-plan-enabled).
func (b *Builder) Explain(o query.ExplainOptions) *Builder {
	if o.Format != query.ExplainText && o.Format != query.ExplainJSON {
		return b.fail(fmt.Errorf("%w: unknown explain format %d", ErrInvalid, o.Format))
	}
	return b.with(func(q query.Query) query.Query { return q.Explain(o) })
}

// Rollback runs the write in a transaction that is rolled back
// (Prefer: tx=rollback; the server must allow it).
func (b *Builder) Rollback() *Builder { return b.with(query.Query.Rollback) }

// MaxAffected makes an update or delete fail, and roll back, when it would
// affect more than n rows (Prefer: handling=strict, max-affected=n).
func (b *Builder) MaxAffected(n int64) *Builder {
	if n <= 0 || n > math.MaxInt-1 {
		return b.fail(fmt.Errorf("%w: MaxAffected(%d) must be positive", ErrInvalid, n))
	}
	return b.with(func(q query.Query) query.Query { return q.MaxAffected(int(n)) })
}

// SetHeader adds a header to this request. apikey and Authorization are
// set by the client and refused here.
func (b *Builder) SetHeader(key, value string) *Builder {
	switch textproto.CanonicalMIMEHeaderKey(key) {
	case "Apikey", "Authorization":
		return b.fail(fmt.Errorf("%w: header %s is set by the client", ErrInvalid, key))
	case "":
		return b.fail(fmt.Errorf("%w: empty header name", ErrInvalid))
	}
	if strings.ContainsAny(key+value, "\r\n") {
		return b.fail(fmt.Errorf("%w: header %s contains a line break", ErrInvalid, key))
	}
	c := b.clone()
	if c.header == nil {
		c.header = http.Header{}
	}
	c.header.Set(key, value)
	return c
}

// Schema runs the query in another database schema than the client's
// (Accept-Profile / Content-Profile).
func (b *Builder) Schema(name string) *Builder {
	if strings.TrimSpace(name) == "" {
		return b.fail(fmt.Errorf("%w: empty schema", ErrInvalid))
	}
	c := b.clone()
	c.schema = name
	return c
}

// label names the call in errors: "select countries".
func (b *Builder) label() string {
	if b.fn {
		return "rpc " + b.q.Name()
	}
	return b.opName() + " " + b.q.Name()
}

// build validates the builder and returns its request, encoded by
// package query.
func (b *Builder) build() (*request, error) {
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	if b.conn == nil {
		return nil, fmt.Errorf("%w: nil connection", ErrInvalid)
	}
	if b.op == opNone {
		return nil, fmt.Errorf("%w: no operation; call Select, Insert, Update, Upsert or Delete", ErrInvalid)
	}
	if (b.op == opUpdate || b.op == opDelete) && b.nfilter == 0 && !b.opts.unfiltered {
		return nil, ErrNoFilter
	}
	if err := b.checkNUL(); err != nil {
		return nil, err
	}
	var qr query.Request
	var err error
	switch b.op {
	case opSelect:
		qr, err = b.q.Read()
	case opInsert:
		qr, err = b.q.Insert(b.write)
	case opUpsert:
		qr, err = b.q.Upsert(b.write)
	case opUpdate:
		qr, err = b.q.Update(b.write)
	case opDelete:
		qr, err = b.q.Delete(b.write)
	case opRPC:
		qr, err = b.q.Call(query.Call{Get: b.opts.get, Args: b.args})
	}
	if err != nil {
		if errors.Is(err, query.ErrNoFilter) {
			return nil, ErrNoFilter
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	r := &request{
		method:   qr.Method,
		path:     qr.Path,
		rawQuery: qr.RawQuery,
		prefer:   qr.Prefer,
		accept:   qr.Accept,
		header:   b.header,
		body:     b.body,
		hasBody:  b.hasBody && qr.Method != http.MethodGet && qr.Method != http.MethodHead,
		schema:   b.schema,
		count:    qr.Count != query.CountNone,
	}
	return r, nil
}

// checkNUL refuses a NUL byte in the schema or a header (PostgreSQL text
// cannot hold one, and servers cut or reject it); package query refuses
// it in names and values.
func (b *Builder) checkNUL() error {
	bad := func(what string) error {
		return fmt.Errorf("%w: %w: %s holds a NUL byte", ErrInvalid, query.ErrInvalidValue, what)
	}
	if strings.IndexByte(b.schema, 0) >= 0 {
		return bad("the schema name")
	}
	for k, vs := range b.header {
		for _, v := range vs {
			if strings.IndexByte(k+v, 0) >= 0 {
				return bad("header " + strconv.Quote(k))
			}
		}
	}
	return nil
}

// Result is the answer to [Builder.Execute].
type Result struct {
	// Status is the HTTP status.
	Status int
	// Count is the row count PostgREST reported (Content-Range) when a
	// count was asked for, else -1.
	Count int64
	// Data is the response body: a JSON array of rows, one JSON object
	// (Single, MaybeSingle; null when MaybeSingle found none), CSV or a
	// plan. Empty for HEAD and for writes without Select.
	Data json.RawMessage
}

// Rows decodes Data as rows (a single object becomes one row).
func (r *Result) Rows() ([]map[string]any, error) {
	if len(bytes.TrimSpace(r.Data)) == 0 || string(bytes.TrimSpace(r.Data)) == "null" {
		return nil, nil
	}
	if firstByte(r.Data) == '{' {
		var m map[string]any
		if err := json.Unmarshal(r.Data, &m); err != nil {
			return nil, err
		}
		return []map[string]any{m}, nil
	}
	var rows []map[string]any
	err := json.Unmarshal(r.Data, &rows)
	return rows, err
}

// Decode decodes Data into v.
func (r *Result) Decode(v any) error { return json.Unmarshal(r.Data, v) }

// Execute sends the request and returns the whole response. Errors are
// wrapped "repo: <op> <table>: …" and match the sentinels with errors.Is.
func (b *Builder) Execute(ctx context.Context) (*Result, error) {
	res, err := b.execute(ctx)
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", b.label(), err)
	}
	return res, nil
}

func (b *Builder) execute(ctx context.Context) (*Result, error) {
	r, err := b.build()
	if err != nil {
		return nil, err
	}
	resp, err := send(ctx, b.conn, r)
	if err != nil {
		return nil, err
	}
	defer transport.DrainClose(resp)
	res := &Result{Status: resp.StatusCode, Count: -1}
	if r.count {
		res.Count = contentRangeCount(resp.Header)
	}
	if r.method == http.MethodHead {
		return res, nil
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("read response: %w", err)
	}
	res.Data = data
	if b.maybe && firstByte(data) == '[' {
		var rows []json.RawMessage
		if err := json.Unmarshal(data, &rows); err != nil {
			return nil, fmt.Errorf("decode response: %w", err)
		}
		switch len(rows) {
		case 0:
			res.Data = json.RawMessage("null")
		case 1:
			res.Data = rows[0]
		default:
			return nil, fmt.Errorf("%w: maybe single got %d rows", ErrMultipleRows, len(rows))
		}
	}
	return res, nil
}
