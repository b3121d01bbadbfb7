package integration_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/integration/stack"
	"github.com/supakit/supakit/query"
	"github.com/supakit/supakit/repo"
	"github.com/supakit/supakit/schema"
)

// mailbox returns the stack's mail reader or skips, naming the capability.
func mailbox(t *testing.T) stack.Mailbox {
	t.Helper()
	s := need(t)
	if s.Mailbox == nil {
		t.Skipf("capability missing on the %s tier: reading the mails Auth sends (emulator outbox or Docker mail catcher)", s.Tier)
	}
	return s.Mailbox
}

// verifyMail signs in with a mail: its code when it has one, else its
// link (followed without redirects; the session comes from the redirect, in
// the PKCE or the implicit flow), else its token hash.
func verifyMail(t *testing.T, a *auth.Client, email string, m stack.Mail, typ auth.OTPType) *auth.AuthResponse {
	t.Helper()
	ctx := ctxFor(t)
	if m.OTP == "" && m.Link != "" {
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.Link, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if loc == "" || strings.Contains(loc, "error=") {
			t.Fatalf("verification link answered %d, Location %q", resp.StatusCode, loc)
		}
		s, err := a.SessionFromURL(ctx, loc)
		if err != nil || s.User == nil {
			t.Fatalf("session from the %s link's redirect: %v", typ, err)
		}
		return &auth.AuthResponse{User: s.User, Session: s}
	}
	p := auth.VerifyOTPParams{Email: email, Token: m.OTP, Type: typ}
	if m.OTP == "" {
		p = auth.VerifyOTPParams{TokenHash: m.TokenHash, Type: typ}
	}
	res, err := a.VerifyOTP(ctx, p)
	if err != nil || res.Session == nil || res.User == nil {
		t.Fatalf("verify %s mail: %+v, %v", typ, res, err)
	}
	return res
}

