package query

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/supakit/supakit/schema"
)

type evKind uint8

const (
	evSelect evKind = iota
	evFilter
	evOrder
	evLimit
	evOffset
	evArg
)

type event struct {
	seq  int32
	kind evKind
	idx  int
}

type encoder struct {
	name   string      // the queried table
	orders []orderTerm // the query's order terms
	buf    []byte
	tmp    []byte
	ev     []event
	done   []bool
	errs   []error
	root   [1]reflect.Type
}

var encPool = sync.Pool{New: func() any {
	return &encoder{buf: make([]byte, 0, 1024), tmp: make([]byte, 0, 128), ev: make([]event, 0, 32)}
}}

// scope is where filters are written: the path of an embedded resource
// ("" for the queried table) and its metadata (nil when untyped).
type scope struct {
	path string
	tbl  *schema.Table
	root bool
}

func (q *Query) build(method string, k kind, w Write, c Call) (Request, error) {
	if err := q.collectErrs(); err != nil {
		return Request{}, err
	}
	if q.name == "" {
		return Request{}, errors.New("query: zero Query (use For, From, Table or RPC)")
	}
	for i := range c.Args {
		if c.Args[i].err != nil {
			return Request{}, c.Args[i].err
		}
		if c.Args[i].name == "" {
			return Request{}, errors.New("query: zero Arg (use NamedArg)")
		}
	}
	accept, format, err := q.accept()
	if err != nil {
		return Request{}, err
	}
	returning := k == kindRead || (k == kindCall && method != MethodHead)
	selectParam := k == kindRead || q.selSet
	if k != kindRead && k != kindCall && (w.Returning || q.selSet) {
		returning, selectParam = true, true
	}
	preferReturn := (k != kindRead && k != kindCall && returning) || (k == kindCall && q.selSet)

	e := encPool.Get().(*encoder)
	e.name = q.name
	e.orders = q.orders
	e.buf = e.buf[:0]
	e.ev = e.ev[:0]
	e.errs = e.errs[:0]
	defer func() {
		e.name, e.orders = "", nil
		e.root[0] = nil
		if cap(e.buf) <= 64<<10 {
			encPool.Put(e)
		}
	}()

	if k == kindUpsert && len(w.OnConflict) > 0 {
		e.columnList("on_conflict", "OnConflict", w.OnConflict, appendIdentForm)
	}
	if len(w.Columns) > 0 {
		e.columnList("columns", "Columns", w.Columns, appendQuotedForm[string])
	}

	// events in call order
	for i := range c.Args {
		e.ev = append(e.ev, event{seq: -1000000 + int32(i), kind: evArg, idx: i})
	}
	if selectParam {
		seq := q.selSeq
		if !q.selSet {
			if k == kindRead || k == kindCall {
				seq = -1
			} else {
				seq = 1 << 30 // a returning write without Select: after the filters
			}
		}
		e.ev = append(e.ev, event{seq: seq, kind: evSelect})
	}
	for i := range q.filters {
		e.ev = append(e.ev, event{seq: q.filters[i].seq, kind: evFilter, idx: i})
	}
	for i := range q.orders {
		e.ev = append(e.ev, event{seq: q.orders[i].seq, kind: evOrder, idx: i})
	}
	for i := -1; i < len(q.mods().pages); i++ {
		p := &q.rootPage
		if i >= 0 {
			p = &q.mods().pages[i]
		}
		if p.hasLimit {
			e.ev = append(e.ev, event{seq: p.seqLimit, kind: evLimit, idx: i})
		}
		if p.hasOffset {
			e.ev = append(e.ev, event{seq: p.seqOffset, kind: evOffset, idx: i})
		}
	}
	// insertion sort: few events, mostly in order
	for i := 1; i < len(e.ev); i++ {
		for j := i; j > 0 && e.ev[j].seq < e.ev[j-1].seq; j-- {
			e.ev[j], e.ev[j-1] = e.ev[j-1], e.ev[j]
		}
	}
	if cap(e.done) < len(q.orders) {
		e.done = make([]bool, len(q.orders))
	}
	e.done = e.done[:len(q.orders)]
	clear(e.done)

	root := scope{tbl: q.tbl, root: true}
	for _, ev := range e.ev {
		switch ev.kind {
		case evArg:
			a := &c.Args[ev.idx]
			e.key(a.name)
			e.value(a.val)
		case evSelect:
			e.key("select")
			e.tmp = e.tmp[:0]
			if q.selSet {
				var err error
				var path []reflect.Type
				if q.tbl != nil {
					e.root[0] = q.tbl.Type
					path = e.root[:1:1] // appends copy
				}
				e.tmp, err = appendSelect(e.tmp, q.sel, q.tbl, path)
				if err != nil {
					e.errs = append(e.errs, err)
				}
			} else if q.tbl != nil {
				e.tmp = append(e.tmp, DefaultSelect(q.tbl)...)
			} else {
				e.tmp = append(e.tmp, '*')
			}
			e.buf = appendForm(e.buf, e.tmp)
		case evFilter:
			e.filter(&q.filters[ev.idx].f, root)
		case evOrder:
			e.orderGroup(ev.idx, root)
		case evLimit, evOffset:
			p := &q.rootPage
			if ev.idx >= 0 {
				p = &q.mods().pages[ev.idx]
			}
			path, _, err := e.scopePath(p.scope, root)
			if err != nil {
				e.errs = append(e.errs, err)
				continue
			}
			e.sep()
			if path != "" {
				e.buf = appendForm(e.buf, path)
				e.buf = append(e.buf, '.')
			}
			if ev.kind == evLimit {
				e.buf = append(e.buf, "limit="...)
				e.buf = strconv.AppendInt(e.buf, p.limit, 10)
			} else {
				e.buf = append(e.buf, "offset="...)
				e.buf = strconv.AppendInt(e.buf, p.offset, 10)
			}
		}
	}
	if len(e.errs) > 0 {
		return Request{}, errors.Join(e.errs...)
	}
	path := q.urlPath
	if path == "" {
		path = q.path()
	}
	if n := len(path) + 1 + len(e.buf); n > MaxURLLength {
		return Request{}, errors.Join(ErrURLTooLong, errors.New("query: the request URL would be "+strconv.Itoa(n)+
			" characters, past "+strconv.Itoa(MaxURLLength)+": pass large value lists in the body of a database function call (RPC) instead"))
	}
	r := Request{
		Method:    method,
		Path:      path,
		RawQuery:  string(e.buf),
		Prefer:    q.prefer(k, w, preferReturn),
		Accept:    accept,
		Schema:    q.mods().schemaName,
		Expect:    q.mods().expect,
		Format:    format,
		Count:     q.mods().count,
		Returning: returning && method != MethodHead,
	}
	if len(q.mods().headers) > 0 {
		r.Headers = append([]Header(nil), q.mods().headers...)
	}
	return r, nil
}

