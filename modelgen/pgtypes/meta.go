package pgtypes

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/supakit/supakit/schema"
)

// Table is the metadata modelgen generates beside a model: what the
// database said, in the terms of package schema. [Verify] checks it
// against the tags.
type Table struct {
	// Schema and Name are the table's (or view's) schema and name.
	Schema, Name string
	// View is true for views and materialized views.
	View bool
	// Columns lists the columns in struct field order.
	Columns []Column
	// Relations lists the embedded resources in struct field order.
	Relations []Relation
}

// Column is one column of a generated [Table].
type Column struct {
	Name   string // database name
	GoName string // struct field
	// Type is the database type as PostgreSQL formats it ("bigint",
	// "text[]", "public.mood").
	Type      string
	PK        bool
	ReadOnly  bool
	OmitEmpty bool
	JSON      bool
	Nullable  bool
}

// Relation is one embedded resource of a generated [Table].
type Relation struct {
	Name, Alias, Hint string
	GoName            string
	Many              bool
}

// ErrMismatch is matched by the error of [Verify].
var ErrMismatch = errors.New("pgtypes: generated metadata does not match the struct tags")

// Verify checks that meta equals what schema derives from T's tags by
// reflection: the table name, the columns (name, field, pk, readonly,
// omitempty, json) in order, that nullable columns have fields that can
// hold NULL (pointers, slices, maps), and the
// relations. It returns every difference, joined, each matching
// [ErrMismatch].
func Verify[T any](meta Table) error {
	tbl, err := schema.Of[T]()
	if err != nil {
		return err
	}
	return VerifyTable(tbl, meta)
}

// VerifyTable is [Verify] for metadata already derived.
func VerifyTable(tbl *schema.Table, meta Table) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrMismatch, tbl.Type, fmt.Sprintf(format, args...)))
	}
	if tbl.Name != meta.Name {
		bad("table name %q, generated %q", tbl.Name, meta.Name)
	}
	if len(tbl.Columns) != len(meta.Columns) {
		bad("%d columns by reflection, %d generated", len(tbl.Columns), len(meta.Columns))
	}
	for i := 0; i < len(tbl.Columns) && i < len(meta.Columns); i++ {
		c, m := tbl.Columns[i], meta.Columns[i]
		got := fmt.Sprintf("%s %s pk=%t readonly=%t omitempty=%t json=%t",
			c.Name, c.GoName, c.PK, c.ReadOnly, c.OmitEmpty, c.JSON)
		want := fmt.Sprintf("%s %s pk=%t readonly=%t omitempty=%t json=%t",
			m.Name, m.GoName, m.PK, m.ReadOnly, m.OmitEmpty, m.JSON)
		if got != want {
			bad("column %d: reflection %q, generated %q", i, got, want)
		}
		if m.Nullable && !nullable(c.Type) {
			bad("column %s is nullable but field %s (%s) cannot hold NULL", m.Name, c.GoName, c.Type)
		}
	}
	if len(tbl.Relations) != len(meta.Relations) {
		bad("%d relations by reflection, %d generated", len(tbl.Relations), len(meta.Relations))
	}
	for i := 0; i < len(tbl.Relations) && i < len(meta.Relations); i++ {
		r, m := tbl.Relations[i], meta.Relations[i]
		got := fmt.Sprintf("%s alias=%s hint=%s %s many=%t", r.Name, r.Alias, r.Hint, r.GoName, r.Cardinality == schema.ToMany)
		want := fmt.Sprintf("%s alias=%s hint=%s %s many=%t", m.Name, m.Alias, m.Hint, m.GoName, m.Many)
		if got != want {
			bad("relation %d: reflection %q, generated %q", i, got, want)
		}
	}
	return errors.Join(errs...)
}

// nullable reports whether a column of Go type t can hold SQL NULL: a
// pointer, or a slice, map or json.RawMessage-like type whose nil is null.
func nullable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// Column returns the column of the given database name.
func (t Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// String returns "schema.name".
func (t Table) String() string {
	return strings.TrimPrefix(t.Schema+"."+t.Name, ".")
}
