package schema

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

type entry struct {
	tbl *Table
	err error
}

var (
	cache   sync.Map // reflect.Type -> *entry
	buildMu sync.Mutex
)

type tableNamer interface{ TableName() string }

// Of returns the metadata of T, a struct type. It is built on first use
// and cached; later calls cost one map lookup. Safe for concurrent use.
func Of[T any]() (*Table, error) { return TypeOf(reflect.TypeFor[T]()) }

// TypeOf is [Of] for a reflect.Type.
func TypeOf(t reflect.Type) (*Table, error) {
	if t == nil {
		return nil, &TagError{Type: reflect.TypeFor[any](), Field: "-", Reason: "nil type"}
	}
	if v, ok := cache.Load(t); ok {
		e := v.(*entry)
		return e.tbl, e.err
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	if v, ok := cache.Load(t); ok {
		e := v.(*entry)
		return e.tbl, e.err
	}
	b := &builder{pending: map[reflect.Type]*Table{}}
	tbl, err := b.table(t)
	if err != nil {
		cache.Store(t, &entry{err: err})
		return nil, err
	}
	for typ, tb := range b.pending {
		if _, ok := cache.Load(typ); !ok {
			cache.Store(typ, &entry{tbl: tb})
		}
	}
	return tbl, nil
}

type builder struct {
	pending map[reflect.Type]*Table
}

func (b *builder) table(t reflect.Type) (*Table, error) {
	if v, ok := cache.Load(t); ok {
		e := v.(*entry)
		return e.tbl, e.err
	}
	if tb, ok := b.pending[t]; ok {
		return tb, nil // a cycle: the table is being built further up
	}
	if t.Kind() != reflect.Struct {
		return nil, &TagError{Type: t, Field: "-", Reason: "not a struct type"}
	}
	tb := &Table{
		Type:     t,
		byName:   map[string]*Column{},
		byKey:    map[string]*Relation{},
		byOffset: map[uintptr][]fieldRef{},
		cache:    &tableCache{},
	}
	if n, ok := reflect.New(t).Interface().(tableNamer); ok {
		tb.Name = n.TableName()
	}
	b.pending[t] = tb
	if err := b.fields(tb, t, nil, 0, map[reflect.Type]bool{t: true}); err != nil {
		delete(b.pending, t)
		return nil, err
	}
	tb.index()
	for _, c := range tb.Columns {
		if c.PK {
			tb.PrimaryKey = append(tb.PrimaryKey, c)
		}
		if !c.ReadOnly {
			tb.Writable = append(tb.Writable, c)
		}
	}
	return tb, nil
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// fields walks the fields of t (a struct placed at offset base with index
// prefix idx inside the table's type) and adds columns and relations.
func (b *builder) fields(tb *Table, t reflect.Type, idx []int, base uintptr, embedding map[reflect.Type]bool) error {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, tagged := f.Tag.Lookup("db")
		index := append(append([]int(nil), idx...), i)
		off := base + f.Offset
		if tag == "-" {
			continue
		}
		if !f.IsExported() && !f.Anonymous {
			if tagged {
				return &TagError{Type: tb.Type, Field: f.Name, Tag: tag, Reason: "unexported field has a db tag"}
			}
			continue
		}
		if f.Anonymous && !tagged {
			ft := f.Type
			if ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
				return &TagError{Type: tb.Type, Field: f.Name, Reason: "embedded struct pointers are not supported; embed the struct by value or tag the field"}
			}
			if ft.Kind() == reflect.Struct && !implementsMarshaler(ft) {
				if embedding[ft] {
					return &TagError{Type: tb.Type, Field: f.Name, Reason: "recursive embedded struct"}
				}
				embedding[ft] = true
				err := b.fields(tb, ft, index, off, embedding)
				delete(embedding, ft)
				if err != nil {
					return err
				}
				continue
			}
			if !f.IsExported() {
				continue
			}
		}
		if !f.IsExported() {
			if tagged {
				return &TagError{Type: tb.Type, Field: f.Name, Tag: tag, Reason: "unexported field has a db tag"}
			}
			continue
		}
		o, err := parseTag(tag)
		if err != "" {
			return &TagError{Type: tb.Type, Field: f.Name, Tag: tag, Reason: err}
		}
		if o.name == "" {
			o.name = SnakeCase(f.Name)
		}
		if o.rel {
			if err := b.relation(tb, f, tag, o, index, off); err != nil {
				return err
			}
			continue
		}
		if reason := columnType(f.Type, o.json); reason != "" {
			return &TagError{Type: tb.Type, Field: f.Name, Tag: tag, Reason: reason}
		}
		if f.Type.Size() == 0 {
			return &TagError{Type: tb.Type, Field: f.Name, Tag: tag, Reason: "zero-size type " + f.Type.String() + " cannot be a column"}
		}
		if prev, dup := tb.byName[o.name]; dup {
			return &TagError{Type: tb.Type, Field: f.Name, Tag: tag, Reason: "duplicate column " + quote(o.name) + " (also field " + prev.GoName + ")"}
		}
		if prev, dup := tb.byKey[o.name]; dup {
			return &TagError{Type: tb.Type, Field: f.Name, Tag: tag, Reason: "column " + quote(o.name) + " collides with relation field " + prev.GoName}
		}
		c := &Column{
			Name:      o.name,
			GoName:    f.Name,
			Index:     index,
			Offset:    off,
			Type:      f.Type,
			PK:        o.pk,
			ReadOnly:  o.readonly,
			OmitEmpty: o.omitempty,
			JSON:      o.json,
			Position:  len(tb.Columns),
			Table:     tb,
		}
		tb.Columns = append(tb.Columns, c)
		tb.byName[c.Name] = c
		tb.byOffset[off] = append(tb.byOffset[off], fieldRef{off: off, col: c})
	}
	return nil
}

