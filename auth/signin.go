package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Channel is how a phone OTP is delivered.
type Channel string

// Phone channels.
const (
	ChannelSMS      Channel = "sms"
	ChannelWhatsApp Channel = "whatsapp"
)

func (ch Channel) orSMS() Channel {
	if ch == "" {
		return ChannelSMS
	}
	return ch
}

// SignUpParams are the credentials and options of [Client.SignUp]. Give an
// Email or a Phone, not both.
type SignUpParams struct {
	Email    string
	Phone    string
	Password string
	// Data becomes the user's user_metadata (any JSON-encodable value,
	// typically a map or a struct).
	Data any
	// RedirectTo is where the confirmation link leads (email sign-ups).
	RedirectTo   string
	CaptchaToken string
	// Channel delivers a phone confirmation code (default sms).
	Channel Channel
}

func oneOfEmailPhone(call, email, phone string) error {
	switch {
	case email == "" && phone == "":
		return invalidArg("%s: an email or a phone is required", call)
	case email != "" && phone != "":
		return invalidArg("%s: give an email or a phone, not both", call)
	}
	return nil
}

// addRecipient puts the email (with a PKCE challenge, in the PKCE flow)
// or the phone and its delivery channel into body, for the calls that
// send a link or a code.
func (c *Client) addRecipient(ctx context.Context, body map[string]any, email, phone string, ch Channel) error {
	if email == "" {
		body["phone"] = phone
		body["channel"] = ch.orSMS()
		return nil
	}
	body["email"] = email
	challenge, err := c.startPKCE(ctx, false)
	if err != nil {
		return err
	}
	pkceFields(body, challenge)
	return nil
}

// SignUp creates a user. When email confirmation is required GoTrue
// answers with the user alone (Session nil); otherwise the new session is
// stored and SIGNED_IN is emitted. In the PKCE flow, email sign-ups store
// a code verifier for [Client.ExchangeCodeForSession].
//
// POST /auth/v1/signup
func (c *Client) SignUp(ctx context.Context, p SignUpParams) (*AuthResponse, error) {
	if err := oneOfEmailPhone("SignUp", p.Email, p.Phone); err != nil {
		return nil, err
	}
	if p.Password == "" {
		return nil, invalidArg("SignUp: empty password")
	}
	if err := validateRedirect(p.RedirectTo); err != nil {
		return nil, err
	}
	body := map[string]any{
		"password":             p.Password,
		"data":                 metadata(p.Data),
		"gotrue_meta_security": security{p.CaptchaToken},
	}
	if err := c.addRecipient(ctx, body, p.Email, p.Phone, p.Channel); err != nil {
		return nil, err
	}
	return c.authCall(ctx, request{method: http.MethodPost, path: "/signup", query: redirectQuery(p.RedirectTo), body: body}, EventSignedIn)
}

// authCall performs a call answering a session or a user, and stores the
// session if there is one.
func (c *Client) authCall(ctx context.Context, r request, ev Event) (*AuthResponse, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	out, err := decodeAuthResponse(resp.body)
	if err != nil {
		return nil, fmt.Errorf("auth: %s %s: %w", r.method, r.path, err)
	}
	if out.Session != nil {
		if err := c.saveSession(ctx, out.Session, ev); err != nil {
			return nil, err
		}
		// The user is signed in: a pending PKCE flow is over.
		if err := c.store.Delete(ctx, c.verifierKey()); err != nil {
			return nil, fmt.Errorf("auth: remove PKCE verifier: %w", err)
		}
	}
	return out, nil
}

// AnonymousParams are the options of [Client.SignInAnonymously].
type AnonymousParams struct {
	Data         any
	CaptchaToken string
}

// SignInAnonymously creates an anonymous user and signs it in.
//
// POST /auth/v1/signup
func (c *Client) SignInAnonymously(ctx context.Context, p AnonymousParams) (*AuthResponse, error) {
	body := map[string]any{"data": metadata(p.Data), "gotrue_meta_security": security{p.CaptchaToken}}
	return c.authCall(ctx, request{method: http.MethodPost, path: "/signup", body: body}, EventSignedIn)
}

