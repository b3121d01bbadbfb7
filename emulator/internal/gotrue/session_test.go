package gotrue_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supakit/supakit/emulator/internal/gotrue"
)

func (e *env) refresh(rt string) *resp {
	e.t.Helper()
	return e.do("POST", "/token?grant_type=refresh_token", map[string]any{"refresh_token": rt})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.confirmedUser("alice@example.com", "alice-password-123")
	s := e.signIn("alice@example.com", "alice-password-123")
	sid := s.Header.Get("Sb-Auth-Session-Id")
	rt0 := s.str("refresh_token")

	r := e.refresh(rt0)
	e.matchFixture(r, "28-token-refresh")
	rt1 := r.str("refresh_token")
	if rt1 == rt0 || claims(t, r.str("access_token"))["session_id"] != sid {
		t.Fatalf("refresh did not rotate within the session: %s", r.Raw)
	}
	r = e.refresh(rt1)
	e.matchFixture(r, "29-token-refresh-2")
	rt2 := r.str("refresh_token")

	// The parent of the active token answers the active token, any time.
	e.clock.Advance(time.Minute)
	r = e.refresh(rt1)
	e.matchFixture(r, "30-token-refresh-reuse-parent")
	if r.str("refresh_token") != rt2 {
		t.Fatalf("reusing the parent gave %q, want the active %q", r.str("refresh_token"), rt2)
	}
	// An older revoked token after the reuse interval: family revoked.
	r = e.refresh(rt0)
	e.matchFixture(r, "31-token-refresh-reuse-after-interval")
	// rt2 was revoked just now: still inside its reuse interval.
	r = e.refresh(rt2)
	e.matchFixture(r, "32-token-refresh-after-family-revoked")
	rt3 := r.str("refresh_token")
	// After the interval every token of the family is dead.
	e.clock.Advance(11 * time.Second)
	r = e.refresh(rt0)
	e.expect(r, 400, "old token after revocation")
	r = e.refresh(rt3)
	e.expect(r, 200, "rt3 is the family's live token")

	// Within the reuse interval, an older token gets a fresh token.
	s = e.signIn("alice@example.com", "alice-password-123")
	ra := s.str("refresh_token")
	rb := e.refresh(ra).str("refresh_token")
	rc := e.refresh(rb).str("refresh_token")
	e.clock.Advance(5 * time.Second)
	r = e.refresh(ra)
	e.matchFixture(r, "36-token-refresh-reuse-within-interval")
	if got := r.str("refresh_token"); got == rc || got == rb || got == ra {
		t.Errorf("reuse within interval returned an old token %q", got)
	}

	e.matchFixture(e.refresh("definitely-not-a-token"), "37-token-refresh-invalid")
	e.matchFixture(e.do("POST", "/token?grant_type=refresh_token", map[string]any{}), "38-token-refresh-missing")
}

func TestConcurrentRefreshOfOneToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.confirmedUser("c@example.com", "c-password-123")
	rt := e.signIn("c@example.com", "c-password-123").str("refresh_token")
	var wg sync.WaitGroup
	results := make([]*resp, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.refresh(rt)
		}()
	}
	wg.Wait()
	tokens := map[string]bool{}
	for _, r := range results {
		if r.Status != 200 {
			t.Fatalf("concurrent refresh: %d %s", r.Status, r.Raw)
		}
		tokens[r.str("refresh_token")] = true
	}
	// The first rotates; the others reuse the parent and get the same child.
	if len(tokens) != 1 {
		t.Errorf("concurrent refreshes issued %d different tokens, want 1", len(tokens))
	}
}

func TestUserEndpointsAndLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	alice := "alice@example.com"
	e.confirmedUser(alice, "alice-password-123")
	s := e.signIn(alice, "alice-password-123")
	at, rt := s.str("access_token"), s.str("refresh_token")

	e.matchFixture(e.do("GET", "/user", nil, bearerOpt(at)), "40-user-get")
	r := e.do("GET", "/user", nil, bearerOpt(at), v2024)
	e.matchFixture(r, "41-user-get-v2024")
	if r.Header.Get("X-Supabase-Api-Version") != "" {
		t.Error("version header echoed on a success (GoTrue echoes it on errors only)")
	}
	e.matchFixture(e.do("GET", "/user", nil), "42-user-get-anon-key-as-bearer")
	e.matchFixture(e.do("GET", "/user", nil, func(r *http.Request) { r.Header.Del("Authorization") }), "43-user-get-no-bearer")
	e.matchFixture(e.do("GET", "/user", nil, bearerOpt("abc.def.ghi")), "44-user-get-garbage-bearer")
	r = e.do("GET", "/user", nil, bearerOpt(signKey(t, map[string]any{"sub": "6c46d140-408c-4b43-a59b-6c76625c8912", "exp": 1})))
	e.expect(r, 403, "expired token")
	if r.str("error_code") != "bad_jwt" {
		t.Errorf("expired: %s", r.Raw)
	}

	r = e.do("PUT", "/user", map[string]any{"data": map[string]any{"display_name": "Alice A.", "favourite": 42}}, bearerOpt(at))
	e.matchFixture(r, "45-user-update-data")
	if um := r.obj()["user_metadata"].(map[string]any); um["favourite"] != float64(42) || um["email"] != alice {
		t.Errorf("metadata not merged: %v", um)
	}
	e.matchFixture(e.do("PUT", "/user", map[string]any{"password": "alice-password-123"}, bearerOpt(at)), "46-user-update-same-password")
	e.matchFixture(e.do("PUT", "/user", map[string]any{"password": "12"}, bearerOpt(at)), "47-user-update-weak-password")
	e.expect(e.do("PUT", "/user", map[string]any{"password": "alice-password-456"}, bearerOpt(at)), 200, "password update")
	e.expect(e.do("POST", "/token?grant_type=password", map[string]any{"email": alice, "password": "alice-password-123"}), 400, "old password")

	newAlice := "new-alice@example.com"
	r = e.do("PUT", "/user", map[string]any{"email": newAlice}, bearerOpt(at))
	e.matchFixture(r, "49-user-update-email")
	if r.str("email") != alice || r.str("new_email") != newAlice {
		t.Errorf("email change applied before confirmation: %s", r.Raw)
	}
	toNew := outboxLatest(t, e, newAlice, gotrue.KindEmailChange)
	toCur := outboxLatest(t, e, alice, gotrue.KindEmailChange)
	r = e.do("POST", "/verify", map[string]any{"type": "email_change", "email": newAlice, "token": toNew.OTP})
	e.expect(r, 200, "first half")
	if !strings.Contains(r.str("msg"), "proceed to confirm link sent to the other email") {
		t.Errorf("first half: %s", r.Raw)
	}
	r = e.do("POST", "/verify", map[string]any{"type": "email_change", "token_hash": toCur.TokenHash})
	e.expect(r, 200, "second half")
	if r.str("user", "email") != newAlice || r.str("user", "new_email") != "" {
		t.Errorf("email not changed: %s", r.Raw)
	}

	e.matchFixture(e.do("POST", "/logout", nil, bearerOpt(at)), "51-logout")
	e.matchFixture(e.do("GET", "/user", nil, bearerOpt(at)), "52-user-get-after-logout")
	e.matchFixture(e.refresh(rt), "53-token-refresh-after-logout")
	e.matchFixture(e.do("POST", "/logout", nil, bearerOpt(at)), "54-logout-again")

	// scope=local ends only this session; scope=others the other ones.
	s1 := e.signIn(newAlice, "alice-password-456")
	s2 := e.signIn(newAlice, "alice-password-456")
	s3 := e.signIn(newAlice, "alice-password-456")
	e.matchFixture(e.do("POST", "/logout?scope=local", nil, bearerOpt(s1.str("access_token"))), "56-logout-scope-local")
	e.expect(e.do("GET", "/user", nil, bearerOpt(s1.str("access_token"))), 403, "s1 after local logout")
	e.expect(e.do("GET", "/user", nil, bearerOpt(s2.str("access_token"))), 200, "s2 after s1's local logout")
	e.expect(e.do("POST", "/logout?scope=others", nil, bearerOpt(s3.str("access_token"))), 204, "others")
	e.expect(e.do("GET", "/user", nil, bearerOpt(s2.str("access_token"))), 403, "s2 after others")
	e.expect(e.do("GET", "/user", nil, bearerOpt(s3.str("access_token"))), 200, "s3 after others")
	e.expect(e.do("POST", "/logout?scope=bogus", nil, bearerOpt(s3.str("access_token"))), 400, "bad scope")
}

func TestPasswordUpdateWithReauthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *gotrue.Config) { c.UpdatePasswordRequireReauthentication = true })
	e.confirmedUser("r@example.com", "r-password-123")
	at := e.signIn("r@example.com", "r-password-123").str("access_token")
	r := e.do("PUT", "/user", map[string]any{"password": "r-password-456"}, bearerOpt(at))
	e.expect(r, 400, "no nonce")
	if r.str("error_code") != "reauthentication_needed" {
		t.Errorf("%s", r.Raw)
	}
	r = e.do("GET", "/reauthenticate", nil, bearerOpt(at))
	e.matchFixture(r, "124-reauthenticate")
	m := outboxLatest(t, e, "r@example.com", gotrue.KindReauthentication)
	e.expect(e.do("PUT", "/user", map[string]any{"password": "r-password-456", "nonce": "000000"}, bearerOpt(at)), 400, "wrong nonce")
	e.expect(e.do("PUT", "/user", map[string]any{"password": "r-password-456", "nonce": m.OTP}, bearerOpt(at)), 200, "nonce")
	e.signIn("r@example.com", "r-password-456")
}

