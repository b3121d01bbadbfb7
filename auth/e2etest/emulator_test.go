package e2etest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/auth"
	"github.com/supakit/supakit/emulator"
	"github.com/supakit/supakit/transport"
)

// startEmulator runs the local stack on a fresh database, or skips when no
// PostgreSQL is available.
func startEmulator(t *testing.T, cfg emulator.Config) *emulator.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg.FreshDatabase = true
	srv, err := emulator.Start(ctx, cfg)
	if err != nil && strings.Contains(err.Error(), "no PostgreSQL") {
		t.Skipf("no PostgreSQL for the emulator: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// TestAgainstEmulator runs the client's main flows against the emulator's
// /auth/v1, over a real PostgreSQL.
func TestAgainstEmulator(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Auth: emulator.AuthConfig{AllowAnonymous: true}})
	ctx := context.Background()
	if _, err := srv.Pool().Exec(ctx, `
		create table notes (id bigserial primary key, owner uuid not null default auth.uid(), body text);
		alter table notes enable row level security;
		create policy own on notes for all to authenticated using (owner = auth.uid()) with check (owner = auth.uid());
		grant all on notes to authenticated; grant usage on sequence notes_id_seq to authenticated;`); err != nil {
		t.Fatal(err)
	}
	if err := srv.ReloadSchema(ctx); err != nil {
		t.Fatal(err)
	}
	base, err := supakit.New(srv.URL, srv.AnonKey)
	if err != nil {
		t.Fatal(err)
	}
	var events []auth.Event
	a, err := auth.New(base.AuthTransport(), auth.WithFlowType(auth.FlowImplicit),
		auth.WithEventHook(func(e auth.Event, _ *auth.Session) { events = append(events, e) }))
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(auth.WithHS256Secret([]byte(srv.JWTSecret)), auth.WithLeeway(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	const email, password = "ada@example.com", "correct horse battery"

	// Sign up (confirmation required), confirm with the mailed code.
	res, err := a.SignUp(ctx, auth.SignUpParams{Email: email, Password: password, Data: map[string]any{"display_name": "Ada"}})
	if err != nil || res.Session != nil || res.User == nil {
		t.Fatalf("sign-up: %+v, %v", res, err)
	}
	if _, err := a.SignInWithPassword(ctx, auth.PasswordCredentials{Email: email, Password: password}); !errors.Is(err, auth.ErrEmailNotConfirmed) {
		t.Fatalf("unconfirmed sign-in: %v", err)
	}
	mail, ok := srv.Outbox().Latest(email)
	if !ok || mail.OTP == "" {
		t.Fatalf("no confirmation mail: %+v", mail)
	}
	if _, err := a.VerifyOTP(ctx, auth.VerifyOTPParams{Email: email, Token: "000000", Type: auth.OTPSignup}); !errors.Is(err, auth.ErrOTPExpired) {
		t.Fatalf("wrong code: %v", err)
	}
	res, err = a.VerifyOTP(ctx, auth.VerifyOTPParams{Email: email, Token: mail.OTP, Type: auth.OTPType(mail.VerifyType)})
	if err != nil || res.Session == nil {
		t.Fatalf("verify: %v", err)
	}
	userID := res.User.ID

	// The server side accepts the token and sees the user.
	tok, err := a.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := verifier.Verify(ctx, tok)
	if err != nil || claims.Subject != userID || claims.AAL != auth.AAL1 || claims.SessionID == "" {
		t.Fatalf("verifier: %+v, %v", claims, err)
	}

	// REST under RLS as the user, through the token source.
	client, err := supakit.New(srv.URL, srv.AnonKey, supakit.WithTokenSource(a))
	if err != nil {
		t.Fatal(err)
	}
	insert := func(c *supakit.Client) (int, string) {
		resp, err := c.Rest().Do(ctx, &transport.Request{Method: http.MethodPost, Path: "/notes", Body: strings.NewReader(`{"body":"hi"}`),
			ContentLength: 13, Header: http.Header{"Content-Type": {"application/json"}, "Prefer": {"return=representation"}}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := insert(client); status != http.StatusCreated || !strings.Contains(body, userID) {
		t.Fatalf("insert as the user: %d %s", status, body)
	}
	if status, _ := insert(base); status == http.StatusCreated {
		t.Fatal("anon insert passed RLS")
	}

	// User calls.
	u, err := a.UpdateUser(ctx, auth.UserAttributes{Data: map[string]any{"favourite": 42}})
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		DisplayName string `json:"display_name"`
		Favourite   int    `json:"favourite"`
	}
	if err := u.DecodeUserMetadata(&meta); err != nil || meta.DisplayName != "Ada" || meta.Favourite != 42 {
		t.Fatalf("metadata: %+v, %v", meta, err)
	}
	before, _ := a.GetSession(ctx)
	after, err := a.RefreshSession(ctx, "")
	if err != nil || after.RefreshToken == before.RefreshToken {
		t.Fatalf("refresh: %v", err)
	}

	// MFA: enrol TOTP, verify to aal2.
	enrolled, err := a.MFA().Enroll(ctx, auth.EnrollParams{FriendlyName: "phone app", Issuer: "supakit"})
	if err != nil || enrolled.TOTP == nil || !strings.Contains(enrolled.TOTP.QRCode, "<svg") {
		t.Fatalf("enroll: %+v, %v", enrolled, err)
	}
	code, err := totp.GenerateCode(enrolled.TOTP.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.MFA().ChallengeAndVerify(ctx, enrolled.ID, "000000"); !errors.Is(err, auth.ErrMFAVerificationFailed) && code != "000000" {
		t.Fatalf("wrong TOTP code: %v", err)
	}
	if _, err := a.MFA().ChallengeAndVerify(ctx, enrolled.ID, code); err != nil {
		t.Fatalf("verify TOTP: %v", err)
	}
	level, err := a.MFA().GetAuthenticatorAssuranceLevel(ctx)
	if err != nil || level.Current != auth.AAL2 || level.Next != auth.AAL2 {
		t.Fatalf("aal: %+v, %v", level, err)
	}
	factors, err := a.MFA().ListFactors(ctx)
	if err != nil || len(factors.TOTP) != 1 {
		t.Fatalf("factors: %+v, %v", factors, err)
	}

	// Admin.
	admin, err := auth.New(mustTransport(t, srv.URL, srv.ServiceRoleKey))
	if err != nil {
		t.Fatal(err)
	}
	page, err := admin.Admin().ListUsers(ctx, auth.ListUsersParams{Page: 1, PerPage: 10})
	if err != nil || page.Total < 1 || len(page.Users) < 1 {
		t.Fatalf("list users: %+v, %v", page, err)
	}
	if _, err := a.Admin().ListUsers(ctx, auth.ListUsersParams{}); !errors.Is(err, auth.ErrNotAdmin) {
		t.Fatalf("admin call with the anon key: %v", err)
	}
	link, err := admin.Admin().GenerateLink(ctx, auth.GenerateLinkParams{Type: auth.LinkMagicLink, Email: email})
	if err != nil || link.Properties.HashedToken == "" || link.User.ID != userID {
		t.Fatalf("generate link: %+v, %v", link, err)
	}

	// Sign out: the old token's session is gone.
	old, _ := a.Token(ctx)
	if err := a.SignOut(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetUserWithToken(ctx, old); !errors.Is(err, auth.ErrSessionNotFound) {
		t.Fatalf("user after sign-out: %v", err)
	}
	if _, err := a.SignInWithPassword(ctx, auth.PasswordCredentials{Email: email, Password: "wrong password"}); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	want := []auth.Event{auth.EventSignedIn, auth.EventUserUpdated, auth.EventTokenRefreshed, auth.EventMFAChallengeVerified, auth.EventSignedOut}
	if len(events) != len(want) {
		t.Fatalf("events %v, want %v", events, want)
	}
	for i := range want {
		if events[i] != want[i] {
			t.Fatalf("events %v, want %v", events, want)
		}
	}
	if err := admin.Admin().DeleteUser(ctx, userID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Admin().GetUserByID(ctx, userID); !errors.Is(err, auth.ErrUserNotFound) {
		t.Fatalf("deleted user: %v", err)
	}
}

// TestEmulatorPKCEMagicLink: a magic link requested in the PKCE flow
// redirects with ?code=, which SessionFromURL exchanges.
func TestEmulatorPKCEMagicLink(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Auth: emulator.AuthConfig{Autoconfirm: true}})
	ctx := context.Background()
	a, err := auth.New(mustTransport(t, srv.URL, srv.AnonKey)) // PKCE by default
	if err != nil {
		t.Fatal(err)
	}
	const email = "grace@example.com"
	if _, err := a.SignInWithOTP(ctx, auth.OTPParams{Email: email}); err != nil {
		t.Fatal(err)
	}
	mail, ok := srv.Outbox().Latest(email)
	if !ok || mail.Link == "" {
		t.Fatalf("no magic link: %+v", mail)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(mail.Link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "code=") {
		t.Fatalf("link answered %d %q", resp.StatusCode, loc)
	}
	s, err := a.SessionFromURL(ctx, loc)
	if err != nil || s.User == nil || s.User.Email != email {
		t.Fatalf("session from the PKCE redirect: %v, %v", s, err)
	}
}

func mustTransport(t testing.TB, url, key string) *transport.Transport {
	t.Helper()
	base, err := supakit.New(url, key)
	if err != nil {
		t.Fatal(err)
	}
	return base.AuthTransport()
}
