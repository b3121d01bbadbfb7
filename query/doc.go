// Package query builds PostgREST requests: the filter and modifier tree
// of a query and its exact encoding to URL parameters and headers. It does
// no I/O and does not import net/http: it produces a [Request] value that
// an executor (package repo) sends, adding only the transport headers and
// the JSON body.
//
// # Columns
//
// Columns are field pointers into a type's sentinel ([schema.Cols]), so
// the value type of a filter follows the column's Go type:
//
//	c := schema.Cols[Country]()
//	query.Eq(&c.Name, "Albania")  // name=eq.Albania
//	query.Eq(&c.Name, 3)          // does not compile
//
// A pointer into the sentinel of an embedded type filters that embedded
// resource: with Country embedding []City as "cities", query.Eq(&city.Name,
// "Bali") on a Country query is cities.name=eq.Bali (the path is found by
// [schema.Table.EmbedPath]; [On] names it when it is ambiguous). A pointer
// that resolves to no column is an error returned when the request is
// built, never a guessed column. For dynamic cases [Col] makes a column
// pointer from PostgREST text ("name", "data->a->>b", "cities.name"), and
// [JSONPath] one for a JSON path into a typed json column.
//
// # Values
//
// Strings are sent as they are at the top level (name=eq.Skywalker, Luke
// is read verbatim by PostgREST). Inside in lists and or/and trees a
// textual value is double-quoted, with " and \ escaped by a backslash, when
// it is empty, spells null, or holds one of , . : ( ) " \ { } [ ] or white
// space; other text, numbers and booleans are left bare. Numbers use Go's shortest form (exponent
// only below 1e-6 or from 1e21), booleans true/false, times RFC 3339 with
// nanoseconds, []byte bytea hex (\x...), slices and arrays PostgreSQL array
// literals with elements quoted and escaped as PostgreSQL requires, maps,
// structs and anything on a json column JSON. Values holding a NUL byte
// are refused.
//
// # Nil
//
// A nil value (nil pointer, slice or map) never becomes eq.null, which on
// a text column matches the string 'null':
//
//	Eq(col, nil)          col=is.null
//	Neq(col, nil)         col=not.is.null
//	IsDistinct(col, nil)  col=not.is.null
//	Match with nil        col=is.null
//	In with a nil value   error (SQL IN never matches NULL): use Or(In(...), IsNull(col))
//	any other operator    error (ErrNilValue)
//
// # Parameters
//
// Parameters are an ordered multimap: they are written in the order the
// builder calls were made (select, filters, order, limit, offset), a column
// may be filtered several times, and successive Order calls on one
// resource are merged into one order parameter placed where the first
// was. Writes put on_conflict and columns first. The encoding is
// application/x-www-form-urlencoded as the official JavaScript client
// produces it (URLSearchParams: letters, digits and *-._ bare, space as +,
// everything else %XX), so requests match its byte for byte where the
// meaning is the same. A request whose path and query pass
// [MaxURLLength] fails with [ErrURLTooLong], which suggests an RPC.
//
// # Deliberate differences from postgrest-js
//
//   - nil gives is.null, never eq.null (see Nil).
//   - in lists and logic trees quote every value that needs it and escape
//     " and \ (postgrest-js quotes only values with , ( or ) and escapes nothing).
//   - cs, cd, ov and like(all)/like(any) arrays are proper PostgreSQL
//     array literals (postgrest-js joins elements without quoting).
//   - times are RFC 3339; maps and structs are JSON.
//   - in lists are not de-duplicated.
//   - typed column names that are not plain identifiers are double-quoted
//     ("first name"); [Col] names are sent verbatim.
//
// # Reference calls
//
// The filters and modifiers of the Supabase reference and their Go forms
// (c := schema.Cols[T](); q is a Query):
//
//	eq, neq, gt, gte, lt, lte     Eq, Neq, Gt, Gte, Lt, Lte(&c.Col, v)
//	like, ilike                   Like, ILike(&c.Col, pattern)
//	like_all_of ... ilike_any_of  LikeAllOf, LikeAnyOf, ILikeAllOf, ILikeAnyOf
//	regex_match, regex_imatch     RegexMatch, RegexIMatch
//	is_                           Is(&c.Col, Null|True|False|Unknown), IsNull, IsNotNull
//	is_distinct                   IsDistinct
//	in_, not in                   In(&c.Col, vs...), NotIn
//	contains, contained_by        Contains, ContainedBy
//	range_gt ... range_adjacent   RangeGt, RangeGte, RangeLt, RangeLte, RangeAdjacent
//	overlaps                      Overlaps
//	text_search                   TextSearch(&c.Col, q, TextSearchOptions{Type, Config})
//	match                         Match(map[string]any) (keys sorted), or And(Eq(...), ...)
//	not_                          Not(f)
//	or_                           Or(fs...), OrRaw("a.eq.1,b.eq.2"); On(rel, ...) for a referenced table
//	filter                        Raw(column, operator, value)  (Filter is the type)
//	select                        q.Select(&c.Col, As, Cast, Embed(...).Inner().Hint(fk), "raw")
//	order                         q.Order(Asc(&c.Col), Desc(...).NullsFirst()), q.OrderOf(rel, ...)
//	limit, offset, range          q.Limit, q.Offset, q.Range(from, to), q.LimitOf, q.OffsetOf, q.RangeOf
//	single, maybe_single          q.Single(), q.MaybeSingle()
//	csv, explain                  q.CSV(), q.Explain(ExplainOptions{...})
//	count, head                   q.Count(CountExact|CountPlanned|CountEstimated), q.Head()
//	schema                        q.Schema("private")
//	rollback, max_affected        q.Rollback(), q.MaxAffected(n)
//	insert, upsert, update, delete q.Insert, q.Upsert, q.Update, q.Delete(Write{...})
//	rpc                           RPC(fn).Call(Call{Get, Args: []Arg{NamedArg(name, v)}})
//
// # Concurrency
//
// [Query], [Filter], [Item] and [Order] are immutable values: safe to
// share between goroutines and to reuse as templates. Building a request
// allocates little (one buffer from a pool, the query string) and does
// not use fmt or regular expressions.
package query
