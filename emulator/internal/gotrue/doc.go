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
// Routes (relative to /auth/v1):
//
//	GET  /health, /settings, /.well-known/jwks.json
//	POST /signup                      email or phone + password; anonymous without either
//	POST /token?grant_type=password|refresh_token|pkce|id_token (ID tokens from [Handler.SignIDToken])
//	POST /otp, /magiclink, /recover, /resend
//	POST /verify, GET /verify         signup, invite, magiclink, recovery, email_change,
//	                                  email, sms, phone_change; token or token_hash
//	GET  /user, PUT /user, GET /reauthenticate, POST /logout?scope=global|local|others
//	GET  /authorize, GET|POST /callback
//	POST /factors, POST /factors/{id}/challenge, POST /factors/{id}/verify,
//	DELETE /factors/{id}              TOTP only; phone factors answer 422
//	POST /invite, POST /admin/generate_link
//	GET|POST /admin/users, GET|PUT|DELETE /admin/users/{id},
//	GET /admin/users/{id}/factors, PUT|DELETE /admin/users/{id}/factors/{factorID}
//	GET /admin/audit
//	GET /user/identities/authorize, DELETE /user/identities/{id}
//
// Answered 501 (error_code "not_implemented"): SSO and SAML routes, the
// OAuth server admin routes, and the web3 grant.
//
// External OAuth providers are emulated: GET /authorize redirects to the
// configured provider URL with a state; the login is completed by
// [Handler.CompleteOAuth] (or GET /callback?state=…&provider_id=…&email=…),
// which ends in redirect_to?code=… for PKCE flows, to be exchanged at
// POST /token?grant_type=pkce, or in a redirect_to#access_token=… fragment.
//
// Rate limits on mails and texts ([Config.MaxFrequency]) are off unless
// configured. Messages reach the outbox only when the request's transaction
// commits.
//
// A Handler is safe for concurrent use.
package gotrue
