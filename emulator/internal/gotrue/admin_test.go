package gotrue_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/supakit/supakit/emulator/internal/gotrue"
)

func TestAdminUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	admin := bearerOpt(e.admin)
	e.matchFixture(e.do("GET", "/admin/users", nil), "105-admin-users-anon")
	for i := range 5 {
		e.expect(e.do("POST", "/signup", map[string]any{"email": fmt.Sprintf("u%d@example.com", i), "password": "u-password-1"}), 200, "signup")
		e.clock.Advance(time.Second)
	}
	e.expect(e.do("POST", "/signup", map[string]any{}), 200, "anonymous")
	r := e.do("GET", "/admin/users", nil, admin)
	e.matchFixture(r, "106-admin-users")
	if r.Header.Get("X-Total-Count") != "6" || r.Header.Get("Link") != `</admin/users?page=1>; rel="last"` {
		t.Errorf("headers %v", r.Header)
	}
	if first := r.obj()["users"].([]any)[1].(map[string]any); first["email"] != "u4@example.com" {
		t.Errorf("users not newest first: %v", first["email"])
	}
	r = e.do("GET", "/admin/users?page=2&per_page=2", nil, admin)
	e.matchFixture(r, "107-admin-users-page")
	if got := r.Header.Get("Link"); got != `</admin/users?page=3&per_page=2>; rel="next", </admin/users?page=3&per_page=2>; rel="last"` {
		t.Errorf("Link %q", got)
	}
	if n := len(r.obj()["users"].([]any)); n != 2 {
		t.Errorf("page has %d users", n)
	}
	e.expect(e.do("GET", "/admin/users?page=&per_page=", nil, admin), 200, "empty paging parameters")

	r = e.do("POST", "/admin/users", map[string]any{"email": "eve@example.com", "password": "eve-password-1", "email_confirm": true,
		"user_metadata": map[string]any{"name": "Eve"}, "app_metadata": map[string]any{"plan": "pro"}}, admin)
	e.matchFixture(r, "108-admin-create-user")
	id := r.str("id")
	if r.str("app_metadata", "plan") != "pro" || r.str("app_metadata", "provider") != "email" {
		t.Errorf("app_metadata %v", r.obj()["app_metadata"])
	}
	e.matchFixture(e.do("POST", "/admin/users", map[string]any{"email": "eve@example.com", "password": "eve-password-1"}, admin), "109-admin-create-user-duplicate")
	e.matchFixture(e.do("GET", "/admin/users/"+id, nil, admin), "110-admin-get-user")
	e.matchFixture(e.do("GET", "/admin/users/00000000-0000-0000-0000-000000000000", nil, admin), "111-admin-get-user-missing")

	r = e.do("PUT", "/admin/users/"+id, map[string]any{"user_metadata": map[string]any{"name": "Eve 2"}, "app_metadata": map[string]any{"plan": "team"}, "ban_duration": "1h"}, admin)
	e.matchFixture(r, "112-admin-update-user")
	if r.str("banned_until") != e.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano) {
		t.Errorf("banned_until %q", r.str("banned_until"))
	}
	e.matchFixture(e.do("POST", "/token?grant_type=password", map[string]any{"email": "eve@example.com", "password": "eve-password-1"}), "113-token-password-banned")
	e.matchFixture(e.do("PUT", "/admin/users/"+id, map[string]any{"ban_duration": "none"}, admin), "114-admin-unban-user")

	r = e.do("POST", "/admin/generate_link", map[string]any{"type": "magiclink", "email": "eve@example.com"}, admin)
	e.matchFixture(r, "115-admin-generate-link")
	if !strings.HasPrefix(r.str("action_link"), "http://127.0.0.1:54321/auth/v1/verify?token="+r.str("hashed_token")+"&type=magiclink") {
		t.Errorf("action_link %q", r.str("action_link"))
	}
	e.signIn("eve@example.com", "eve-password-1") // unbanned
	if len(e.h.Outbox().Messages("eve@example.com")) != 0 {
		t.Error("generate_link sent a message")
	}
	e.expect(e.do("POST", "/verify", map[string]any{"type": "magiclink", "email": "eve@example.com", "token": r.str("email_otp")}), 200, "generated OTP")

	r = e.do("POST", "/admin/generate_link", map[string]any{"type": "signup", "email": "frank@example.com", "password": "frank-password-1"}, admin)
	e.matchFixture(r, "116-admin-generate-link-signup")
	e.expect(e.do("POST", "/verify", map[string]any{"type": "signup", "token_hash": r.str("hashed_token")}), 200, "generated signup link")

	r = e.do("POST", "/admin/generate_link", map[string]any{"type": "recovery", "email": "frank@example.com"}, admin)
	e.expect(r, 200, "recovery link")
	e.expect(e.do("POST", "/verify", map[string]any{"type": "recovery", "token_hash": r.str("hashed_token")}), 200, "recovery")
	r = e.do("POST", "/admin/generate_link", map[string]any{"type": "invite", "email": "ivy@example.com"}, admin)
	e.expect(r, 200, "invite link")
	e.expect(e.do("POST", "/verify", map[string]any{"type": "invite", "token_hash": r.str("hashed_token")}), 200, "invite")
	cur := e.do("POST", "/admin/generate_link", map[string]any{"type": "email_change_current", "email": "frank@example.com", "new_email": "frank2@example.com"}, admin)
	e.expect(cur, 200, "email_change_current")
	e.expect(e.do("POST", "/verify", map[string]any{"type": "email_change", "token_hash": cur.str("hashed_token")}), 200, "current half")
	e.expect(e.do("POST", "/admin/generate_link", map[string]any{"type": "magiclink", "email": "nobody@example.com"}, admin), 404, "unknown user")
	e.expect(e.do("POST", "/admin/generate_link", map[string]any{"type": "bogus", "email": "frank@example.com"}, admin), 400, "bad type")

	r = e.do("POST", "/invite", map[string]any{"email": "gina@example.com", "data": map[string]any{"team": "x"}}, admin)
	e.matchFixture(r, "117-admin-invite")
	m := outboxLatest(t, e, "gina@example.com", gotrue.KindInvite)
	if m.VerifyType != "invite" || !strings.Contains(m.Link, "type=invite") {
		t.Errorf("invite message %+v", m)
	}
	r = e.do("GET", strings.TrimPrefix(m.Link, "http://127.0.0.1:54321/auth/v1"), nil)
	e.expect(r, 303, "invite link")
	if !strings.Contains(r.Header.Get("Location"), "#access_token=") {
		t.Errorf("invite Location %q", r.Header.Get("Location"))
	}
	e.expect(e.do("POST", "/invite", map[string]any{"email": "gina@example.com"}, admin), 422, "invite a confirmed user")

	alice := e.confirmedUser("alice@example.com", "alice-password-123")
	aliceID := alice["user"].(map[string]any)["id"].(string)
	e.matchFixture(e.do("GET", "/admin/users/"+aliceID+"/factors", nil, admin), "119-admin-user-factors")
	at := alice["access_token"].(string)
	f := e.do("POST", "/factors", map[string]any{"factor_type": "totp", "friendly_name": "p"}, bearerOpt(at))
	e.expect(f, 200, "enroll")
	r = e.do("GET", "/admin/users/"+aliceID+"/factors", nil, admin)
	if list, _ := r.Body.([]any); r.Status != 200 || len(list) != 1 {
		t.Fatalf("factors: %s", r.Raw)
	}
	e.expect(e.do("PUT", "/admin/users/"+aliceID+"/factors/"+f.str("id"), map[string]any{"friendly_name": "renamed"}, admin), 200, "rename factor")
	r = e.do("DELETE", "/admin/users/"+aliceID+"/factors/"+f.str("id"), nil, admin)
	e.expect(r, 200, "delete factor")
	if r.str("friendly_name") != "renamed" {
		t.Errorf("deleted factor %s", r.Raw)
	}

	e.clock.Advance(time.Second) // order the audit entries
	e.matchFixture(e.do("DELETE", "/admin/users/"+id, nil, admin), "120-admin-delete-user")
	r = e.do("GET", "/admin/audit?per_page=3", nil, admin)
	e.matchFixture(r, "122-admin-audit")
	if r.Header.Get("Link") == "" || r.Header.Get("X-Total-Count") == "" {
		t.Errorf("audit pagination headers %v", r.Header)
	}
	entries := r.Body.([]any)
	if p := entries[0].(map[string]any)["payload"].(map[string]any); p["action"] != "user_deleted" || p["actor_username"] != "service_role" || p["log_type"] != "team" {
		t.Errorf("latest audit entry %v", p)
	}
	e.expect(e.do("GET", "/admin/audit", nil), 403, "audit as anon")
	e.matchFixture(e.do("DELETE", "/admin/users/"+id, nil, admin), "121-admin-delete-user-again")

	// Soft delete keeps the row but ends every way in.
	s := e.signIn("alice@example.com", "alice-password-123")
	e.expect(e.do("DELETE", "/admin/users/"+aliceID, map[string]any{"should_soft_delete": true}, admin), 200, "soft delete")
	e.expect(e.do("GET", "/user", nil, bearerOpt(s.str("access_token"))), 403, "session of a soft-deleted user")
	e.expect(e.do("POST", "/token?grant_type=password", map[string]any{"email": "alice@example.com", "password": "alice-password-123"}), 400, "sign in after soft delete")
	r = e.do("GET", "/admin/users/"+aliceID, nil, admin)
	if r.Status != 200 || r.str("deleted_at") == "" {
		t.Errorf("soft-deleted user: %d %s", r.Status, r.Raw)
	}
	e.expect(e.do("DELETE", "/admin/users/"+aliceID, nil, admin), 404, "delete a soft-deleted user")
	e.expect(e.do("GET", "/admin/users/not-a-uuid", nil, admin), 400, "bad id")
}