// columnList writes key=a,b with each column name written by name; an
// empty name, or one holding a NUL byte, is an error naming the option.
func (e *encoder) columnList(key, option string, cols []string, name func([]byte, string) []byte) {
	e.key(key)
	for i, col := range cols {
		if col == "" || strings.IndexByte(col, 0) >= 0 {
			e.errs = append(e.errs, errors.New("query: empty or invalid column "+quoteErr(col)+" in "+option))
		}
		if i > 0 {
			e.buf = append(e.buf, "%2C"...)
		}
		e.buf = name(e.buf, col)
	}
}

func (e *encoder) sep() {
	if len(e.buf) > 0 {
		e.buf = append(e.buf, '&')
	}
}

// key starts a parameter with a literal (form-encoded) key.
func (e *encoder) key(k string) {
	e.sep()
	e.buf = appendForm(e.buf, k)
	e.buf = append(e.buf, '=')
}

// value appends a top-level operand: verbatim text, form-encoded.
func (e *encoder) value(v value) {
	if v.k == vText {
		e.buf = appendForm(e.buf, v.s)
		return
	}
	if v.k == vFloat {
		e.tmp = v.appendText(e.tmp[:0]) // exponents hold '+'
		e.buf = appendForm(e.buf, e.tmp)
		return
	}
	e.buf = v.appendText(e.buf) // integers, booleans: form-safe
}

// listValue appends an operand inside an in list or a logic tree.
func (e *encoder) listValue(v value) {
	if v.k == vText {
		e.buf = appendListForm(e.buf, v.s)
		return
	}
	// numbers and booleans hold nothing PostgREST's grammar reserves
	e.tmp = v.appendText(e.tmp[:0])
	e.buf = appendForm(e.buf, e.tmp)
}

func joinPath(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "." + b
}

// colPath returns the path of the resource holding c, seen from sc.
func (e *encoder) colPath(c *colRef, sc scope) (string, error) {
	t := c.table()
	if t == nil {
		return sc.path, nil
	}
	if sc.tbl == nil {
		if sc.root && e.name != "" && t.Name != "" && t.Name != e.name && c.rel == nil {
			return "", columnError(c.display()+" belongs to table "+t.Name+", not "+e.name+
				"; an untyped query cannot find the embedding: use On", nil)
		}
		return sc.path, nil
	}
	if t.Type == sc.tbl.Type {
		return sc.path, nil
	}
	p, _, err := sc.tbl.EmbedPath(t.Type)
	if err != nil {
		return "", columnError(c.display()+": ", err)
	}
	return joinPath(sc.path, p), nil
}

