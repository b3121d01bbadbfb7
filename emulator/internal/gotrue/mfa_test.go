package gotrue_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func TestMFATOTPToAAL2(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	alice := "alice@example.com"
	e.confirmedUser(alice, "alice-password-123")
	s := e.signIn(alice, "alice-password-123")
	at := s.str("access_token")
	other := e.signIn(alice, "alice-password-123").str("access_token") // a second aal1 session
	// Bring the user into the state the recorded exchanges had: password
	// changed, email change pending.
	e.expect(e.do("PUT", "/user", map[string]any{"password": "alice-password-456"}, bearerOpt(at)), 200, "password")
	e.expect(e.do("PUT", "/user", map[string]any{"email": "new-alice@example.com"}, bearerOpt(at)), 200, "email change")

	r := e.do("POST", "/factors", map[string]any{"factor_type": "totp", "friendly_name": "alice-phone", "issuer": "supabase-local"}, bearerOpt(at))
	e.matchFixture(r, "88-factors-enroll-totp")
	fid := r.str("id")
	secret := r.str("totp", "secret")
	if uri := r.str("totp", "uri"); !strings.HasPrefix(uri, "otpauth://totp/supabase-local:alice@example.com?") || !strings.Contains(uri, "secret="+secret) {
		t.Errorf("uri %q", uri)
	}
	if qr := r.str("totp", "qr_code"); !strings.HasPrefix(qr, "<?xml") || !strings.Contains(qr, "<svg") || !strings.Contains(qr, "fill:black") {
		t.Errorf("qr_code is not an SVG: %.80q", qr)
	}
	e.matchFixture(e.do("POST", "/factors", map[string]any{"factor_type": "totp", "friendly_name": "alice-phone"}, bearerOpt(at)), "89-factors-enroll-duplicate-name")
	e.matchFixture(e.do("POST", "/factors", map[string]any{"factor_type": "phone", "phone": "+15555550100"}, bearerOpt(at)), "90-factors-enroll-phone-disabled")

	// An unverified factor may be removed from aal1.
	r = e.do("POST", "/factors", map[string]any{"factor_type": "totp", "friendly_name": "spare"}, bearerOpt(at))
	e.expect(r, 200, "second factor")
	e.expect(e.do("DELETE", "/factors/"+r.str("id"), nil, bearerOpt(at)), 200, "unenroll unverified")

	r = e.do("POST", "/factors/"+fid+"/challenge", map[string]any{}, bearerOpt(at))
	e.matchFixture(r, "91-factors-challenge")
	if exp := int64(r.obj()["expires_at"].(float64)); exp != e.clock.Now().Add(5*time.Minute).Unix() {
		t.Errorf("expires_at %d", exp)
	}
	e.matchFixture(e.do("POST", "/factors/"+fid+"/verify", map[string]any{"challenge_id": r.str("id"), "code": "000000"}, bearerOpt(at)), "92-factors-verify-wrong-code")

	ch := e.do("POST", "/factors/"+fid+"/challenge", map[string]any{}, bearerOpt(at))
	e.matchFixture(ch, "93-factors-challenge-2")
	code, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	r = e.do("POST", "/factors/"+fid+"/verify", map[string]any{"challenge_id": ch.str("id"), "code": code}, bearerOpt(at))
	e.matchFixture(r, "94-factors-verify")
	aal2 := r.str("access_token")
	c := matchClaims(t, aal2, "95-jwt-claims-aal2")
	if c["aal"] != "aal2" || c["session_id"] != claims(t, at)["session_id"] {
		t.Errorf("claims %v", c)
	}
	methods := []string{}
	for _, a := range c["amr"].([]any) {
		methods = append(methods, a.(map[string]any)["method"].(string))
	}
	if strings.Join(methods, ",") != "password,totp" {
		t.Errorf("amr methods %v", methods)
	}
	// The session's refresh token rotated: the new one refreshes at aal2.
	rr := e.refresh(r.str("refresh_token"))
	e.expect(rr, 200, "refresh at aal2")
	if claims(t, rr.str("access_token"))["aal"] != "aal2" {
		t.Error("refresh lost aal2")
	}
	e.matchFixture(e.do("POST", "/factors/"+fid+"/verify", map[string]any{"challenge_id": ch.str("id"), "code": code}, bearerOpt(aal2)), "96-factors-verify-reused-challenge")
	e.matchFixture(e.do("GET", "/user", nil, bearerOpt(aal2)), "97-user-get-with-factor")
	// Other aal1 sessions ended when the factor was verified.
	e.expect(e.do("GET", "/user", nil, bearerOpt(other)), 403, "other aal1 session")

	s = e.signIn(alice, "alice-password-456")
	e.matchFixture(s, "98-token-password-after-mfa")
	aal1 := s.str("access_token")
	matchClaims(t, aal1, "99-jwt-claims-aal1-with-factor")
	e.matchFixture(e.do("DELETE", "/factors/"+fid, nil, bearerOpt(aal1)), "100-factors-unenroll-aal1")
	r = e.do("POST", "/factors", map[string]any{"factor_type": "totp", "friendly_name": "third"}, bearerOpt(aal1))
	e.expect(r, 422, "enroll from aal1 with a verified factor")

	ch = e.do("POST", "/factors/"+fid+"/challenge", map[string]any{}, bearerOpt(aal1))
	e.matchFixture(ch, "101-factors-challenge-3")
	e.clock.Advance(30 * time.Second)
	code, _ = totp.GenerateCode(secret, e.clock.Now())
	r = e.do("POST", "/factors/"+fid+"/verify", map[string]any{"challenge_id": ch.str("id"), "code": code}, bearerOpt(aal1))
	e.matchFixture(r, "102-factors-verify-stepup")
	stepped := r.str("access_token")
	r = e.do("DELETE", "/factors/"+fid, nil, bearerOpt(stepped))
	e.matchFixture(r, "103-factors-unenroll")
	if r.str("id") != fid {
		t.Errorf("unenroll answered %s", r.Raw)
	}
	r = e.do("GET", "/user", nil, bearerOpt(stepped))
	e.matchFixture(r, "104-user-get-after-unenroll")

	// Challenges expire.
	r = e.do("POST", "/factors", map[string]any{"factor_type": "totp", "friendly_name": "late"}, bearerOpt(stepped))
	e.expect(r, 200, "enroll late")
	late, lateSecret := r.str("id"), r.str("totp", "secret")
	ch = e.do("POST", "/factors/"+late+"/challenge", map[string]any{}, bearerOpt(stepped))
	e.clock.Advance(6 * time.Minute)
	code, _ = totp.GenerateCode(lateSecret, e.clock.Now())
	r = e.do("POST", "/factors/"+late+"/verify", map[string]any{"challenge_id": ch.str("id"), "code": code}, bearerOpt(stepped))
	e.expect(r, 422, "expired challenge")
	if r.str("error_code") != "mfa_challenge_expired" {
		t.Errorf("%s", r.Raw)
	}
	e.expect(e.do("POST", "/factors/00000000-0000-0000-0000-000000000000/challenge", map[string]any{}, bearerOpt(stepped)), 404, "unknown factor")
}
