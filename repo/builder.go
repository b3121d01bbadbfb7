package repo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"reflect"
	"slices"
	"strconv"
	"strings"

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
	count         string
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
		case query.CountExact:
			o.count = "exact"
		case query.CountPlanned:
			o.count = "planned"
		case query.CountEstimated:
			o.count = "estimated"
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
	table   string
	fn      bool
	op      opKind
	opts    options
	body    []byte
	hasBody bool
	params  []param
	nfilter int
	prefer  prefer
	accept  string
	explain string // explain Accept template ("" = none); %s is the for= media type
	maybe   bool
	header  http.Header
	schema  string
	errs    []error
}

// Table starts a query on a table or view. Select, Insert, Update, Upsert
// or Delete then chooses the operation.
func Table(c Conn, name string) *Builder {
	b := &Builder{conn: c, table: name}
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
	b := &Builder{conn: c, table: fn, fn: true, op: opRPC}
	if strings.TrimSpace(fn) == "" {
		b.errs = append(b.errs, fmt.Errorf("%w: empty function name", ErrInvalid))
	}
	b.applyOpts(opts, true, false, false, false)
	if b.opts.head && b.opts.get {
		b.errs = append(b.errs, fmt.Errorf("%w: Get and Head together", ErrInvalid))
	}
	if b.opts.get || b.opts.head {
		ps, err := argsParams(args)
		if err != nil {
			b.errs = append(b.errs, err)
		}
		b.params = append(b.params, ps...)
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
	b.prefer.count = b.opts.count
	return b
}

func (b *Builder) clone() *Builder {
	c := *b
	c.params = slices.Clip(c.params)
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
	if o.count != "" && !count {
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
	cols := cleanSelect(columns)
	if cols == "" {
		cols = "*"
	}
	if b.op == opNone {
		c := b.setOp(opSelect)
		c.applyOpts(opts, true, true, false, false)
		c.prefer.count = c.opts.count
		c.set("select", cols)
		return c
	}
	c := b.clone()
	if len(opts) > 0 {
		c.errs = append(c.errs, fmt.Errorf("%w: options on Select after %s; pass them to %s", ErrInvalid, c.op, c.op))
	}
	c.set("select", cols)
	if c.op != opSelect {
		c.prefer.returnRep = true
	}
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
	c.prefer.resolution = "merge-duplicates"
	if c.opts.ignoreDup {
		c.prefer.resolution = "ignore-duplicates"
	}
	if c.opts.conflictSet {
		if strings.TrimSpace(c.opts.onConflict) == "" {
			c.errs = append(c.errs, fmt.Errorf("%w: empty OnConflict", ErrInvalid))
		}
		c.add("on_conflict", c.opts.onConflict)
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
	c.prefer.count = c.opts.count
	return c
}

func (b *Builder) writeBody(rows any, bulk bool) {
	b.prefer.count = b.opts.count
	if b.opts.defaultToNull != nil && !*b.opts.defaultToNull {
		b.prefer.missing = true
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
		if cols != "" {
			b.add("columns", cols)
		}
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

// bulkColumns returns the columns param of a bulk write: the union of the
// keys of all objects in first-seen order, each double-quoted.
func bulkColumns(body []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // [
		return "", err
	}
	seen := map[string]bool{}
	var cols []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", err
		}
		if t != json.Delim('{') {
			return "", fmt.Errorf("a bulk write takes objects, found %v", t)
		}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return "", err
			}
			key := k.(string)
			if !seen[key] {
				seen[key] = true
				cols = append(cols, strconv.Quote(key))
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", err
			}
		}
		if _, err := dec.Token(); err != nil { // }
			return "", err
		}
	}
	return strings.Join(cols, ","), nil
}

// argsParams turns function arguments into query parameters for GET/HEAD
// calls, in the order of the JSON object (struct field order; sorted keys
// for maps). Arrays become PostgreSQL array literals, objects JSON; null
// arguments are left out (PostgREST then uses the parameter's default).
func argsParams(args any) ([]param, error) {
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
	var ps []param
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
		s, err := jsonArg(v)
		if err != nil {
			return nil, err
		}
		ps = append(ps, param{k.(string), s})
	}
	return ps, nil
}