// PasswordCredentials are the inputs of [Client.SignInWithPassword].
type PasswordCredentials struct {
	Email        string
	Phone        string
	Password     string
	CaptchaToken string
}

// SignInWithPassword signs a user in with an email or phone and a
// password, stores the session and emits SIGNED_IN.
//
// POST /auth/v1/token?grant_type=password
func (c *Client) SignInWithPassword(ctx context.Context, p PasswordCredentials) (*AuthResponse, error) {
	if err := oneOfEmailPhone("SignInWithPassword", p.Email, p.Phone); err != nil {
		return nil, err
	}
	if p.Password == "" {
		return nil, invalidArg("SignInWithPassword: empty password")
	}
	body := map[string]any{"password": p.Password, "gotrue_meta_security": security{p.CaptchaToken}}
	if p.Email != "" {
		body["email"] = p.Email
	} else {
		body["phone"] = p.Phone
	}
	out, err := c.authCall(ctx, request{method: http.MethodPost, path: "/token", query: "grant_type=password", body: body}, EventSignedIn)
	if err != nil {
		return nil, err
	}
	if out.Session == nil {
		return nil, fmt.Errorf("%w: password sign-in answered without a session", ErrUnexpectedResponse)
	}
	return out, nil
}

// OTPParams are the inputs of [Client.SignInWithOTP].
type OTPParams struct {
	Email string
	Phone string
	// DisableSignup stops GoTrue from creating a user when none exists
	// (create_user: false).
	DisableSignup bool
	// RedirectTo is where the magic link leads (email).
	RedirectTo   string
	Data         any
	CaptchaToken string
	Channel      Channel
}

// SignInWithOTP sends a one-time code or magic link to an email or phone.
// Complete it with [Client.VerifyOTP] (or the link). In the PKCE flow,
// email requests store a code verifier.
//
// POST /auth/v1/otp
func (c *Client) SignInWithOTP(ctx context.Context, p OTPParams) (*OTPResponse, error) {
	if err := oneOfEmailPhone("SignInWithOTP", p.Email, p.Phone); err != nil {
		return nil, err
	}
	if err := validateRedirect(p.RedirectTo); err != nil {
		return nil, err
	}
	body := map[string]any{
		"data":                 metadata(p.Data),
		"create_user":          !p.DisableSignup,
		"gotrue_meta_security": security{p.CaptchaToken},
	}
	if err := c.addRecipient(ctx, body, p.Email, p.Phone, p.Channel); err != nil {
		return nil, err
	}
	var out OTPResponse
	resp, err := c.send(ctx, request{method: http.MethodPost, path: "/otp", query: redirectQuery(p.RedirectTo), body: body})
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal(resp.body, &out) // {} or {"message_id":…}
	return &out, nil
}

// OAuthParams are the inputs of [Client.SignInWithOAuth] and
// [Client.LinkIdentity].
type OAuthParams struct {
	// Provider is GoTrue's provider name (github, google, …).
	Provider string
	// RedirectTo is where GoTrue sends the user back.
	RedirectTo string
	// Scopes is a space-separated list of extra provider scopes.
	Scopes string
	// QueryParams are extra provider parameters (e.g. access_type,
	// prompt), appended in key order.
	QueryParams map[string]string
}

// SignInWithOAuth returns the URL that starts the provider's sign-in; it
// makes no request. In the PKCE flow it stores a code verifier: pass the
// code of the callback to [Client.ExchangeCodeForSession].
//
// GET /auth/v1/authorize (the returned URL)
func (c *Client) SignInWithOAuth(ctx context.Context, p OAuthParams) (*OAuthResponse, error) {
	q, err := c.oauthQuery(ctx, p)
	if err != nil {
		return nil, err
	}
	return &OAuthResponse{Provider: p.Provider, URL: c.t.URL("/authorize") + "?" + strings.Join(q, "&")}, nil
}

