// Package transport is the HTTP layer shared by supakit's services (the
// PostgREST repository, Auth, Storage and Functions).
//
// A [Transport] knows one service's base URL (for example
// https://xyz.supabase.co/rest/v1), the project key and the HTTP client. For
// every request it sets the headers Supabase expects:
//
//   - apikey: the project key;
//   - Authorization: "Bearer <token>", where the token is the access token
//     from the [TokenSource] when it has one, else the project key (legacy
//     anon and service-role keys are JWTs). New-format keys (sb_publishable_…,
//     sb_secret_…) are not JWTs and are never sent as a bearer token;
//   - X-Client-Info: supakit-go/<version>;
//   - the caller's custom headers.
//
// Like net/http's RoundTripper, a Transport never interprets status codes:
// the services decode bodies and map errors. It does retry reads (GET and
// HEAD) on 503 and 520 answers and on connection resets, at most
// [RetryPolicy.MaxRetries] times with exponential backoff that honours
// Retry-After, sending X-Retry-Count; writes are never retried.
//
// A Transport is immutable and safe for concurrent use; the With… methods
// return modified copies that share the HTTP client and its connection pool.
package transport