func TestOTPMagicLinkRecoverResend(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	carol := "carol@example.com"
	e.matchFixture(e.do("POST", "/otp", map[string]any{"email": carol, "create_user": true, "data": map[string]any{"src": "otp"}}), "57-otp-new-user")
	m := outboxLatest(t, e, carol, gotrue.KindSignup)
	e.matchFixture(e.do("POST", "/verify", map[string]any{"type": "email", "email": carol, "token": "123456"}), "59-verify-email-otp-wrong")
	e.matchFixture(e.do("POST", "/verify", map[string]any{"type": "email", "email": carol, "token": "123456"}, v2024), "60-verify-email-otp-wrong-v2024")
	r := e.do("POST", "/verify", map[string]any{"type": "email", "email": carol, "token": m.OTP})
	e.matchFixture(r, "61-verify-email-otp")
	if r.str("user", "user_metadata", "src") != "otp" {
		t.Errorf("otp data lost: %s", r.Raw)
	}
	e.matchFixture(e.do("POST", "/otp", map[string]any{"email": "ghost@example.com", "create_user": false}), "62-otp-no-create")

	e.matchFixture(e.do("POST", "/otp", map[string]any{"email": carol}), "63-otp-existing-user")
	m = outboxLatest(t, e, carol, gotrue.KindMagicLink)
	if m.VerifyType != "magiclink" || !strings.Contains(m.Link, "type=magiclink") {
		t.Errorf("magic link message %+v", m)
	}
	e.matchFixture(e.do("POST", "/verify", map[string]any{"type": "magiclink", "token_hash": m.TokenHash}), "65-verify-magiclink-token-hash")
	e.expect(e.do("POST", "/verify", map[string]any{"type": "magiclink", "token_hash": m.TokenHash}), 403, "token hash reused")

	e.expect(e.do("POST", "/otp", map[string]any{"email": carol}), 200, "otp 2")
	m = outboxLatest(t, e, carol, gotrue.KindMagicLink)
	e.matchFixture(e.do("POST", "/verify", map[string]any{"type": "email", "email": carol, "token": m.OTP}), "68-verify-magiclink-otp-as-email")

	e.expect(e.do("POST", "/magiclink", map[string]any{"email": carol}), 200, "otp 3")
	m = outboxLatest(t, e, carol, gotrue.KindMagicLink)
	r = e.do("GET", strings.TrimPrefix(m.Link, "http://127.0.0.1:54321/auth/v1"), nil)
	e.expect(r, 303, "GET magic link")
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "http://localhost:3000#access_token=") || !strings.HasSuffix(loc, "&type=magiclink") {
		t.Errorf("Location %q", loc)
	}

	// OTP codes expire.
	e.expect(e.do("POST", "/otp", map[string]any{"email": carol}), 200, "otp 4")
	m = outboxLatest(t, e, carol, gotrue.KindMagicLink)
	e.clock.Advance(61 * time.Minute)
	e.expect(e.do("POST", "/verify", map[string]any{"type": "magiclink", "email": carol, "token": m.OTP}), 403, "expired code")

	e.matchFixture(e.do("POST", "/recover", map[string]any{"email": carol}), "72-recover")
	m = outboxLatest(t, e, carol, gotrue.KindRecovery)
	e.matchFixture(e.do("POST", "/verify", map[string]any{"type": "recovery", "email": carol, "token": m.OTP}), "74-verify-recovery-otp")
	e.matchFixture(e.do("POST", "/recover", map[string]any{"email": "nobody@example.com"}), "75-recover-unknown")
	if n := len(e.h.Outbox().Messages("nobody@example.com")); n != 0 {
		t.Errorf("recover for an unknown address sent %d messages", n)
	}

	e.expect(e.do("POST", "/signup", map[string]any{"email": "dave@example.com", "password": "dave-password-1"}), 200, "dave")
	before := len(e.h.Outbox().Messages("dave@example.com"))
	e.matchFixture(e.do("POST", "/resend", map[string]any{"type": "signup", "email": "dave@example.com"}), "77-resend-signup")
	if after := len(e.h.Outbox().Messages("dave@example.com")); after != before+1 {
		t.Errorf("resend: %d messages, want %d", after, before+1)
	}
	e.expect(e.do("POST", "/resend", map[string]any{"type": "bogus", "email": "dave@example.com"}), 400, "bad resend type")
}

func TestPhoneSignupAndChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	r := e.do("POST", "/signup", map[string]any{"phone": "+13334445555", "password": "phone-password"})
	e.expect(r, 200, "phone signup")
	if r.str("phone") != "13334445555" {
		t.Errorf("phone %q", r.str("phone"))
	}
	m := outboxLatest(t, e, "+13334445555", gotrue.KindSMS)
	e.expect(e.do("POST", "/token?grant_type=password", map[string]any{"phone": "+13334445555", "password": "phone-password"}), 400, "unconfirmed phone")
	r = e.do("POST", "/verify", map[string]any{"type": "sms", "phone": "+13334445555", "token": m.OTP})
	e.expect(r, 200, "verify sms")
	at := r.str("access_token")
	r = e.do("PUT", "/user", map[string]any{"phone": "+13334446666"}, bearerOpt(at))
	e.expect(r, 200, "phone change")
	if r.str("new_phone") != "13334446666" {
		t.Errorf("new_phone %s", r.Raw)
	}
	m = outboxLatest(t, e, "13334446666", gotrue.KindSMS)
	if m.VerifyType != "phone_change" {
		t.Errorf("sms %+v", m)
	}
	r = e.do("POST", "/verify", map[string]any{"type": "phone_change", "phone": "+13334446666", "token": m.OTP})
	e.expect(r, 200, "verify phone_change")
	if r.str("user", "phone") != "13334446666" {
		t.Errorf("phone not changed: %s", r.Raw)
	}
	e.signIn2phone(t, "+13334446666", "phone-password")
}

func (e *env) signIn2phone(t *testing.T, phone, pw string) {
	t.Helper()
	e.expect(e.do("POST", "/token?grant_type=password", map[string]any{"phone": phone, "password": pw}), 200, "phone sign in")
}

func TestAnonymousSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	r := e.do("POST", "/signup", map[string]any{"data": map[string]any{"nick": "anon"}})
	e.matchFixture(r, "79-signup-anonymous")
	c := matchClaims(t, r.str("access_token"), "80-jwt-claims-anonymous")
	if c["is_anonymous"] != true || c["role"] != "authenticated" || c["email"] != "" {
		t.Errorf("claims %v", c)
	}
	e.matchFixture(e.do("GET", "/user", nil, bearerOpt(r.str("access_token"))), "81-user-get-anonymous")
	e.matchFixture(e.do("POST", "/signup", map[string]any{}), "82-signup-anonymous-empty-body")

	// Linking an email makes the user permanent once confirmed.
	at := r.str("access_token")
	e.expect(e.do("PUT", "/user", map[string]any{"email": "was-anon@example.com"}, bearerOpt(at)), 200, "link email")
	m := outboxLatest(t, e, "was-anon@example.com", gotrue.KindEmailChange)
	r = e.do("POST", "/verify", map[string]any{"type": "email_change", "email": "was-anon@example.com", "token": m.OTP})
	e.expect(r, 200, "confirm linked email")
	if r.obj()["user"].(map[string]any)["is_anonymous"] != false || r.str("user", "email") != "was-anon@example.com" || r.str("user", "app_metadata", "provider") != "email" {
		t.Errorf("anonymous user not promoted: %s", r.Raw)
	}
	if claims(t, r.str("access_token"))["is_anonymous"] != false {
		t.Error("token still anonymous")
	}

	off := newEnv(t, func(c *gotrue.Config) { c.AllowAnonymous = false })
	r = off.do("POST", "/signup", map[string]any{})
	off.expect(r, 422, "anonymous disabled")
	if r.str("error_code") != "anonymous_provider_disabled" {
		t.Errorf("%s", r.Raw)
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *gotrue.Config) { c.MaxFrequency = 60 * time.Second })
	e.confirmedUser("rl@example.com", "rl-password-1")
	e.expect(e.do("POST", "/otp", map[string]any{"email": "rl@example.com"}), 200, "first magic link")
	r := e.do("POST", "/otp", map[string]any{"email": "rl@example.com"}, v2024)
	e.expect(r, 429, "second magic link")
	if r.str("code") != "over_email_send_rate_limit" || !strings.Contains(r.str("message"), "after 60 seconds") {
		t.Errorf("%s", r.Raw)
	}
	e.expect(e.do("POST", "/recover", map[string]any{"email": "rl@example.com"}), 429, "recovery shares the magic link window")
	e.clock.Advance(61 * time.Second)
	e.expect(e.do("POST", "/recover", map[string]any{"email": "rl@example.com"}), 200, "after the window")

	e.expect(e.do("POST", "/otp", map[string]any{"phone": "+15550004444"}), 200, "first text")
	r = e.do("POST", "/otp", map[string]any{"phone": "+15550004444"})
	e.expect(r, 429, "second text")
	if r.str("error_code") != "over_sms_send_rate_limit" {
		t.Errorf("%s", r.Raw)
	}
}
