package query

import (
	"errors"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/supakit/supakit/schema"
)

// colRef is a resolved column: a typed column of a table, a relation (for
// is filters on embedded resources), or a named column (verbatim text).
type colRef struct {
	col  *schema.Column   // typed column; with suffix for a JSON path
	rel  *schema.Relation // relation (is null on an embedded resource)
	text string           // named column: its verbatim text; typed column: a JSON path suffix ("->a->>b")
	json bool             // operands are encoded as JSON
	err  error
}

// table returns the table the column belongs to, nil for named columns.
func (c *colRef) table() *schema.Table {
	if c.col != nil {
		return c.col.Table
	}
	if c.rel != nil {
		return c.rel.Table
	}
	return nil
}

// display is the column as written in error messages.
func (c *colRef) display() string {
	switch {
	case c.col != nil:
		return c.col.Table.Type.Name() + "." + c.col.GoName + " (" + c.col.Name + c.text + ")"
	case c.rel != nil:
		return c.rel.Table.Type.Name() + "." + c.rel.GoName + " (" + c.rel.Key() + ")"
	}
	return c.text
}

// appendName appends the column's name (form-encoded) as written in a
// filter key, an order term or a logic tree, without any embedding path.
func (c *colRef) appendName(b []byte) []byte {
	switch {
	case c.col != nil:
		b = appendIdentForm(b, c.col.Name)
		return appendForm(b, c.text)
	case c.rel != nil:
		return appendIdentForm(b, c.rel.Key())
	}
	return appendForm(b, c.text)
}

// ErrColumn is matched by errors about a column argument: a pointer that
// does not resolve, a column of a table the query cannot reach, an empty
// or malformed column name.
var ErrColumn = errors.New("query: bad column")

// colError is an error about a column; it matches ErrColumn and wraps the
// cause (such as a *schema.PointerError).
type colError struct {
	msg string
	err error
}

func (e *colError) Error() string {
	switch {
	case e.err == nil:
		return "query: " + e.msg
	case e.msg == "":
		return e.err.Error()
	}
	return "query: " + e.msg + e.err.Error()
}

func (e *colError) Unwrap() []error {
	if e.err == nil {
		return []error{ErrColumn}
	}
	return []error{ErrColumn, e.err}
}

func columnError(msg string, err error) error { return &colError{msg: msg, err: err} }

// refOf resolves a field pointer (into a schema.Cols sentinel, or made by
// Col or JSONPath) to a column.
func refOf[V any](p *V, allowRel bool) colRef {
	if p == nil {
		return colRef{err: columnError("nil column pointer (*"+reflect.TypeFor[V]().String()+")", nil)}
	}
	c, err := schema.ColumnOf(p)
	if err == nil {
		return colRef{col: c, json: c.JSON}
	}
	var pe *schema.PointerError
	if errors.As(err, &pe) {
		switch pe.Err {
		case schema.ErrUnknownPointer:
			if r, ok := namedRef(uintptr(unsafe.Pointer(p)), reflect.TypeFor[V]()); ok {
				return r
			}
		case schema.ErrNotColumn:
			if allowRel {
				if rel, rerr := schema.RelationOf(p); rerr == nil {
					return colRef{rel: rel}
				}
			}
		}
	}
	return colRef{err: columnError("", err)}
}

// refOfAny is refOf for a pointer of any type (select and order items).
func refOfAny(p any) (colRef, *schema.Relation) {
	f, err := schema.Resolve(p)
	if err == nil {
		if f.Relation != nil {
			return colRef{rel: f.Relation}, f.Relation
		}
		return colRef{col: f.Column, json: f.Column.JSON}, nil
	}
	var pe *schema.PointerError
	if errors.As(err, &pe) && pe.Err == schema.ErrUnknownPointer {
		rv := reflect.ValueOf(p)
		if rv.Kind() == reflect.Pointer && !rv.IsNil() {
			if r, ok := namedRef(rv.Pointer(), rv.Type().Elem()); ok {
				return r, nil
			}
		}
	}
	return colRef{err: columnError("", err)}, nil
}

// named columns: pointers made by Col and JSONPath, registered by address
// while they are alive.
type namedEntry struct {
	ref colRef
	typ reflect.Type
}

var named sync.Map // uintptr -> *namedEntry

var namedCount atomic.Int64