func jsonArg(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return string(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case []any:
		return formatArray(x)
	default:
		return formatScalar(x)
	}
}

// set replaces the value of key in place, or appends it (URLSearchParams.set).
func (b *Builder) set(key, value string) {
	for i := range b.params {
		if b.params[i].key == key {
			b.params[i].value = value
			// drop later duplicates
			out := b.params[:i+1]
			for _, p := range b.params[i+1:] {
				if p.key != key {
					out = append(out, p)
				}
			}
			b.params = out
			return
		}
	}
	b.params = append(b.params, param{key, value})
}

func (b *Builder) add(key, value string) { b.params = append(b.params, param{key, value}) }

// filter appends column=value as a filter.
func (b *Builder) filter(column, value string, err error) *Builder {
	if err != nil {
		return b.fail(fmt.Errorf("filter on %q: %w", column, err))
	}
	c := b.clone()
	if strings.TrimSpace(column) == "" {
		c.errs = append(c.errs, fmt.Errorf("%w: filter with an empty column", ErrInvalid))
		return c
	}
	c.add(column, value)
	c.nfilter++
	return c
}

func opValue(op string, v any) (string, error) {
	s, err := formatScalar(v)
	return op + "." + s, err
}

// Eq matches rows where column equals value. A nil value matches NULL
// (column=is.null): eq.null would compare a text column with the string
// 'null'.
func (b *Builder) Eq(column string, value any) *Builder {
	if isNil(value) {
		return b.filter(column, "is.null", nil)
	}
	v, err := opValue("eq", value)
	return b.filter(column, v, err)
}

// Neq matches rows where column is not value (nil: not.is.null).
func (b *Builder) Neq(column string, value any) *Builder {
	if isNil(value) {
		return b.filter(column, "not.is.null", nil)
	}
	v, err := opValue("neq", value)
	return b.filter(column, v, err)
}

// Gt matches rows where column > value.
func (b *Builder) Gt(column string, value any) *Builder {
	v, err := opValue("gt", value)
	return b.filter(column, v, err)
}

// Gte matches rows where column >= value.
func (b *Builder) Gte(column string, value any) *Builder {
	v, err := opValue("gte", value)
	return b.filter(column, v, err)
}

// Lt matches rows where column < value.
func (b *Builder) Lt(column string, value any) *Builder {
	v, err := opValue("lt", value)
	return b.filter(column, v, err)
}

// Lte matches rows where column <= value.
func (b *Builder) Lte(column string, value any) *Builder {
	v, err := opValue("lte", value)
	return b.filter(column, v, err)
}

// Like matches column against a case-sensitive pattern (% and _, or *).
func (b *Builder) Like(column, pattern string) *Builder {
	return b.filter(column, "like."+pattern, nil)
}

// ILike matches column against a case-insensitive pattern.
func (b *Builder) ILike(column, pattern string) *Builder {
	return b.filter(column, "ilike."+pattern, nil)
}

func (b *Builder) likeList(column, op string, patterns []string) *Builder {
	s, err := formatArray(patterns)
	return b.filter(column, op+"."+s, err)
}

// LikeAllOf matches column against every pattern.
func (b *Builder) LikeAllOf(column string, patterns []string) *Builder {
	return b.likeList(column, "like(all)", patterns)
}

// LikeAnyOf matches column against any of the patterns.
func (b *Builder) LikeAnyOf(column string, patterns []string) *Builder {
	return b.likeList(column, "like(any)", patterns)
}

// ILikeAllOf matches column case-insensitively against every pattern.
func (b *Builder) ILikeAllOf(column string, patterns []string) *Builder {
	return b.likeList(column, "ilike(all)", patterns)
}

// ILikeAnyOf matches column case-insensitively against any pattern.
func (b *Builder) ILikeAnyOf(column string, patterns []string) *Builder {
	return b.likeList(column, "ilike(any)", patterns)
}

