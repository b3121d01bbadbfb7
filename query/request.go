package query

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// HTTP methods of a [Request] (net/http's constants, without importing it).
const (
	MethodGet    = "GET"
	MethodHead   = "HEAD"
	MethodPost   = "POST"
	MethodPatch  = "PATCH"
	MethodDelete = "DELETE"
)

// MaxURLLength is the longest path plus query string (the part after the
// REST root, such as "/countries?select=*") a Request may have. Proxies
// and servers commonly refuse URLs past 8 KiB; a longer request, usually a
// huge in list, fails with [ErrURLTooLong].
const MaxURLLength = 8000

var (
	// ErrURLTooLong is returned for a request whose URL would pass
	// MaxURLLength: send the values in a POST body, through a database
	// function (RPC), instead.
	ErrURLTooLong = errors.New("query: URL too long")
	// ErrNoFilter is returned for an update or delete without any filter,
	// unless Write.AllowNoFilter is set.
	ErrNoFilter = errors.New("query: update or delete without a filter")
	// ErrUnsupported is returned for a combination of modifiers the
	// request kind cannot carry (HEAD on a write, filters on an insert...).
	ErrUnsupported = errors.New("query: unsupported")
)

// Request is a PostgREST request ready to send, independent of any HTTP
// library. The executor adds the transport headers (apikey,
// Authorization, X-Client-Info), the profile header named by
// [Request.ProfileHeader] when Schema (or its own default) is set, and
// the JSON body of writes and POST calls with Content-Type:
// application/json.
type Request struct {
	// Method is MethodGet, MethodHead, MethodPost, MethodPatch or MethodDelete.
	Method string
	// Path is below the REST root (such as /rest/v1), escaped:
	// "/countries", "/rpc/list_countries".
	Path string
	// RawQuery is the encoded query string, without '?', parameters in
	// order, form-encoded exactly as the official clients encode them.
	RawQuery string
	// Prefer is the Prefer header, "" when none.
	Prefer string
	// Accept is the Accept header, "" to leave the executor's default
	// (application/json).
	Accept string
	// Schema is the database schema asked with Query.Schema, "" for the
	// client's default.
	Schema string
	// Headers are extra headers from Query.Header.
	Headers []Header
	// Expect is how many rows the response should hold.
	Expect Expect
	// Format is the response format.
	Format Format
	// Count is the count asked for; the total is in Content-Range.
	Count Count
	// Returning reports whether the response carries rows: reads, and
	// writes with return=representation.
	Returning bool
}

// ProfileHeader returns the header carrying the schema: Accept-Profile for
// GET and HEAD, Content-Profile otherwise.
func (r Request) ProfileHeader() string {
	if r.Method == MethodGet || r.Method == MethodHead {
		return "Accept-Profile"
	}
	return "Content-Profile"
}

// URL returns base (the REST root, such as https://x.supabase.co/rest/v1)
// joined with the path and query string.
func (r Request) URL(base string) string {
	base = strings.TrimSuffix(base, "/")
	if r.RawQuery == "" {
		return base + r.Path
	}
	return base + r.Path + "?" + r.RawQuery
}

// Param is one decoded query parameter.
type Param struct{ Key, Value string }

// Params decodes RawQuery into its parameters, in order (for tests and
// debugging; the executor sends RawQuery as it is).
func (r Request) Params() ([]Param, error) {
	return ParseQuery(r.RawQuery)
}

// ParseQuery decodes a form-encoded query string into ordered parameters.
func ParseQuery(raw string) ([]Param, error) {
	if raw == "" {
		return nil, nil
	}
	var ps []Param
	for part := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		ps = append(ps, Param{dk, dv})
	}
	return ps, nil
}

// Write holds the options of a write: [Query.Insert], [Query.Upsert],
// [Query.Update], [Query.Delete].
type Write struct {
	// Returning asks for the written rows (Prefer: return=representation)
	// with the query's select list, or the default select when none was
	// set. An explicit Query.Select implies Returning. Without it nothing
	// is asked and PostgREST returns no rows (the minimal default).
	Returning bool
	// Columns, for inserts, upserts and updates of several rows, lists the
	// JSON keys to take from the body (columns="id","name"): keys missing
	// from a row are then null, or the column default with MissingDefault.
	Columns []string
	// MissingDefault fills keys missing from a row with the column default
	// instead of null (Prefer: missing=default).
	MissingDefault bool
	// OnConflict names the columns of the unique constraint an upsert
	// resolves on (on_conflict=a,b); empty means the primary key.
	OnConflict []string
	// IgnoreDuplicates makes an upsert skip conflicting rows
	// (resolution=ignore-duplicates) instead of merging them
	// (resolution=merge-duplicates).
	IgnoreDuplicates bool
	// AllowNoFilter lets an update or delete without filters through;
	// otherwise it fails with ErrNoFilter.
	AllowNoFilter bool
}