// TestAuthSignUpToSignOut: the reference's main Auth journey on one client:
// sign up, confirm through the mail, sign in, act under RLS through
// Repo[T], refresh, set_session, sign out.
func TestAuthSignUpToSignOut(t *testing.T) {
	ctx := ctxFor(t)
	mb := mailbox(t)
	client := newClient(t, need(t).AnonKey)
	a := client.Auth()
	email := strings.ToLower(uniq("signup-")) + "@example.com"
	const password = "correct horse battery staple"

	since := time.Now()
	res, err := a.SignUp(ctx, auth.SignUpParams{Email: email, Password: password, Data: map[string]any{"display_name": "Ada"}})
	if err != nil || res.User == nil || res.User.Email != email {
		t.Fatalf("sign up: %+v, %v", res, err)
	}
	if res.Session != nil {
		t.Fatal("sign-up opened a session though confirmation is required")
	}
	userID := res.User.ID
	t.Cleanup(func() { _ = adminAuth(t).DeleteUser(ctxFor(t), userID, false) })
	if _, err := a.SignInWithPassword(ctx, auth.PasswordCredentials{Email: email, Password: password}); !errors.Is(err, auth.ErrEmailNotConfirmed) {
		t.Fatalf("sign in before confirming: %v", err)
	}
	mail, err := mb.Latest(ctx, email, since)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.VerifyOTP(ctx, auth.VerifyOTPParams{Email: email, Token: "000000", Type: auth.OTPSignup}); !errors.Is(err, auth.ErrOTPExpired) && mail.OTP != "000000" {
		t.Fatalf("wrong code: %v", err)
	}
	confirmed := verifyMail(t, a, email, mail, auth.OTPSignup)
	if confirmed.User.ID != userID || confirmed.User.EmailConfirmedAt == nil {
		t.Fatalf("confirmed user: %+v", confirmed.User)
	}
	if err := a.SignOut(ctx, auth.ScopeLocal); err != nil {
		t.Fatal(err)
	}

	// Sign in with the password; the session feeds the other services.
	signed, err := a.SignInWithPassword(ctx, auth.PasswordCredentials{Email: email, Password: password})
	if err != nil || signed.Session == nil || signed.User.ID != userID {
		t.Fatalf("sign in: %+v, %v", signed, err)
	}
	session, err := a.GetSession(ctx)
	if err != nil || session.AccessToken != signed.Session.AccessToken {
		t.Fatalf("get session: %v", err)
	}
	u, err := a.GetUser(ctx)
	if err != nil || u.ID != userID {
		t.Fatalf("get user: %+v, %v", u, err)
	}
	var meta struct {
		DisplayName string `json:"display_name"`
	}
	if err := u.DecodeUserMetadata(&meta); err != nil || meta.DisplayName != "Ada" {
		t.Fatalf("user metadata: %+v, %v", meta, err)
	}

	// RLS as the user through Repo[T].
	messages := repo.New[Message](client)
	m := schema.Cols[Message]()
	body := uniq("hello-")
	msg, err := messages.Insert(ctx, Message{Body: body})
	if err != nil || msg.UserID != userID {
		t.Fatalf("insert as the user: %+v, %v", msg, err)
	}
	mine, err := messages.Find(ctx)
	if err != nil || len(mine) != 1 || mine[0].ID != msg.ID {
		t.Fatalf("the user's messages: %+v, %v", mine, err)
	}
	who, err := repo.Call[string](ctx, client, "whoami", nil)
	if err != nil || who != userID {
		t.Fatalf("whoami as the user: %q, %v", who, err)
	}

	// Refresh: a new token pair, and REST still acts as the user.
	refreshed, err := a.RefreshSession(ctx, "")
	if err != nil || refreshed.RefreshToken == session.RefreshToken || refreshed.User == nil || refreshed.User.ID != userID {
		t.Fatalf("refresh: %v", err)
	}
	if n, err := messages.Count(ctx, query.Eq(&m.Body, body)); err != nil || n != 1 {
		t.Fatalf("count after refresh: %d, %v", n, err)
	}
	// set_session on another client restores the same user.
	other := newClient(t, need(t).AnonKey).Auth()
	restored, err := other.SetSession(ctx, refreshed.AccessToken, refreshed.RefreshToken)
	if err != nil || restored.User == nil || restored.User.ID != userID {
		t.Fatalf("set session: %+v, %v", restored, err)
	}

	// Sign out: the session is gone on the server too.
	old, err := a.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SignOut(ctx, auth.ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetSession(ctx); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("session after sign-out: %v", err)
	}
	if _, err := a.GetUserWithToken(ctx, old); !errors.Is(err, auth.ErrSessionNotFound) {
		t.Fatalf("token after sign-out: %v", err)
	}
	if _, err := a.SignInWithPassword(ctx, auth.PasswordCredentials{Email: email, Password: "wrong password"}); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
}

