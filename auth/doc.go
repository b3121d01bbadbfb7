// Package auth is supakit's client for Supabase Auth (GoTrue, /auth/v1),
// plus access-token verification for servers.
//
// # Client
//
// [New] builds a [Client] over the /auth/v1 transport of a supakit client:
//
//	base, _ := supakit.New(url, anonKey)
//	a, _ := auth.New(base.AuthTransport())
//	res, err := a.SignInWithPassword(ctx, auth.PasswordCredentials{Email: e, Password: p})
//	// the other services send the user's token:
//	client, _ := supakit.New(url, anonKey, supakit.WithTokenSource(a))
//
// Every call of the Supabase reference has a typed counterpart: sign-up and
// the sign-in methods (password, OTP, OAuth with PKCE, ID token, SSO,
// anonymous), [Client.VerifyOTP], [Client.ExchangeCodeForSession],
// [Client.GetUser], [Client.UpdateUser], [Client.SignOut], … ; the
// multi-factor calls under [Client.MFA]; the service-role calls under
// [Client.Admin]. Each method's documentation names its GoTrue route.
// Every request carries X-Supabase-Api-Version: 2024-01-01; request bodies
// hold only the fields GoTrue's API defines.
//
// The PKCE flow is the default ([WithFlowType]): calls that send a link or
// start an OAuth sign-in store a code verifier, and
// [Client.ExchangeCodeForSession] (or [Client.SessionFromURL] given the
// redirect URL) completes the sign-in. In the implicit flow,
// [Client.SessionFromURL] reads the tokens from the redirect's fragment.
//
// # Sessions
//
// A Client holds at most one session, kept in a [Store] (memory by
// default, [FileStore] for command-line tools). The access token is
// refreshed shortly before it expires ([WithRefreshMargin]); concurrent
// callers share one refresh request, because GoTrue rotates refresh tokens
// and may revoke a session whose used refresh token is sent again. *Client
// implements transport.TokenSource: [Client.Token] returns the current
// access token (refreshing it when due) or "" when signed out. Refreshes
// happen on demand; the client runs no background goroutine and needs no
// Close. Changes are reported to [Client.OnAuthStateChange] subscribers as
// [Event] values. A Client is safe for concurrent use; calls on a zero or
// nil Client fail with [ErrInvalidArgument] (build one with [New]).
//
// # Errors
//
// GoTrue's answers become [*Error] values (status, code, message) whichever
// of GoTrue's two error shapes the server used; match them with errors.Is
// and the sentinels ([ErrInvalidCredentials], [ErrOTPExpired],
// [ErrInsufficientAAL], …). Errors never contain tokens or passwords, and
// [Session] values print and log with their tokens redacted.
//
// # Servers
//
// A [Verifier] checks access tokens locally (HS256 with the project's JWT
// secret; RS256/ES256 with the project's JWKS, cached) and returns typed
// [Claims]. The supakit package's Client.Middleware uses it to serve each
// HTTP request as its user; handlers read the claims with
// [ClaimsFromContext].
package auth
