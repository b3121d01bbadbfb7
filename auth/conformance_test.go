package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/transport"
)

// The oracle (testdata/oracle-auth.json, refreshed by testdata/refresh.sh)
// records what supabase-js sends for every Auth, MFA and Admin call of the
// reference. Each vector is reproduced here by the equivalent Go call
// against a capture server that answers with the recorded responses.

type oracleFile struct {
	Meta struct {
		Fixtures struct {
			UserID, SessionID, FactorID, ChallengeID, IdentityID string
			AccessToken                                          string          `json:"ACCESS_TOKEN"`
			Session                                              json.RawMessage `json:"SESSION"`
		} `json:"fixtures"`
	} `json:"meta"`
	Vectors []vector `json:"vectors"`
}

type vector struct {
	Name          string            `json:"name"`
	Area          string            `json:"area"`
	JS            string            `json:"js"`
	Client        string            `json:"client"`
	StorageBefore map[string]string `json:"storageBefore"`
	StorageAfter  map[string]string `json:"storageAfter"`
	Requests      []oracleRequest   `json:"requests"`
	Result        json.RawMessage   `json:"result"`
}

type oracleRequest struct {
	Method        string      `json:"method"`
	Path          string      `json:"path"`
	RawQuery      string      `json:"rawQuery"`
	Query         [][2]string `json:"query"`
	ClientHeaders [][2]string `json:"clientHeaders"`
	BodyText      *string     `json:"bodyText"`
	Response      struct {
		Status   int               `json:"status"`
		Headers  map[string]string `json:"headers"`
		BodyText string            `json:"bodyText"`
	} `json:"response"`
}

const (
	fixtureUserID      = "11111111-1111-4111-8111-111111111111"
	fixtureFactorID    = "33333333-3333-4333-8333-333333333333"
	fixtureChallengeID = "44444444-4444-4444-8444-444444444444"
	fixtureIdentityID  = "55555555-5555-4555-8555-555555555555"
	// JWT-shaped stand-ins for the oracle's "anon-key" and
	// "service-role-key": the Go transport sends the key as bearer only
	// when it is a JWT (oracle deviation 7).
	goAnonKey    = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.YW5vbi1rZXk"
	goServiceKey = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2VydmljZS1rZXk"
)

func loadOracle(t *testing.T) *oracleFile {
	t.Helper()
	b, err := os.ReadFile("testdata/oracle-auth.json")
	if err != nil {
		t.Fatal(err)
	}
	var o oracleFile
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return &o
}

// captured is one request the Go client sent.
type captured struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// captureServer answers with the vector's recorded responses, in order.
type captureServer struct {
	mu   sync.Mutex
	reqs []captured
	resp []oracleRequest
	srv  *httptest.Server
}

func newCaptureServer(t *testing.T, responses []oracleRequest) *captureServer {
	cs := &captureServer{resp: responses}
	cs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		cs.mu.Lock()
		i := len(cs.reqs)
		cs.reqs = append(cs.reqs, captured{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		cs.mu.Unlock()
		if i >= len(cs.resp) {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		rr := cs.resp[i].Response
		for k, v := range rr.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rr.Status)
		_, _ = io.WriteString(w, rr.BodyText)
	}))
	t.Cleanup(cs.srv.Close)
	return cs
}

type env struct {
	c       *auth.Client
	store   *auth.MemoryStore
	fixture *oracleFile
}

// call is the Go counterpart of one vector; it returns the result to check.
type call func(ctx context.Context, e *env) (any, error)

// deviation documents and applies a deliberate difference from supabase-js
// to the expected request.
type deviation struct {
	reason string
	apply  func(q *[][2]string, body map[string]any)
}

var (
	nullPKCE = deviation{
		reason: "oracle deviation 8: implicit flow omits code_challenge/code_challenge_method instead of sending null",
		apply: func(_ *[][2]string, b map[string]any) {
			for _, k := range []string{"code_challenge", "code_challenge_method"} {
				if v, ok := b[k]; ok && v == nil {
					delete(b, k)
				}
			}
		},
	}
	verifyOptionsLeak = deviation{
		reason: "oracle deviation 6: verifyOtp's raw JS options object is not part of GoTrue's /verify API",
		apply:  func(_ *[][2]string, b map[string]any) { delete(b, "options") },
	}
	challengeFactorIDLeak = deviation{
		reason: "oracle deviation 6: mfa.challenge's camelCase factorId is not part of GoTrue's challenge API (the id is in the path)",
		apply:  func(_ *[][2]string, b map[string]any) { delete(b, "factorId") },
	}
	generateLinkRedirectLeak = deviation{
		reason: "oracle deviation 6: generateLink's camelCase redirectTo body field is ignored by GoTrue; redirect_to goes in the query",
		apply:  func(_ *[][2]string, b map[string]any) { delete(b, "redirectTo") },
	}
	emptyPaging = deviation{
		reason: "oracle deviation 6: listUsers() sends empty page=&per_page=; Go omits unset paging parameters",
		apply: func(q *[][2]string, _ map[string]any) {
			var out [][2]string
			for _, p := range *q {
				if !((p[0] == "page" || p[0] == "per_page") && p[1] == "") {
					out = append(out, p)
				}
			}
			*q = out
		},
	}
)