func pkcePair(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestAuthorizeAndPKCE(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	r := e.do("GET", "/authorize?provider=github&redirect_to=http%3A%2F%2Flocalhost%3A3000%2Fcallback", nil)
	f := e.matchFixture(r, "83-authorize-github")
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := url.Parse(f.Headers["Location"])
	if loc.Host != want.Host || loc.Path != want.Path {
		t.Errorf("Location %s", loc)
	}
	for _, k := range []string{"client_id", "redirect_to", "redirect_uri", "response_type", "scope"} {
		if loc.Query().Get(k) != want.Query().Get(k) {
			t.Errorf("%s = %q, want %q", k, loc.Query().Get(k), want.Query().Get(k))
		}
	}
	implicitState := loc.Query().Get("state")

	verifier := "df13383dadce24c7dba3f9ade16f02649b3b7ff105bcad03c6c2c15d3f828c59"
	r = e.do("GET", "/authorize?provider=github&redirect_to=http%3A%2F%2Flocalhost%3A3000&code_challenge="+pkcePair(verifier)+"&code_challenge_method=s256&scopes=repo%20read%3Aorg", nil)
	e.matchFixture(r, "84-authorize-github-pkce")
	loc, _ = url.Parse(r.Header.Get("Location"))
	if loc.Query().Get("scope") != "user:email repo read:org" {
		t.Errorf("scope %q", loc.Query().Get("scope"))
	}
	state := loc.Query().Get("state")
	e.matchFixture(e.do("GET", "/authorize?provider=nope", nil), "85-authorize-unknown-provider")
	e.matchFixture(e.do("GET", "/authorize?provider=google", nil), "86-authorize-disabled-provider")

	// The provider returns: PKCE flow hands out a code.
	back, err := e.h.CompleteOAuth(t.Context(), state, gotrue.ProviderUser{ID: "gh-42", Email: "octo@example.com", EmailVerified: true, Name: "Octo"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	code := u.Query().Get("code")
	if !strings.HasPrefix(back, "http://localhost:3000?code=") || code == "" {
		t.Fatalf("PKCE callback went to %q", back)
	}
	if _, err := e.h.CompleteOAuth(t.Context(), state, gotrue.ProviderUser{ID: "gh-42"}); err == nil {
		t.Error("a state completed twice")
	}
	r = e.do("POST", "/token?grant_type=pkce", map[string]any{"auth_code": code, "code_verifier": "wrong-verifier-wrong-verifier-wrong-verifier"})
	e.expect(r, 400, "bad verifier")
	if r.str("error_code") != "bad_code_verifier" {
		t.Errorf("%s", r.Raw)
	}
	r = e.do("POST", "/token?grant_type=pkce", map[string]any{"auth_code": code, "code_verifier": verifier})
	e.expect(r, 200, "exchange")
	if r.str("user", "email") != "octo@example.com" || r.str("user", "app_metadata", "provider") != "github" {
		t.Errorf("oauth user %s", r.Raw)
	}
	if amr := claims(t, r.str("access_token"))["amr"].([]any); amr[0].(map[string]any)["method"] != "oauth" {
		t.Errorf("amr %v", amr)
	}
	e.expect(e.do("POST", "/token?grant_type=pkce", map[string]any{"auth_code": code, "code_verifier": verifier}), 404, "code reused")
	e.expect(e.do("POST", "/token?grant_type=pkce", map[string]any{}), 400, "empty exchange")

	// Implicit flow through the emulator's /callback: tokens in the fragment,
	// and the same identity signs in as the same user.
	r = e.do("GET", "/callback?state="+implicitState+"&provider_id=gh-42&email=octo@example.com", nil)
	e.expect(r, 302, "callback")
	frag := r.Header.Get("Location")
	if !strings.HasPrefix(frag, "http://localhost:3000/callback#access_token=") {
		t.Fatalf("implicit Location %q", frag)
	}
	vals, _ := url.ParseQuery(strings.SplitN(frag, "#", 2)[1])
	if claims(t, vals.Get("access_token"))["email"] != "octo@example.com" {
		t.Error("implicit flow signed in someone else")
	}
	e.expect(e.do("GET", "/callback?state="+implicitState+"&provider_id=gh-42", nil), 400, "state reused")

	// A PKCE code expires.
	r = e.do("GET", "/authorize?provider=github&code_challenge="+pkcePair(verifier)+"&code_challenge_method=s256", nil)
	loc, _ = url.Parse(r.Header.Get("Location"))
	back, err = e.h.CompleteOAuth(t.Context(), loc.Query().Get("state"), gotrue.ProviderUser{ID: "gh-43"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ = url.Parse(back)
	e.clock.Advance(6 * time.Minute)
	e.expect(e.do("POST", "/token?grant_type=pkce", map[string]any{"auth_code": u.Query().Get("code"), "code_verifier": verifier}), 400, "expired code")
}

func TestEmailPKCEFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	verifier := "seeded-code-verifier-0123456789abcdef-0123456789"
	r := e.do("POST", "/signup", map[string]any{"email": "p@example.com", "password": "p-password-1",
		"code_challenge": pkcePair(verifier), "code_challenge_method": "s256"})
	e.expect(r, 200, "pkce signup")
	m := outboxLatest(t, e, "p@example.com", gotrue.KindSignup)
	if !strings.HasPrefix(m.TokenHash, "pkce_") {
		t.Errorf("PKCE token hash %q", m.TokenHash)
	}
	r = e.do("GET", strings.TrimPrefix(m.Link, "http://127.0.0.1:54321/auth/v1"), nil)
	e.expect(r, 303, "link")
	loc, _ := url.Parse(r.Header.Get("Location"))
	code := loc.Query().Get("code")
	if code == "" || loc.Fragment != "" {
		t.Fatalf("PKCE link Location %q", r.Header.Get("Location"))
	}
	r = e.do("POST", "/token?grant_type=pkce", map[string]any{"auth_code": code, "code_verifier": verifier})
	e.expect(r, 200, "exchange")
	if r.str("user", "email_confirmed_at") == "" {
		t.Errorf("not confirmed: %s", r.Raw)
	}
	// The recovery flow too, with the OTP code verified directly.
	e.expect(e.do("POST", "/recover", map[string]any{"email": "p@example.com", "code_challenge": pkcePair(verifier), "code_challenge_method": "s256"}), 200, "recover")
	m = outboxLatest(t, e, "p@example.com", gotrue.KindRecovery)
	e.expect(e.do("POST", "/verify", map[string]any{"type": "recovery", "email": "p@example.com", "token": m.OTP}), 200, "recovery OTP")
	e.expect(e.do("POST", "/signup", map[string]any{"email": "q@example.com", "password": "q-password-1", "code_challenge": "short", "code_challenge_method": "s256"}), 400, "bad challenge")
}

func TestLinkAndUnlinkIdentity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	s := e.confirmedUser("l@example.com", "l-password-1")
	at := s["access_token"].(string)
	r := e.do("GET", "/user/identities/authorize?provider=github&redirect_to=http%3A%2F%2Flocalhost%3A3000&skip_http_redirect=true", nil, bearerOpt(at))
	e.expect(r, 200, "link authorize")
	u, err := url.Parse(r.str("url"))
	if err != nil || u.Host != "github.com" || u.Query().Get("state") == "" {
		t.Fatalf("link url %q", r.str("url"))
	}
	back, err := e.h.CompleteOAuth(t.Context(), u.Query().Get("state"), gotrue.ProviderUser{ID: "gh-7", Email: "other@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(back, "#access_token=") {
		t.Fatalf("link ended at %q", back)
	}
	r = e.do("GET", "/user", nil, bearerOpt(at))
	idents := r.obj()["identities"].([]any)
	if len(idents) != 2 || r.str("email") != "l@example.com" {
		t.Fatalf("after linking: %s", r.Raw)
	}
	if ps := r.obj()["app_metadata"].(map[string]any)["providers"].([]any); len(ps) != 2 {
		t.Errorf("providers %v", ps)
	}
	var ghID string
	for _, i := range idents {
		if m := i.(map[string]any); m["provider"] == "github" {
			ghID = m["identity_id"].(string)
		}
	}
	// The linked identity signs in as the same user.
	r = e.do("GET", "/authorize?provider=github", nil)
	loc, _ := url.Parse(r.Header.Get("Location"))
	back, err = e.h.CompleteOAuth(t.Context(), loc.Query().Get("state"), gotrue.ProviderUser{ID: "gh-7"})
	if err != nil {
		t.Fatal(err)
	}
	vals, _ := url.ParseQuery(strings.SplitN(back, "#", 2)[1])
	if claims(t, vals.Get("access_token"))["sub"] != s["user"].(map[string]any)["id"] {
		t.Error("linked identity signed in as another user")
	}
	// Another user cannot take the identity.
	o := e.confirmedUser("o@example.com", "o-password-1")
	r = e.do("GET", "/user/identities/authorize?provider=github&skip_http_redirect=true", nil, bearerOpt(o["access_token"].(string)))
	u, _ = url.Parse(r.str("url"))
	if _, err := e.h.CompleteOAuth(t.Context(), u.Query().Get("state"), gotrue.ProviderUser{ID: "gh-7"}); err == nil || !strings.Contains(err.Error(), "identity_already_exists") {
		t.Errorf("identity stolen: %v", err)
	}

	e.expect(e.do("DELETE", "/user/identities/"+ghID, nil, bearerOpt(at)), 200, "unlink")
	r = e.do("GET", "/user", nil, bearerOpt(at))
	if len(r.obj()["identities"].([]any)) != 1 {
		t.Errorf("after unlink: %s", r.Raw)
	}
	emailID := r.obj()["identities"].([]any)[0].(map[string]any)["identity_id"].(string)
	r = e.do("DELETE", "/user/identities/"+emailID, nil, bearerOpt(at))
	e.expect(r, 422, "last identity")
	if r.str("error_code") != "single_identity_not_deletable" {
		t.Errorf("%s", r.Raw)
	}
	e.expect(e.do("DELETE", "/user/identities/"+ghID, nil, bearerOpt(at)), 404, "unknown identity")

	off := newEnv(t, func(c *gotrue.Config) { c.DisableManualLinking = true })
	e2 := off.confirmedUser("m@example.com", "m-password-1")
	r = off.do("GET", "/user/identities/authorize?provider=github&skip_http_redirect=true", nil, bearerOpt(e2["access_token"].(string)))
	off.expect(r, 422, "manual linking disabled")
}

func TestIDTokenGrant(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	tok, err := e.h.SignIDToken("github", gotrue.ProviderUser{ID: "gh-9", Email: "idt@example.com", EmailVerified: true}, "nonce-123")
	if err != nil {
		t.Fatal(err)
	}
	r := e.do("POST", "/token?grant_type=id_token", map[string]any{"provider": "github", "id_token": tok, "nonce": "nonce-123"})
	e.expect(r, 200, "id_token grant")
	if r.str("user", "email") != "idt@example.com" || r.str("user", "app_metadata", "provider") != "github" {
		t.Errorf("user %s", r.Raw)
	}
	e.expect(e.do("POST", "/token?grant_type=id_token", map[string]any{"provider": "github", "id_token": tok, "nonce": "other"}), 400, "nonce mismatch")
	e.expect(e.do("POST", "/token?grant_type=id_token", map[string]any{"provider": "google", "id_token": tok}), 400, "disabled provider")
	forged := signKey(t, map[string]any{"iss": "gitlab", "sub": "x"})
	e.expect(e.do("POST", "/token?grant_type=id_token", map[string]any{"provider": "github", "id_token": forged}), 400, "wrong issuer")
	e.expect(e.do("POST", "/token?grant_type=id_token", map[string]any{"provider": "github", "id_token": "garbage"}), 400, "garbage")
}

func TestAdminUpdateFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	admin := bearerOpt(e.admin)
	r := e.do("POST", "/admin/users", map[string]any{"email": "f@example.com", "password": "f-password-1"}, admin)
	e.expect(r, 200, "create unconfirmed")
	id := r.str("id")
	e.expect(e.do("POST", "/token?grant_type=password", map[string]any{"email": "f@example.com", "password": "f-password-1"}), 400, "unconfirmed")
	r = e.do("PUT", "/admin/users/"+id, map[string]any{"email": "F2@example.com", "password": "f-password-2", "email_confirm": true,
		"phone": "+15550001111", "phone_confirm": true, "role": "authenticated", "user_metadata": map[string]any{"gone": nil, "k": "v"}}, admin)
	e.expect(r, 200, "update")
	if r.str("email") != "f2@example.com" || r.str("phone") != "15550001111" || r.str("email_confirmed_at") == "" || r.str("phone_confirmed_at") == "" {
		t.Errorf("update: %s", r.Raw)
	}
	if um := r.obj()["user_metadata"].(map[string]any); um["k"] != "v" {
		t.Errorf("user_metadata %v", um)
	}
	e.signIn("f2@example.com", "f-password-2")
	e.expect(e.do("POST", "/token?grant_type=password", map[string]any{"phone": "+15550001111", "password": "f-password-2"}), 200, "phone sign-in")
	other := e.do("POST", "/admin/users", map[string]any{"email": "g@example.com", "password": "g-password-1"}, admin)
	e.expect(e.do("PUT", "/admin/users/"+other.str("id"), map[string]any{"email": "f2@example.com"}, admin), 422, "email taken")
	e.expect(e.do("PUT", "/admin/users/"+other.str("id"), map[string]any{"phone": "+15550001111"}, admin), 422, "phone taken")
	e.expect(e.do("PUT", "/admin/users/"+other.str("id"), map[string]any{"ban_duration": "forever"}, admin), 400, "bad ban")
	e.expect(e.do("PUT", "/admin/users/"+other.str("id"), map[string]any{"password": "1"}, admin), 422, "weak password")
	e.expect(e.do("PUT", "/admin/users/00000000-0000-0000-0000-000000000000", map[string]any{}, admin), 404, "unknown user")
	e.expect(e.do("POST", "/admin/users", map[string]any{"phone": "+15550002222", "phone_confirm": true, "password": "p-password-1"}, admin), 200, "phone user")
	e.expect(e.do("POST", "/admin/users", map[string]any{"password": "p-password-1"}, admin), 400, "neither email nor phone")
}

func TestResendAndDerivedURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *gotrue.Config) { c.ExternalURL = "" })
	e.confirmedUser("h@example.com", "h-password-1")
	at := e.signIn("h@example.com", "h-password-1").str("access_token")
	e.expect(e.do("PUT", "/user", map[string]any{"email": "h2@example.com"}, bearerOpt(at)), 200, "email change")
	first := outboxLatest(t, e, "h2@example.com", gotrue.KindEmailChange)
	if !strings.HasPrefix(first.Link, "http://example.com/auth/v1/verify?") {
		t.Errorf("link without ExternalURL: %q", first.Link)
	}
	e.expect(e.do("POST", "/resend", map[string]any{"type": "email_change", "email": "h2@example.com"}), 200, "resend email_change")
	if again := outboxLatest(t, e, "h2@example.com", gotrue.KindEmailChange); again.OTP == first.OTP && again.TokenHash == first.TokenHash {
		t.Error("resend reused the code")
	}
	e.expect(e.do("POST", "/resend", map[string]any{"type": "sms", "phone": "+15550003333"}), 200, "resend sms to nobody")
	e.expect(e.do("POST", "/resend", map[string]any{"type": "sms"}), 400, "sms without phone")
	e.expect(e.do("POST", "/signup", map[string]any{"phone": "+15550003333", "password": "s-password-1"}), 200, "phone signup")
	e.expect(e.do("POST", "/resend", map[string]any{"type": "sms", "phone": "+15550003333"}), 200, "resend sms")
	if n := len(e.h.Outbox().Messages("+15550003333")); n != 2 {
		t.Errorf("%d texts, want 2", n)
	}
	// GET verify of the second half redirects with a message first.
	m := outboxLatest(t, e, "h2@example.com", gotrue.KindEmailChange)
	r := e.do("GET", strings.TrimPrefix(m.Link, "http://example.com/auth/v1"), nil)
	e.expect(r, 303, "first half link")
	if loc := r.Header.Get("Location"); !strings.Contains(loc, "#message=Confirmation+link+accepted") {
		t.Errorf("Location %q", loc)
	}
}
