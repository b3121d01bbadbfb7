// Package gateway is the emulator's front door: one base URL routed to the
// services the way Supabase's API gateway (Kong) routes it, with its key
// rules, followed by PostgREST's JWT verification.
//
// Rules reproduced (see testdata/, recorded from a real stack):
//   - /auth/v1 and /rest/v1 need a known API key in the apikey header or
//     query parameter: none → 401 {"message":"No API key found in request"};
//     unknown → 401 {"message":"Invalid authentication credentials"}.
//     /auth/v1/verify, /callback and /authorize are open.
//   - /storage/v1 and /functions/v1 have no key check at the gateway; the
//     services judge the bearer token themselves.
//   - Anything else → 404 {"message":"no Route matched with those values"}.
//   - The route prefix is stripped before the service sees the path; on
//     /rest/v1 the apikey header and query parameter are removed too.
//
// Then, on routes mounted with [RequireJWT], the bearer token
// (Authorization: Bearer, else the apikey) is verified with the JWT secret
// as PostgREST verifies it — HS256/384/512, exp/nbf/iat with 30 s of
// leeway — and rejected with PostgREST's 401 body (PGRST301 or PGRST303)
// and WWW-Authenticate header. The verified role, claims and token go into
// the request context as a [reqctx.Identity].
//
// Keys: [DemoKeys] signs anon and service_role JWTs with the claims of the
// Supabase CLI's demo keys (with [DemoJWTSecret] they are byte-identical to
// them), and derives new-format keys (sb_publishable_…, sb_secret_…) from
// the secret; those are accepted as apikey or bearer and stand for the
// anon and service_role JWTs, as on Supabase.
//
// Request bodies over a route's [MaxBody] get 413. Keys and tokens are
// never logged.
package gateway
