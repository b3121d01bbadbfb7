package query

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/supakit/supakit/schema"
)

// Count selects how PostgREST counts rows (Prefer: count=...); the total
// comes back in the Content-Range response header.
type Count uint8

const (
	CountNone      Count = iota
	CountExact           // count=exact: an exact COUNT(*)
	CountPlanned         // count=planned: the planner's estimate
	CountEstimated       // count=estimated: exact up to db-max-rows, then planned
)

var countText = [...]string{CountExact: "count=exact", CountPlanned: "count=planned", CountEstimated: "count=estimated"}

// Expect is the number of rows a request is meant to return, for the
// executor to decode and check.
type Expect uint8

const (
	ExpectMany  Expect = iota // a JSON array (or nothing for HEAD and minimal writes)
	ExpectOne                 // Accept: application/vnd.pgrst.object+json: exactly one object, the server refuses otherwise
	ExpectMaybe               // a JSON array the executor must check holds at most one row
)

// Format is the response format requested with Accept.
type Format uint8

const (
	FormatJSON    Format = iota // application/json (the default; no Accept sent)
	FormatCSV                   // text/csv
	FormatGeoJSON               // application/geo+json
	FormatPlan                  // an explain plan (see Explain)
)

// ExplainFormat is the format of an explain plan.
type ExplainFormat uint8

const (
	ExplainText ExplainFormat = iota // application/vnd.pgrst.plan+text
	ExplainJSON                      // application/vnd.pgrst.plan+json
)

// ExplainOptions are the options of [Query.Explain], sent in the Accept
// header in this order: analyze|verbose|settings|buffers|wal.
type ExplainOptions struct {
	Analyze  bool
	Verbose  bool
	Settings bool
	Buffers  bool
	WAL      bool
	Format   ExplainFormat
}

// Header is an extra request header.
type Header struct{ Name, Value string }

type seqFilter struct {
	seq int32
	f   Filter
}

type orderTerm struct {
	seq   int32
	scope scopeRef // explicit scope (OrderOf), else from the column
	col   colRef
	raw   string
	desc  bool
	nulls int8 // 1 first, -1 last
	err   error
}

// page is limit/offset for one scope.
type page struct {
	scope               scopeRef
	limit, offset       int64
	hasLimit, hasOffset bool
	seqLimit, seqOffset int32
}

// Query describes a PostgREST request on a table, view or function:
// select list, filters and modifiers. It is an immutable value: every
// method returns a new Query and leaves the receiver unchanged, so a Query
// can be shared and reused across goroutines. Input errors (bad field
// pointers, bad values) are collected and returned, joined, by the
// methods that build a [Request]; nothing is dropped silently.
//
// The zero Query has no table; use [For], [From], [Table] or [RPC].
type Query struct {
	tbl      *schema.Table
	name     string
	urlPath  string
	rpc      bool
	err      error
	seq      int32
	sel      []Item
	selSet   bool
	selSeq   int32
	filters  []seqFilter
	orders   []orderTerm
	rootPage page
	// m holds the modifiers most queries never set; nil for none. A
	// modifiers value is never changed once a Query refers to it: a
	// method setting one copies it first (setMods), so the copies of a
	// Query share it safely and a Query stays small to copy.
	m *modifiers

	// gen identifies this value among all the queries derived from the
	// same root: every method that returns a changed Query gives it a new
	// gen (touch). cache, shared by those queries, remembers the Request
	// Read built for one gen, so a reused query is encoded once.
	gen   uint64
	cache *readCache
}

// modifiers are the rarely set parts of a Query (see Query.m).
type modifiers struct {
	pages       []page // embedded resources
	count       Count
	head        bool
	expect      Expect
	format      Format
	stripNulls  bool
	rollback    bool
	explain     *ExplainOptions
	schemaName  string
	headers     []Header
	maxAffected int64
}

var noModifiers modifiers

// mods returns the query's modifiers, for reading only.
func (q *Query) mods() *modifiers {
	if q.m == nil {
		return &noModifiers
	}
	return q.m
}