func (b *builder) relation(tb *Table, f reflect.StructField, tag string, o tagOptions, index []int, off uintptr) error {
	ft := f.Type
	r := &Relation{
		Name:   o.name,
		Alias:  o.alias,
		Hint:   o.hint,
		Inner:  o.inner,
		Left:   o.left,
		GoName: f.Name,
		Index:  index,
		Offset: off,
		Type:   ft,
		Table:  tb,
	}
	target := ft
	switch ft.Kind() {
	case reflect.Slice:
		r.Cardinality = ToMany
		target = ft.Elem()
		if target.Kind() == reflect.Pointer {
			r.Pointer = true
			target = target.Elem()
		}
	case reflect.Pointer:
		r.Cardinality = ToOne
		r.Pointer = true
		target = ft.Elem()
	case reflect.Struct:
		r.Cardinality = ToOne
	}
	if target.Kind() != reflect.Struct {
		return &TagError{Type: tb.Type, Field: f.Name, Tag: tag, Reason: "a relation must be a struct, a pointer to a struct or a slice of them, not " + ft.String()}
	}
	key := r.Key()
	if prev, dup := tb.byKey[key]; dup {
		return &TagError{Type: tb.Type, Field: f.Name, Tag: tag, Reason: "duplicate relation " + quote(key) + " (also field " + prev.GoName + "); set as=alias"}
	}
	if prev, dup := tb.byName[key]; dup {
		return &TagError{Type: tb.Type, Field: f.Name, Tag: tag, Reason: "relation " + quote(key) + " collides with column field " + prev.GoName + "; set as=alias"}
	}
	tt, err := b.table(target)
	if err != nil {
		return err
	}
	r.Target = tt
	tb.Relations = append(tb.Relations, r)
	tb.byKey[key] = r
	tb.byOffset[off] = append(tb.byOffset[off], fieldRef{off: off, rel: r})
	return nil
}

func implementsMarshaler(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType) ||
		p.Implements(jsonMarshalerType) || p.Implements(textMarshalerType)
}

// columnType returns why t cannot be a column type, or "".
func columnType(t reflect.Type, isJSON bool) string {
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Uintptr, reflect.Complex64, reflect.Complex128:
		return "unsupported field type " + t.String()
	}
	if isJSON || implementsMarshaler(t) {
		if t.Kind() == reflect.Pointer {
			return columnType(t.Elem(), isJSON)
		}
		if !isJSON {
			return ""
		}
		return jsonType(t, 0)
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.String:
		return ""
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Pointer {
			return "unsupported field type " + t.String() + " (pointer to pointer)"
		}
		return columnType(t.Elem(), false)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return ""
		}
		if r := columnType(t.Elem(), false); r != "" {
			if t.Elem().Kind() == reflect.Struct || t.Elem().Kind() == reflect.Map ||
				t.Elem().Kind() == reflect.Interface {
				return t.String() + " needs db:\"name,rel\" (embedded resource) or db:\"name,json\" (json column)"
			}
			return r
		}
		return ""
	case reflect.Struct, reflect.Map, reflect.Interface:
		return t.String() + " needs db:\"name,json\" (json column) or db:\"name,rel\" (embedded resource)"
	}
	return "unsupported field type " + t.String()
}

