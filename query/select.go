package query

import (
	"errors"
	"reflect"
	"strings"
	"sync"

	"github.com/supakit/supakit/schema"
)

type ikind uint8

const (
	iCol   ikind = iota + 1 // a column (typed or named)
	iRaw                    // raw select text
	iEmbed                  // an embedded resource
)

// Item is one entry of a select list, built by [As], [Cast] or [Embed].
// Select also takes field pointers and raw strings directly. An Item is
// an immutable value.
type Item struct {
	kind ikind
	col  colRef   // iCol: the column; iRaw: col.text is the text; col.err: the item's error
	x    *itemExt // options, shared between copies and never modified
}

type itemExt struct {
	alias, cast, hint string
	aliasSet, hintSet bool
	explicit          bool // Embed items given (else the target's default select)
	spread            bool
	inner             int8 // 1 inner, -1 left, 0 from the relation tag
	scope             scopeRef
	items             []Item
	err               error
}

var noExt itemExt

func (it *Item) opts() *itemExt {
	if it.x == nil {
		return &noExt
	}
	return it.x
}

// with returns a copy of it whose options are changed by f.
func (it Item) with(f func(x *itemExt)) Item {
	var x itemExt
	if it.x != nil {
		x = *it.x
	}
	f(&x)
	it.x = &x
	return it
}

func (it Item) fail(err error) Item {
	return it.with(func(x *itemExt) { x.err = errors.Join(x.err, err) })
}

func (it *Item) collectErrs(errs *[]error) {
	if it.col.err != nil {
		*errs = append(*errs, it.col.err)
	}
	x := it.opts()
	if x.err != nil {
		*errs = append(*errs, x.err)
	}
	if x.scope.err != nil {
		*errs = append(*errs, x.scope.err)
	}
	for i := range x.items {
		x.items[i].collectErrs(errs)
	}
}

func rawItem(s string, err error) Item {
	return Item{kind: iRaw, col: colRef{text: s, err: err}}
}

// item converts an argument of Select, As, Cast or Embed.
func item(x any) Item {
	switch v := x.(type) {
	case Item:
		return v
	case string:
		s := stripSpaces(v)
		if s == "" {
			return rawItem("", errors.New("query: empty select item (pass a field pointer, not the field's value)"))
		}
		if strings.IndexByte(s, 0) >= 0 {
			return rawItem("", errors.New("query: select item contains a NUL byte"))
		}
		return rawItem(s, nil)
	case nil:
		return rawItem("", errors.New("query: nil select item"))
	}
	if reflect.TypeOf(x).Kind() != reflect.Pointer {
		return rawItem("", errors.New("query: select item of type "+reflect.TypeOf(x).String()+": pass a field pointer (&c.Field), an Item or a string"))
	}
	ref, rel := refOfAny(x)
	if rel != nil {
		return Item{kind: iEmbed, x: &itemExt{scope: scopeRef{rel: rel}}}
	}
	return Item{kind: iCol, col: ref}
}