// setMods gives q its own copy of its modifiers and returns it, to change.
func (q *Query) setMods() *modifiers {
	m := new(modifiers)
	if q.m != nil {
		*m = *q.m
	}
	q.m = m
	return m
}

// readCache holds the Request built by Read for the query of one gen.
type readCache struct {
	mu  sync.RWMutex
	gen atomic.Uint64 // 0: empty; written under mu, read without it to miss cheaply
	req Request
}

// gens numbers query values; 0 is never handed out.
var gens atomic.Uint64

// touch marks q as a new query value: a Request cached for its parent no
// longer applies to it.
func (q *Query) touch() { q.gen = gens.Add(1) }

// cachedRead returns the Request cached for q, if any.
func (q *Query) cachedRead() (Request, bool) {
	c := q.cache
	if c == nil {
		return Request{}, false
	}
	if c.gen.Load() != q.gen {
		return Request{}, false
	}
	c.mu.RLock()
	r, ok := c.req, c.gen.Load() == q.gen
	c.mu.RUnlock()
	if !ok {
		return Request{}, false
	}
	if len(r.Headers) > 0 {
		r.Headers = slices.Clone(r.Headers)
	}
	return r, true
}

// storeRead caches r as the Request of q; the caller keeps r, the cache
// its own copy of the header list.
func (q *Query) storeRead(r Request) {
	c := q.cache
	if c == nil {
		return
	}
	if len(r.Headers) > 0 {
		r.Headers = slices.Clone(r.Headers)
	}
	c.mu.Lock()
	c.gen.Store(q.gen)
	c.req = r
	c.mu.Unlock()
}

// tablePaths caches the URL path of each table.
var tablePaths sync.Map // pathKey -> string

type pathKey struct {
	t    reflect.Type
	name string
}

// For returns a query on T's table, with T's metadata: typed columns are
// checked against it and the default select derives from it.
func For[T any]() Query {
	typ := reflect.TypeFor[T]()
	if p, ok := forQueries.Load(typ); ok {
		q := *p.(*Query)
		if q.tbl != nil {
			q.cache = new(readCache)
			q.touch()
		}
		return q
	}
	var q Query
	if t, err := schema.Of[T](); err != nil {
		q = Query{err: err}
	} else {
		q = From(t)
	}
	p := q
	p.cache, p.gen = nil, 0
	forQueries.Store(typ, &p)
	return q
}

// forQueries holds, per Go type, the query For returns, without its Read
// cache and number: schema.Of keeps a type's metadata (or error) for good,
// so one look-up replaces two.
var forQueries sync.Map // reflect.Type -> *Query

// From returns a query on the table t describes.
func From(t *schema.Table) Query {
	if t == nil {
		return Query{err: errors.New("query: nil table")}
	}
	q := Query{tbl: t, name: t.Name, cache: new(readCache)}
	q.touch()
	if p, ok := tablePaths.Load(pathKey{t.Type, t.Name}); ok {
		q.urlPath = p.(string)
	} else {
		q.urlPath = q.path()
		tablePaths.Store(pathKey{t.Type, t.Name}, q.urlPath)
	}
	if t.Name == "" {
		q.err = errors.Join(schema.ErrNoTableName, errors.New("query: "+t.Type.String()+" has no table name: add a TableName() string method or use schema.Table.WithName"))
	}
	return q
}

// Table returns an untyped query on the named table or view: the default
// select is *, and typed columns are taken as columns of the table.
func Table(name string) Query {
	q := Query{name: name, cache: new(readCache)}
	q.touch()
	q.urlPath = q.path()
	if name == "" || strings.ContainsAny(name, "\x00/?#") {
		q.err = errors.New("query: invalid table name " + quoteErr(name))
	}
	return q
}

// RPC returns a query calling the database function fn (POST
// /rpc/fn, or GET/HEAD with arguments in the URL). Filters and modifiers
// apply to a set-returning function's result.
func RPC(fn string) Query {
	q := Query{name: fn, rpc: true, cache: new(readCache)}
	q.touch()
	q.urlPath = q.path()
	if fn == "" || strings.ContainsAny(fn, "\x00/?#") {
		q.err = errors.New("query: invalid function name " + quoteErr(fn))
	}
	return q
}

