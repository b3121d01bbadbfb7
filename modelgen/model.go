package modelgen

// Database is what a source tells about one or more schemas: the input of
// [Generate]. Sources fill it sorted (schema, then name) so that output is
// deterministic.
type Database struct {
	// Schemas are the schemas described, in the order asked for.
	Schemas    []string
	Tables     []*Table
	Enums      []*Enum
	Composites []*Composite
	Functions  []*Function
}

// TableKind tells tables from views.
type TableKind string

// Table kinds.
const (
	KindTable            TableKind = "table"
	KindView             TableKind = "view"
	KindMaterializedView TableKind = "materialized view"
	KindForeignTable     TableKind = "foreign table"
)

// Table is a table, view, materialized view or foreign table.
type Table struct {
	Schema, Name string
	Kind         TableKind
	Comment      string
	Columns      []*Column
	// PrimaryKey lists the primary-key columns in key order.
	PrimaryKey []string
	// Unique lists the column sets of unique constraints.
	Unique      [][]string
	ForeignKeys []*ForeignKey
}

// Column is a column of a table or an attribute of a composite type.
type Column struct {
	Name     string
	Type     Type
	Nullable bool
	// Default is the default expression, "" when none.
	Default string
	// Identity is "always", "by default" or "".
	Identity string
	// Generated marks a generated (computed, stored) column.
	Generated bool
	Comment   string
}

// ForeignKey is a foreign-key constraint of a table.
type ForeignKey struct {
	Name                string
	Columns             []string
	RefSchema, RefTable string
	RefColumns          []string
}

// Enum is an enum type.
type Enum struct {
	Schema, Name string
	Values       []string
	Comment      string
}

// Composite is a composite type created with CREATE TYPE … AS (…).
type Composite struct {
	Schema, Name string
	Attributes   []*Column
	Comment      string
}

// Function is a function callable through PostgREST's /rpc.
type Function struct {
	Schema, Name string
	// Signature is the argument list as PostgreSQL prints it; it tells
	// overloads apart.
	Signature string
	Args      []*Arg
	// Returns is the result type. When the function returns a table row
	// type ReturnsTable names it; when it has OUT or TABLE columns,
	// ResultColumns lists them.
	Returns       Type
	ReturnsSet    bool
	ReturnsTable  string
	ResultColumns []*Column
	// ReturnsUnknown is true when the source does not tell the result
	// type (PostgREST's OpenAPI document).
	ReturnsUnknown bool
	Comment        string
}

// Arg is an input argument of a function.
type Arg struct {
	Name       string
	Type       Type
	HasDefault bool
}

// TypeKind classifies a PostgreSQL type.
type TypeKind string

// Type kinds.
const (
	TypeBase      TypeKind = "base"
	TypeEnum      TypeKind = "enum"
	TypeComposite TypeKind = "composite"
	TypeRange     TypeKind = "range"
	TypeMulti     TypeKind = "multirange"
	TypeArray     TypeKind = "array"
	TypePseudo    TypeKind = "pseudo"
)

// Type is a column, argument or result type.
type Type struct {
	Kind TypeKind
	// Schema and Name identify the type: for base types the internal name
	// in pg_catalog (int4, varchar, timestamptz); domains are resolved to
	// their base type.
	Schema, Name string
	// Elem is the element type of an array.
	Elem *Type
	// Dims is the number of array dimensions (1 unless declared more).
	Dims int
	// Display is the type as PostgreSQL formats it ("character varying(100)").
	Display string
	// Domain names the domain the column was declared with, if any.
	Domain string
}

// Table returns the table or view schema.name.
func (db *Database) Table(schema, name string) *Table {
	for _, t := range db.Tables {
		if t.Schema == schema && t.Name == name {
			return t
		}
	}
	return nil
}

// Column returns the column of the given name.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}