// stripSpaces removes white space outside double quotes, as postgrest-js
// does for select strings.
func stripSpaces(s string) string {
	if !strings.ContainsAny(s, " \t\n\r\v\f") {
		return s
	}
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'):
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// As renames a selected column or embedded resource: As("display_name",
// &c.Name) gives display_name:name.
func As(alias string, x any) Item { return item(x).As(alias) }

// Cast casts a selected column: Cast(&c.ID, "text") gives id::text.
func Cast(x any, typ string) Item {
	it := item(x)
	if it.kind != iCol {
		it = it.fail(errors.New("query: Cast needs a column"))
	}
	if !configIdent(typ) {
		it = it.fail(errors.New("query: invalid cast type " + quoteErr(typ)))
	}
	return it.with(func(x *itemExt) { x.cast = typ })
}

// Embed selects an embedded resource: rel is a relation field pointer
// (&c.Cities) or, for untyped queries, the resource name ("cities"). items
// are its columns (field pointers into the target type's sentinel, Items,
// raw strings); with none, a typed relation selects its target type's
// default select and an untyped one "*". The relation tag's hint, join
// and alias apply unless overridden with [Item.Hint], [Item.Inner],
// [Item.Left] and [Item.As].
func Embed(rel any, items ...any) Item {
	x := &itemExt{scope: scopeOf(rel), explicit: len(items) > 0}
	x.items = make([]Item, len(items))
	for i, v := range items {
		x.items[i] = item(v)
	}
	return Item{kind: iEmbed, x: x}
}

// Inner makes the embedding an inner join (name!inner(...)).
func (it Item) Inner() Item { return it.join(1) }

// Left makes the embedding an explicit left join (name!left(...)).
func (it Item) Left() Item { return it.join(-1) }

func (it Item) join(j int8) Item {
	if it.kind != iEmbed {
		it = it.fail(errors.New("query: Inner/Left need an embedded resource"))
	}
	return it.with(func(x *itemExt) { x.inner = j })
}

// Hint sets the foreign key disambiguating the embedding (name!hint(...)).
func (it Item) Hint(fk string) Item {
	if it.kind != iEmbed {
		it = it.fail(errors.New("query: Hint needs an embedded resource"))
	}
	if !configIdent(fk) {
		it = it.fail(errors.New("query: invalid hint " + quoteErr(fk)))
	}
	return it.with(func(x *itemExt) { x.hint, x.hintSet = fk, true })
}

// As renames the item (alias:name).
func (it Item) As(alias string) Item {
	if alias == "" || strings.IndexByte(alias, 0) >= 0 {
		it = it.fail(errors.New("query: empty or invalid alias"))
	}
	if it.kind == iRaw {
		it = it.fail(errors.New("query: As needs a column or an embedded resource, not raw text"))
	}
	return it.with(func(x *itemExt) { x.alias, x.aliasSet = alias, true })
}

// Spread spreads the embedded resource's columns into the parent
// (...name(...)); only for to-one relations.
func (it Item) Spread() Item {
	if it.kind != iEmbed {
		it = it.fail(errors.New("query: Spread needs an embedded resource"))
	}
	return it.with(func(x *itemExt) { x.spread = true })
}

// defaultSelects caches DefaultSelect per table type.
var defaultSelects sync.Map // reflect.Type -> string

// DefaultSelect returns the select list derived from t's metadata: its
// columns in field order, then its relations embedded with their own
// default select, nested; a relation whose target type is already being
// selected on the path from the root (a back reference) is left out. For
// example: id,name,cities(id,name,country_id). Cached per type.
func DefaultSelect(t *schema.Table) string {
	if v, ok := defaultSelects.Load(t.Type); ok {
		return v.(string)
	}
	var b []byte
	b = appendDefaultSelect(b, t, []reflect.Type{t.Type})
	s := string(b)
	defaultSelects.Store(t.Type, s)
	return s
}

func appendDefaultSelect(b []byte, t *schema.Table, path []reflect.Type) []byte {
	n := 0
	for _, c := range t.Columns {
		if n > 0 {
			b = append(b, ',')
		}
		b = appendIdentRaw(b, c.Name)
		n++
	}
	for _, r := range t.Relations {
		if onTypePath(path, r.Target.Type) {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = appendEmbedHead(b, r, r.Alias, r.Hint, joinOf(r, 0), false)
		b = append(b, '(')
		b = appendDefaultSelect(b, r.Target, append(path, r.Target.Type))
		b = append(b, ')')
		n++
	}
	if n == 0 {
		b = append(b, '*')
	}
	return b
}

func onTypePath(path []reflect.Type, t reflect.Type) bool {
	for _, p := range path {
		if p == t {
			return true
		}
	}
	return false
}

func joinOf(r *schema.Relation, override int8) int8 {
	if override != 0 {
		return override
	}
	if r != nil && r.Inner {
		return 1
	}
	if r != nil && r.Left {
		return -1
	}
	return 0
}

// appendIdentRaw appends a column name for a select or order list (not
// form-encoded), double-quoted unless plain.
func appendIdentRaw(b []byte, s string) []byte {
	if identPlain(s) {
		return append(b, s...)
	}
	return appendQuotedRaw(b, s)
}

func appendEmbedHead(b []byte, r *schema.Relation, alias, hint string, join int8, spread bool) []byte {
	if spread {
		b = append(b, "..."...)
	} else if alias != "" {
		b = appendIdentRaw(b, alias)
		b = append(b, ':')
	}
	b = appendIdentRaw(b, r.Name)
	if hint != "" {
		b = append(b, '!')
		b = append(b, hint...)
	}
	switch join {
	case 1:
		b = append(b, "!inner"...)
	case -1:
		b = append(b, "!left"...)
	}
	return b
}

// appendSelect renders items (not form-encoded) for the table t (nil when
// untyped), checking that typed columns belong to it.
func appendSelect(b []byte, items []Item, t *schema.Table, path []reflect.Type) ([]byte, error) {
	var errs []error
	for i := range items {
		it := &items[i]
		x := it.opts()
		if i > 0 {
			b = append(b, ',')
		}
		switch it.kind {
		case iRaw:
			b = append(b, it.col.text...)
		case iCol:
			if x.aliasSet {
				b = appendIdentRaw(b, x.alias)
				b = append(b, ':')
			}
			if c := it.col.col; c != nil {
				if t != nil && c.Table.Type != t.Type {
					errs = append(errs, columnError("select: "+it.col.display()+" is not a column of "+t.Type.String()+"; select it inside Embed", nil))
				}
				b = appendIdentRaw(b, c.Name)
			}
			b = append(b, it.col.text...)
			if x.cast != "" {
				b = append(b, "::"...)
				b = append(b, x.cast...)
			}
		case iEmbed:
			r := x.scope.rel
			if r == nil {
				if x.aliasSet && !x.spread {
					b = appendIdentRaw(b, x.alias)
					b = append(b, ':')
				}
				if x.spread {
					b = append(b, "..."...)
				}
				b = append(b, x.scope.path...)
				if x.hint != "" {
					b = append(b, '!')
					b = append(b, x.hint...)
				}
				switch x.inner {
				case 1:
					b = append(b, "!inner"...)
				case -1:
					b = append(b, "!left"...)
				}
				b = append(b, '(')
				if x.explicit {
					var err error
					if b, err = appendSelect(b, x.items, nil, nil); err != nil {
						errs = append(errs, err)
					}
				} else {
					b = append(b, '*')
				}
				b = append(b, ')')
				continue
			}
			if t != nil && r.Table.Type != t.Type {
				errs = append(errs, columnError("select: relation "+r.Table.Type.Name()+"."+r.GoName+" does not belong to "+t.Type.String(), nil))
			}
			alias := r.Alias
			if x.aliasSet {
				alias = x.alias
			}
			hint := r.Hint
			if x.hintSet {
				hint = x.hint
			}
			b = appendEmbedHead(b, r, alias, hint, joinOf(r, x.inner), x.spread)
			b = append(b, '(')
			if x.explicit {
				var err error
				if b, err = appendSelect(b, x.items, r.Target, append(path, r.Target.Type)); err != nil {
					errs = append(errs, err)
				}
			} else {
				b = appendDefaultSelect(b, r.Target, append(path, r.Target.Type))
			}
			b = append(b, ')')
		default:
			errs = append(errs, errors.New("query: zero select Item"))
		}
	}
	return b, errors.Join(errs...)
}