// Arg is an argument of a function called by GET or HEAD, sent in the URL.
type Arg struct {
	name string
	val  value
	err  error
}

var reservedParams = map[string]bool{
	"select": true, "order": true, "limit": true, "offset": true, "or": true, "and": true,
	"not": true, "columns": true, "on_conflict": true,
}

// NamedArg is an argument for Call with Get or Head: scalars as text,
// times in RFC 3339, slices as PostgreSQL array literals, maps and structs
// as JSON. nil is refused: a URL cannot carry a null argument (call by
// POST with the argument in the body instead).
func NamedArg[V any](name string, v V) Arg {
	a := Arg{name: name}
	if name == "" || strings.IndexByte(name, 0) >= 0 || reservedParams[name] || strings.Contains(name, ".") {
		a.err = errors.New("query: invalid function argument name " + quoteErr(name))
		return a
	}
	var err error
	if a.val, err = valueOf(v, false); err != nil {
		a.err = &filterError{where: "argument " + name, err: err}
	} else if a.val.isNull() {
		a.err = nilValue("nil argument " + quoteErr(name) + " cannot be sent in a URL; call by POST")
	}
	return a
}

// Call holds the options of [Query.Call].
type Call struct {
	// Get calls the function by GET (a stable or immutable function) with
	// Args in the URL. Query.Head makes it a HEAD. Otherwise the call is a
	// POST whose JSON body (the arguments) the executor sends.
	Get bool
	// Args are the arguments of a GET or HEAD call, in order.
	Args []Arg
}

// Read builds the GET (or, after Head, HEAD) request of a table query.
func (q Query) Read() (Request, error) {
	if q.rpc {
		return Request{}, errors.Join(ErrUnsupported, errors.New("query: Read on a function; use Call"))
	}
	if q.mods().maxAffected > 0 {
		return Request{}, errors.Join(ErrUnsupported, errors.New("query: MaxAffected applies to update, delete and function calls"))
	}
	if r, ok := q.cachedRead(); ok {
		return r, nil
	}
	m := MethodGet
	if q.mods().head {
		m = MethodHead
	}
	r, err := q.build(m, kindRead, Write{}, Call{})
	if err == nil {
		q.storeRead(r)
	}
	return r, err
}

// Insert builds the POST of an insert; the executor sends the rows as the
// JSON body (an object or an array).
func (q Query) Insert(w Write) (Request, error) {
	if len(w.OnConflict) > 0 || w.IgnoreDuplicates {
		return Request{}, errors.Join(ErrUnsupported, errors.New("query: OnConflict and IgnoreDuplicates need Upsert"))
	}
	return q.write(MethodPost, kindInsert, w)
}

// Upsert builds the POST of an upsert (Prefer: resolution=...).
func (q Query) Upsert(w Write) (Request, error) { return q.write(MethodPost, kindUpsert, w) }

// Update builds the PATCH of an update; the executor sends the changes as
// the JSON body. Without a filter it fails with ErrNoFilter unless
// w.AllowNoFilter.
func (q Query) Update(w Write) (Request, error) {
	if len(w.OnConflict) > 0 || w.IgnoreDuplicates {
		return Request{}, errors.Join(ErrUnsupported, errors.New("query: OnConflict and IgnoreDuplicates need Upsert"))
	}
	return q.write(MethodPatch, kindUpdate, w)
}

// Delete builds the DELETE of a delete. Without a filter it fails with
// ErrNoFilter unless w.AllowNoFilter.
func (q Query) Delete(w Write) (Request, error) {
	if len(w.OnConflict) > 0 || w.IgnoreDuplicates || len(w.Columns) > 0 || w.MissingDefault {
		return Request{}, errors.Join(ErrUnsupported, errors.New("query: Columns, MissingDefault, OnConflict and IgnoreDuplicates do not apply to Delete"))
	}
	return q.write(MethodDelete, kindDelete, w)
}

func (q Query) write(method string, k kind, w Write) (Request, error) {
	if q.rpc {
		return Request{}, errors.Join(ErrUnsupported, errors.New("query: write on a function; use Call"))
	}
	if q.mods().head {
		return Request{}, errors.Join(ErrUnsupported, errors.New("query: Head on a write"))
	}
	if (k == kindInsert || k == kindUpsert) && len(q.filters) > 0 {
		return Request{}, errors.Join(ErrUnsupported, errors.New("query: filters on an insert"))
	}
	if (k == kindUpdate || k == kindDelete) && !w.AllowNoFilter && !q.hasFilter() {
		return Request{}, ErrNoFilter
	}
	if q.mods().maxAffected > 0 && k != kindUpdate && k != kindDelete {
		return Request{}, errors.Join(ErrUnsupported, errors.New("query: MaxAffected applies to update, delete and function calls"))
	}
	return q.build(method, k, w, Call{})
}

