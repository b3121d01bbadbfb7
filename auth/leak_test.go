package auth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/transport"
)

// Secrets the calls below carry; none may appear in any error.
const (
	leakPassword = "pw-LEAK-password"
	leakAccess   = "LEAK-access"
	leakRefresh  = "rt-LEAK-refresh"
	leakOTP      = "917LEAK"
	leakCode     = "code-LEAK"
	leakIDToken  = "idtoken-LEAK"
	leakNonce    = "nonce-LEAK"
	leakCaptcha  = "captcha-LEAK"
)

// TestErrorsNeverCarrySecrets runs every call that sends a password,
// token, refresh token, OTP, code or nonce against servers failing in
// each way a server can (connection refused, error status with a body
// that is not GoTrue's JSON, a 2xx answer that is not JSON) and checks
// that no secret reaches the error, however it is printed.
func TestErrorsNeverCarrySecrets(t *testing.T) {
	access := makeJWT(map[string]any{"sub": "u", "exp": 1_800_003_600, "leak": leakAccess})
	servers := map[string]string{}
	refused := httptest.NewServer(http.NotFoundHandler())
	servers["refused"] = refused.URL
	refused.Close()
	for name, h := range map[string]http.HandlerFunc{
		"error status": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html>bad gateway</html>")
		},
		"garbage": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"access_token": [1,2`)
		},
	} {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		servers[name] = srv.URL
	}
	ctx := context.Background()
	secrets := []string{leakPassword, leakAccess, leakRefresh, leakOTP, leakCode, leakIDToken, leakNonce, leakCaptcha, access}

	for sname, url := range servers {
		t.Run(sname, func(t *testing.T) {
			newClient := func(t *testing.T) *auth.Client {
				tr, err := transport.New(transport.Config{BaseURL: url + "/auth/v1", APIKey: goAnonKey, Retry: transport.RetryPolicy{}})
				if err != nil {
					t.Fatal(err)
				}
				store := auth.NewMemoryStore()
				c, err := auth.New(tr, auth.WithStore(store), auth.WithClock(func() time.Time { return time.Unix(1_800_000_000, 0) }))
				if err != nil {
					t.Fatal(err)
				}
				// A stored session and PKCE verifier, so calls needing them proceed to the request.
				_ = store.Set(ctx, c.StorageKey(), fmt.Sprintf(`{"access_token":%q,"refresh_token":%q,"expires_at":1800003600,"user":{"id":"u"}}`, access, leakRefresh))
				_ = store.Set(ctx, c.StorageKey()+"-code-verifier", "verifier-LEAK-0123456789")
				return c
			}
			calls := map[string]func(c *auth.Client) error{
				"SignUp": func(c *auth.Client) error {
					_, err := c.SignUp(ctx, auth.SignUpParams{Email: "a@example.com", Password: leakPassword, CaptchaToken: leakCaptcha})
					return err
				},
				"SignInWithPassword": func(c *auth.Client) error {
					_, err := c.SignInWithPassword(ctx, auth.PasswordCredentials{Phone: "+15550100", Password: leakPassword})
					return err
				},
				"SignInWithIDToken": func(c *auth.Client) error {
					_, err := c.SignInWithIDToken(ctx, auth.IDTokenCredentials{Provider: "google", Token: leakIDToken, Nonce: leakNonce})
					return err
				},
				"VerifyOTP": func(c *auth.Client) error {
					_, err := c.VerifyOTP(ctx, auth.VerifyOTPParams{Email: "a@example.com", Token: leakOTP, Type: auth.OTPEmail})
					return err
				},
				"RefreshSession": func(c *auth.Client) error { _, err := c.RefreshSession(ctx, leakRefresh); return err },
				"SetSession":     func(c *auth.Client) error { _, err := c.SetSession(ctx, access, leakRefresh); return err },
				"GetUser":        func(c *auth.Client) error { _, err := c.GetUser(ctx); return err },
				"UpdateUser": func(c *auth.Client) error {
					_, err := c.UpdateUser(ctx, auth.UserAttributes{Password: leakPassword, Nonce: leakNonce})
					return err
				},
				"ExchangeCodeForSession": func(c *auth.Client) error { _, err := c.ExchangeCodeForSession(ctx, leakCode); return err },
				"MFA.Verify": func(c *auth.Client) error {
					_, err := c.MFA().Verify(ctx, auth.VerifyParams{FactorID: "f", ChallengeID: "ch", Code: leakOTP})
					return err
				},
				"SignOut": func(c *auth.Client) error { return c.SignOut(ctx, auth.ScopeGlobal) },
				"Admin.CreateUser": func(c *auth.Client) error {
					_, err := c.Admin().CreateUser(ctx, auth.AdminUserAttributes{Email: "a@example.com", Password: leakPassword})
					return err
				},
				"Admin.SignOut": func(c *auth.Client) error { return c.Admin().SignOut(ctx, access, auth.ScopeLocal) },
				"Admin.GenerateLink": func(c *auth.Client) error {
					_, err := c.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkSignup, Email: "a@example.com", Password: leakPassword})
					return err
				},
			}
			for name, call := range calls {
				err := call(newClient(t))
				if err == nil {
					if sname != "garbage" || (name != "SignOut" && name != "Admin.SignOut") {
						t.Errorf("%s: no error", name)
					}
					continue
				}
				for _, out := range []string{err.Error(), fmt.Sprintf("%v %+v %#v %q", err, err, err, err)} {
					for _, s := range secrets {
						if strings.Contains(out, s) {
							t.Errorf("%s: error shows a secret: %s", name, out)
						}
					}
				}
			}
		})
	}
}