// scopePath resolves an explicit scope (On, OrderOf, LimitOf) from sc.
func (e *encoder) scopePath(s scopeRef, sc scope) (string, *schema.Table, error) {
	if s.err != nil {
		return "", nil, s.err
	}
	if s.rel == nil {
		return joinPath(sc.path, s.path), nil, nil
	}
	r := s.rel
	base := sc.path
	if sc.tbl != nil && r.Table.Type != sc.tbl.Type {
		p, _, err := sc.tbl.EmbedPath(r.Table.Type)
		if err != nil {
			return "", nil, columnError("relation "+r.Table.Type.Name()+"."+r.GoName+": ", err)
		}
		base = joinPath(base, p)
	}
	return joinPath(base, r.Key()), r.Target, nil
}

// filter writes a top-level filter (one or more parameters).
func (e *encoder) filter(f *Filter, sc scope) {
	switch f.kind {
	case fAnd:
		if !f.neg {
			for i := range f.kids {
				e.filter(&f.kids[i], sc)
			}
			return
		}
		e.group(f, sc, "and")
	case fOr:
		e.group(f, sc, "or")
	case fOrRaw:
		e.sep()
		if sc.path != "" {
			e.buf = appendForm(e.buf, sc.path)
			e.buf = append(e.buf, '.')
		}
		if f.neg {
			e.buf = append(e.buf, "not."...)
		}
		e.buf = append(e.buf, "or=%28"...)
		e.buf = appendForm(e.buf, f.val.s)
		e.buf = append(e.buf, "%29"...)
	case fScope:
		p, tbl, err := e.scopePath(*f.scope, sc)
		if err != nil {
			e.errs = append(e.errs, err)
			return
		}
		inner := scope{path: p, tbl: tbl}
		for i := range f.kids {
			e.filter(&f.kids[i], inner)
		}
	default:
		path, err := e.colPath(&f.col, sc)
		if err != nil {
			e.errs = append(e.errs, err)
			return
		}
		e.sep()
		if path != "" {
			e.buf = appendForm(e.buf, path)
			e.buf = append(e.buf, '.')
		}
		e.buf = f.col.appendName(e.buf)
		e.buf = append(e.buf, '=')
		e.condition(f, false)
	}
}

// group writes an or / not.and group as one parameter: the common path of
// its columns, then the logic tree.
func (e *encoder) group(f *Filter, sc scope, op string) {
	path, gtbl, ok := e.groupScope(f, sc)
	if !ok {
		return
	}
	e.sep()
	if path != "" {
		e.buf = appendForm(e.buf, path)
		e.buf = append(e.buf, '.')
	}
	if f.neg {
		e.buf = append(e.buf, "not."...)
	}
	e.buf = append(e.buf, op...)
	e.buf = append(e.buf, "=%28"...)
	gs := scope{path: path, tbl: gtbl}
	for i := range f.kids {
		if i > 0 {
			e.buf = append(e.buf, "%2C"...)
		}
		e.tree(&f.kids[i], gs)
	}
	e.buf = append(e.buf, "%29"...)
}

// groupScope finds the one resource all columns of a logic tree belong to.
func (e *encoder) groupScope(f *Filter, sc scope) (string, *schema.Table, bool) {
	found := false
	var path string
	var tbl *schema.Table
	ok := true
	var walk func(f *Filter)
	walk = func(f *Filter) {
		switch f.kind {
		case fOr, fAnd:
			if len(f.kids) == 0 {
				e.errs = append(e.errs, errors.New("query: empty And inside a logic tree"))
				ok = false
			}
			for i := range f.kids {
				walk(&f.kids[i])
			}
			return
		case fOrRaw:
			return
		case fScope:
			e.errs = append(e.errs, errors.New("query: On inside Or or Not(And): PostgREST logic trees cannot reach embedded resources; put the group inside On"))
			ok = false
			return
		}
		t := f.col.table()
		if t == nil {
			return // named columns are relative to the group
		}
		p, err := e.colPath(&f.col, sc)
		if err != nil {
			e.errs = append(e.errs, err)
			ok = false
			return
		}
		if !found {
			found, path, tbl = true, p, t
			return
		}
		if p != path {
			e.errs = append(e.errs, columnError("a logic tree mixes columns of "+quoteErr(path)+" and "+quoteErr(p)+"; PostgREST applies a group to one resource", nil))
			ok = false
		}
	}
	walk(f)
	if !found {
		return sc.path, sc.tbl, ok
	}
	return path, tbl, ok
}

