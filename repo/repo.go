package repo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/supakit/supakit/internal/jsoncodec"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/schema"
	"github.com/supakit/supakit/transport"
)

// Repo is the typed repository of the table T maps to (see package schema
// for the tags). Make one with [New]; it is immutable and safe for
// concurrent use.
type Repo[T any] struct {
	conn  Conn
	tbl   *schema.Table
	codec *codec
	err   error
	rpc   *rpcCall // set for function results (Func)
}

type rpcCall struct {
	fn     string
	args   any
	get    bool
	head   bool
	params []query.Arg
	body   []byte
}

// RepoOption configures [New].
type RepoOption func(*repoConfig)

type repoConfig struct {
	name string
}

// WithTableName makes the repository use another table or view than T's
// TableName method names (for example a view over the same rows).
func WithTableName(name string) RepoOption { return func(c *repoConfig) { c.name = name } }

// New returns the repository of T over c (a *supakit.Client, or anything
// giving the REST transport and the schema). Errors in T's tags or a
// missing table name are returned by every call.
func New[T any](c Conn, opts ...RepoOption) *Repo[T] {
	var cfg repoConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	r := &Repo[T]{conn: c}
	tbl, err := schema.Of[T]()
	if err != nil {
		r.err = err
		return r
	}
	if cfg.name != "" {
		tbl = tbl.WithName(cfg.name)
	}
	if tbl.Name == "" {
		r.err = fmt.Errorf("%w: %s has no TableName method; use repo.WithTableName", schema.ErrNoTableName, tbl.Type)
		return r
	}
	r.tbl = tbl
	r.codec, r.err = codecFor(tbl)
	if c == nil {
		r.err = errors.Join(r.err, fmt.Errorf("%w: nil connection", ErrInvalid))
	}
	return r
}

var errZeroRepo = fmt.Errorf("%w: a zero Repo; make one with repo.New", ErrInvalid)

// usable reports why r cannot run calls, if it cannot.
func (r *Repo[T]) usable() error {
	if r == nil {
		return errZeroRepo
	}
	if r.err != nil {
		return r.err
	}
	if r.codec == nil {
		return errZeroRepo
	}
	return nil
}

// Meta returns T's table metadata (nil when T's tags are invalid).
func (r *Repo[T]) Meta() *schema.Table {
	if r == nil {
		return nil
	}
	return r.tbl
}

func (r *Repo[T]) name() string {
	if r == nil {
		return reflect.TypeFor[T]().String()
	}
	if r.rpc != nil {
		return r.rpc.fn
	}
	if r.tbl != nil {
		return r.tbl.Name
	}
	return reflect.TypeFor[T]().String()
}

// Query starts a typed query: chain Select, Where, Order, Limit… and end
// with Find, First, Single, MaybeSingle, Count, CSV, Explain, All, Update
// or Delete.
func (r *Repo[T]) Query() *Query[T] { return &Query[T]{r: r} }

// Find returns the rows matching fs (all rows when none), with T's
// embedded resources filled.
func (r *Repo[T]) Find(ctx context.Context, fs ...query.Filter) ([]T, error) {
	return r.Query().Where(fs...).Find(ctx)
}

// First returns the first row matching fs in primary-key order, or an
// error matching [ErrNotFound].
func (r *Repo[T]) First(ctx context.Context, fs ...query.Filter) (T, error) {
	return r.Query().Where(fs...).First(ctx)
}

// Count returns the exact number of rows matching fs (a HEAD request with
// Prefer: count=exact).
func (r *Repo[T]) Count(ctx context.Context, fs ...query.Filter) (int64, error) {
	return r.Query().Where(fs...).Count(ctx, query.CountExact)
}