// TestAuthMFA: enrol a TOTP factor, challenge, verify to aal2 (checked in
// the token's claims), challenge_and_verify a second factor, list and
// unenroll factors.
func TestAuthMFA(t *testing.T) {
	ctx := ctxFor(t)
	u := newUser(t)
	a := u.Auth
	// MFA: enrol TOTP, challenge, verify to aal2.
	level, err := a.MFA().GetAuthenticatorAssuranceLevel(ctx)
	if err != nil || level.Current != auth.AAL1 || level.Next != auth.AAL1 {
		t.Fatalf("aal before enrolment: %+v, %v", level, err)
	}
	enrolled, err := a.MFA().Enroll(ctx, auth.EnrollParams{FactorType: "totp", FriendlyName: "phone app", Issuer: "supakit"})
	if err != nil || enrolled.TOTP == nil || enrolled.TOTP.Secret == "" || !strings.HasPrefix(enrolled.TOTP.URI, "otpauth://totp/") {
		t.Fatalf("enroll: %+v, %v", enrolled, err)
	}
	ch, err := a.MFA().Challenge(ctx, auth.ChallengeParams{FactorID: enrolled.ID})
	if err != nil || ch.ID == "" {
		t.Fatalf("challenge: %+v, %v", ch, err)
	}
	if _, err := a.MFA().Verify(ctx, auth.VerifyParams{FactorID: enrolled.ID, ChallengeID: ch.ID, Code: wrongCode(t, enrolled.TOTP.Secret)}); !errors.Is(err, auth.ErrMFAVerificationFailed) {
		t.Fatalf("wrong TOTP code: %v", err)
	}
	ch, err = a.MFA().Challenge(ctx, auth.ChallengeParams{FactorID: enrolled.ID})
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(enrolled.TOTP.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	aal2, err := a.MFA().Verify(ctx, auth.VerifyParams{FactorID: enrolled.ID, ChallengeID: ch.ID, Code: code})
	if err != nil || aal2.AccessToken == "" {
		t.Fatalf("verify TOTP: %v", err)
	}
	level, err = a.MFA().GetAuthenticatorAssuranceLevel(ctx)
	if err != nil || level.Current != auth.AAL2 || level.Next != auth.AAL2 {
		t.Fatalf("aal after verification: %+v, %v", level, err)
	}
	claims, err := a.GetClaims(ctx)
	if err != nil || claims.AAL != auth.AAL2 || claims.UserID() != u.ID {
		t.Fatalf("claims at aal2: %+v, %v", claims, err)
	}
	factors, err := a.MFA().ListFactors(ctx)
	if err != nil || len(factors.TOTP) != 1 || factors.TOTP[0].ID != enrolled.ID || factors.TOTP[0].Status != auth.FactorStatusVerified {
		t.Fatalf("factors: %+v, %v", factors, err)
	}
	// challenge_and_verify with a second factor, then unenroll it.
	second, err := a.MFA().Enroll(ctx, auth.EnrollParams{FactorType: "totp", FriendlyName: "backup"})
	if err != nil {
		t.Fatal(err)
	}
	code2, err := totp.GenerateCode(second.TOTP.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.MFA().ChallengeAndVerify(ctx, second.ID, code2); err != nil {
		t.Fatalf("challenge and verify: %v", err)
	}
	adminFactors, err := adminAuth(t).ListFactors(ctx, u.ID)
	if err != nil || len(adminFactors) != 2 {
		t.Fatalf("admin list factors: %+v, %v", adminFactors, err)
	}
	gone, err := a.MFA().Unenroll(ctx, second.ID)
	if err != nil || gone != second.ID {
		t.Fatalf("unenroll: %q, %v", gone, err)
	}
	factors, err = a.MFA().ListFactors(ctx)
	if err != nil || len(factors.All) != 1 {
		t.Fatalf("factors after unenroll: %+v, %v", factors, err)
	}
	// The user's data is reachable at aal2, through the session's token.
	body := uniq("aal2-")
	if _, err := repo.New[Message](u.Client).Insert(ctx, Message{Body: body}); err != nil {
		t.Fatalf("insert at aal2: %v", err)
	}
	m := schema.Cols[Message]()
	if n, err := repo.New[Message](u.Client).Count(ctx, query.Eq(&m.Body, body)); err != nil || n != 1 {
		t.Fatalf("count at aal2: %d, %v", n, err)
	}

}

// wrongCode returns a 6-digit code that is not valid now for secret.
func wrongCode(t *testing.T, secret string) string {
	t.Helper()
	for _, c := range []string{"000000", "111111", "222222"} {
		if !totp.Validate(c, secret) {
			return c
		}
	}
	t.Fatal("no invalid code found")
	return ""
}

// TestAuthOTPAndMagicLink: sign_in_with_otp by email, verified with the
// mailed code; then a password recovery through the mail.
func TestAuthOTPAndRecovery(t *testing.T) {
	ctx := ctxFor(t)
	mb := mailbox(t)
	u := newUser(t)
	a := newClient(t, need(t).AnonKey).Auth()

	since := time.Now()
	if _, err := a.SignInWithOTP(ctx, auth.OTPParams{Email: u.Email, DisableSignup: true}); err != nil {
		t.Fatal(err)
	}
	mail, err := mb.Latest(ctx, u.Email, since)
	if err != nil {
		t.Fatal(err)
	}
	typ := auth.OTPEmail
	if mail.OTP == "" {
		typ = auth.OTPMagicLink
	}
	res := verifyMail(t, a, u.Email, mail, typ)
	if res.User.ID != u.ID {
		t.Fatalf("OTP sign-in as %s, want %s", res.User.ID, u.ID)
	}
	// The same through the mail's link (the path a stack whose mails carry
	// no code takes): GET the link, take the session from the redirect.
	if err := a.SignOut(ctx, auth.ScopeLocal); err != nil {
		t.Fatal(err)
	}
	since = time.Now()
	if _, err := a.SignInWithOTP(ctx, auth.OTPParams{Email: u.Email, DisableSignup: true}); err != nil {
		t.Fatal(err)
	}
	mail, err = mb.Latest(ctx, u.Email, since)
	if err != nil || mail.Link == "" {
		t.Fatalf("magic link mail: %+v, %v", mail, err)
	}
	mail.OTP = ""
	if res := verifyMail(t, a, u.Email, mail, auth.OTPMagicLink); res.User.ID != u.ID {
		t.Fatalf("magic link signed in %s, want %s", res.User.ID, u.ID)
	}
	if got, err := a.GetUser(ctx); err != nil || got.ID != u.ID {
		t.Fatalf("user after the magic link: %+v, %v", got, err)
	}

	// An unknown address with sign-ups disabled for the call is refused.
	if _, err := a.SignInWithOTP(ctx, auth.OTPParams{Email: uniq("nobody-") + "@example.com", DisableSignup: true}); err == nil {
		t.Fatal("OTP for an unknown user with create_user=false succeeded")
	}

	// Recovery: the mailed code signs in, then the password changes.
	if err := a.SignOut(ctx, auth.ScopeLocal); err != nil {
		t.Fatal(err)
	}
	since = time.Now()
	if err := a.ResetPasswordForEmail(ctx, u.Email, auth.ResetPasswordParams{}); err != nil {
		t.Fatal(err)
	}
	mail, err = mb.Latest(ctx, u.Email, since)
	if err != nil {
		t.Fatal(err)
	}
	verifyMail(t, a, u.Email, mail, auth.OTPRecovery)
	const newPassword = "a brand new passphrase"
	if _, err := a.UpdateUser(ctx, auth.UserAttributes{Password: newPassword}); err != nil {
		t.Fatal(err)
	}
	fresh := newClient(t, need(t).AnonKey).Auth()
	if _, err := fresh.SignInWithPassword(ctx, auth.PasswordCredentials{Email: u.Email, Password: u.Password}); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("old password after recovery: %v", err)
	}
	if r, err := fresh.SignInWithPassword(ctx, auth.PasswordCredentials{Email: u.Email, Password: newPassword}); err != nil || r.User.ID != u.ID {
		t.Fatalf("new password: %v", err)
	}
}

// TestAuthAnonymousAndOAuth: sign_in_anonymously (when the project allows
// it) and sign_in_with_oauth (the URL to send the user to).
func TestAuthAnonymousAndOAuth(t *testing.T) {
	ctx := ctxFor(t)
	client := newClient(t, need(t).AnonKey)
	a := client.Auth()

	oauth, err := a.SignInWithOAuth(ctx, auth.OAuthParams{Provider: "github", RedirectTo: "http://localhost:3000/welcome"})
	if err != nil {
		t.Fatal(err)
	}
	if oauth.Provider != "github" || !strings.HasPrefix(oauth.URL, need(t).URL+"/auth/v1/authorize?") ||
		!strings.Contains(oauth.URL, "provider=github") || !strings.Contains(oauth.URL, "code_challenge=") {
		t.Fatalf("oauth URL: %+v", oauth)
	}

	settings, err := a.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !settings.External["anonymous_users"] {
		t.Skipf("capability missing on the %s tier: anonymous sign-ins are disabled in the project", need(t).Tier)
	}
	res, err := a.SignInAnonymously(ctx, auth.AnonymousParams{Data: map[string]any{"origin": "test"}})
	if err != nil || res.Session == nil || res.User == nil || !res.User.IsAnonymous {
		t.Fatalf("anonymous sign-in: %+v, %v", res, err)
	}
	t.Cleanup(func() { _ = adminAuth(t).DeleteUser(ctxFor(t), res.User.ID, false) })
	// An anonymous user is authenticated for RLS.
	msg, err := repo.New[Message](client).Insert(ctx, Message{Body: "anonymous"})
	if err != nil || msg.UserID != res.User.ID {
		t.Fatalf("insert as anonymous user: %+v, %v", msg, err)
	}
}

// TestAuthAdmin: the service-role calls.
func TestAuthAdmin(t *testing.T) {
	ctx := ctxFor(t)
	admin := adminAuth(t)
	email := strings.ToLower(uniq("admin-")) + "@example.com"
	created, err := admin.CreateUser(ctx, auth.AdminUserAttributes{Email: email, Password: "pw-" + uniq(""), EmailConfirm: true,
		UserMetadata: map[string]any{"plan": "free"}, AppMetadata: map[string]any{"tier": 1}})
	if err != nil || created.Email != email || created.EmailConfirmedAt == nil {
		t.Fatalf("create user: %+v, %v", created, err)
	}
	t.Cleanup(func() { _ = admin.DeleteUser(ctxFor(t), created.ID, false) })
	got, err := admin.GetUserByID(ctx, created.ID)
	if err != nil || got.Email != email || got.UserMetadata["plan"] != "free" {
		t.Fatalf("get user by id: %+v, %v", got, err)
	}
	upd, err := admin.UpdateUserByID(ctx, created.ID, auth.AdminUserAttributes{UserMetadata: map[string]any{"plan": "pro"}})
	if err != nil || upd.UserMetadata["plan"] != "pro" {
		t.Fatalf("update user: %+v, %v", upd, err)
	}
	found := false
	for u, err := range admin.Users(ctx, 50) {
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == created.ID {
			found = true
			break
		}
	}
	if !found {
		t.Fatal("list users: the new user is missing")
	}
	page, err := admin.ListUsers(ctx, auth.ListUsersParams{Page: 1, PerPage: 1})
	if err != nil || len(page.Users) != 1 || page.Total < 1 {
		t.Fatalf("list users page: %+v, %v", page, err)
	}
	link, err := admin.GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkMagicLink, Email: email})
	if err != nil || link.User.ID != created.ID || link.Properties.HashedToken == "" || link.Properties.ActionLink == "" {
		t.Fatalf("generate link: %+v, %v", link, err)
	}
	// The generated link's hash signs the user in.
	a := newClient(t, need(t).AnonKey).Auth()
	res, err := a.VerifyOTP(ctx, auth.VerifyOTPParams{TokenHash: link.Properties.HashedToken, Type: auth.OTPMagicLink})
	if err != nil || res.User == nil || res.User.ID != created.ID {
		t.Fatalf("verify generated link: %+v, %v", res, err)
	}
	// Inviting sends a mail: only where the suite can read it (a hosted
	// project would send real mail, within its low hourly limit).
	if need(t).Mailbox != nil {
		to := strings.ToLower(uniq("invite-")) + "@example.com"
		since := time.Now()
		invited, err := admin.InviteUserByEmail(ctx, to, auth.InviteParams{})
		if err != nil || invited.InvitedAt == nil || invited.Email != to {
			t.Fatalf("invite: %+v, %v", invited, err)
		}
		t.Cleanup(func() { _ = admin.DeleteUser(ctxFor(t), invited.ID, false) })
		if m, err := need(t).Mailbox.Latest(ctx, to, since); err != nil || (m.OTP == "" && m.Link == "") {
			t.Fatalf("invitation mail: %+v, %v", m, err)
		}
	} else {
		t.Logf("invite_user_by_email not exercised on the %s tier: it would send real mail", need(t).Tier)
	}

	// Admin calls with the anon key are refused.
	if _, err := newAuth(t, need(t).AnonKey).Admin().ListUsers(ctx, auth.ListUsersParams{}); !errors.Is(err, auth.ErrNotAdmin) {
		t.Fatalf("admin call with the anon key: %v", err)
	}
	if err := admin.DeleteUser(ctx, created.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.GetUserByID(ctx, created.ID); !errors.Is(err, auth.ErrUserNotFound) {
		t.Fatalf("deleted user: %v", err)
	}
}

