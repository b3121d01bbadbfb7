package auth_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/supakit/supakit/auth"
)

// TestZeroClient: every call on a zero or nil Client fails with
// ErrInvalidArgument; none panics.
func TestZeroClient(t *testing.T) {
	ctx := context.Background()
	for cname, c := range map[string]*auth.Client{"zero": {}, "nil": nil} {
		calls := map[string]func() error{
			"SignUp": func() error {
				_, err := c.SignUp(ctx, auth.SignUpParams{Email: "a@example.com", Password: "pw-123456"})
				return err
			},
			"SignInAnonymously": func() error { _, err := c.SignInAnonymously(ctx, auth.AnonymousParams{}); return err },
			"SignInWithPassword": func() error {
				_, err := c.SignInWithPassword(ctx, auth.PasswordCredentials{Email: "a@example.com", Password: "pw"})
				return err
			},
			"SignInWithOTP":   func() error { _, err := c.SignInWithOTP(ctx, auth.OTPParams{Email: "a@example.com"}); return err },
			"SignInWithOAuth": func() error { _, err := c.SignInWithOAuth(ctx, auth.OAuthParams{Provider: "github"}); return err },
			"SignOut":         func() error { return c.SignOut(ctx, "") },
			"VerifyOTP": func() error {
				_, err := c.VerifyOTP(ctx, auth.VerifyOTPParams{Email: "a@example.com", Token: "1", Type: auth.OTPEmail})
				return err
			},
			"GetSession":     func() error { _, err := c.GetSession(ctx); return err },
			"Token":          func() error { _, err := c.Token(ctx); return err },
			"RefreshSession": func() error { _, err := c.RefreshSession(ctx, "rt"); return err },
			"GetUser":        func() error { _, err := c.GetUser(ctx); return err },
			"SetSession": func() error {
				_, err := c.SetSession(ctx, makeJWT(map[string]any{"exp": 4102444800}), "rt")
				return err
			},
			"ExchangeCodeForSession": func() error { _, err := c.ExchangeCodeForSession(ctx, "code"); return err },
			"MFA.Enroll":             func() error { _, err := c.MFA().Enroll(ctx, auth.EnrollParams{}); return err },
			"MFA.GetAAL":             func() error { _, err := c.MFA().GetAuthenticatorAssuranceLevel(ctx); return err },
			"Admin.ListUsers":        func() error { _, err := c.Admin().ListUsers(ctx, auth.ListUsersParams{}); return err },
			"OnAuthStateChange": func() error {
				c.OnAuthStateChange(func(auth.Event, *auth.Session) {})()
				_, err := c.GetSession(ctx)
				return err
			},
		}
		for name, call := range calls {
			t.Run(cname+"/"+name, func(t *testing.T) {
				var err error
				func() {
					defer func() {
						if r := recover(); r != nil {
							err = fmt.Errorf("panic: %v", r)
						}
					}()
					err = call()
				}()
				if !errors.Is(err, auth.ErrInvalidArgument) {
					t.Fatalf("err = %v, want ErrInvalidArgument", err)
				}
			})
		}
	}
}

// TestNilContext: a nil context is refused with ErrInvalidArgument by the
// calls that reach the session store first, even a file store.
func TestNilContext(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	f := newFakeGoTrue(t, clk.Now)
	fs, _ := auth.NewFileStore(filepath.Join(t.TempDir(), "s.json"))
	c := f.client(t, auth.WithStore(fs))
	signIn(t, c)
	var nilCtx context.Context
	calls := map[string]func() error{
		"GetSession":     func() error { _, err := c.GetSession(nilCtx); return err },
		"Token":          func() error { _, err := c.Token(nilCtx); return err },
		"RefreshSession": func() error { _, err := c.RefreshSession(nilCtx, "rt"); return err },
		"SignUp": func() error {
			_, err := c.SignUp(nilCtx, auth.SignUpParams{Email: "a@example.com", Password: "pw-123456"})
			return err
		},
		"ExchangeCodeForSession": func() error { _, err := c.ExchangeCodeForSession(nilCtx, "code"); return err },
		"SignOut":                func() error { return c.SignOut(nilCtx, "") },
	}
	for name, call := range calls {
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			err = call()
		}()
		if !errors.Is(err, auth.ErrInvalidArgument) {
			t.Errorf("%s: err = %v, want ErrInvalidArgument", name, err)
		}
	}
}