// Get returns the row with the given primary key (one value per key
// column, in field order, of the columns' Go types), or an error matching
// [ErrNotFound].
func (r *Repo[T]) Get(ctx context.Context, pk ...any) (T, error) {
	var zero T
	fs, err := r.pkFilters(pk)
	if err != nil {
		return zero, fmt.Errorf("repo: get %s: %w", r.name(), err)
	}
	row, err := r.Query().Where(fs...).MaybeSingle(ctx)
	if err != nil {
		return zero, relabel(err, "select", "get")
	}
	if row == nil {
		return zero, fmt.Errorf("repo: get %s: %w", r.name(), ErrNotFound)
	}
	return *row, nil
}

func relabel(err error, from, to string) error {
	return &relabeled{err: err, from: "repo: " + from + " ", to: "repo: " + to + " "}
}

type relabeled struct {
	err      error
	from, to string
}

func (e *relabeled) Error() string {
	s := e.err.Error()
	if strings.HasPrefix(s, e.from) {
		return e.to + s[len(e.from):]
	}
	return s
}
func (e *relabeled) Unwrap() error { return e.err }

func (r *Repo[T]) pkFilters(pk []any) ([]query.Filter, error) {
	if err := r.usable(); err != nil {
		return nil, err
	}
	keys := r.tbl.PrimaryKey
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: %s has no primary key (tag a field pk)", ErrInvalid, r.tbl.Type)
	}
	if len(pk) != len(keys) {
		return nil, fmt.Errorf("%w: %s has %d primary-key columns, got %d values", ErrInvalid, r.tbl.Type, len(keys), len(pk))
	}
	fs := make([]query.Filter, len(keys))
	for i, col := range keys {
		v := pk[i]
		if v == nil {
			return nil, fmt.Errorf("%w: nil value for primary-key column %s", ErrInvalid, col.Name)
		}
		want := col.Type
		if want.Kind() == reflect.Pointer {
			want = want.Elem()
		}
		if got := reflect.TypeOf(v); got != want && got != col.Type {
			return nil, fmt.Errorf("%w: primary-key column %s (%s.%s) is %s, got %T", ErrInvalid, col.Name, r.tbl.Type, col.GoName, col.Type, v)
		}
		fs[i] = query.ColumnEq(col, v)
	}
	return fs, nil
}

// rowPK returns the primary-key filters of row.
func (r *Repo[T]) rowPK(row *T) ([]query.Filter, error) {
	if len(r.tbl.PrimaryKey) == 0 {
		return nil, fmt.Errorf("%w: %s has no primary key (tag a field pk)", ErrInvalid, r.tbl.Type)
	}
	v := reflect.ValueOf(row).Elem()
	vals := make([]any, len(r.tbl.PrimaryKey))
	for i, col := range r.tbl.PrimaryKey {
		fv := v.FieldByIndex(col.Index)
		if fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				return nil, fmt.Errorf("%w: primary-key column %s is nil", ErrInvalid, col.Name)
			}
		}
		vals[i] = fv.Interface()
	}
	return r.pkFilters(vals)
}

// Insert inserts row and returns it as stored (defaults and generated
// columns filled). Read-only columns are not sent; the row is validated
// first. Options: [DefaultToNull], [ReturnMinimal] (the zero T is then
// returned).
func (r *Repo[T]) Insert(ctx context.Context, row T, opts ...Option) (T, error) {
	rows, err := r.write(ctx, opInsert, []T{row}, false, opts)
	return one(rows, err)
}

// InsertMany inserts rows in one request (columns= lists the union of
// their columns) and returns them as stored.
func (r *Repo[T]) InsertMany(ctx context.Context, rows []T, opts ...Option) ([]T, error) {
	return r.write(ctx, opInsert, rows, true, opts)
}

// Upsert inserts row or, when it conflicts with the primary key (or the
// [OnConflict] / [OnConflictColumns] columns), merges it into the
// existing row ([IgnoreDuplicates] keeps the existing row instead).
// Read-only columns are never sent, so a conflict on the primary key needs
// a key that is not tagged readonly; otherwise name another unique column.
func (r *Repo[T]) Upsert(ctx context.Context, row T, opts ...Option) (T, error) {
	rows, err := r.write(ctx, opUpsert, []T{row}, false, opts)
	return one(rows, err)
}

