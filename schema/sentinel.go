package schema

import (
	"reflect"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"
)

// span is the address range of one sentinel.
type span struct {
	base, end uintptr
	typ       reflect.Type
	tbl       *Table
	err       error
}

var (
	spans     atomic.Pointer[[]span] // sorted by base; replaced, never mutated
	spanMu    sync.Mutex
	sentinels sync.Map // reflect.Type -> any (*T)
)

// Cols returns the sentinel of T: a *T allocated once per type, never
// written, whose field addresses name columns. Pass &c.Field to the query
// filters; the field's offset from the sentinel's base identifies the column.
//
// Cols never panics. If T's metadata cannot be built (bad tags, not a
// struct), the sentinel still exists and every pointer into it resolves to
// that error, so a query using it fails with the error naming the field.
// Safe for concurrent use; the sentinel must not be written to.
func Cols[T any]() *T {
	t := reflect.TypeFor[T]()
	if p, ok := sentinels.Load(t); ok {
		return p.(*T)
	}
	spanMu.Lock()
	defer spanMu.Unlock()
	if p, ok := sentinels.Load(t); ok {
		return p.(*T)
	}
	p := new(T)
	tbl, err := TypeOf(t)
	if size := t.Size(); size > 0 {
		base := uintptr(unsafe.Pointer(p))
		old := spans.Load()
		var next []span
		if old != nil {
			next = slices.Clone(*old)
		}
		next = append(next, span{base: base, end: base + size, typ: t, tbl: tbl, err: err})
		sort.Slice(next, func(i, j int) bool { return next[i].base < next[j].base })
		spans.Store(&next)
	}
	sentinels.Store(t, p)
	return p
}

// Field is what a pointer into a sentinel resolves to: a column or a
// relation of a table (exactly one of Column and Relation is set).
type Field struct {
	Table    *Table
	Column   *Column
	Relation *Relation
}

func locate(addr uintptr) *span {
	p := spans.Load()
	if p == nil {
		return nil
	}
	s := *p
	// first span with base > addr, then step back
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m].base <= addr {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return nil
	}
	if sp := &s[lo-1]; addr < sp.end {
		return sp
	}
	return nil
}

// resolve finds the field at addr whose Go type is elem.
func resolve(addr uintptr, elem reflect.Type) (Field, error) {
	sp := locate(addr)
	if sp == nil {
		return Field{}, &PointerError{Elem: elem, Err: ErrUnknownPointer}
	}
	off := addr - sp.base
	if sp.err != nil {
		return Field{}, &PointerError{Elem: elem, Struct: sp.typ, Offset: off, Detail: sp.err.Error(), Err: sp.err}
	}
	refs := sp.tbl.fieldsAt(off)
	for _, r := range refs {
		if r.col != nil && r.col.Type == elem {
			return Field{Table: sp.tbl, Column: r.col}, nil
		}
		if r.rel != nil && r.rel.Type == elem {
			return Field{Table: sp.tbl, Relation: r.rel}, nil
		}
	}
	d := "no column or relation field here (a nested struct field, an untagged or skipped field, or padding)"
	if len(refs) > 0 {
		name := refs[0].col
		if name != nil {
			d = "the field here is " + sp.typ.Name() + "." + name.GoName + " of type " + name.Type.String() + ", not " + elem.String()
		} else {
			d = "the field here is " + sp.typ.Name() + "." + refs[0].rel.GoName + " of type " + refs[0].rel.Type.String() + ", not " + elem.String()
		}
	}
	return Field{}, &PointerError{Elem: elem, Struct: sp.typ, Offset: off, Detail: d, Err: ErrNotColumn}
}

// ColumnOf resolves a field pointer into a sentinel to its column.
// It fails with a [*PointerError] matching [ErrUnknownPointer] when p is
// not into a sentinel and [ErrNotColumn] when it does not point at a
// column (for example at a relation field). It does not allocate on
// success; safe for concurrent use.
func ColumnOf[V any](p *V) (*Column, error) {
	f, err := resolve(uintptr(unsafe.Pointer(p)), reflect.TypeFor[V]())
	if err != nil {
		return nil, err
	}
	if f.Column == nil {
		return nil, &PointerError{Elem: reflect.TypeFor[V](), Struct: f.Table.Type, Offset: f.Relation.Offset,
			Detail: f.Table.Type.Name() + "." + f.Relation.GoName + " is a relation, not a column", Err: ErrNotColumn}
	}
	return f.Column, nil
}