// RegexMatch matches column against a POSIX regular expression (~).
func (b *Builder) RegexMatch(column, pattern string) *Builder {
	return b.filter(column, "match."+pattern, nil)
}

// RegexIMatch matches column case-insensitively against a regular expression (~*).
func (b *Builder) RegexIMatch(column, pattern string) *Builder {
	return b.filter(column, "imatch."+pattern, nil)
}

func isValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "null", nil
	case bool:
		return strconv.FormatBool(x), nil
	case *bool:
		if x == nil {
			return "null", nil
		}
		return strconv.FormatBool(*x), nil
	case string:
		switch strings.ToLower(x) {
		case "null", "true", "false", "unknown":
			return strings.ToLower(x), nil
		}
	}
	return "", fmt.Errorf("%w: is takes nil, a bool, or \"null\"/\"true\"/\"false\"/\"unknown\", got %v", ErrInvalid, v)
}

// Is matches column IS value: nil (NULL), true, false, or the strings
// "null", "true", "false", "unknown".
func (b *Builder) Is(column string, value any) *Builder {
	s, err := isValue(value)
	return b.filter(column, "is."+s, err)
}

// IsDistinct matches column IS DISTINCT FROM value. A nil value is
// column=not.is.null: isdistinct.null would compare a text column with
// the string 'null' (and match its NULLs), as package query also decides.
func (b *Builder) IsDistinct(column string, value any) *Builder {
	if isNil(value) {
		return b.filter(column, "not.is.null", nil)
	}
	v, err := opValue("isdistinct", value)
	return b.filter(column, v, err)
}

// In matches column against a list (a slice). Values are quoted as
// PostgREST requires; duplicates are dropped. A list of only the empty
// string is sent as eq. (PostgREST reads in.("") as the empty list).
func (b *Builder) In(column string, values any) *Builder {
	s, err := formatList(values)
	if s == `("")` {
		return b.filter(column, "eq.", err)
	}
	return b.filter(column, "in."+s, err)
}

// NotIn matches rows whose column is in none of the values.
func (b *Builder) NotIn(column string, values any) *Builder {
	s, err := formatList(values)
	if s == `("")` {
		return b.filter(column, "not.eq.", err)
	}
	return b.filter(column, "not.in."+s, err)
}

// Contains matches array, range or jsonb columns containing value (a slice,
// a range or array literal string, or a map/struct for jsonb).
func (b *Builder) Contains(column string, value any) *Builder {
	s, err := formatContains(value)
	return b.filter(column, "cs."+s, err)
}

// ContainedBy matches columns contained by value.
func (b *Builder) ContainedBy(column string, value any) *Builder {
	s, err := formatContains(value)
	return b.filter(column, "cd."+s, err)
}

// Overlaps matches array or range columns sharing an element with value.
func (b *Builder) Overlaps(column string, value any) *Builder {
	s, err := formatContains(value)
	return b.filter(column, "ov."+s, err)
}

func (b *Builder) rangeOp(column, op string, r any) *Builder {
	s, err := formatRange(r)
	return b.filter(column, op+"."+s, err)
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
	var o query.TextSearchOptions
	if len(opts) == 1 {
		o = opts[0]
	}
	var op string
	switch o.Type {
	case query.FTS:
		op = "fts"
	case query.Plain:
		op = "plfts"
	case query.Phrase:
		op = "phfts"
	case query.Websearch:
		op = "wfts"
	default:
		return b.fail(fmt.Errorf("%w: unknown text search type %d", ErrInvalid, o.Type))
	}
	if o.Config != "" {
		// a configuration name is an identifier; anything else would end
		// the operator early and change the filter's meaning
		for i := 0; i < len(o.Config); i++ {
			if c := o.Config[i]; !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return b.fail(fmt.Errorf("%w: invalid text search config %q", ErrInvalid, o.Config))
			}
		}
		op += "(" + o.Config + ")"
	}
	return b.filter(column, op+"."+q, nil)
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