func namedRef(addr uintptr, typ reflect.Type) (colRef, bool) {
	v, ok := named.Load(addr)
	if !ok {
		return colRef{}, false
	}
	e := v.(*namedEntry)
	if e.typ != typ {
		return colRef{err: columnError("named column "+e.ref.display()+" was made for "+e.typ.String()+", used as "+typ.String(), nil)}, true
	}
	return e.ref, true
}

type namedBox[V any] struct {
	v V
	_ *byte // keeps the box out of the tiny allocator, so its cleanup runs
}

type cleanupKey struct {
	addr uintptr
	e    *namedEntry
}

func unregister(k cleanupKey) {
	named.CompareAndDelete(k.addr, k.e)
	namedCount.Add(-1)
}

func register[V any](ref colRef) *V {
	box := new(namedBox[V])
	p := &box.v
	if reflect.TypeFor[V]().Size() == 0 {
		return p // never resolves: zero-size values share an address
	}
	e := &namedEntry{ref: ref, typ: reflect.TypeFor[V]()}
	addr := uintptr(unsafe.Pointer(p))
	named.Store(addr, e)
	namedCount.Add(1)
	runtime.AddCleanup(box, unregister, cleanupKey{addr: addr, e: e})
	return p
}

// Col names a column by its PostgREST text, for dynamic cases: the
// returned pointer can be given to any filter, order or select function
// in place of a field pointer, and V types the filter values as usual:
//
//	query.Eq(query.Col[string]("name"), "Leia")          // name=eq.Leia
//	query.Eq(query.Col[int]("address->postcode"), 90210) // JSON path
//	query.In(query.Col[string]("cities.name"), "Bali")   // embedded column
//
// The name is written verbatim (form-encoded) as the filter key or order
// term; quote unusual names yourself ("\"first name\""). The pointer is
// registered while it is reachable and forgotten after it is garbage
// collected; do not write through it.
func Col[V any](name string) *V {
	ref := colRef{text: name}
	if name == "" || strings.ContainsAny(name, "\x00") {
		ref.err = columnError("empty or invalid column name "+quoteErr(name), nil)
	}
	return register[V](ref)
}

// JSONCol is Col for a JSON path whose result is compared as JSON (path
// ending in ->): values are JSON-encoded, so a string "x" becomes "\"x\"".
func JSONCol[V any](name string) *V {
	ref := colRef{text: name, json: true}
	if name == "" || strings.ContainsAny(name, "\x00") {
		ref.err = columnError("empty or invalid column name "+quoteErr(name), nil)
	}
	return register[V](ref)
}

// JSONPath returns a column for a JSON path into the json column col, typed
// as V. path is PostgREST's arrow syntax: "->a->>b", "->tags->0". A path
// ending in ->> yields text (values are sent as they are); one ending in ->
// yields JSON (values are JSON-encoded).
//
//	query.Eq(query.JSONPath[string](&u.Data, "->a->>b"), "x") // data->a->>b=eq.x
func JSONPath[V, J any](col *J, path string) *V {
	ref := refOf(col, false)
	if ref.err == nil {
		if ref.col == nil {
			ref.err = columnError("JSONPath needs a typed column, got "+ref.display(), nil)
		} else if err := checkJSONPath(path); err != "" {
			ref.err = columnError("JSON path "+quoteErr(path)+" on "+ref.display()+": "+err, nil)
		} else {
			ref.text = path
			ref.json = !strings.Contains(path[strings.LastIndex(path, "->"):], "->>")
		}
	}
	return register[V](ref)
}

// checkJSONPath validates "->key->>key" paths: arrows followed by keys made
// of letters, digits, '_' or '$', or by integer indexes.
func checkJSONPath(p string) string {
	if !strings.HasPrefix(p, "->") {
		return "must start with -> or ->>"
	}
	for p != "" {
		if !strings.HasPrefix(p, "->") {
			return "expected ->"
		}
		p = p[2:]
		if strings.HasPrefix(p, ">") {
			p = p[1:]
		}
		end := strings.Index(p, "->")
		if end < 0 {
			end = len(p)
		}
		key := p[:end]
		if key == "" {
			return "empty key"
		}
		k := strings.TrimPrefix(key, "-")
		for i := 0; i < len(k); i++ {
			c := k[i]
			if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80) {
				return "key " + quoteErr(key) + " holds " + quoteErr(string(c))
			}
		}
		p = p[end:]
	}
	return ""
}

func quoteErr(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return "\"" + s + "\""
}