// tree writes f as an element of a logic tree.
func (e *encoder) tree(f *Filter, gs scope) {
	switch f.kind {
	case fOr, fAnd:
		if f.neg {
			e.buf = append(e.buf, "not."...)
		}
		if f.kind == fOr {
			e.buf = append(e.buf, "or%28"...)
		} else {
			e.buf = append(e.buf, "and%28"...)
		}
		for i := range f.kids {
			if i > 0 {
				e.buf = append(e.buf, "%2C"...)
			}
			e.tree(&f.kids[i], gs)
		}
		e.buf = append(e.buf, "%29"...)
		return
	case fOrRaw:
		if f.neg {
			e.buf = append(e.buf, "not."...)
		}
		e.buf = append(e.buf, "or%28"...)
		e.buf = appendForm(e.buf, f.val.s)
		e.buf = append(e.buf, "%29"...)
		return
	case fScope:
		return // reported by groupScope
	}
	e.buf = f.col.appendName(e.buf)
	e.buf = append(e.buf, '.')
	e.condition(f, true)
}

// condition writes a comparison after its column: [not.]op.value. Inside a
// logic tree (inTree) a textual operand is quoted where the tree's grammar
// needs it; at the top level it is sent as it is.
func (e *encoder) condition(f *Filter, inTree bool) {
	if f.neg {
		e.buf = append(e.buf, "not."...)
	}
	switch f.kind {
	case fOp, fArray:
		e.buf = appendForm(e.buf, f.op)
		e.buf = append(e.buf, '.')
		if inTree {
			e.listValue(f.val)
		} else {
			e.value(f.val)
		}
	case fIs:
		e.buf = append(e.buf, "is."...)
		e.buf = append(e.buf, f.val.s...)
	case fIn:
		e.buf = append(e.buf, "in.%28"...)
		e.buf = append(e.buf, f.val.s...)
		e.buf = append(e.buf, "%29"...)
	case fRaw:
		e.buf = appendForm(e.buf, f.op)
		e.buf = append(e.buf, '.')
		e.buf = appendForm(e.buf, f.val.s)
	}
}

// orderPath resolves the path of an order term, and, for a column of a
// to-one embedded resource, the relation key to wrap it in: PostgREST
// orders the parent rows by it (order=section(name).asc).
func (e *encoder) orderPath(t *orderTerm, sc scope) (path, wrap string, err error) {
	if t.scope.rel != nil || t.scope.path != "" || t.scope.err != nil {
		p, tbl, err := e.scopePath(t.scope, sc)
		if err != nil {
			return "", "", err
		}
		if ct := t.col.table(); ct != nil && tbl != nil && ct.Type != tbl.Type {
			return "", "", columnError(t.col.display()+" is not a column of "+tbl.Type.String(), nil)
		}
		return p, "", nil
	}
	if t.raw != "" {
		return sc.path, "", nil
	}
	if ct := t.col.table(); ct != nil && sc.tbl != nil && ct.Type != sc.tbl.Type {
		p, rels, err := sc.tbl.EmbedPath(ct.Type)
		if err != nil {
			return "", "", columnError(t.col.display()+": ", err)
		}
		if last := rels[len(rels)-1]; last.Cardinality == schema.ToOne {
			parent := ""
			for _, r := range rels[:len(rels)-1] {
				parent = joinPath(parent, r.Key())
			}
			return joinPath(sc.path, parent), last.Key(), nil
		}
		return joinPath(sc.path, p), "", nil
	}
	p, err := e.colPath(&t.col, sc)
	return p, "", err
}

// orderGroup writes the order parameter of the path of term i, with every
// later term of the same path, unless already written.
func (e *encoder) orderGroup(i int, sc scope) {
	if e.done[i] {
		return
	}
	q := e
	path, _, err := e.orderPath(&q.orders[i], sc)
	if err != nil {
		e.errs = append(e.errs, err)
		e.done[i] = true
		return
	}
	e.sep()
	if path != "" {
		e.buf = appendForm(e.buf, path)
		e.buf = append(e.buf, '.')
	}
	e.buf = append(e.buf, "order="...)
	first := true
	for j := i; j < len(q.orders); j++ {
		if e.done[j] {
			continue
		}
		p, wrap, err := e.orderPath(&q.orders[j], sc)
		if err != nil || p != path {
			continue
		}
		e.done[j] = true
		if !first {
			e.buf = append(e.buf, "%2C"...)
		}
		first = false
		t := &q.orders[j]
		if t.raw != "" {
			e.buf = appendForm(e.buf, t.raw)
			continue
		}
		if wrap != "" {
			e.buf = appendIdentForm(e.buf, wrap)
			e.buf = append(e.buf, "%28"...)
		}
		e.buf = t.col.appendName(e.buf)
		if wrap != "" {
			e.buf = append(e.buf, "%29"...)
		}
		if t.desc {
			e.buf = append(e.buf, ".desc"...)
		} else {
			e.buf = append(e.buf, ".asc"...)
		}
		switch t.nulls {
		case 1:
			e.buf = append(e.buf, ".nullsfirst"...)
		case -1:
			e.buf = append(e.buf, ".nullslast"...)
		}
	}
}