type testCase struct {
	call       call
	deviations []deviation
	// keepsVerifier: supabase-js drops the PKCE verifier when it re-saves
	// the session after updateUser, which strands the code of the
	// email-change link; Go keeps it for ExchangeCodeForSession.
	keepsVerifier bool
	check         func(t *testing.T, e *env, res any, err error)
}

func oauth(provider, redirect, scopes string, qp map[string]string) auth.OAuthParams {
	return auth.OAuthParams{Provider: provider, RedirectTo: redirect, Scopes: scopes, QueryParams: qp}
}

func wantNoErr(t *testing.T, _ *env, _ any, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func cases() map[string]testCase {
	const email, phone = "example@email.com", "+13334445555"
	ok := wantNoErr
	return map[string]testCase{
		"auth.signUp.email": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignUp(ctx, auth.SignUpParams{Email: email, Password: "example-password"})
		}, deviations: []deviation{nullPKCE}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if r := res.(*auth.AuthResponse); r.Session == nil || r.User == nil || r.User.ID != fixtureUserID {
				t.Fatalf("session/user not decoded: %+v", r)
			}
		}},
		"auth.signUp.email_options": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignUp(ctx, auth.SignUpParams{Email: email, Password: "example-password",
				Data: map[string]any{"first_name": "John", "age": 27}, RedirectTo: "https://example.com/welcome", CaptchaToken: "captcha-123"})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.signUp.phone": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignUp(ctx, auth.SignUpParams{Phone: phone, Password: "some-password"})
		}, check: ok},
		"auth.signUp.phone_whatsapp": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignUp(ctx, auth.SignUpParams{Phone: phone, Password: "some-password", Channel: auth.ChannelWhatsApp,
				Data: map[string]any{"a": 1}, CaptchaToken: "captcha-123"})
		}, check: ok},
		"auth.signUp.email_pkce": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignUp(ctx, auth.SignUpParams{Email: email, Password: "example-password", RedirectTo: "https://example.com/welcome"})
		}, check: ok},
		"auth.signInAnonymously": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInAnonymously(ctx, auth.AnonymousParams{})
		}, check: ok},
		"auth.signInAnonymously.options": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInAnonymously(ctx, auth.AnonymousParams{Data: map[string]string{"nickname": "anon"}, CaptchaToken: "captcha-123"})
		}, check: ok},
		"auth.signInWithPassword.email": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithPassword(ctx, auth.PasswordCredentials{Email: email, Password: "example-password"})
		}, check: ok},
		"auth.signInWithPassword.phone": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithPassword(ctx, auth.PasswordCredentials{Phone: phone, Password: "some-password"})
		}, check: ok},
		"auth.signInWithPassword.captcha": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithPassword(ctx, auth.PasswordCredentials{Email: email, Password: "example-password", CaptchaToken: "captcha-123"})
		}, check: ok},
		"auth.client_custom_header": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithPassword(ctx, auth.PasswordCredentials{Email: email, Password: "example-password"})
		}, check: ok},
		"auth.signInWithOtp.email": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithOTP(ctx, auth.OTPParams{Email: email})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.signInWithOtp.email_options": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithOTP(ctx, auth.OTPParams{Email: email, DisableSignup: true, RedirectTo: "https://example.com/welcome",
				Data: map[string]any{"a": 1}, CaptchaToken: "captcha-123"})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.signInWithOtp.email_pkce": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithOTP(ctx, auth.OTPParams{Email: email, RedirectTo: "https://example.com/welcome"})
		}, check: ok},
		"auth.signInWithOtp.phone": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithOTP(ctx, auth.OTPParams{Phone: phone})
		}, check: ok},
		"auth.signInWithOtp.phone_options": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithOTP(ctx, auth.OTPParams{Phone: phone, DisableSignup: true, Channel: auth.ChannelWhatsApp,
				Data: map[string]any{"a": 1}, CaptchaToken: "captcha-123"})
		}, check: ok},
		"auth.signInWithOAuth.basic": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithOAuth(ctx, oauth("github", "", "", nil))
		}},
		"auth.signInWithOAuth.options": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithOAuth(ctx, oauth("google", "https://example.com/welcome?x=1&y=a b", "repo gist notifications",
				map[string]string{"access_type": "offline", "prompt": "consent"}))
		}},
		// Go has no browser to skip: the same call returns the same URL.
		"auth.signInWithOAuth.skipBrowserRedirect": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithOAuth(ctx, oauth("github", "", "", nil))
		}},
		"auth.signInWithOAuth.pkce": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithOAuth(ctx, oauth("github", "https://example.com/callback", "repo", map[string]string{"prompt": "consent"}))
		}},
		"auth.signInWithIdToken": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithIDToken(ctx, auth.IDTokenCredentials{Provider: "google", Token: "id-token-abc",
				AccessToken: "provider-access-token", Nonce: "nonce-123", CaptchaToken: "captcha-123"})
		}, check: ok},
		"auth.signInWithSSO.domain": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithSSO(ctx, auth.SSOParams{Domain: "company.com", RedirectTo: "https://example.com/after", CaptchaToken: "captcha-123"})
		}, deviations: []deviation{nullPKCE}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if got := res.(*auth.SSOResponse).URL; got != "https://idp.example.com/sso/saml?SAMLRequest=abc" {
				t.Fatalf("url = %q", got)
			}
		}},
		"auth.signInWithSSO.providerId": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithSSO(ctx, auth.SSOParams{ProviderID: "21648a9d-8d5a-4555-a9d1-d6375dc14e92"})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.signInWithSSO.pkce": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SignInWithSSO(ctx, auth.SSOParams{Domain: "company.com"})
		}, check: ok},
		"auth.signOut.default": {call: func(ctx context.Context, e *env) (any, error) { return nil, e.c.SignOut(ctx, "") }, check: ok},
		"auth.signOut.global":  {call: func(ctx context.Context, e *env) (any, error) { return nil, e.c.SignOut(ctx, auth.ScopeGlobal) }, check: ok},
		"auth.signOut.local":   {call: func(ctx context.Context, e *env) (any, error) { return nil, e.c.SignOut(ctx, auth.ScopeLocal) }, check: ok},
		"auth.signOut.others":  {call: func(ctx context.Context, e *env) (any, error) { return nil, e.c.SignOut(ctx, auth.ScopeOthers) }, check: ok},
		"auth.signOut.no_session": {call: func(ctx context.Context, e *env) (any, error) {
			return nil, e.c.SignOut(ctx, "")
		}, check: ok},
		"auth.verifyOtp.email_signup":        verifyCase(auth.VerifyOTPParams{Email: email, Token: "123456", Type: auth.OTPSignup}),
		"auth.verifyOtp.email_invite":        verifyCase(auth.VerifyOTPParams{Email: email, Token: "123456", Type: auth.OTPInvite}),
		"auth.verifyOtp.email_magiclink":     verifyCase(auth.VerifyOTPParams{Email: email, Token: "123456", Type: auth.OTPMagicLink}),
		"auth.verifyOtp.email_recovery":      verifyCase(auth.VerifyOTPParams{Email: email, Token: "123456", Type: auth.OTPRecovery}),
		"auth.verifyOtp.email_change":        verifyCase(auth.VerifyOTPParams{Email: email, Token: "123456", Type: auth.OTPEmailChange}),
		"auth.verifyOtp.email_email":         verifyCase(auth.VerifyOTPParams{Email: email, Token: "123456", Type: auth.OTPEmail}),
		"auth.verifyOtp.phone_sms":           verifyCase(auth.VerifyOTPParams{Phone: phone, Token: "123456", Type: auth.OTPSMS}),
		"auth.verifyOtp.phone_change":        verifyCase(auth.VerifyOTPParams{Phone: phone, Token: "123456", Type: auth.OTPPhoneChange}),
		"auth.verifyOtp.token_hash":          verifyCase(auth.VerifyOTPParams{TokenHash: "hash-abc", Type: auth.OTPEmail}),
		"auth.verifyOtp.token_hash_recovery": verifyCase(auth.VerifyOTPParams{TokenHash: "hash-abc", Type: auth.OTPRecovery}),
		"auth.verifyOtp.email_options": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.VerifyOTP(ctx, auth.VerifyOTPParams{Email: email, Token: "123456", Type: auth.OTPEmail,
				RedirectTo: "https://example.com/after", CaptchaToken: "captcha-123"})
		}, deviations: []deviation{verifyOptionsLeak}, check: ok},
		"auth.getSession.with_session": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.GetSession(ctx)
		}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if s := res.(*auth.Session); s.AccessToken != e.fixture.Meta.Fixtures.AccessToken || s.User.ID != fixtureUserID {
				t.Fatalf("session = %v", s)
			}
		}},
		"auth.getSession.no_session": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.GetSession(ctx)
		}, check: wantErr(auth.ErrNoSession)},
		"auth.refreshSession.stored": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.RefreshSession(ctx, "")
		}, check: ok},
		"auth.refreshSession.explicit": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.RefreshSession(ctx, "explicit-refresh-token")
		}, check: ok},
		"auth.getUser.session": {call: func(ctx context.Context, e *env) (any, error) { return e.c.GetUser(ctx) }, check: ok},
		"auth.getUser.jwt": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.GetUserWithToken(ctx, e.fixture.Meta.Fixtures.AccessToken)
		}, check: ok},
		"auth.getUser.no_session": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.GetUser(ctx)
		}, check: wantErr(auth.ErrNoSession)},
		"auth.setSession": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SetSession(ctx, e.fixture.Meta.Fixtures.AccessToken, "given-refresh-token")
		}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if s := res.(*auth.Session); s.RefreshToken != "given-refresh-token" || s.ExpiresAt != 4102444800 || s.User == nil {
				t.Fatalf("session = %v", s)
			}
		}},
		"auth.setSession.expired_access_token": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.SetSession(ctx, makeJWT(map[string]any{"exp": 1700000100, "sub": fixtureUserID}), "given-refresh-token")
		}, check: ok},
		"auth.updateUser.email": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.UpdateUser(ctx, auth.UserAttributes{Email: "new@email.com"})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.updateUser.email_redirect": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.UpdateUser(ctx, auth.UserAttributes{Email: "new@email.com", EmailRedirectTo: "https://example.com/changed"})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.updateUser.email_pkce": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.UpdateUser(ctx, auth.UserAttributes{Email: "new@email.com"})
		}, keepsVerifier: true, check: ok},
		"auth.updateUser.phone": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.UpdateUser(ctx, auth.UserAttributes{Phone: "+13334445555"})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.updateUser.password_nonce": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.UpdateUser(ctx, auth.UserAttributes{Password: "new-password", Nonce: "123456"})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.updateUser.current_password": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.UpdateUser(ctx, auth.UserAttributes{Password: "new-password", CurrentPassword: "old-password"})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.updateUser.data": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.UpdateUser(ctx, auth.UserAttributes{Data: map[string]string{"hello": "world"}})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.resetPasswordForEmail": {call: func(ctx context.Context, e *env) (any, error) {
			return nil, e.c.ResetPasswordForEmail(ctx, email, auth.ResetPasswordParams{})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.resetPasswordForEmail.options": {call: func(ctx context.Context, e *env) (any, error) {
			return nil, e.c.ResetPasswordForEmail(ctx, email, auth.ResetPasswordParams{RedirectTo: "https://example.com/update-password", CaptchaToken: "captcha-123"})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.resetPasswordForEmail.pkce": {call: func(ctx context.Context, e *env) (any, error) {
			return nil, e.c.ResetPasswordForEmail(ctx, email, auth.ResetPasswordParams{RedirectTo: "https://example.com/update-password"})
		}, check: ok},
		"auth.resend.signup": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Resend(ctx, auth.ResendParams{Type: auth.ResendSignup, Email: email})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.resend.signup_options": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Resend(ctx, auth.ResendParams{Type: auth.ResendSignup, Email: email, RedirectTo: "https://example.com/welcome", CaptchaToken: "captcha-123"})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.resend.email_change": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Resend(ctx, auth.ResendParams{Type: auth.ResendEmailChange, Email: email})
		}, deviations: []deviation{nullPKCE}, check: ok},
		"auth.resend.sms": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Resend(ctx, auth.ResendParams{Type: auth.ResendSMS, Phone: phone})
		}, check: ok},
		"auth.resend.phone_change": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Resend(ctx, auth.ResendParams{Type: auth.ResendPhoneChange, Phone: phone, CaptchaToken: "captcha-123"})
		}, check: ok},
		"auth.exchangeCodeForSession": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.ExchangeCodeForSession(ctx, "auth-code-xyz")
		}, check: ok},
		"auth.exchangeCodeForSession.recovery_verifier": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.ExchangeCodeForSession(ctx, "auth-code-xyz")
		}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if rt := res.(*auth.AuthResponse).RedirectType; rt != "recovery" {
				t.Fatalf("RedirectType = %q, want recovery", rt)
			}
		}},
		"auth.pkce_flow.oauth_then_exchange": {call: func(ctx context.Context, e *env) (any, error) {
			first, err := e.c.SignInWithOAuth(ctx, oauth("github", "https://example.com/callback", "", nil))
			if err != nil {
				return nil, err
			}
			second, err := e.c.ExchangeCodeForSession(ctx, "code-from-redirect")
			return []any{first, second}, err
		}, check: ok},
		"auth.reauthenticate": {call: func(ctx context.Context, e *env) (any, error) { return nil, e.c.Reauthenticate(ctx) }, check: ok},
		"auth.getUserIdentities": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.GetUserIdentities(ctx)
		}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if ids := res.([]auth.Identity); len(ids) != 1 || ids[0].IdentityID != fixtureIdentityID {
				t.Fatalf("identities = %+v", ids)
			}
		}},
		"auth.linkIdentity.oauth": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.LinkIdentity(ctx, oauth("github", "https://example.com/linked", "repo", map[string]string{"prompt": "consent"}))
		}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if u := res.(*auth.OAuthResponse).URL; u != "https://github.com/login/oauth/authorize?client_id=x" {
				t.Fatalf("url = %q", u)
			}
		}},
		"auth.linkIdentity.oauth_pkce": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.LinkIdentity(ctx, oauth("github", "", "", nil))
		}, check: ok},
		"auth.unlinkIdentity": {call: func(ctx context.Context, e *env) (any, error) {
			return nil, e.c.UnlinkIdentity(ctx, fixtureIdentityID)
		}, check: ok},
		"auth.getClaims": {call: func(ctx context.Context, e *env) (any, error) { return e.c.GetClaims(ctx) },
			check: func(t *testing.T, e *env, res any, err error) {
				wantNoErr(t, e, res, err)
				if c := res.(*auth.Claims); c.Subject != fixtureUserID || c.AAL != auth.AAL1 || c.SessionID == "" {
					t.Fatalf("claims = %+v", c)
				}
			}},
		"mfa.enroll.totp": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.MFA().Enroll(ctx, auth.EnrollParams{FactorType: auth.FactorTypeTOTP})
		}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			r := res.(*auth.EnrollResponse)
			if r.TOTP == nil || r.TOTP.Secret != "JBSWY3DPEHPK3PXP" || !strings.HasPrefix(r.TOTP.QRCode, "<svg") || !strings.HasPrefix(r.TOTP.URI, "otpauth://") {
				t.Fatalf("enroll = %+v", r)
			}
		}},
		"mfa.enroll.totp_options": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.MFA().Enroll(ctx, auth.EnrollParams{FactorType: auth.FactorTypeTOTP, FriendlyName: "my-totp", Issuer: "example.com"})
		}, check: ok},
		"mfa.enroll.phone": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.MFA().Enroll(ctx, auth.EnrollParams{FactorType: auth.FactorTypePhone, Phone: phone, FriendlyName: "my-phone"})
		}, check: ok},
		"mfa.challenge.totp": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.MFA().Challenge(ctx, auth.ChallengeParams{FactorID: fixtureFactorID})
		}, deviations: []deviation{challengeFactorIDLeak}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if ch := res.(*auth.Challenge); ch.ID != fixtureChallengeID || ch.ExpiresAt != 4102444800 {
				t.Fatalf("challenge = %+v", ch)
			}
		}},
		"mfa.challenge.phone_channel": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.MFA().Challenge(ctx, auth.ChallengeParams{FactorID: fixtureFactorID, Channel: auth.ChannelWhatsApp})
		}, deviations: []deviation{challengeFactorIDLeak}, check: ok},
		"mfa.verify": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.MFA().Verify(ctx, auth.VerifyParams{FactorID: fixtureFactorID, ChallengeID: fixtureChallengeID, Code: "123456"})
		}, check: ok},
		"mfa.challengeAndVerify": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.MFA().ChallengeAndVerify(ctx, fixtureFactorID, "123456")
		}, deviations: []deviation{challengeFactorIDLeak}, check: ok},
		"mfa.unenroll": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.MFA().Unenroll(ctx, fixtureFactorID)
		}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if res.(string) != fixtureFactorID {
				t.Fatalf("id = %v", res)
			}
		}},
		"mfa.listFactors": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.MFA().ListFactors(ctx)
		}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if f := res.(*auth.Factors); len(f.All) != 1 || len(f.TOTP) != 1 || len(f.Phone) != 0 {
				t.Fatalf("factors = %+v", f)
			}
		}},
		"mfa.getAuthenticatorAssuranceLevel": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.MFA().GetAuthenticatorAssuranceLevel(ctx)
		}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			l := res.(*auth.AssuranceLevel)
			if l.Current != auth.AAL1 || l.Next != auth.AAL2 || len(l.CurrentAuthenticationMethods) != 1 ||
				l.CurrentAuthenticationMethods[0] != (auth.AMREntry{Method: "password", Timestamp: 1700000000}) {
				t.Fatalf("aal = %+v", l)
			}
		}},
		"admin.createUser": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().CreateUser(ctx, auth.AdminUserAttributes{Email: "user@email.com", Password: "password",
				UserMetadata: map[string]string{"name": "Yoda"}, EmailConfirm: true})
		}, check: ok},
		"admin.createUser.full": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().CreateUser(ctx, auth.AdminUserAttributes{Email: "user@email.com", Phone: phone, Password: "password",
				UserMetadata: map[string]string{"name": "Yoda"}, AppMetadata: map[string]string{"plan": "pro"}, EmailConfirm: true,
				PhoneConfirm: true, BanDuration: "24h", Role: "authenticated", ID: "77777777-7777-4777-8777-777777777777"})
		}, check: ok},
		"admin.listUsers": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().ListUsers(ctx, auth.ListUsersParams{})
		}, deviations: []deviation{emptyPaging}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if p := res.(*auth.UserPage); len(p.Users) != 1 || p.Total != 1 || p.LastPage != 1 || p.NextPage != 0 {
				t.Fatalf("page = %+v", p)
			}
		}},
		"admin.listUsers.paged": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().ListUsers(ctx, auth.ListUsersParams{Page: 2, PerPage: 100})
		}, check: ok},
		"admin.listUsers.service_role_key": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().ListUsers(ctx, auth.ListUsersParams{Page: 1, PerPage: 50})
		}, check: ok},
		"admin.with_user_session_stored": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().ListUsers(ctx, auth.ListUsersParams{})
		}, deviations: []deviation{emptyPaging}, check: ok},
		"admin.getUserById": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().GetUserByID(ctx, fixtureUserID)
		}, check: ok},
		"admin.updateUserById": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().UpdateUserByID(ctx, fixtureUserID, auth.AdminUserAttributes{Email: "new@email.com",
				UserMetadata: map[string]string{"hello": "world"}, AppMetadata: map[string]string{"plan": "trial"}, BanDuration: "none"})
		}, check: ok},
		"admin.deleteUser": {call: func(ctx context.Context, e *env) (any, error) {
			return nil, e.c.Admin().DeleteUser(ctx, fixtureUserID, false)
		}, check: ok},
		"admin.deleteUser.soft": {call: func(ctx context.Context, e *env) (any, error) {
			return nil, e.c.Admin().DeleteUser(ctx, fixtureUserID, true)
		}, check: ok},
		"admin.generateLink.signup": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkSignup, Email: "email@example.com", Password: "secret",
				Data: map[string]any{"a": 1}, RedirectTo: "https://example.com/welcome"})
		}, deviations: []deviation{generateLinkRedirectLeak}, check: ok},
		"admin.generateLink.invite": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkInvite, Email: "email@example.com",
				Data: map[string]any{"a": 1}, RedirectTo: "https://example.com/welcome"})
		}, deviations: []deviation{generateLinkRedirectLeak}, check: ok},
		"admin.generateLink.magiclink": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkMagicLink, Email: "email@example.com"})
		}, check: ok},
		"admin.generateLink.recovery": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkRecovery, Email: "email@example.com", RedirectTo: "https://example.com/reset"})
		}, deviations: []deviation{generateLinkRedirectLeak}, check: ok},
		"admin.generateLink.email_change_current": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkEmailChangeCurrent, Email: "current@example.com", NewEmail: "new@example.com"})
		}, check: ok},
		"admin.generateLink.email_change_new": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkEmailChangeNew, Email: "current@example.com",
				NewEmail: "new@example.com", RedirectTo: "https://example.com/changed"})
		}, deviations: []deviation{generateLinkRedirectLeak}, check: ok},
		"admin.inviteUserByEmail": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().InviteUserByEmail(ctx, "email@example.com", auth.InviteParams{})
		}, check: ok},
		"admin.inviteUserByEmail.options": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().InviteUserByEmail(ctx, "email@example.com", auth.InviteParams{Data: map[string]string{"role": "editor"}, RedirectTo: "https://example.com/invited"})
		}, check: ok},
		"admin.signOut": {call: func(ctx context.Context, e *env) (any, error) {
			return nil, e.c.Admin().SignOut(ctx, e.fixture.Meta.Fixtures.AccessToken, auth.ScopeOthers)
		}, check: ok},
		"admin.mfa.listFactors": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().ListFactors(ctx, fixtureUserID)
		}, check: func(t *testing.T, e *env, res any, err error) {
			wantNoErr(t, e, res, err)
			if f := res.([]auth.Factor); len(f) != 1 || f[0].ID != fixtureFactorID {
				t.Fatalf("factors = %+v", f)
			}
		}},
		"admin.mfa.deleteFactor": {call: func(ctx context.Context, e *env) (any, error) {
			return e.c.Admin().DeleteFactor(ctx, fixtureUserID, fixtureFactorID)
		}, check: ok},
	}
}

