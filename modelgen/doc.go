// Package modelgen generates Go models for supakit's repositories from a
// live schema, for go generate. The command is cmd/modelgen, a thin main
// over [Run]; the steps are importable for tools of one's own:
//
//	db, err := modelgen.FromPostgres(ctx, "postgres://…", []string{"public"}) // or FromOpenAPI
//	files, err := modelgen.Generate(db, modelgen.Config{Package: "models", Relations: true})
//	err = modelgen.WriteFiles("./models", files, false)
//	diffs, err := modelgen.Check("./models", db, cfg) // drift, for CI
//
// # Sources
//
// [FromPostgres] reads PostgreSQL's catalog (pgx): tables, views,
// materialized and foreign tables, columns with types, nullability,
// defaults, identity and generated columns, comments, primary, unique and
// foreign keys, enums, composite types and functions. [FromOpenAPI] reads
// the OpenAPI document PostgREST serves at its root, for hosted projects
// without a database password; it knows less (see its documentation).
//
// # Output
//
// Every file starts with [Header] and is gofmt'ed; the same schema and
// [Config] always give the same bytes. For each table or view:
//
//   - a struct named after the singular of the table (countries ->
//     Country) with db and json tags: pk for primary-key columns; readonly
//     for generated, identity ALWAYS and serial columns and for
//     materialized views; omitempty for other columns with a default, so
//     a zero value lets the default apply (a bool, number or text column
//     whose default is not its zero value is a pointer then: nil, and only
//     nil, means "use the default"); json for json, jsonb and composite
//     columns. Nullable columns are pointers (slices, json.RawMessage and
//     pgtypes.Bytea use nil).
//   - validate tags (checked by repo before writes) from the schema: the
//     length of varchar(n) and char(n), the labels of an enum (oneof).
//   - a TableName method.
//   - typed column descriptors: a struct of field pointers into
//     schema.Cols[T]() (CountryCols.Name is a *string), accepted wherever a
//     field pointer is: query.Eq(models.CountryCols.Name, "Denmark"),
//     query.Desc, Select, repo.Set, repo.OnConflictColumns.
//   - the metadata read from the database (CountryMeta, a pgtypes.Table),
//     and one VerifyModels function checking every model's metadata
//     against what package schema derives from the tags by reflection.
//   - with Config.Relations, relation fields from foreign keys: to-one
//     (pointer; Country *Country from country_id), to-many (slice; a
//     unique foreign key gives a pointer), and many-to-many through a
//     junction table whose primary key holds both foreign keys. Hints
//     (!fkey) are added when PostgREST could join two tables in more than
//     one way; aliases (as=) keep keys unique.
//
// Enums become named string types with one constant per label, a Values
// list and Valid; composite types become structs (their attributes are
// nullable, so pointers). For each function PostgREST can call (named
// arguments, no trigger or pseudo-type results) it writes an Args struct
// (arguments with a default are pointers with omitempty: nil leaves them
// to the database), a Result struct for RETURNS TABLE or OUT columns, and
// a typed call over repo.Call — plus a …Query function over repo.Func for
// set-returning functions, to filter, order and page the rows.
//
// The type mapping is [TypeMapping] (also printed by modelgen -h). A type
// it cannot map becomes json.RawMessage, which reads and writes whatever
// JSON PostgREST gives, with a comment naming the type: the generated code
// always builds. Config.Types and Config.JSONType override the mapping
// per column or per database type.
//
// # Writes: not set versus NULL
//
// No Update struct is generated: a struct of pointers cannot tell "leave
// this column alone" from "set it to NULL". Updates are typed patches,
// where only the columns named are sent and a nil pointer is an explicit
// NULL:
//
//	users.Update(ctx, []query.Filter{query.Eq(models.UserCols.ID, id)},
//		repo.Set(models.UserCols.DisplayName, (*string)(nil)), // set to NULL
//		repo.Set(models.UserCols.Mood, &happy))               // other columns untouched
//
// # Drift
//
// [Check] (modelgen -check) compares the models in a folder — any struct
// with a TableName method, generated or not — with what the live schema
// gives now, and names each difference: a table or column dropped, a
// column added, renamed, retyped, made nullable or NOT NULL, or with
// changed tag options, an enum label added or removed. modelgen -check
// exits 1 when there is any.
//
// # Errors
//
// Errors match [ErrUnreachable], [ErrAuth], [ErrUnknownDatabase],
// [ErrUnknownSchema], [ErrSource] and [ErrConfig]; [Check]'s findings are
// a [*DriftError] matching [ErrDrift] when returned as an error. Passwords
// and keys never appear in them.
package modelgen
