package gotrue_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/emulator/internal/gotrue"
)

func TestHealthSettingsJWKS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	r := e.do("GET", "/health", nil)
	e.matchFixture(r, "01-health")
	if r.str("name") != "GoTrue" {
		t.Errorf("health name %q", r.str("name"))
	}
	r = e.do("GET", "/settings", nil)
	e.matchFixture(r, "02-settings")
	ext := r.obj()["external"].(map[string]any)
	if ext["github"] != true || ext["google"] != false || ext["anonymous_users"] != true || ext["email"] != true {
		t.Errorf("settings external = %v", ext)
	}
	if r.obj()["mailer_autoconfirm"] != false {
		t.Errorf("mailer_autoconfirm = %v", r.obj()["mailer_autoconfirm"])
	}
	r = e.do("GET", "/.well-known/jwks.json", nil)
	e.matchFixture(r, "123-jwks")
	if r.Header.Get("Cache-Control") != "public, max-age=600" {
		t.Errorf("jwks Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	r = e.do("OPTIONS", "/token?grant_type=password", nil, func(r *http.Request) {
		r.Header.Set("Origin", "http://localhost:3000")
		r.Header.Set("Access-Control-Request-Method", "POST")
	})
	e.expect(r, 204, "preflight")
	r = e.do("POST", "/sso", map[string]any{"domain": "company.com"})
	e.expect(r, 501, "sso")
	if r.str("error_code") != "not_implemented" {
		t.Errorf("501 body %s", r.Raw)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, tc := range []struct {
		name string
		cfg  gotrue.Config
	}{
		{"short secret", gotrue.Config{JWTSecret: []byte("short")}},
		{"unknown provider", gotrue.Config{JWTSecret: []byte(secret), ExternalProviders: map[string]gotrue.ProviderConfig{"nope": {AuthorizeURL: "https://x"}}}},
		{"provider without URL", gotrue.Config{JWTSecret: []byte(secret), ExternalProviders: map[string]gotrue.ProviderConfig{"github": {}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := gotrue.New(t.Context(), e.pool, tc.cfg); err == nil || !strings.Contains(err.Error(), "invalid config") {
				t.Fatalf("New = %v, want a config error", err)
			}
		})
	}
}

func TestSignupConfirmationFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	alice := "alice@example.com"
	r := e.do("POST", "/signup", map[string]any{"email": alice, "password": "alice-password-123", "data": map[string]any{"display_name": "Alice"}})
	e.matchFixture(r, "03-signup-email")
	if r.str("user_metadata", "display_name") != "Alice" || r.obj()["user_metadata"].(map[string]any)["email_verified"] != false {
		t.Errorf("user_metadata = %v", r.obj()["user_metadata"])
	}
	id := r.str("id")
	first := outboxLatest(t, e, alice, gotrue.KindSignup)
	if len(first.OTP) != 6 || len(first.TokenHash) != 56 || !strings.Contains(first.Link, "/auth/v1/verify?token="+first.TokenHash+"&type=signup") {
		t.Errorf("signup message = %+v", first)
	}

	e.clock.Advance(2 * time.Second)
	r = e.do("POST", "/signup", map[string]any{"email": alice, "password": "alice-password-123"})
	e.matchFixture(r, "06-signup-duplicate-unconfirmed")
	if r.str("id") != id {
		t.Errorf("resent signup returned another user %s", r.str("id"))
	}
	second := outboxLatest(t, e, alice, gotrue.KindSignup)
	if second.OTP == first.OTP && second.TokenHash == first.TokenHash {
		t.Error("resent confirmation reuses the first code")
	}

	r = e.do("POST", "/token?grant_type=password", map[string]any{"email": alice, "password": "alice-password-123"})
	e.matchFixture(r, "08-token-password-unconfirmed")
	r = e.do("POST", "/verify", map[string]any{"type": "signup", "email": alice, "token": "000000"})
	e.matchFixture(r, "09-verify-signup-wrong-otp")
	r = e.do("POST", "/verify", map[string]any{"type": "signup", "email": alice, "token": first.OTP})
	e.expect(r, 403, "the first (replaced) code")
	r = e.do("POST", "/verify", map[string]any{"type": "signup", "email": alice, "token": second.OTP})
	e.matchFixture(r, "10-verify-signup-otp")
	c := claims(t, r.str("access_token"))
	if c["sub"] != id || c["aal"] != "aal1" || c["role"] != "authenticated" {
		t.Errorf("claims %v", c)
	}
	if amr := c["amr"].([]any); len(amr) != 1 || amr[0].(map[string]any)["method"] != "otp" {
		t.Errorf("amr %v", c["amr"])
	}
	r = e.do("POST", "/verify", map[string]any{"type": "signup", "email": alice, "token": second.OTP})
	e.matchFixture(r, "11-verify-signup-otp-reused")

	r = e.do("POST", "/signup", map[string]any{"email": alice, "password": "alice-password-123"})
	e.matchFixture(r, "12-signup-duplicate-confirmed")
	if r.str("id") == id || r.str("role") != "" {
		t.Errorf("duplicate confirmed signup leaked the user: %s", r.Raw)
	}
	r = e.do("POST", "/signup", map[string]any{"email": alice, "password": "alice-password-123"}, v2024)
	e.matchFixture(r, "13-signup-duplicate-confirmed-v2024")
}

func TestVerifyLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *gotrue.Config) { c.AdditionalRedirectURLs = []string{"http://app.test/**"} })
	bob := "bob@example.com"
	e.expect(e.do("POST", "/signup?redirect_to=http://app.test/welcome", map[string]any{"email": bob, "password": "bob-password-123"}), 200, "signup")
	m := outboxLatest(t, e, bob, gotrue.KindSignup)
	if m.RedirectTo != "http://app.test/welcome" {
		t.Errorf("redirect_to %q", m.RedirectTo)
	}
	link := strings.TrimPrefix(m.Link, "http://127.0.0.1:54321/auth/v1")
	r := e.do("GET", link, nil, func(r *http.Request) { r.Header.Del("apikey"); r.Header.Del("Authorization") })
	e.expect(r, 303, "GET verify link")
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "http://app.test/welcome#access_token=") || !strings.Contains(loc, "&type=signup") || !strings.Contains(loc, "refresh_token=") {
		t.Errorf("Location %q", loc)
	}
	r = e.do("GET", link, nil)
	f := e.matchFixture(r, "17-verify-signup-link-reused")
	want := strings.Replace(f.Headers["Location"], "http://localhost:3000", "http://app.test/welcome", 1)
	if r.Header.Get("Location") != want {
		t.Errorf("Location %q, want %q", r.Header.Get("Location"), want)
	}
	// A redirect_to that is not allowed falls back to the site URL.
	e.expect(e.do("POST", "/signup?redirect_to=https://evil.test/", map[string]any{"email": "eve@example.com", "password": "eve-password-1"}), 200, "signup")
	if m := outboxLatest(t, e, "eve@example.com", gotrue.KindSignup); m.RedirectTo != "http://localhost:3000" {
		t.Errorf("disallowed redirect kept: %q", m.RedirectTo)
	}
}

func TestSignupValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *gotrue.Config) { c.MaxFrequency = time.Minute })
	tests := []struct {
		fixture string
		body    map[string]any
		v2024   bool
	}{
		{"18-signup-weak-password", map[string]any{"email": "weak@example.com", "password": "123"}, false},
		{"19-signup-weak-password-v2024", map[string]any{"email": "weak@example.com", "password": "123"}, true},
		{"20-signup-invalid-email", map[string]any{"email": "not-an-email", "password": "alice-password-123"}, false},
		{"21-signup-missing-password", map[string]any{"email": "nopw@example.com"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			var opts []reqOpt
			if tc.v2024 {
				opts = append(opts, v2024)
			}
			r := e.do("POST", "/signup", tc.body, opts...)
			e.matchFixture(r, tc.fixture)
			if tc.v2024 && r.Header.Get("X-Supabase-Api-Version") != "2024-01-01" {
				t.Error("API version not echoed")
			}
		})
	}
	t.Run("rate limit", func(t *testing.T) {
		e.expect(e.do("POST", "/signup", map[string]any{"email": "rl@example.com", "password": "rl-password-1"}), 200, "first")
		e.clock.Advance(59 * time.Second)
		r := e.do("POST", "/signup", map[string]any{"email": "rl@example.com", "password": "rl-password-1"})
		f := loadFixture(t, "05-signup-duplicate-too-soon")
		e.expect(r, f.Status, "second")
		if r.str("error_code") != "over_email_send_rate_limit" || r.str("msg") != "For security purposes, you can only request this after 1 seconds." {
			t.Errorf("body %s", r.Raw)
		}
		if d := shapeDiff("$", f.Body, r.Body); len(d) > 0 {
			t.Errorf("shape %v", d)
		}
		e.clock.Advance(2 * time.Second)
		e.expect(e.do("POST", "/signup", map[string]any{"email": "rl@example.com", "password": "rl-password-1"}), 200, "after the window")
		if n := len(e.h.Outbox().Messages("rl@example.com")); n != 2 {
			t.Errorf("%d messages, want 2", n)
		}
	})
	t.Run("signup disabled", func(t *testing.T) {
		e2 := newEnv(t, func(c *gotrue.Config) { c.DisableSignup = true })
		r := e2.do("POST", "/signup", map[string]any{"email": "x@example.com", "password": "xx-password"})
		e2.expect(r, 422, "disabled")
		if r.str("error_code") != "signup_disabled" {
			t.Errorf("%s", r.Raw)
		}
	})
}