// UpsertMany upserts rows in one request.
func (r *Repo[T]) UpsertMany(ctx context.Context, rows []T, opts ...Option) ([]T, error) {
	return r.write(ctx, opUpsert, rows, true, opts)
}

func one[T any](rows []T, err error) (T, error) {
	var zero T
	if err != nil || len(rows) == 0 {
		return zero, err
	}
	return rows[0], nil
}

// Update applies changes ([Set]) to the rows matching fs and returns them
// as updated. An empty fs fails with [ErrNoFilter]; use
// Query().Update(ctx, changes...) with [AllowUnfiltered] to update every row.
func (r *Repo[T]) Update(ctx context.Context, fs []query.Filter, changes ...Change) ([]T, error) {
	return r.Query().Where(fs...).Update(ctx, changes...)
}

// Save writes the chosen columns (field pointers into schema.Cols[T]();
// all writable columns when none) of row to the stored row with row's
// primary key, and returns the row as stored; [ErrNotFound] when no row
// has that key. The row is validated first.
func (r *Repo[T]) Save(ctx context.Context, row T, cols ...any) (T, error) {
	var zero T
	if err := r.usable(); err != nil {
		return zero, fmt.Errorf("repo: update %s: %w", r.name(), err)
	}
	fs, err := r.rowPK(&row)
	if err != nil {
		return zero, fmt.Errorf("repo: update %s: %w", r.name(), err)
	}
	rows, err := r.Query().Where(fs...).UpdateRow(ctx, row, cols...)
	if err != nil {
		return zero, err
	}
	if len(rows) == 0 {
		return zero, fmt.Errorf("repo: update %s: %w", r.name(), ErrNotFound)
	}
	return rows[0], nil
}

// Delete removes the rows matching fs and returns them. An empty fs fails
// with [ErrNoFilter]; use Query().Delete(ctx, AllowUnfiltered()) to delete
// every row.
func (r *Repo[T]) Delete(ctx context.Context, fs ...query.Filter) ([]T, error) {
	return r.Query().Where(fs...).Delete(ctx)
}

// ReturnMinimal makes a typed write ask for no rows back: PostgREST's
// minimal return, nothing decoded.
func ReturnMinimal() Option { return func(o *options) { o.minimal = true } }

// OnConflictColumns is [OnConflict] with field pointers into
// schema.Cols[T]() naming the unique columns.
func OnConflictColumns(cols ...any) Option {
	return func(o *options) { o.conflictCols, o.conflictSet = cols, true }
}

