// Package gotrue is the emulator's Auth service: a GoTrue-compatible HTTP
// API (the routes supabase-js and supakit's auth client call under
// /auth/v1) over a real PostgreSQL database.
//
// Users, identities, sessions, refresh tokens, MFA factors and flow states
// are rows in the `auth` schema with Supabase's table and column names, so
// triggers on auth.users (a handle_new_user that fills public.profiles) fire
// as on Supabase, and the access tokens it signs carry GoTrue's claims, which
// the gateway hands to PostgreSQL as request.jwt.claims for auth.uid().
//
// [New] applies the schema idempotently (serialised by an advisory lock) and
// returns a [Handler], an http.Handler to mount with the /auth/v1 prefix
// stripped. Nothing is mailed or texted: every confirmation link, magic
// link, OTP code and nonce goes to the handler's [Outbox], which tests read.
//
// Access tokens are HS256 JWTs signed with [Config.JWTSecret]; no asymmetric
// keys are served, so /.well-known/jwks.json answers an empty key set.
// Refresh tokens are short opaque strings that rotate on every use; reusing a
// revoked one outside [Config.RefreshTokenReuseInterval] revokes its session's
// whole token family, as GoTrue does.
//
// Errors use GoTrue's two body shapes: {"code":400,"error_code":…,"msg":…}
// by default and {"code":…,"message":…} when the request carries
// X-Supabase-Api-Version: 2024-01-01.
//
// A Handler is safe for concurrent use. Routes it does not implement answer
// 501 with error_code "not_implemented" naming the route.
package gotrue
