package schema

import (
	"reflect"
	"sort"
	"sync"
)

// Table is the metadata of one Go struct type mapped to a PostgREST table,
// view or function result. It is built once per type by [Of] or [TypeOf]
// and never modified afterwards, so it is safe for concurrent use.
type Table struct {
	// Type is the struct type the metadata describes.
	Type reflect.Type
	// Name is the table name: the result of the type's TableName method,
	// or the argument given to [Table.WithName]. It is empty when neither
	// exists; such a type can still be embedded as a relation target.
	Name string
	// Columns lists the columns in field order (promoted fields of embedded
	// structs in place).
	Columns []*Column
	// Relations lists the embedded resources in field order.
	Relations []*Relation
	// PrimaryKey lists the primary-key columns in field order; empty when
	// no column is tagged pk.
	PrimaryKey []*Column
	// Writable lists the columns sent on insert and update: every column
	// but the read-only ones, in field order.
	Writable []*Column

	byName   map[string]*Column
	byKey    map[string]*Relation
	byOffset map[uintptr][]fieldRef // while building, and for large types
	slot     []uint16               // offset -> 1 + index in refs of its first field (types up to 64 KiB)
	refs     []fieldRef             // fields ordered by offset
	cache    *tableCache
}

type fieldRef struct {
	off uintptr
	col *Column
	rel *Relation
}

// fieldsAt returns the columns and relations starting at offset off.
func (t *Table) fieldsAt(off uintptr) []fieldRef {
	if t.slot == nil {
		return t.byOffset[off]
	}
	if off >= uintptr(len(t.slot)) || t.slot[off] == 0 {
		return nil
	}
	i := int(t.slot[off]) - 1
	j := i + 1
	for j < len(t.refs) && t.refs[j].off == off {
		j++
	}
	return t.refs[i:j]
}

// index builds the offset slots once all fields are known.
func (t *Table) index() {
	size := t.Type.Size()
	if size == 0 || size > 1<<16-1 {
		return
	}
	for _, c := range t.Columns {
		t.refs = append(t.refs, fieldRef{off: c.Offset, col: c})
	}
	for _, r := range t.Relations {
		t.refs = append(t.refs, fieldRef{off: r.Offset, rel: r})
	}
	sort.SliceStable(t.refs, func(i, j int) bool { return t.refs[i].off < t.refs[j].off })
	if len(t.refs) >= 1<<16-1 {
		t.refs = nil
		return
	}
	t.slot = make([]uint16, size)
	for i := len(t.refs) - 1; i >= 0; i-- {
		t.slot[t.refs[i].off] = uint16(i + 1)
	}
	t.byOffset = nil
}

type tableCache struct {
	paths sync.Map // reflect.Type -> pathResult
}

// Column is one column of a [Table].
type Column struct {
	// Name is the column name in the database (and the JSON key in rows).
	Name string
	// GoName is the Go field name.
	GoName string
	// Index is the field index path, for reflect.Value.FieldByIndex.
	Index []int
	// Offset is the byte offset of the field from the start of the struct.
	Offset uintptr
	// Type is the Go type of the field.
	Type reflect.Type
	// PK marks a primary-key column.
	PK bool
	// ReadOnly marks a generated, identity or otherwise server-computed
	// column: it is read but never sent on insert or update.
	ReadOnly bool
	// OmitEmpty marks a column left out of an insert or update when its Go
	// value is the zero value, so that the database default applies.
	OmitEmpty bool
	// JSON marks a json or jsonb column: values are encoded as JSON.
	JSON bool
	// Position is the column's index in Table.Columns.
	Position int
	// Table is the table the column belongs to.
	Table *Table
}

// Cardinality says how many rows an embedded resource holds.
type Cardinality uint8

const (
	// ToOne is a many-to-one (or one-to-one) relation: a struct or pointer field.
	ToOne Cardinality = iota + 1
	// ToMany is a one-to-many (or many-to-many) relation: a slice field.
	ToMany
)

func (c Cardinality) String() string {
	switch c {
	case ToOne:
		return "to-one"
	case ToMany:
		return "to-many"
	}
	return "invalid"
}

// Relation is an embedded resource of a [Table]: a field tagged rel.
type Relation struct {
	// Name is the embedded resource as PostgREST names it in select: a
	// table or view, or a foreign-key column.
	Name string
	// Alias, when not empty, renames the embedded resource in the response
	// and in filters (select "alias:name(...)").
	Alias string
	// Hint disambiguates the foreign key (select "name!hint(...)").
	Hint string
	// Inner makes the embedding an inner join (select "name!inner(...)"):
	// parent rows without a match are left out.
	Inner bool
	// Left makes the left join explicit (select "name!left(...)").
	Left bool
	// Cardinality is ToMany for slice fields, ToOne for struct and pointer fields.
	Cardinality Cardinality
	// Pointer reports a to-one relation held by pointer (nil when absent)
	// or a to-many relation whose elements are pointers.
	Pointer bool
	// GoName is the Go field name.
	GoName string
	// Index is the field index path, for reflect.Value.FieldByIndex.
	Index []int
	// Offset is the byte offset of the field from the start of the struct.
	Offset uintptr
	// Type is the Go type of the field.
	Type reflect.Type
	// Target is the metadata of the embedded struct type.
	Target *Table
	// Table is the table the relation belongs to.
	Table *Table
}

// Key is the name under which the embedded resource appears in responses
// and in filter paths: the alias when set, otherwise the name.
func (r *Relation) Key() string {
	if r.Alias != "" {
		return r.Alias
	}
	return r.Name
}

// Column returns the column with the given database name.
func (t *Table) Column(name string) (*Column, bool) {
	c, ok := t.byName[name]
	return c, ok
}

// Relation returns the relation with the given key (alias or name).
func (t *Table) Relation(key string) (*Relation, bool) {
	r, ok := t.byKey[key]
	return r, ok
}

// WithName returns a copy of t naming another table (for example a view
// over the same rows). Columns and relations are shared with t; field
// pointers from [Cols] resolve to t's columns, which carry t's Go type, so
// they are accepted by queries on the copy.
func (t *Table) WithName(name string) *Table {
	c := *t
	c.Name = name
	return &c
}

// String returns the Go type and the table name.
func (t *Table) String() string {
	if t.Name == "" {
		return t.Type.String()
	}
	return t.Type.String() + " (" + t.Name + ")"
}
