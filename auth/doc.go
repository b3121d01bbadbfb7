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
// # The reference's Auth and MFA calls in Go
//
// Python reference v2.0 (supabase-py) on the left; a is an *auth.Client.
// Each has a runnable example (ExampleClient_SignUp, ExampleMFA_Enroll, …).
//
//	auth.sign_up(credentials={"email", "password", "options": {data, email_redirect_to, captcha_token}})
//	    a.SignUp(ctx, auth.SignUpParams{Email, Password, Data, RedirectTo, CaptchaToken})   (or Phone, Channel)
//	auth.sign_in_anonymously(credentials={"options": {captcha_token}})
//	    a.SignInAnonymously(ctx, auth.AnonymousParams{CaptchaToken, Data})
//	auth.sign_in_with_password({"email" | "phone", "password"})
//	    a.SignInWithPassword(ctx, auth.PasswordCredentials{Email | Phone, Password})
//	auth.sign_in_with_otp({"email" | "phone", "options": {email_redirect_to, should_create_user}})
//	    a.SignInWithOTP(ctx, auth.OTPParams{Email | Phone, RedirectTo, DisableSignup: !should_create_user})
//	auth.sign_in_with_oauth({"provider", "options": {redirect_to, scopes, query_params}})
//	    a.SignInWithOAuth(ctx, auth.OAuthParams{Provider, RedirectTo, Scopes, QueryParams})   (the URL; PKCE)
//	    then a.ExchangeCodeForSession(ctx, code) or a.SessionFromURL(ctx, callbackURL)
//	auth.sign_out()  /  sign_out({"scope": "local" | "others"})
//	    a.SignOut(ctx, auth.ScopeGlobal | auth.ScopeLocal | auth.ScopeOthers)
//	auth.verify_otp({"email" | "phone" | "token_hash", "token", "type"})
//	    a.VerifyOTP(ctx, auth.VerifyOTPParams{Email | Phone, Token | TokenHash, Type: auth.OTPSMS, …})
//	auth.get_session()
//	    a.GetSession(ctx)            (a.Token(ctx) for the access token alone)
//	auth.refresh_session()
//	    a.RefreshSession(ctx, "")    (or a given refresh token)
//	auth.get_user()
//	    a.GetUser(ctx)               (a.GetUserWithToken(ctx, jwt) for another token)
//	auth.set_session(access_token, refresh_token)
//	    a.SetSession(ctx, accessToken, refreshToken)
//	auth.update_user({...}), reset_password_for_email, resend, reauthenticate, exchange_code_for_session
//	    a.UpdateUser, a.ResetPasswordForEmail, a.Resend, a.Reauthenticate, a.ExchangeCodeForSession
//	auth.on_auth_state_change(callback)
//	    unsubscribe := a.OnAuthStateChange(func(auth.Event, *auth.Session))
//	auth.mfa.enroll({"factor_type": "totp", "friendly_name"})
//	    a.MFA().Enroll(ctx, auth.EnrollParams{FactorType: auth.FactorTypeTOTP, FriendlyName})
//	auth.mfa.challenge({"factor_id"})
//	    a.MFA().Challenge(ctx, auth.ChallengeParams{FactorID})
//	auth.mfa.verify({"factor_id", "challenge_id", "code"})
//	    a.MFA().Verify(ctx, auth.VerifyParams{FactorID, ChallengeID, Code})
//	auth.mfa.challenge_and_verify({"factor_id", "code"})
//	    a.MFA().ChallengeAndVerify(ctx, factorID, code)
//	auth.mfa.unenroll({"factor_id"})
//	    a.MFA().Unenroll(ctx, factorID)
//	auth.mfa.list_factors()
//	    a.MFA().ListFactors(ctx)
//	auth.mfa.get_authenticator_assurance_level()
//	    a.MFA().GetAuthenticatorAssuranceLevel(ctx)
//	auth.admin.create_user / list_users / get_user_by_id / update_user_by_id / delete_user
//	    a.Admin().CreateUser, ListUsers (or the Users iterator), GetUserByID, UpdateUserByID, DeleteUser(ctx, id, soft)
//	auth.admin.generate_link / invite_user_by_email / sign_out
//	    a.Admin().GenerateLink, InviteUserByEmail, SignOut
//	auth.admin.mfa.list_factors / delete_factor
//	    a.Admin().ListFactors(ctx, userID), DeleteFactor(ctx, userID, factorID)
//
// # Servers
//
// A [Verifier] checks access tokens locally (HS256 with the project's JWT
// secret; RS256/ES256 with the project's JWKS, cached) and returns typed
// [Claims]. The supakit package's Client.Middleware uses it to serve each
// HTTP request as its user; handlers read the claims with
// [ClaimsFromContext].
package auth