// RPCFor is RPC with T's metadata for typed columns and the default select.
func RPCFor[T any](fn string) Query {
	q := RPC(fn)
	t, err := schema.Of[T]()
	if err != nil {
		q.err = errors.Join(q.err, err)
	}
	q.tbl = t
	q.touch()
	return q
}

// TableMeta returns the query's table metadata (nil for untyped queries).
func (q Query) TableMeta() *schema.Table { return q.tbl }

// Name returns the table or function name.
func (q Query) Name() string { return q.name }

// IsRPC reports whether the query calls a function.
func (q Query) IsRPC() bool { return q.rpc }

// Err returns the errors collected so far (construction, filters, select
// and order items), joined; nil if the query is valid so far.
func (q Query) Err() error { return q.collectErrs() }

// collectErrs is Err without copying the query.
func (q *Query) collectErrs() error {
	var errs []error
	if q.err != nil {
		errs = append(errs, q.err)
	}
	for i := range q.sel {
		q.sel[i].collectErrs(&errs)
	}
	for i := range q.filters {
		q.filters[i].f.collectErrs(&errs)
	}
	for i := range q.orders {
		o := &q.orders[i]
		if o.err != nil {
			errs = append(errs, o.err)
		}
		if o.col.err != nil {
			errs = append(errs, o.col.err)
		}
		if o.scope.err != nil {
			errs = append(errs, o.scope.err)
		}
	}
	pages := q.mods().pages
	for i := range pages {
		if pages[i].scope.err != nil {
			errs = append(errs, pages[i].scope.err)
		}
	}
	return errors.Join(errs...)
}

func (q *Query) next() int32 {
	s := q.seq
	q.seq++
	return s
}

func (q Query) addErr(err error) Query {
	q.touch()
	q.err = errors.Join(q.err, err)
	return q
}

// Select sets the select list, replacing any earlier one. Each item is a
// field pointer (a column, or a relation field to embed with its target's
// default select), an [Item] ([As], [Cast], [Embed]), or raw PostgREST
// select text ("*", "id, cities(count)"), whose white space outside
// double quotes is removed. Without Select, a typed query selects
// [DefaultSelect] of its type and an untyped one *.
func (q Query) Select(items ...any) Query {
	q.touch()
	sel := make([]Item, len(items))
	for i, x := range items {
		sel[i] = item(x)
	}
	if len(items) == 0 {
		sel = []Item{rawItem("*", nil)}
	}
	q.sel = sel
	if !q.selSet {
		q.selSeq = q.next()
	}
	q.selSet = true
	return q
}

// Where adds filters, combined with AND. Filters on the same column may
// repeat (id=gte.1&id=lte.10): parameters keep the order they were added.
func (q Query) Where(fs ...Filter) Query {
	q.touch()
	n := make([]seqFilter, len(q.filters), len(q.filters)+len(fs))
	copy(n, q.filters)
	for _, f := range fs {
		n = append(n, seqFilter{seq: q.next(), f: f})
	}
	q.filters = n
	return q
}

// Filters returns how many filters the query has (top-level, as added).
func (q Query) Filters() int { return len(q.filters) }

// Order is a term of an order list, built by [Asc] and [Desc].
type Order struct {
	t orderTerm
}

// Asc orders by col ascending (col.asc). col is a field pointer (of the
// queried type, or of an embedded type: the order then applies to that
// resource, cities.order=name.asc) or a [Col] pointer.
func Asc(col any) Order { return orderOf(col, false) }

// Desc orders by col descending (col.desc).
func Desc(col any) Order { return orderOf(col, true) }

func orderOf(col any, desc bool) Order {
	t := orderTerm{desc: desc}
	if s, ok := col.(string); ok {
		t.err = errors.New("query: order by a string " + quoteErr(s) + ": use Asc(query.Col[T](name)) or OrderRaw")
		return Order{t}
	}
	ref, rel := refOfAny(col)
	if rel != nil {
		ref.err = columnError(rel.Table.Type.Name()+"."+rel.GoName+" is a relation; order by one of its columns", nil)
	}
	t.col = ref
	return Order{t}
}