// Call builds the request calling a function made by [RPC]: a POST (the
// executor sends the arguments as a JSON object body, {} when none), or a
// GET or HEAD with c.Args in the URL.
func (q Query) Call(c Call) (Request, error) {
	if !q.rpc {
		return Request{}, errors.Join(ErrUnsupported, errors.New("query: Call on a table; use RPC"))
	}
	m := MethodPost
	switch {
	case q.mods().head:
		m = MethodHead
	case c.Get:
		m = MethodGet
	}
	if m == MethodPost && len(c.Args) > 0 {
		return Request{}, errors.Join(ErrUnsupported, errors.New("query: the arguments of a POST call go in the body; Args are for Get or Head"))
	}
	return q.build(m, kindCall, Write{}, c)
}

func (q Query) hasFilter() bool {
	for i := range q.filters {
		if q.filters[i].f.hasLeaf() {
			return true
		}
	}
	return false
}

func (f *Filter) hasLeaf() bool {
	switch f.kind {
	case fAnd, fScope, fOr:
		for i := range f.kids {
			if f.kids[i].hasLeaf() {
				return true
			}
		}
		return false
	}
	return f.kind != 0
}

type kind uint8

const (
	kindRead kind = iota
	kindInsert
	kindUpsert
	kindUpdate
	kindDelete
	kindCall
)

// prefer assembles the Prefer header in the official clients' order.
func (q *Query) prefer(k kind, w Write, returning bool) string {
	var parts [8]string
	n := 0
	if k == kindUpsert {
		if w.IgnoreDuplicates {
			parts[n] = "resolution=ignore-duplicates"
		} else {
			parts[n] = "resolution=merge-duplicates"
		}
		n++
	}
	if q.mods().count != CountNone {
		parts[n] = countText[q.mods().count]
		n++
	}
	if w.MissingDefault {
		parts[n] = "missing=default"
		n++
	}
	if returning {
		parts[n] = "return=representation"
		n++
	}
	if q.mods().rollback {
		parts[n] = "tx=rollback"
		n++
	}
	if q.mods().maxAffected > 0 {
		parts[n] = "handling=strict"
		n++
		parts[n] = "max-affected=" + strconv.FormatInt(q.mods().maxAffected-1, 10)
		n++
	}
	switch n {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:n], ", ")
}

// accept computes the Accept header and the format.
func (q *Query) accept() (string, Format, error) {
	base := ""
	f := q.mods().format
	switch q.mods().format {
	case FormatCSV:
		base = "text/csv"
	case FormatGeoJSON:
		base = "application/geo+json"
	}
	if base != "" && (q.mods().expect == ExpectOne || q.mods().stripNulls) {
		return "", 0, errors.Join(ErrUnsupported, errors.New("query: CSV and GeoJSON exclude Single and StripNulls"))
	}
	if base == "" {
		switch {
		case q.mods().expect == ExpectOne && q.mods().stripNulls:
			base = "application/vnd.pgrst.object+json;nulls=stripped"
		case q.mods().expect == ExpectOne:
			base = "application/vnd.pgrst.object+json"
		case q.mods().stripNulls:
			base = "application/vnd.pgrst.array+json;nulls=stripped"
		}
	}
	if q.mods().explain == nil {
		return base, f, nil
	}
	o := q.mods().explain
	var b strings.Builder
	b.WriteString("application/vnd.pgrst.plan+")
	if o.Format == ExplainJSON {
		b.WriteString("json")
	} else {
		b.WriteString("text")
	}
	b.WriteString(`; for="`)
	if base == "" {
		base = "application/json"
	}
	b.WriteString(base)
	b.WriteString(`"; options=`)
	sep := ""
	for _, opt := range [...]struct {
		on   bool
		name string
	}{{o.Analyze, "analyze"}, {o.Verbose, "verbose"}, {o.Settings, "settings"}, {o.Buffers, "buffers"}, {o.WAL, "wal"}} {
		if opt.on {
			b.WriteString(sep)
			b.WriteString(opt.name)
			sep = "|"
		}
	}
	b.WriteString(";")
	return b.String(), FormatPlan, nil
}

func (q *Query) path() string {
	if q.rpc {
		return "/rpc/" + url.PathEscape(q.name)
	}
	return "/" + url.PathEscape(q.name)
}
