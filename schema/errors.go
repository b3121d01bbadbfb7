package schema

import (
	"errors"
	"reflect"
	"strconv"
)

var (
	// ErrBadTag is matched (errors.Is) by every [*TagError].
	ErrBadTag = errors.New("schema: bad db tag")
	// ErrNoTableName is returned when a table name is needed but the type
	// has no TableName method and none was given.
	ErrNoTableName = errors.New("schema: no table name")
	// ErrUnknownPointer is matched by a [*PointerError] for a pointer that
	// does not point into any sentinel returned by [Cols].
	ErrUnknownPointer = errors.New("schema: pointer is not into a Cols sentinel")
	// ErrNotColumn is matched by a [*PointerError] for a pointer into a
	// sentinel that does not point at a column (a relation field, a field
	// of a nested struct, padding) or whose type is not the column's type.
	ErrNotColumn = errors.New("schema: pointer is not at a column")
	// ErrNotRelation is matched by a [*PointerError] for a pointer into a
	// sentinel that does not point at a relation field.
	ErrNotRelation = errors.New("schema: pointer is not at a relation")
	// ErrNoPath is returned by [Table.EmbedPath] when the target type is
	// not embedded, or embedded along several paths of the same depth.
	ErrNoPath = errors.New("schema: no unique embedding path")
)

// TagError reports a struct field whose tag or type cannot be mapped.
type TagError struct {
	Type   reflect.Type // the struct type
	Field  string       // the Go field name
	Tag    string       // the db tag as written
	Reason string
}

func (e *TagError) Error() string {
	s := "schema: " + e.Type.String() + "." + e.Field
	if e.Tag != "" {
		s += " (db:" + strconv.Quote(e.Tag) + ")"
	}
	return s + ": " + e.Reason
}

// Is reports whether target is [ErrBadTag].
func (e *TagError) Is(target error) bool { return target == ErrBadTag }

// PointerError reports a field pointer that does not resolve.
type PointerError struct {
	// Elem is the type the pointer points to.
	Elem reflect.Type
	// Struct is the sentinel's struct type, nil when the pointer is not
	// into any sentinel.
	Struct reflect.Type
	// Offset is the pointer's offset from the sentinel base (when Struct is set).
	Offset uintptr
	// Detail explains the failure.
	Detail string
	// Err is ErrUnknownPointer, ErrNotColumn or ErrNotRelation, or the
	// metadata error of the sentinel's type.
	Err error
}

func (e *PointerError) Error() string {
	elem := "<nil>"
	if e.Elem != nil {
		elem = e.Elem.String()
	}
	if e.Struct == nil {
		return "schema: *" + elem + " does not point into a schema.Cols sentinel" + detail(e.Detail)
	}
	return "schema: *" + elem + " at offset " + strconv.FormatUint(uint64(e.Offset), 10) +
		" of the " + e.Struct.String() + " sentinel: " + e.Detail
}

func detail(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}

func (e *PointerError) Unwrap() error { return e.Err }