// NullsFirst puts nulls first (col.asc.nullsfirst).
func (o Order) NullsFirst() Order { o.t.nulls = 1; return o }

// NullsLast puts nulls last (col.asc.nullslast).
func (o Order) NullsLast() Order { o.t.nulls = -1; return o }

// OrderRaw is an order term in PostgREST's syntax, sent verbatim
// ("name.desc.nullslast", "section(name).asc").
func OrderRaw(term string) Order {
	t := orderTerm{raw: term}
	if term == "" || strings.ContainsAny(term, "\x00") {
		t.err = errors.New("query: empty or invalid order term")
	}
	return Order{t}
}

// Order appends order terms. Terms on columns of an embedded type go to
// that resource's order parameter (cities.order=...).
func (q Query) Order(os ...Order) Query {
	return q.order(scopeRef{}, os)
}

// OrderOf appends order terms of the embedded resource rel (a relation
// field pointer, or a path such as "cities"): cities.order=...
func (q Query) OrderOf(rel any, os ...Order) Query {
	return q.order(scopeOf(rel), os)
}

func (q Query) order(sc scopeRef, os []Order) Query {
	q.touch()
	n := make([]orderTerm, len(q.orders), len(q.orders)+len(os))
	copy(n, q.orders)
	for _, o := range os {
		t := o.t
		t.scope = sc
		t.seq = q.next()
		n = append(n, t)
	}
	q.orders = n
	return q
}

func (q Query) setPage(sc scopeRef, limit, offset int64, setLimit, setOffset bool) Query {
	q.touch()
	p := &q.rootPage // the queried table's page lives in the Query value
	if sc != (scopeRef{}) {
		m := q.setMods()
		n := slices.Clone(m.pages)
		i := -1
		for j := range n {
			if n[j].scope == sc {
				i = j
				break
			}
		}
		if i < 0 {
			n = append(n, page{scope: sc})
			i = len(n) - 1
		}
		m.pages = n
		p = &n[i]
	}
	if setOffset {
		if !p.hasOffset {
			p.seqOffset = q.next()
		}
		p.offset, p.hasOffset = offset, true
	}
	if setLimit {
		if !p.hasLimit {
			p.seqLimit = q.next()
		}
		p.limit, p.hasLimit = limit, true
	}
	return q
}

// Limit limits the number of rows (limit=n).
func (q Query) Limit(n int) Query {
	if n < 0 {
		return q.addErr(errors.New("query: negative limit"))
	}
	return q.setPage(scopeRef{}, int64(n), 0, true, false)
}

// Offset skips rows (offset=n).
func (q Query) Offset(n int) Query {
	if n < 0 {
		return q.addErr(errors.New("query: negative offset"))
	}
	return q.setPage(scopeRef{}, 0, int64(n), false, true)
}

// Range selects rows from to to, inclusive and zero-based: offset=from and
// limit=to-from+1. It replaces an earlier Limit or Offset.
func (q Query) Range(from, to int) Query {
	if from < 0 || to < from {
		return q.addErr(errors.New("query: invalid range"))
	}
	return q.setPage(scopeRef{}, int64(to-from+1), int64(from), true, true)
}

// LimitOf limits the rows of the embedded resource rel (cities.limit=n).
func (q Query) LimitOf(rel any, n int) Query {
	if n < 0 {
		return q.addErr(errors.New("query: negative limit"))
	}
	return q.setPage(scopeOf(rel), int64(n), 0, true, false)
}

// OffsetOf skips rows of the embedded resource rel (cities.offset=n).
func (q Query) OffsetOf(rel any, n int) Query {
	if n < 0 {
		return q.addErr(errors.New("query: negative offset"))
	}
	return q.setPage(scopeOf(rel), 0, int64(n), false, true)
}

