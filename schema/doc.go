// Package schema maps Go struct types to PostgREST tables: columns, primary
// key, read-only and JSON columns, and embedded resources (relations). The
// metadata of a type is built once, on first use, and cached; every
// function of the package is safe for concurrent use.
//
// # Tag grammar
//
// A field's db tag is a name followed by comma-separated options:
//
//	db:"name[,option]..."
//
// For a column the options are:
//
//	pk         part of the primary key (several fields make a composite key)
//	readonly   generated or server-computed: read, never sent on insert/update
//	omitempty  left out of an insert or update when the Go value is the zero
//	           value, so that the database default applies
//	json       a json/jsonb column: values are encoded as JSON; required for
//	           struct, map and interface fields that are columns
//
// A field tagged rel is an embedded resource (a relation), not a column:
//
//	db:"name,rel[,!hint][,!inner|!left][,as=alias]"
//
// name is the resource as PostgREST names it in select: a table or view
// ("cities"), or a foreign-key column ("sender_id"). A slice field is
// one-to-many ([ToMany]); a struct or pointer-to-struct field is
// many-to-one ([ToOne]). The options are:
//
//	!hint      the foreign key (or column) disambiguating the join:
//	           select "users!messages_sender_id_fkey(...)"
//	!inner     inner join: parent rows without a match are left out
//	!left      explicit left join (the default)
//	as=alias   rename the resource in the response and in filter paths:
//	           select "from:sender_id(...)"
//
// For example:
//
//	type Message struct {
//		ID      int64  `db:"id,pk,readonly"`
//		Content string `db:"content"`
//		Meta    Meta   `db:"meta,json"`
//		From    *User  `db:"sender_id,rel,as=from"`
//		To      *User  `db:"users,rel,!messages_receiver_id_fkey,as=to"`
//	}
//
// Other rules:
//
//   - db:"-" skips a field; unexported fields are skipped (a db tag on one
//     is an error).
//   - An exported field without a db tag, or with an empty name
//     (db:",pk"), is a column named by [SnakeCase] of the Go name (ID -> id,
//     CountryID -> country_id). Struct, map and interface fields need a
//     json or rel tag, and are otherwise an error.
//   - An untagged embedded (anonymous) struct has its fields promoted, as
//     in encoding/json; embedded pointers to structs are refused.
//   - Column types: bool, integers, floats, string, []byte, slices and
//     arrays of those (PostgreSQL arrays), types implementing
//     json.Marshaler or encoding.TextMarshaler (time.Time, uuid.UUID),
//     pointers to any of these (nullable columns), and anything with json.
//     chan, func, complex, uintptr, unsafe.Pointer and zero-size types are
//     refused.
//   - The fields of a nested struct are never columns: only the json
//     column holding it is.
//
// Errors (unknown or duplicate option, duplicate column, unsupported type)
// are [*TagError] values naming the type, the field and the tag; they
// match [ErrBadTag].
//
// # Table names
//
// The table name comes from a TableName() string method on the type (value
// or pointer receiver), or from [Table.WithName]. A type without either has
// an empty Name; it can still be the target of a relation.
//
// # Field pointers
//
// [Cols] returns the sentinel of a type: one *T per type, allocated once and
// never written. A pointer to one of its fields (&c.Name) identifies a
// column by its offset from the sentinel's base; [ColumnOf], [RelationOf]
// and [Resolve] turn it back into metadata. Every sentinel's address range
// is kept in a process-wide registry read without locks, so a pointer into
// the sentinel of any type resolves — that is how a filter on &city.Name
// reaches the embedded resource cities.name of a Country query (see
// [Table.EmbedPath]). A pointer outside every sentinel, or at something
// that is not a column (a relation field, a field of a nested struct,
// padding, or a field of another type at the same address), is an error
// naming the types involved, never a guessed column.
package schema