// RelationOf resolves a pointer to a relation field of a sentinel.
func RelationOf[V any](p *V) (*Relation, error) {
	f, err := resolve(uintptr(unsafe.Pointer(p)), reflect.TypeFor[V]())
	if err != nil {
		var pe *PointerError
		if e, ok := err.(*PointerError); ok && e.Err == ErrNotColumn {
			pe = e
			return nil, &PointerError{Elem: pe.Elem, Struct: pe.Struct, Offset: pe.Offset, Detail: pe.Detail, Err: ErrNotRelation}
		}
		return nil, err
	}
	if f.Relation == nil {
		return nil, &PointerError{Elem: reflect.TypeFor[V](), Struct: f.Table.Type, Offset: f.Column.Offset,
			Detail: f.Table.Type.Name() + "." + f.Column.GoName + " is a column, not a relation", Err: ErrNotRelation}
	}
	return f.Relation, nil
}

// Resolve resolves p, a pointer of any type, into a sentinel: to a
// column or a relation. It is the untyped form of [ColumnOf] and
// [RelationOf], for lists of field pointers of different types.
func Resolve(p any) (Field, error) {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		t := reflect.TypeOf(p)
		d := "not a pointer"
		if t != nil && t.Kind() == reflect.Pointer {
			d = "nil pointer"
		}
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Pointer {
			elem = t.Elem()
		} else {
			elem = t
		}
		return Field{}, &PointerError{Elem: elem, Detail: d + " (" + typeName(t) + ")", Err: ErrUnknownPointer}
	}
	return resolve(v.Pointer(), v.Type().Elem())
}

func typeName(t reflect.Type) string {
	if t == nil {
		return "nil"
	}
	return t.String()
}

type pathResult struct {
	path string
	rels []*Relation
	err  error
}

// maxEmbedDepth bounds the search of [Table.EmbedPath].
const maxEmbedDepth = 6

// EmbedPath returns the filter path from t to the embedded resource of
// type target: the keys (alias or name) of the relations leading to it,
// joined with '.', such as "cities" or "cities.districts". The shallowest
// path is chosen; relations whose target type is already on the path (back
// references) are not followed. It fails with [ErrNoPath] when target is
// not reachable, or is reachable along several paths of the same depth
// (then name the relation explicitly). Results are cached.
func (t *Table) EmbedPath(target reflect.Type) (string, []*Relation, error) {
	if v, ok := t.cache.paths.Load(target); ok {
		r := v.(*pathResult)
		return r.path, r.rels, r.err
	}
	r := t.findPath(target)
	t.cache.paths.Store(target, r)
	return r.path, r.rels, r.err
}

func (t *Table) findPath(target reflect.Type) *pathResult {
	type node struct {
		tbl  *Table
		rels []*Relation
	}
	level := []node{{tbl: t}}
	for depth := 1; depth <= maxEmbedDepth && len(level) > 0; depth++ {
		var next, found []node
		for _, n := range level {
			for _, r := range n.tbl.Relations {
				if onPath(t, n.rels, r.Target.Type) {
					continue
				}
				rels := append(slices.Clip(n.rels), r)
				if r.Target.Type == target {
					found = append(found, node{tbl: r.Target, rels: rels})
				} else {
					next = append(next, node{tbl: r.Target, rels: rels})
				}
			}
		}
		switch len(found) {
		case 0:
			level = next
			continue
		case 1:
			p := ""
			for i, r := range found[0].rels {
				if i > 0 {
					p += "."
				}
				p += r.Key()
			}
			return &pathResult{path: p, rels: found[0].rels}
		default:
			return &pathResult{err: &pathError{from: t, target: target, n: len(found), depth: depth}}
		}
	}
	return &pathResult{err: &pathError{from: t, target: target}}
}

func onPath(root *Table, rels []*Relation, typ reflect.Type) bool {
	if root.Type == typ {
		return true
	}
	for _, r := range rels {
		if r.Target.Type == typ {
			return true
		}
	}
	return false
}

type pathError struct {
	from   *Table
	target reflect.Type
	n      int
	depth  int
}

func (e *pathError) Error() string {
	if e.n == 0 {
		return "schema: " + e.target.String() + " is not embedded in " + e.from.Type.String() + " (no relation field leads to it)"
	}
	return "schema: " + e.target.String() + " is embedded in " + e.from.Type.String() + " along " +
		strconv.Itoa(e.n) + " paths of depth " + strconv.Itoa(e.depth) + "; name the relation explicitly"
}

func (e *pathError) Unwrap() error { return ErrNoPath }

// ColumnNames resolves field pointers (of any types) to their column
// names, in order: for on_conflict targets, columns lists and the like.
// A pointer that is not at a column is an error.
func ColumnNames(ptrs ...any) ([]string, error) {
	names := make([]string, len(ptrs))
	for i, p := range ptrs {
		f, err := Resolve(p)
		if err != nil {
			return nil, err
		}
		if f.Column == nil {
			return nil, &PointerError{Elem: f.Relation.Type, Struct: f.Table.Type, Offset: f.Relation.Offset,
				Detail: f.Table.Type.Name() + "." + f.Relation.GoName + " is a relation, not a column", Err: ErrNotColumn}
		}
		names[i] = f.Column.Name
	}
	return names, nil
}