func verifyCase(p auth.VerifyOTPParams) testCase {
	return testCase{call: func(ctx context.Context, e *env) (any, error) { return e.c.VerifyOTP(ctx, p) }, check: wantNoErr}
}

func wantErr(target error) func(t *testing.T, e *env, res any, err error) {
	return func(t *testing.T, _ *env, _ any, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Fatalf("err = %v, want %v", err, target)
		}
	}
}

var challengeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func TestOracleConformance(t *testing.T) {
	o := loadOracle(t)
	all := cases()
	seen := map[string]bool{}
	var deviated []string
	for _, v := range o.Vectors {
		tc, ok := all[v.Name]
		if !ok {
			t.Errorf("vector %s (%s) has no Go counterpart", v.Name, v.JS)
			continue
		}
		seen[v.Name] = true
		for _, d := range tc.deviations {
			deviated = append(deviated, v.Name+": "+d.reason)
		}
		if tc.keepsVerifier {
			deviated = append(deviated, v.Name+": the PKCE verifier of an email change is kept for the link's code exchange (supabase-js drops it)")
		}
		t.Run(v.Name, func(t *testing.T) { runVector(t, o, v, tc) })
	}
	for name := range all {
		if !seen[name] {
			t.Errorf("case %s matches no oracle vector", name)
		}
	}
	sort.Strings(deviated)
	for _, d := range deviated {
		t.Log("documented deviation:", d)
	}
}

