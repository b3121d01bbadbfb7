// Package rest serves PostgREST's HTTP API over a PostgreSQL pool, for the
// emulator's /rest/v1 route.
//
// [New] loads a schema cache from pg_catalog: tables, views (with the keys
// of the base tables they pass through), columns, primary, unique and
// foreign keys, functions, and the roles' ALTER ROLE ... SET settings. The
// cache is reloaded on NOTIFY pgrst, 'reload schema' and by
// [Handler.Reload].
//
// [Handler.ServeHTTP] implements PostgREST v14's grammar: select lists with
// aliases, casts, JSON paths, aggregates, embedding through foreign keys
// (many-to-one, one-to-many, one-to-one, many-to-many through a junction,
// computed relationships), hints, !inner/!left, spreads; every filter
// operator with not, any/all and full-text configurations; or/and trees;
// order, limit and offset on the root and on embedded resources; Range
// headers; Prefer (return, count, resolution, missing, tx, handling,
// max-affected, timezone); on_conflict and columns; JSON, single-object,
// CSV, GeoJSON (with PostGIS), text and EXPLAIN output; Accept-Profile and
// Content-Profile; inserts, upserts, PUT, updates and deletes; RPC by GET
// and POST; OPTIONS; and the Swagger 2.0 document at "/", listing what
// the request's role may use.
//
// Each request is one or two statements run in one transaction as the
// request's role (see the dbrole package), with PostgREST's request
// settings (search_path, request.method, request.path, request.headers,
// request.cookies) and the role's own timeouts and custom settings; SQL may
// set response.status and response.headers to shape the answer. A
// read-only request (GET and HEAD of a table, a stable or immutable
// function) is one round trip: BEGIN READ ONLY, the settings, the
// statement and COMMIT travel as one pipeline (dbrole.RunBatch). The
// schema-reload listener holds a connection of its own, outside the pool.
// PostgreSQL renders the response body; the handler streams it back. Identifiers are always
// quoted, type names come from the catalog or a strict identifier check,
// and every value from the request is a bound parameter (JSON bodies are
// bound whole and expanded by json_populate_recordset / json_to_record).
//
// Errors have PostgREST's JSON shape ([Error]) and status codes. What this
// package does not implement answers 501 with an [Error] that matches
// [ErrUnsupported]: GeoJSON output where PostGIS is not installed, repeated
// (variadic) function arguments, functions returning an untyped record,
// select, filters or order on functions returning scalars, null filters on
// spread embeds, limit/order on writes to views.
//
// A Handler is safe for concurrent use; its zero value is not usable.
package rest