func TestAutoconfirmSignup(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *gotrue.Config) { c.Autoconfirm = true })
	r := e.do("POST", "/signup", map[string]any{"email": "auto@example.com", "password": "auto-password"})
	e.expect(r, 200, "signup")
	if r.str("access_token") == "" || r.str("user", "email_confirmed_at") == "" {
		t.Fatalf("autoconfirm signup gave no session: %s", r.Raw)
	}
	if len(e.h.Outbox().Messages("auto@example.com")) != 0 {
		t.Error("autoconfirm sent a confirmation")
	}
	r = e.do("POST", "/signup", map[string]any{"email": "auto@example.com", "password": "auto-password"})
	e.expect(r, 422, "again")
	if r.str("error_code") != "user_already_exists" {
		t.Errorf("%s", r.Raw)
	}
}

func TestPasswordGrant(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	alice := "alice@example.com"
	e.confirmedUser(alice, "alice-password-123")
	e.matchFixture(e.do("POST", "/token?grant_type=password", map[string]any{"email": alice, "password": "wrong-password"}), "22-token-password-wrong")
	e.matchFixture(e.do("POST", "/token?grant_type=password", map[string]any{"email": alice, "password": "wrong-password"}, v2024), "23-token-password-wrong-v2024")
	e.matchFixture(e.do("POST", "/token?grant_type=password", map[string]any{"email": "nobody@example.com", "password": "whatever-123"}), "24-token-password-unknown-user")
	e.matchFixture(e.do("POST", "/token?grant_type=foo", map[string]any{}), "25-token-unsupported-grant")
	r := e.do("POST", "/token?grant_type=password", map[string]any{"email": "ALICE@example.com", "password": "alice-password-123"})
	e.matchFixture(r, "26-token-password")
	c := matchClaims(t, r.str("access_token"), "27-jwt-claims-password")
	if c["email"] != alice || c["session_id"] != r.Header.Get("Sb-Auth-Session-Id") || c["is_anonymous"] != false {
		t.Errorf("claims %v", c)
	}
	if exp, iat := c["exp"].(float64), c["iat"].(float64); exp-iat != 3600 || r.obj()["expires_in"] != float64(3600) {
		t.Errorf("expiry %v-%v", exp, iat)
	}
	if len(r.str("refresh_token")) != 12 {
		t.Errorf("refresh token %q is not GoTrue's 12-character form", r.str("refresh_token"))
	}
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *gotrue.Config) {
		c.PasswordMinLength = 8
		c.PasswordRequiredCharacters = []string{"abcdefghijklmnopqrstuvwxyz", "0123456789"}
	})
	tests := []struct {
		password string
		reasons  string
		msg      string
	}{
		{"abc", "length,characters", "Password should be at least 8 characters. Password should contain at least one character of each: abcdefghijklmnopqrstuvwxyz, 0123456789."},
		{"abcdefghij", "characters", "Password should contain at least one character of each: abcdefghijklmnopqrstuvwxyz, 0123456789."},
		{"abc1", "length", "Password should be at least 8 characters."},
		{"abcdefg1", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.password, func(t *testing.T) {
			r := e.do("POST", "/signup", map[string]any{"email": tc.password + "@example.com", "password": tc.password})
			if tc.reasons == "" {
				e.expect(r, 200, "strong password")
				return
			}
			e.expect(r, 422, "weak password")
			var got []string
			for _, x := range r.obj()["weak_password"].(map[string]any)["reasons"].([]any) {
				got = append(got, x.(string))
			}
			if strings.Join(got, ",") != tc.reasons || r.str("msg") != tc.msg {
				t.Errorf("reasons %v msg %q", got, r.str("msg"))
			}
		})
	}
}