// RangeOf is Range on the embedded resource rel.
func (q Query) RangeOf(rel any, from, to int) Query {
	if from < 0 || to < from {
		return q.addErr(errors.New("query: invalid range"))
	}
	return q.setPage(scopeOf(rel), int64(to-from+1), int64(from), true, true)
}

// Single asks for exactly one row as an object (Accept:
// application/vnd.pgrst.object+json); PostgREST answers 406 otherwise.
func (q Query) Single() Query { q.touch(); q.setMods().expect = ExpectOne; return q }

// MaybeSingle asks for zero or one row; nothing is sent for it (as in the
// official clients), the executor checks the row count.
func (q Query) MaybeSingle() Query { q.touch(); q.setMods().expect = ExpectMaybe; return q }

// CSV asks for the rows as CSV (Accept: text/csv).
func (q Query) CSV() Query { q.touch(); q.setMods().format = FormatCSV; return q }

// GeoJSON asks for GeoJSON (Accept: application/geo+json).
func (q Query) GeoJSON() Query { q.touch(); q.setMods().format = FormatGeoJSON; return q }

// StripNulls asks PostgREST to leave null fields out of the JSON objects
// (Accept: application/vnd.pgrst.array+json;nulls=stripped).
func (q Query) StripNulls() Query { q.touch(); q.setMods().stripNulls = true; return q }

// Explain asks for the execution plan instead of the rows (Accept:
// application/vnd.pgrst.plan+text; for="..."; options=...;). PostgREST
// must allow it (db-plan-enabled).
func (q Query) Explain(o ExplainOptions) Query {
	q.touch()
	if o.Format > ExplainJSON {
		return q.addErr(errors.New("query: invalid explain format"))
	}
	q.setMods().explain = &o
	return q
}

// Count asks for a row count (Prefer: count=exact|planned|estimated).
func (q Query) Count(c Count) Query {
	q.touch()
	if c > CountEstimated {
		return q.addErr(errors.New("query: invalid count"))
	}
	q.setMods().count = c
	return q
}

// Head makes a read (or a function call) an HTTP HEAD: no body, only
// headers such as the count.
func (q Query) Head() Query { q.touch(); q.setMods().head = true; return q }

// Schema sets the database schema of the request (Accept-Profile on reads,
// Content-Profile on writes); empty keeps the client's default.
func (q Query) Schema(name string) Query {
	q.touch()
	if strings.ContainsAny(name, "\x00\r\n") {
		return q.addErr(errors.New("query: invalid schema name"))
	}
	q.setMods().schemaName = name
	return q
}

// Header adds a request header. Prefer, Accept and the profile headers are
// set by the query itself, apikey and Authorization by the client; they
// are refused here.
func (q Query) Header(name, value string) Query {
	q.touch()
	if name == "" || !headerToken(name) || strings.ContainsAny(value, "\x00\r\n") {
		return q.addErr(errors.New("query: invalid header " + quoteErr(name)))
	}
	switch strings.ToLower(name) {
	case "prefer", "accept", "accept-profile", "content-profile", "content-type", "content-length", "host":
		return q.addErr(errors.New("query: header " + name + " is set by the query; use its modifiers"))
	case "apikey", "authorization":
		// the transport sets them and would override this one, or not,
		// depending on the key and the session
		return q.addErr(errors.New("query: header " + name + " is set by the client; use the client's key or WithAccessToken"))
	}
	m := q.setMods()
	m.headers = append(slices.Clip(m.headers), Header{Name: name, Value: value})
	return q
}

func headerToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// Rollback asks PostgREST to roll the transaction back (Prefer:
// tx=rollback): the request runs, its result is returned, nothing is kept.
// PostgREST must allow it (db-tx-end).
func (q Query) Rollback() Query { q.touch(); q.setMods().rollback = true; return q }

// MaxAffected makes an update, delete or function call fail, and roll
// back, when it would affect more than n rows (Prefer: handling=strict,
// max-affected=n).
func (q Query) MaxAffected(n int) Query {
	q.touch()
	if n < 0 {
		return q.addErr(errors.New("query: negative max-affected"))
	}
	q.setMods().maxAffected = int64(n) + 1 // 0 means unset
	return q
}