func (r *Repo[T]) write(ctx context.Context, op opKind, rows []T, bulk bool, opts []Option) ([]T, error) {
	label := op.String() + " " + r.name()
	fail := func(err error) ([]T, error) { return nil, fmt.Errorf("repo: %s: %w", label, err) }
	if err := r.usable(); err != nil {
		return fail(err)
	}
	if r.rpc != nil {
		return fail(fmt.Errorf("%w: %s on a function result", ErrInvalid, op))
	}
	o, err := collect(opts)
	if err != nil {
		return fail(err)
	}
	if o.count != query.CountNone || o.head || o.get || o.unfiltered {
		return fail(fmt.Errorf("%w: WithCount, Head, Get and AllowUnfiltered do not apply to a typed %s", ErrInvalid, op))
	}
	if op == opInsert && (o.conflictSet || o.ignoreDup) {
		return fail(fmt.Errorf("%w: OnConflict and IgnoreDuplicates need Upsert", ErrInvalid))
	}
	if len(rows) == 0 {
		return fail(fmt.Errorf("%w: no rows", ErrInvalid))
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	var buf bytes.Buffer
	if bulk {
		buf.WriteByte('[')
	}
	anyOmitted := false
	for i := range rows {
		if r.codec.validate {
			if err := validateRow(&rows[i], i); err != nil {
				return fail(err)
			}
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		omitted, err := r.codec.encodeRow(&buf, reflect.ValueOf(&rows[i]).Elem(), nil)
		if err != nil {
			return fail(fmt.Errorf("%w: row %d: %v", ErrInvalid, i, err))
		}
		anyOmitted = anyOmitted || omitted
	}
	if bulk {
		buf.WriteByte(']')
	}
	w := query.Write{Returning: !o.minimal, IgnoreDuplicates: o.ignoreDup}
	if o.defaultToNull != nil {
		w.MissingDefault = !*o.defaultToNull
	} else if bulk && anyOmitted {
		// omitempty columns left out of some rows take their default, as
		// they do in a single-row write.
		w.MissingDefault = true
	}
	if bulk {
		for _, col := range r.codec.writable {
			w.Columns = append(w.Columns, col.Name)
		}
	}
	if o.conflictSet {
		cols, err := r.conflictColumns(o)
		if err != nil {
			return fail(err)
		}
		w.OnConflict = cols
	}
	q := query.From(r.tbl)
	if w.Returning {
		q = q.Select(r.codec.sel)
	}
	var qr query.Request
	if op == opInsert {
		qr, err = q.Insert(w)
	} else {
		qr, err = q.Upsert(w)
	}
	if err != nil {
		return fail(err)
	}
	return r.decodeMany(ctx, label, qr, buf.Bytes(), w.Returning)
}

func (r *Repo[T]) conflictColumns(o options) ([]string, error) {
	if o.conflictCols == nil {
		var cols []string
		for _, c := range strings.Split(o.onConflict, ",") {
			if c = strings.TrimSpace(c); c != "" {
				cols = append(cols, c)
			}
		}
		if len(cols) == 0 {
			return nil, fmt.Errorf("%w: empty OnConflict", ErrInvalid)
		}
		return cols, nil
	}
	if len(o.conflictCols) == 0 {
		return nil, fmt.Errorf("%w: OnConflictColumns without columns", ErrInvalid)
	}
	cols := make([]string, len(o.conflictCols))
	for i, p := range o.conflictCols {
		col, err := r.column(p)
		if err != nil {
			return nil, err
		}
		cols[i] = col.Name
	}
	return cols, nil
}

// column resolves a field pointer into schema.Cols[T]() to T's column.
func (r *Repo[T]) column(p any) (*schema.Column, error) {
	f, err := schema.Resolve(p)
	if err != nil {
		return nil, err
	}
	if f.Column == nil {
		return nil, fmt.Errorf("%w: %s.%s is a relation, not a column", ErrInvalid, f.Table.Type, f.Relation.GoName)
	}
	if f.Table.Type != r.tbl.Type {
		return nil, fmt.Errorf("%w: column %s is a field of %s, not of %s", ErrInvalid, f.Column.Name, f.Table.Type, r.tbl.Type)
	}
	return f.Column, nil
}

func collect(opts []Option) (options, error) {
	var o options
	for _, f := range opts {
		if f == nil {
			return o, fmt.Errorf("%w: nil option", ErrInvalid)
		}
		f(&o)
	}
	return o, errors.Join(o.errs...)
}

// do sends a request built by package query, with body (nil for none).
func (r *Repo[T]) do(ctx context.Context, qr query.Request, body []byte) (*http.Response, error) {
	req := &request{
		method:   qr.Method,
		path:     qr.Path,
		rawQuery: qr.RawQuery,
		prefer:   qr.Prefer,
		accept:   qr.Accept,
		schema:   qr.Schema,
	}
	if len(qr.Headers) > 0 {
		req.header = http.Header{}
		for _, h := range qr.Headers {
			req.header.Add(h.Name, h.Value)
		}
	}
	if body != nil {
		req.body, req.hasBody = body, true
	}
	return send(ctx, r.conn, req)
}

// decodeMany sends qr and decodes the JSON array of rows straight into
// []T (nothing when returning is false).
func (r *Repo[T]) decodeMany(ctx context.Context, label string, qr query.Request, body []byte, returning bool) ([]T, error) {
	return r.decodeManyOp(ctx, label, "", qr, body, returning)
}

// decodeManyOp is decodeMany whose error label, when label is empty, is
// op and the table name, built only if an error occurs.
func (r *Repo[T]) decodeManyOp(ctx context.Context, label, op string, qr query.Request, body []byte, returning bool) ([]T, error) {
	resp, err := r.do(ctx, qr, body)
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", r.labelOr(label, op), err)
	}
	defer transport.DrainClose(resp)
	if !returning || qr.Method == query.MethodHead {
		return nil, nil
	}
	rows, err := decodeRowsHint[T](resp.Body, rangeRows(resp.Header))
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", r.labelOr(label, op), readErr(ctx, err))
	}
	return rows, nil
}