func runVector(t *testing.T, o *oracleFile, v vector, tc testCase) {
	ctx := context.Background()
	cs := newCaptureServer(t, v.Requests)
	key := goAnonKey
	if strings.Contains(v.Client, "'service-role-key'") {
		key = goServiceKey
	}
	var hdr http.Header
	if strings.Contains(v.Client, "x-my-custom-header") {
		hdr = http.Header{"X-My-Custom-Header": {"my-app-name"}}
	}
	tr, err := transport.New(transport.Config{BaseURL: cs.srv.URL + "/auth/v1", APIKey: key, Header: hdr, ClientInfo: "supakit-go/test"})
	if err != nil {
		t.Fatal(err)
	}
	store := auth.NewMemoryStore()
	for k, val := range v.StorageBefore {
		if val == "{{FIXTURE_SESSION_JSON}}" {
			val = string(o.Meta.Fixtures.Session)
		}
		if err := store.Set(ctx, k, val); err != nil {
			t.Fatal(err)
		}
	}
	flow := auth.FlowImplicit // supabase-js's default
	if strings.Contains(v.Client, `"flowType":"pkce"`) {
		flow = auth.FlowPKCE
	}
	c, err := auth.New(tr, auth.WithStore(store), auth.WithFlowType(flow))
	if err != nil {
		t.Fatal(err)
	}
	if c.StorageKey() != "sb-127-auth-token" {
		t.Fatalf("storage key = %q, want supabase-js's sb-127-auth-token", c.StorageKey())
	}
	e := &env{c: c, store: store, fixture: o}
	res, callErr := tc.call(ctx, e)
	if tc.check != nil {
		tc.check(t, e, res, callErr)
	} else if callErr != nil {
		t.Fatalf("unexpected error: %v", callErr)
	}

	cs.mu.Lock()
	got := cs.reqs
	cs.mu.Unlock()
	if len(got) != len(v.Requests) {
		t.Fatalf("sent %d requests, want %d (%s)", len(got), len(v.Requests), v.JS)
	}
	var challenges []string
	for i, want := range v.Requests {
		challenges = append(challenges, compareRequest(t, i, want, got[i], key, tc.deviations)...)
	}

	// Results that are URLs (signInWithOAuth makes no request).
	if r, ok := res.(*auth.OAuthResponse); ok && strings.HasPrefix(v.Name, "auth.signInWithOAuth") {
		var jsRes struct {
			Data struct{ URL string } `json:"data"`
		}
		_ = json.Unmarshal(v.Result, &jsRes)
		wantURL := strings.Replace(jsRes.Data.URL, "{{BASE_URL}}", cs.srv.URL, 1)
		challenges = append(challenges, compareURL(t, wantURL, r.URL)...)
	}

	// The store ends in the state supabase-js's storage ended in.
	for _, k := range []string{"sb-127-auth-token", "sb-127-auth-token-code-verifier"} {
		_, wantPresent := v.StorageAfter[k]
		if k == "sb-127-auth-token-code-verifier" && tc.keepsVerifier {
			wantPresent = true
		}
		val, present, _ := store.Get(ctx, k)
		if present != wantPresent {
			t.Errorf("store[%s] present = %v, want %v", k, present, wantPresent)
		}
		if present && k == "sb-127-auth-token-code-verifier" {
			verifier := strings.Trim(val, `"`)
			if strings.HasSuffix(v.StorageAfter[k], `/recovery"`) != strings.HasSuffix(verifier, "/recovery") {
				t.Errorf("verifier %q: recovery suffix differs from supabase-js's", verifier)
			}
			verifier = strings.TrimSuffix(verifier, "/recovery")
			if len(verifier) != 112 {
				t.Errorf("verifier length %d, want 112", len(verifier))
			}
			for _, ch := range challenges {
				if ch != auth.CodeChallenge(verifier) {
					t.Errorf("sent challenge %s is not S256 of the stored verifier", ch)
				}
			}
		}
	}
	if v.Name == "auth.pkce_flow.oauth_then_exchange" && callErr == nil {
		var body map[string]string
		_ = json.Unmarshal(got[0].Body, &body)
		u, _ := url.Parse(res.([]any)[0].(*auth.OAuthResponse).URL)
		if ch := u.Query().Get("code_challenge"); ch == "" || auth.CodeChallenge(body["code_verifier"]) != ch {
			t.Errorf("exchanged verifier does not match the authorize challenge")
		}
	}
}