// TestDatabaseRLS: Row Level Security as signed-in users, through the
// token source and through WithAccessToken, against the service role and
// anon.
func TestDatabaseRLS(t *testing.T) {
	ctx := ctxFor(t)
	alice, bob := newUser(t), newUser(t)
	m := schema.Cols[Message]()
	body := uniq("secret-")
	am, err := repo.New[Message](alice.Client).Insert(ctx, Message{Body: body})
	if err != nil || am.UserID != alice.ID {
		t.Fatalf("alice's insert: %+v, %v", am, err)
	}

	// Bob, acting through WithAccessToken on a shared anon client.
	tok, err := bob.Auth.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	asBob := anonClient(t).WithAccessToken(tok)
	bobs := repo.New[Message](asBob)
	if rows, err := bobs.Find(ctx, query.Eq(&m.Body, body)); err != nil || len(rows) != 0 {
		t.Fatalf("bob sees alice's message: %+v, %v", rows, err)
	}
	if rows, err := bobs.Update(ctx, []query.Filter{query.Eq(&m.ID, am.ID)}, repo.Set(&m.Body, "hacked")); err != nil || len(rows) != 0 {
		t.Fatalf("bob updated alice's message: %+v, %v", rows, err)
	}
	if rows, err := bobs.Delete(ctx, query.Eq(&m.ID, am.ID)); err != nil || len(rows) != 0 {
		t.Fatalf("bob deleted alice's message: %+v, %v", rows, err)
	}
	if _, err := bobs.Insert(ctx, Message{UserID: alice.ID, Body: "forged"}); !errors.Is(err, repo.ErrPermissionDenied) {
		t.Fatalf("bob wrote as alice: %v", err)
	}
	who, err := repo.Call[string](ctx, asBob, "whoami", nil)
	if err != nil || who != bob.ID {
		t.Fatalf("whoami as bob: %q, %v", who, err)
	}

	// Anon sees nothing and cannot write.
	anon := repo.New[Message](anonClient(t))
	if rows, err := anon.Find(ctx, query.Eq(&m.Body, body)); err != nil || len(rows) != 0 {
		t.Fatalf("anon sees messages: %+v, %v", rows, err)
	}
	if _, err := anon.Insert(ctx, Message{UserID: alice.ID, Body: "anon"}); !errors.Is(err, repo.ErrPermissionDenied) {
		t.Fatalf("anon insert: %v", err)
	}

	// The service role bypasses RLS; alice still sees her message unchanged.
	svc, err := repo.New[Message](serviceClient(t)).Find(ctx, query.Eq(&m.Body, body))
	if err != nil || len(svc) != 1 || svc[0].UserID != alice.ID {
		t.Fatalf("service role: %+v, %v", svc, err)
	}
	mine, err := repo.New[Message](alice.Client).Get(ctx, am.ID)
	if err != nil || mine.Body != body {
		t.Fatalf("alice's message after bob's attempts: %+v, %v", mine, err)
	}
	// A profile only its owner may write, everyone may read.
	prof, err := repo.New[Profile](alice.Client).Insert(ctx, Profile{ID: alice.ID, Username: uniq("alice-")})
	if err != nil || prof.ID != alice.ID {
		t.Fatalf("own profile: %+v, %v", prof, err)
	}
	if _, err := repo.New[Profile](asBob).Insert(ctx, Profile{ID: alice.ID, Username: uniq("x-")}); err == nil {
		t.Fatal("bob wrote alice's profile")
	}
	p := schema.Cols[Profile]()
	if read, err := repo.New[Profile](anonClient(t)).Find(ctx, query.Eq(&p.ID, alice.ID)); err != nil || len(read) != 1 {
		t.Fatalf("anon reads profiles: %+v, %v", read, err)
	}
}