func (r *Repo[T]) labelOr(label, op string) string {
	if label != "" {
		return label
	}
	return op + " " + r.name()
}

// maxHintBytes bounds the memory reserved up front from a Content-Range.
const maxHintBytes = 64 << 20

// rangeRows reads how many rows a response holds from its Content-Range
// ("0-24/3573" holds 25); 0 when unknown.
func rangeRows(h http.Header) int {
	cr := h.Get("Content-Range")
	span, _, ok := strings.Cut(cr, "/")
	if !ok {
		return 0
	}
	a, b, ok := strings.Cut(span, "-")
	if !ok {
		return 0
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || lo < 0 || hi < lo {
		return 0
	}
	return hi - lo + 1
}

func readErr(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return fmt.Errorf("decode response: %w", err)
}

// decodeRows decodes a JSON array from body into []T with one
// streaming decoder (package internal/jsoncodec, encoding/json's
// semantics); an empty body is no rows.
func decodeRows[T any](body io.Reader) ([]T, error) { return decodeRowsHint[T](body, 0) }

// decodeRowsHint is decodeRows with room reserved for n rows (the count
// the response announced), so the slice is not grown and copied. Rows are
// decoded one by one in place, so the decoder never buffers the whole
// body.
func decodeRowsHint[T any](body io.Reader, n int) ([]T, error) {
	dec := jsoncodec.NewDecoder(body)
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	if tok == nil { // JSON null
		return nil, nil
	}
	if tok != json.Delim('[') {
		return nil, fmt.Errorf("want a JSON array of rows, got %v", tok)
	}
	rows := []T{}
	if size := int(reflect.TypeFor[T]().Size()); n > 0 && size > 0 {
		rows = make([]T, 0, min(n, maxHintBytes/size))
	}
	var zero T
	for dec.More() {
		rows = append(rows, zero)
		if err := dec.Decode(&rows[len(rows)-1]); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return rows, nil
}

// decodeStream decodes a JSON array from body row by row, calling yield
// for each; it returns the number of rows and whether yield asked to stop.
func decodeStream[T any](body io.Reader, yield func(T) bool) (int, bool, error) {
	dec := jsoncodec.NewDecoder(body)
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, false, nil
		}
		return 0, false, err
	}
	if tok != json.Delim('[') {
		return 0, false, fmt.Errorf("decode response: want a JSON array, got %v", tok)
	}
	n := 0
	var zero T
	v := new(T) // one row buffer, reset before each row, so nothing stale leaks
	for dec.More() {
		*v = zero
		if err := dec.Decode(v); err != nil {
			return n, false, err
		}
		n++
		if !yield(*v) {
			return n, true, nil
		}
	}
	if _, err := dec.Token(); err != nil {
		return n, false, err
	}
	return n, false, nil
}