func (c *Client) oauthQuery(ctx context.Context, p OAuthParams) ([]string, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(p.Provider) == "" {
		return nil, invalidArg("empty OAuth provider")
	}
	if err := validateRedirect(p.RedirectTo); err != nil {
		return nil, err
	}
	q := []string{"provider=" + escapeComponent(p.Provider)}
	if p.RedirectTo != "" {
		q = append(q, "redirect_to="+escapeComponent(p.RedirectTo))
	}
	if p.Scopes != "" {
		q = append(q, "scopes="+escapeComponent(p.Scopes))
	}
	challenge, err := c.startPKCE(ctx, false)
	if err != nil {
		return nil, err
	}
	if challenge != "" {
		q = append(q, "code_challenge="+escapeComponent(challenge), "code_challenge_method="+codeChallengeMethod)
	}
	keys := make([]string, 0, len(p.QueryParams))
	for k := range p.QueryParams {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		q = append(q, escapeComponent(k)+"="+escapeComponent(p.QueryParams[k]))
	}
	return q, nil
}

// IDTokenCredentials are the inputs of [Client.SignInWithIDToken].
type IDTokenCredentials struct {
	Provider string
	// Token is the provider's OIDC ID token.
	Token string
	// AccessToken is the provider's access token, when the ID token
	// carries an at_hash.
	AccessToken  string
	Nonce        string
	CaptchaToken string
}

// SignInWithIDToken signs in with an OIDC ID token issued by a provider
// (Google, Apple, …), stores the session and emits SIGNED_IN.
//
// POST /auth/v1/token?grant_type=id_token
func (c *Client) SignInWithIDToken(ctx context.Context, p IDTokenCredentials) (*AuthResponse, error) {
	if p.Provider == "" || p.Token == "" {
		return nil, invalidArg("SignInWithIDToken: provider and token are required")
	}
	body := map[string]any{"provider": p.Provider, "id_token": p.Token, "gotrue_meta_security": security{p.CaptchaToken}}
	if p.AccessToken != "" {
		body["access_token"] = p.AccessToken
	}
	if p.Nonce != "" {
		body["nonce"] = p.Nonce
	}
	return c.authCall(ctx, request{method: http.MethodPost, path: "/token", query: "grant_type=id_token", body: body}, EventSignedIn)
}

// SSOParams are the inputs of [Client.SignInWithSSO]: a Domain or a
// ProviderID.
type SSOParams struct {
	Domain       string
	ProviderID   string
	RedirectTo   string
	CaptchaToken string
}