// jsonType checks that a json column type holds nothing encoding/json refuses.
func jsonType(t reflect.Type, depth int) string {
	if depth > 32 {
		return ""
	}
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return "unsupported type " + t.String() + " in json column"
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return jsonType(t.Elem(), depth+1)
	case reflect.Map:
		return jsonType(t.Elem(), depth+1)
	}
	return ""
}

type tagOptions struct {
	name                               string
	pk, readonly, omitempty, json, rel bool
	inner, left                        bool
	hint, alias                        string
}

// parseTag parses a db tag; it returns a reason when the tag is invalid.
func parseTag(tag string) (tagOptions, string) {
	var o tagOptions
	name, rest, more := strings.Cut(tag, ",")
	o.name = name
	if strings.ContainsAny(name, "\x00") {
		return o, "column name contains NUL"
	}
	seen := map[string]bool{}
	var relOnly string
	for more {
		var opt string
		opt, rest, more = strings.Cut(rest, ",")
		if opt == "" {
			return o, "empty option"
		}
		key := opt
		if strings.HasPrefix(opt, "!") {
			key = "!"
		} else if strings.HasPrefix(opt, "as=") {
			key = "as="
		}
		if seen[opt] || (key == "as=" && seen[key]) {
			return o, "duplicate option " + quote(opt)
		}
		seen[opt], seen[key] = true, true
		switch {
		case opt == "pk":
			o.pk = true
		case opt == "readonly":
			o.readonly = true
		case opt == "omitempty":
			o.omitempty = true
		case opt == "json":
			o.json = true
		case opt == "rel":
			o.rel = true
		case opt == "!inner":
			o.inner = true
			relOnly = opt
		case opt == "!left":
			o.left = true
			relOnly = opt
		case key == "!":
			h := opt[1:]
			if h == "" || !isIdent(h) {
				return o, "invalid hint " + quote(opt)
			}
			if o.hint != "" {
				return o, "several hints"
			}
			o.hint = h
			relOnly = opt
		case key == "as=":
			a := opt[3:]
			if a == "" || !isIdent(a) {
				return o, "invalid alias " + quote(opt)
			}
			o.alias = a
			relOnly = opt
		default:
			return o, "unknown option " + quote(opt)
		}
	}
	if o.rel {
		if o.pk || o.readonly || o.omitempty || o.json {
			return o, "a relation takes only !hint, !inner, !left and as=alias"
		}
		if o.inner && o.left {
			return o, "!inner and !left together"
		}
		if o.name == "" {
			return o, "a relation needs a name"
		}
	} else if relOnly != "" {
		return o, "option " + quote(relOnly) + " needs rel"
	}
	return o, ""
}

// isIdent reports whether s is made of ASCII letters, digits and '_' only.
func isIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

func quote(s string) string { return "\"" + s + "\"" }

// SnakeCase converts a Go field name to the default column name:
// ID -> id, CountryID -> country_id, HTTPServer -> http_server,
// FullName -> full_name, Address2 -> address2.
func SnakeCase(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	rs := []rune(s)
	for i, r := range rs {
		upper := r >= 'A' && r <= 'Z'
		if upper {
			if i > 0 {
				prev := rs[i-1]
				prevLower := prev >= 'a' && prev <= 'z' || prev >= '0' && prev <= '9'
				nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
				// an acronym's plural stays whole: UserIDs -> user_ids
				if nextLower && rs[i+1] == 's' && (i+2 == len(rs) || rs[i+2] < 'a' || rs[i+2] > 'z') {
					nextLower = false
				}
				prevUpper := prev >= 'A' && prev <= 'Z'
				if prevLower || prevUpper && nextLower {
					b.WriteByte('_')
				}
			}
			b.WriteRune(r + ('a' - 'A'))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