// formatOp renders a value for a raw operator: a string is passed as
// written (PostgREST syntax); other values are formatted for the operator
// (lists for in, array literals for cs/cd/ov, is values for is).
func formatOp(op string, v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	base := op
	for strings.HasPrefix(base, "not.") {
		base = strings.TrimPrefix(base, "not.")
	}
	if i := strings.IndexByte(base, '('); i >= 0 {
		base = base[:i]
	}
	switch base {
	case "in":
		return formatList(v)
	case "cs", "cd", "ov":
		return formatContains(v)
	case "is":
		return isValue(v)
	case "like", "ilike":
		if _, ok := elements(v); ok {
			return formatArray(v)
		}
	}
	return formatScalar(v)
}

// Not negates one filter: column=not.operator.value. A string value is
// PostgREST syntax as written ("(1,2)" for in); other values are formatted
// for the operator.
func (b *Builder) Not(column, operator string, value any) *Builder {
	s, err := formatOp(operator, value)
	return b.filter(column, "not."+operator+"."+s, err)
}

// Filter adds column=operator.value in raw PostgREST syntax ("in",
// "(1,2)"; "not.eq", 1). Non-string values are formatted for the operator.
func (b *Builder) Filter(column, operator string, value any) *Builder {
	if strings.TrimSpace(operator) == "" {
		return b.fail(fmt.Errorf("%w: Filter on %q with an empty operator", ErrInvalid, column))
	}
	s, err := formatOp(operator, value)
	return b.filter(column, operator+"."+s, err)
}

// Or adds or=(filters) in PostgREST syntax ("id.eq.2,name.eq.Han"), on
// the table or on a referenced table given as the optional argument.
func (b *Builder) Or(filters string, referencedTable ...string) *Builder {
	key := "or"
	if len(referencedTable) > 0 && referencedTable[0] != "" {
		key = referencedTable[0] + ".or"
	}
	return b.filter(key, "("+filters+")", nil)
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
	key := "order"
	if o.ReferencedTable != "" {
		key = o.ReferencedTable + ".order"
	}
	c := b.clone()
	for _, p := range c.params {
		if p.key == key {
			term = p.value + "," + term
			break
		}
	}
	c.set(key, term)
	return c
}

func refKey(key string, ref []string) string {
	if len(ref) > 0 && ref[0] != "" {
		return ref[0] + "." + key
	}
	return key
}

// Limit returns at most n rows (of the referenced table, if given).
func (b *Builder) Limit(n int, referencedTable ...string) *Builder {
	if n < 0 {
		return b.fail(fmt.Errorf("%w: negative limit %d", ErrInvalid, n))
	}
	c := b.clone()
	c.set(refKey("limit", referencedTable), strconv.Itoa(n))
	return c
}

// Range returns the rows from and to (0-based, inclusive) as offset and
// limit (of the referenced table, if given).
func (b *Builder) Range(from, to int, referencedTable ...string) *Builder {
	if from < 0 || to < from {
		return b.fail(fmt.Errorf("%w: range %d..%d", ErrInvalid, from, to))
	}
	c := b.clone()
	c.set(refKey("offset", referencedTable), strconv.Itoa(from))
	c.set(refKey("limit", referencedTable), strconv.Itoa(to-from+1))
	return c
}

func (b *Builder) withAccept(a string) *Builder {
	c := b.clone()
	c.accept = a
	return c
}

// Single asks for exactly one row, returned as an object; PostgREST
// answers PGRST116 otherwise (matching [ErrNotFound] or [ErrMultipleRows]).
func (b *Builder) Single() *Builder { return b.withAccept("application/vnd.pgrst.object+json") }

// MaybeSingle returns the one row as an object, or JSON null when there
// is none; several rows are an error matching [ErrMultipleRows].
func (b *Builder) MaybeSingle() *Builder {
	c := b.clone()
	c.maybe = true
	return c
}

// CSV returns the rows as CSV text.
func (b *Builder) CSV() *Builder { return b.withAccept("text/csv") }

// GeoJSON returns the rows as a GeoJSON FeatureCollection (PostGIS).
func (b *Builder) GeoJSON() *Builder { return b.withAccept("application/geo+json") }