// compareRequest checks one request and returns the PKCE challenges sent.
func compareRequest(t *testing.T, i int, want oracleRequest, got captured, key string, devs []deviation) []string {
	t.Helper()
	if got.Method != want.Method {
		t.Errorf("request %d: method %s, want %s", i, got.Method, want.Method)
	}
	if got.Path != want.Path {
		t.Errorf("request %d: path %s, want %s", i, got.Path, want.Path)
	}
	wantQ := append([][2]string(nil), want.Query...)
	var wantBody map[string]any
	if want.BodyText != nil && *want.BodyText != "" {
		if err := json.Unmarshal([]byte(*want.BodyText), &wantBody); err != nil {
			t.Fatalf("request %d: oracle body: %v", i, err)
		}
	}
	for _, d := range devs {
		d.apply(&wantQ, wantBody)
	}
	var challenges []string
	gotQ := queryPairs(got.RawQuery)
	for j := range gotQ {
		if gotQ[j][0] == "code_challenge" {
			challenges = append(challenges, gotQ[j][1])
		}
	}
	if !pkceEqualPairs(wantQ, gotQ) {
		t.Errorf("request %d: query %v, want %v", i, gotQ, wantQ)
	}

	// Headers the library chose (x-client-info's value is the client's own).
	for _, h := range want.ClientHeaders {
		name, val := h[0], h[1]
		if strings.EqualFold(name, "X-Client-Info") {
			if got.Header.Get(name) == "" {
				t.Errorf("request %d: no X-Client-Info", i)
			}
			continue
		}
		val = strings.ReplaceAll(val, "Bearer anon-key", "Bearer "+key)
		val = strings.ReplaceAll(val, "Bearer service-role-key", "Bearer "+key)
		if val == "anon-key" || val == "service-role-key" {
			val = key
		}
		if g := got.Header.Get(name); g != val {
			t.Errorf("request %d: header %s = %q, want %q", i, name, redact(g), redact(val))
		}
	}
	for _, name := range []string{"Content-Type", "Authorization"} {
		if got.Header.Get(name) != "" && !hasHeader(want.ClientHeaders, name) {
			t.Errorf("request %d: sends %s, supabase-js does not", i, name)
		}
	}

	var gotBody map[string]any
	if len(bytes.TrimSpace(got.Body)) > 0 {
		if err := json.Unmarshal(got.Body, &gotBody); err != nil {
			t.Fatalf("request %d: Go body is not JSON: %v", i, err)
		}
	}
	if c, ok := gotBody["code_challenge"].(string); ok {
		challenges = append(challenges, c)
		if !challengeRe.MatchString(c) {
			t.Errorf("request %d: code_challenge %q is not base64url(SHA-256)", i, c)
		}
	}
	if wc, ok := wantBody["code_challenge"].(string); ok && challengeRe.MatchString(wc) {
		// Seeded in the oracle, random here: compare presence and method.
		if _, ok := gotBody["code_challenge"].(string); ok {
			gotBody["code_challenge"] = wc
		}
	}
	if wv, ok := wantBody["code_verifier"].(string); ok {
		if gv, ok := gotBody["code_verifier"].(string); ok && len(wv) == 112 && len(gv) == 112 {
			gotBody["code_verifier"] = wv // random per run; checked against the challenge
		}
	}
	if !reflect.DeepEqual(normalize(wantBody), normalize(gotBody)) {
		gb, _ := json.Marshal(gotBody)
		wb, _ := json.Marshal(wantBody)
		t.Errorf("request %d: body\n got %s\nwant %s", i, gb, wb)
	}
	return challenges
}