// SignInWithSSO returns the identity provider URL for enterprise SSO
// (SAML). In the PKCE flow it stores a code verifier.
//
// POST /auth/v1/sso
func (c *Client) SignInWithSSO(ctx context.Context, p SSOParams) (*SSOResponse, error) {
	if (p.Domain == "") == (p.ProviderID == "") {
		return nil, invalidArg("SignInWithSSO: give a domain or a provider id")
	}
	if err := validateRedirect(p.RedirectTo); err != nil {
		return nil, err
	}
	body := map[string]any{"skip_http_redirect": true}
	if p.Domain != "" {
		body["domain"] = p.Domain
	} else {
		body["provider_id"] = p.ProviderID
	}
	if p.RedirectTo != "" {
		body["redirect_to"] = p.RedirectTo // /sso takes it in the body
	}
	if p.CaptchaToken != "" {
		body["gotrue_meta_security"] = security{p.CaptchaToken}
	}
	challenge, err := c.startPKCE(ctx, false)
	if err != nil {
		return nil, err
	}
	pkceFields(body, challenge)
	var out SSOResponse
	if _, err := c.sendJSON(ctx, request{method: http.MethodPost, path: "/sso", body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Scope says which sessions SignOut ends.
type Scope string

// Sign-out scopes.
const (
	// ScopeGlobal ends every session of the user (the default).
	ScopeGlobal Scope = "global"
	// ScopeLocal ends this session only.
	ScopeLocal Scope = "local"
	// ScopeOthers ends every other session and keeps this one.
	ScopeOthers Scope = "others"
)

// SignOut ends sessions of the signed-in user (scope "" means global) and,
// unless the scope is others, removes the local session and emits
// SIGNED_OUT. With no session it does nothing. If GoTrue says the session
// is already gone (401, 403 or 404), the local session is removed anyway.
//
// POST /auth/v1/logout?scope=global|local|others
func (c *Client) SignOut(ctx context.Context, scope Scope) error {
	if scope == "" {
		scope = ScopeGlobal
	}
	if scope != ScopeGlobal && scope != ScopeLocal && scope != ScopeOthers {
		return invalidArg("SignOut: unknown scope %q", scope)
	}
	if err := c.check(); err != nil {
		return err
	}
	if ctx == nil {
		return invalidArg("nil context")
	}
	s, err := c.validSession(ctx)
	if errors.Is(err, ErrNoSession) {
		return nil
	}
	var reqErr error
	if err != nil {
		if scope == ScopeOthers {
			return err
		}
		if !isTerminal(err) { // a dead session is signed out already
			reqErr = err
		}
	} else {
		_, reqErr = c.send(ctx, request{method: http.MethodPost, path: "/logout", query: "scope=" + string(scope), bearer: s.AccessToken})
	}
	var e *Error
	if errors.As(reqErr, &e) && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden || e.Status == http.StatusNotFound) {
		reqErr = nil
	}
	if scope == ScopeOthers {
		return reqErr
	}
	if err := c.removeSession(ctx); err != nil {
		return errors.Join(reqErr, err)
	}
	return reqErr
}

// OTPType is the kind of one-time code being verified.
type OTPType string

// OTP types.
const (
	OTPSignup      OTPType = "signup"
	OTPInvite      OTPType = "invite"
	OTPMagicLink   OTPType = "magiclink"
	OTPRecovery    OTPType = "recovery"
	OTPEmailChange OTPType = "email_change"
	OTPEmail       OTPType = "email"
	OTPSMS         OTPType = "sms"
	OTPPhoneChange OTPType = "phone_change"
)

// VerifyOTPParams are the inputs of [Client.VerifyOTP]: Email or Phone
// with Token (the code), or TokenHash alone (from an email link).
type VerifyOTPParams struct {
	Email        string
	Phone        string
	Token        string
	TokenHash    string
	Type         OTPType
	RedirectTo   string
	CaptchaToken string
}

// VerifyOTP checks a one-time code (or a token hash) and stores the
// session GoTrue opens. Emits PASSWORD_RECOVERY for recovery codes and
// SIGNED_IN otherwise.
//
// POST /auth/v1/verify
func (c *Client) VerifyOTP(ctx context.Context, p VerifyOTPParams) (*AuthResponse, error) {
	switch p.Type {
	case OTPSignup, OTPInvite, OTPMagicLink, OTPRecovery, OTPEmailChange, OTPEmail:
		if p.TokenHash == "" && p.Email == "" {
			return nil, invalidArg("VerifyOTP: type %s needs an email (or a token hash)", p.Type)
		}
	case OTPSMS, OTPPhoneChange:
		if p.Phone == "" {
			return nil, invalidArg("VerifyOTP: type %s needs a phone", p.Type)
		}
	default:
		return nil, invalidArg("VerifyOTP: unknown type %q", p.Type)
	}
	if err := validateRedirect(p.RedirectTo); err != nil {
		return nil, err
	}
	body := map[string]any{"type": p.Type, "gotrue_meta_security": security{p.CaptchaToken}}
	if p.TokenHash != "" {
		body["token_hash"] = p.TokenHash
	} else {
		if p.Token == "" {
			return nil, invalidArg("VerifyOTP: empty token")
		}
		body["token"] = p.Token
		if p.Email != "" {
			body["email"] = p.Email
		} else {
			body["phone"] = p.Phone
		}
	}
	ev := EventSignedIn
	if p.Type == OTPRecovery {
		ev = EventPasswordRecovery
	}
	return c.authCall(ctx, request{method: http.MethodPost, path: "/verify", query: redirectQuery(p.RedirectTo), body: body}, ev)
}

// ExchangeCodeForSession completes a PKCE flow: it sends the code from the
// redirect with the stored verifier, stores the session and emits
// SIGNED_IN (PASSWORD_RECOVERY, and RedirectType "recovery", when the flow
// began with ResetPasswordForEmail). The verifier is removed afterwards.
//
// POST /auth/v1/token?grant_type=pkce
func (c *Client) ExchangeCodeForSession(ctx context.Context, authCode string) (*AuthResponse, error) {
	if authCode == "" {
		return nil, invalidArg("ExchangeCodeForSession: empty code")
	}
	verifier, recovery, err := c.takeVerifier(ctx)
	if err != nil {
		return nil, err
	}
	ev := EventSignedIn
	if recovery {
		ev = EventPasswordRecovery
	}
	out, err := c.authCall(ctx, request{method: http.MethodPost, path: "/token", query: "grant_type=pkce",
		body: map[string]string{"auth_code": authCode, "code_verifier": verifier}}, ev)
	if err != nil {
		return nil, err
	}
	_ = c.store.Delete(ctx, c.verifierKey())
	if out.Session == nil {
		return nil, fmt.Errorf("%w: code exchange answered without a session", ErrUnexpectedResponse)
	}
	if recovery {
		out.RedirectType = "recovery"
	}
	return out, nil
}

// SessionFromURL completes the redirect of a verify link or OAuth
// sign-in. In the implicit flow it reads the tokens GoTrue put in the URL
// fragment, fetches the user, stores the session and emits SIGNED_IN (or
// PASSWORD_RECOVERY for type=recovery). In the PKCE flow the URL carries
// ?code=…, which is exchanged with [Client.ExchangeCodeForSession]. A
// redirect carrying an error (#error=…&error_code=…) returns it as an
// [*Error].
//
// GET /auth/v1/user, or POST /auth/v1/token?grant_type=pkce
func (c *Client) SessionFromURL(ctx context.Context, rawURL string) (*Session, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, invalidArg("SessionFromURL: cannot parse URL")
	}
	params, err := url.ParseQuery(u.Fragment)
	if err != nil || (params.Get("access_token") == "" && params.Get("error") == "" && params.Get("error_code") == "") {
		params = u.Query()
	}
	if code := params.Get("code"); code != "" && params.Get("access_token") == "" && params.Get("error") == "" {
		res, err := c.ExchangeCodeForSession(ctx, code)
		if err != nil {
			return nil, err
		}
		return res.Session, nil
	}
	if params.Get("error") != "" || params.Get("error_code") != "" {
		code := params.Get("error_code")
		if code == "" {
			code = params.Get("error")
		}
		return nil, &Error{Code: code, Message: params.Get("error_description")}
	}
	at, rt := params.Get("access_token"), params.Get("refresh_token")
	if at == "" || rt == "" {
		return nil, invalidArg("SessionFromURL: the URL carries no session")
	}
	s := &Session{AccessToken: at, RefreshToken: rt, TokenType: params.Get("token_type"),
		ProviderToken: params.Get("provider_token"), ProviderRefreshToken: params.Get("provider_refresh_token")}
	fmt.Sscan(params.Get("expires_at"), &s.ExpiresAt)
	fmt.Sscan(params.Get("expires_in"), &s.ExpiresIn)
	u2, err := c.GetUserWithToken(ctx, at)
	if err != nil {
		return nil, err
	}
	s.User = u2
	ev := EventSignedIn
	if params.Get("type") == "recovery" {
		ev = EventPasswordRecovery
	}
	if err := c.saveSession(ctx, s, ev); err != nil {
		return nil, err
	}
	return s, nil
}
