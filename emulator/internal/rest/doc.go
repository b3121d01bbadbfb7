// Package rest serves PostgREST's HTTP API over a PostgreSQL pool: the URL
// grammar (select with embedding, filters, logic trees, ordering, paging),
// Prefer and Accept negotiation, writes and RPC, with PostgREST's error
// shapes and status codes.
//
// [New] loads a schema cache from pg_catalog (tables, views, columns,
// keys, relationships, functions) and keeps it fresh on
// NOTIFY pgrst, 'reload schema'. [Handler.ServeHTTP] turns each request into
// one or two SQL statements run in one transaction as the request's role
// (see the dbrole package); PostgreSQL renders the JSON, which is streamed
// back unchanged. Identifiers are always quoted and every value from the
// request is a bound parameter.
//
// A Handler is safe for concurrent use. Features PostgREST has and this
// package does not answer 501 with a PGRST-style error naming the feature.
package rest