// StripNulls leaves null values out of the returned objects.
func (b *Builder) StripNulls() *Builder {
	return b.withAccept("application/vnd.pgrst.array+json;nulls=stripped")
}

// Explain returns the PostgreSQL plan of the query instead of its rows.
// PostgREST must allow it (db-plan-enabled).
func (b *Builder) Explain(o query.ExplainOptions) *Builder {
	var fmtName string
	switch o.Format {
	case query.ExplainText:
		fmtName = "text"
	case query.ExplainJSON:
		fmtName = "json"
	default:
		return b.fail(fmt.Errorf("%w: unknown explain format %d", ErrInvalid, o.Format))
	}
	var opts []string
	for _, x := range []struct {
		on   bool
		name string
	}{{o.Analyze, "analyze"}, {o.Verbose, "verbose"}, {o.Settings, "settings"}, {o.Buffers, "buffers"}, {o.WAL, "wal"}} {
		if x.on {
			opts = append(opts, x.name)
		}
	}
	c := b.clone()
	c.explain = "application/vnd.pgrst.plan+" + fmtName + `; for="%s"; options=` + strings.Join(opts, "|") + ";"
	return c
}

// Rollback runs the write in a transaction that is rolled back
// (Prefer: tx=rollback; the server must allow it).
func (b *Builder) Rollback() *Builder {
	c := b.clone()
	c.prefer.rollback = true
	return c
}

// MaxAffected makes an update or delete fail, and roll back, when it would
// affect more than n rows (Prefer: handling=strict, max-affected=n).
func (b *Builder) MaxAffected(n int64) *Builder {
	if n <= 0 {
		return b.fail(fmt.Errorf("%w: MaxAffected(%d) must be positive", ErrInvalid, n))
	}
	c := b.clone()
	c.prefer.maxAffected = n
	return c
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
		return "rpc " + b.table
	}
	return b.opName() + " " + b.table
}

// build validates the builder and returns its request.
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
	r := &request{
		params:  b.params,
		prefer:  b.prefer.String(),
		accept:  b.accept,
		header:  b.header,
		body:    b.body,
		hasBody: b.hasBody,
		schema:  b.schema,
	}
	if b.fn {
		r.path = "/rpc/" + pathEscape(b.table)
	} else {
		r.path = "/" + pathEscape(b.table)
	}
	switch b.op {
	case opSelect:
		r.method = http.MethodGet
		if b.opts.head {
			r.method = http.MethodHead
		}
	case opInsert, opUpsert:
		r.method = http.MethodPost
	case opUpdate:
		r.method = http.MethodPatch
	case opDelete:
		r.method = http.MethodDelete
	case opRPC:
		switch {
		case b.opts.head:
			r.method = http.MethodHead
		case b.opts.get:
			r.method = http.MethodGet
		default:
			r.method = http.MethodPost
		}
	}
	if b.explain != "" {
		forType := b.accept
		if forType == "" {
			forType = "application/json"
		}
		r.accept = fmt.Sprintf(b.explain, forType)
	}
	return r, nil
}

// checkNUL refuses a NUL byte anywhere it would travel in the URL or a
// header (PostgreSQL text cannot hold one, and servers cut or reject it),
// as package query does for typed requests.
func (b *Builder) checkNUL() error {
	bad := func(what string) error {
		return fmt.Errorf("%w: %w: %s holds a NUL byte", ErrInvalid, query.ErrInvalidValue, what)
	}
	if strings.IndexByte(b.table, 0) >= 0 {
		return bad("the table or function name")
	}
	if strings.IndexByte(b.schema, 0) >= 0 {
		return bad("the schema name")
	}
	for _, p := range b.params {
		if strings.IndexByte(p.key, 0) >= 0 {
			return bad("parameter name " + strconv.Quote(p.key))
		}
		if strings.IndexByte(p.value, 0) >= 0 {
			return bad("the value of parameter " + strconv.Quote(p.key))
		}
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
	if b.prefer.count != "" {
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

// isNil reports a nil value or a nil pointer (a NULL column value).
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