func compareURL(t *testing.T, want, got string) []string {
	t.Helper()
	wu, err1 := url.Parse(want)
	gu, err2 := url.Parse(got)
	if err1 != nil || err2 != nil {
		t.Fatalf("urls: %v %v", err1, err2)
	}
	if wu.Scheme+"://"+wu.Host+wu.Path != gu.Scheme+"://"+gu.Host+gu.Path {
		t.Errorf("url %s, want %s", got, want)
	}
	wq, gq := queryPairs(wu.RawQuery), queryPairs(gu.RawQuery)
	if !pkceEqualPairs(wq, gq) {
		t.Errorf("url query %v, want %v", gq, wq)
	}
	if strings.Contains(gu.RawQuery, "+") {
		t.Errorf("url %s encodes spaces as +, supabase-js uses %%20", got)
	}
	var ch []string
	for _, p := range gq {
		if p[0] == "code_challenge" {
			ch = append(ch, p[1])
		}
	}
	return ch
}

func queryPairs(raw string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		out = append(out, [2]string{k, v})
	}
	return out
}

// pkceEqualPairs compares query pairs in order; code challenges (random)
// only need the right shape.
func pkceEqualPairs(want, got [][2]string) bool {
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if want[i][0] != got[i][0] {
			return false
		}
		if want[i][0] == "code_challenge" {
			if !challengeRe.MatchString(got[i][1]) {
				return false
			}
			continue
		}
		if want[i][1] != got[i][1] {
			return false
		}
	}
	return true
}

func hasHeader(hs [][2]string, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h[0], name) {
			return true
		}
	}
	return false
}

func normalize(m map[string]any) any {
	if m == nil {
		return map[string]any{}
	}
	b, _ := json.Marshal(m)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func redact(s string) string {
	if len(s) > 40 {
		return s[:20] + "…"
	}
	return s
}
