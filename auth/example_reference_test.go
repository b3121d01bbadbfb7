package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/supakit/supakit"
	"github.com/supakit/supakit/auth"
)

// The examples below run each call of the reference's Auth and MFA
// sections against refGoTrue, a stand-in for a project's /auth/v1.

func refToken(aal string) string {
	p, _ := json.Marshal(map[string]any{"sub": "6c46d140", "aud": "authenticated", "exp": 4102444800, "aal": aal})
	return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(p) + ".c2ln"
}

func refGoTrue() *httptest.Server {
	user := func(anonymous bool) map[string]any {
		u := map[string]any{"id": "6c46d140", "aud": "authenticated", "email": "alice@example.com",
			"factors": []map[string]any{{"id": "f1", "factor_type": "totp", "status": "verified"}}, "is_anonymous": anonymous}
		if anonymous {
			u["email"], u["factors"] = "", nil
		}
		return u
	}
	session := func(aal, refresh string, anonymous bool) map[string]any {
		return map[string]any{"access_token": refToken(aal), "token_type": "bearer", "expires_in": 3600,
			"expires_at": 4102444800, "refresh_token": refresh, "user": user(anonymous)}
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/json")
		var out any
		route := r.Method + " " + strings.TrimPrefix(r.URL.Path, "/auth/v1")
		switch route {
		case "POST /signup":
			if in["email"] == nil && in["phone"] == nil {
				out = session("aal1", "r-anon", true)
			} else {
				out = map[string]any{"id": "6c46d140", "aud": "authenticated", "email": in["email"]} // confirmation pending
			}
		case "POST /token":
			switch r.URL.Query().Get("grant_type") {
			case "refresh_token":
				out = session("aal1", "r2", false)
			default:
				out = session("aal1", "r1", false)
			}
		case "POST /otp", "POST /recover":
			out = map[string]any{}
		case "POST /verify":
			out = session("aal1", "r1", false)
		case "GET /user":
			out = user(false)
		case "POST /logout":
			w.WriteHeader(http.StatusNoContent)
			return
		case "POST /factors":
			out = map[string]any{"id": "f2", "type": "totp", "friendly_name": in["friendly_name"],
				"totp": map[string]any{"qr_code": "<svg/>", "secret": "JBSWY3DPEHPK3PXP", "uri": "otpauth://totp/example:alice@example.com?secret=JBSWY3DPEHPK3PXP"}}
		case "POST /factors/f1/challenge":
			out = map[string]any{"id": "c1", "type": "totp", "expires_at": 4102444800}
		case "POST /factors/f1/verify":
			out = session("aal2", "r3", false)
		case "DELETE /factors/f1":
			out = map[string]any{"id": "f1"}
		case "POST /admin/users":
			out = map[string]any{"id": "9a1e", "aud": "authenticated", "email": in["email"]}
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"code":"not_found","message":"no route"}`)
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
}

// refClient returns an Auth client of the stand-in project, signed in when
// signedIn is set.
func refClient(srv *httptest.Server, signedIn bool) *auth.Client {
	base, _ := supakit.New(srv.URL, "sb_publishable_example")
	a, _ := auth.New(base.AuthTransport())
	if signedIn {
		_, _ = a.SignInWithPassword(context.Background(), auth.PasswordCredentials{Email: "alice@example.com", Password: "alice-password-123"})
	}
	return a
}

// supabase.auth.sign_up(credentials={"email": …, "password": …})
func ExampleClient_SignUp() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, false)

	res, err := a.SignUp(context.Background(), auth.SignUpParams{
		Email: "alice@example.com", Password: "alice-password-123",
		Data:       map[string]string{"display_name": "Alice"},
		RedirectTo: "https://app.example.com/welcome",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// With "Confirm email" on, GoTrue answers the user and no session.
	fmt.Println(res.User.Email, res.Session == nil)
	// Output: alice@example.com true
}

// supabase.auth.sign_in_anonymously(credentials={"options": {"captcha_token": ""}})
func ExampleClient_SignInAnonymously() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, false)

	res, err := a.SignInAnonymously(context.Background(), auth.AnonymousParams{CaptchaToken: ""})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.User.IsAnonymous, res.Session != nil)
	// Output: true true
}

// supabase.auth.sign_in_with_password({"email": …, "password": …})
func ExampleClient_SignInWithPassword() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, false)

	res, err := a.SignInWithPassword(context.Background(), auth.PasswordCredentials{Email: "alice@example.com", Password: "alice-password-123"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.User.Email, res.Session.ExpiresAt)
	// Output: alice@example.com 4102444800
}

// supabase.auth.sign_in_with_otp({"email": …, "options": {"email_redirect_to": …}})
func ExampleClient_SignInWithOTP() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, false)
	ctx := context.Background()

	_, err := a.SignInWithOTP(ctx, auth.OTPParams{Email: "alice@example.com", RedirectTo: "https://example.com/welcome"})
	fmt.Println("code sent:", err == nil)
	// The user types the code from the mail:
	res, err := a.VerifyOTP(ctx, auth.VerifyOTPParams{Email: "alice@example.com", Token: "123456", Type: auth.OTPEmail})
	fmt.Println("signed in:", err == nil && res.Session != nil)
	// Output:
	// code sent: true
	// signed in: true
}

// supabase.auth.sign_out()
func ExampleClient_SignOut() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, true)
	ctx := context.Background()

	err := a.SignOut(ctx, auth.ScopeGlobal) // or ScopeLocal, ScopeOthers; "" is global
	_, noSession := a.GetSession(ctx)
	fmt.Println(err, noSession)
	// Output: <nil> auth: no session
}

// supabase.auth.verify_otp({"phone": …, "token": …, "type": "sms"})
func ExampleClient_VerifyOTP() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, false)

	res, err := a.VerifyOTP(context.Background(), auth.VerifyOTPParams{Phone: "+15550100", Token: "123456", Type: auth.OTPSMS})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Session.User.ID)
	// Output: 6c46d140
}

// supabase.auth.get_session()
func ExampleClient_GetSession() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, true)

	s, err := a.GetSession(context.Background()) // refreshed first if about to expire
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.User.Email, s) // tokens never print
	// Output: alice@example.com auth.Session{user:"6c46d140", expires_at:4102444800, access_token:[REDACTED], refresh_token:[REDACTED]}
}

// supabase.auth.refresh_session()
func ExampleClient_RefreshSession() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, true)

	s, err := a.RefreshSession(context.Background(), "") // "": the current session's refresh token
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.RefreshToken == "r2")
	// Output: true
}

// supabase.auth.get_user()
func ExampleClient_GetUser() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, true)

	u, err := a.GetUser(context.Background()) // asks GoTrue, not the local session
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.ID, u.Email)
	// Output: 6c46d140 alice@example.com
}

// supabase.auth.set_session(access_token, refresh_token)
func ExampleClient_SetSession() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, false)

	s, err := a.SetSession(context.Background(), refToken("aal1"), "r-from-elsewhere")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.User.Email, s.ExpiresAt)
	// Output: alice@example.com 4102444800
}

// supabase.auth.mfa.enroll({"factor_type": "totp", "friendly_name": …})
func ExampleMFA_Enroll() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, true)

	f, err := a.MFA().Enroll(context.Background(), auth.EnrollParams{FactorType: auth.FactorTypeTOTP, FriendlyName: "phone app"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.ID, f.FriendlyName, f.TOTP.Secret, f.TOTP.QRCode)
	// Output: f2 phone app JBSWY3DPEHPK3PXP <svg/>
}

// supabase.auth.mfa.challenge({"factor_id": …})
func ExampleMFA_Challenge() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, true)

	ch, err := a.MFA().Challenge(context.Background(), auth.ChallengeParams{FactorID: "f1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ch.ID, ch.Type)
	// Output: c1 totp
}

// supabase.auth.mfa.verify({"factor_id": …, "challenge_id": …, "code": …})
func ExampleMFA_Verify() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, true)
	ctx := context.Background()

	_, err := a.MFA().Verify(ctx, auth.VerifyParams{FactorID: "f1", ChallengeID: "c1", Code: "123456"})
	if err != nil {
		fmt.Println(err)
		return
	}
	aal, _ := a.MFA().GetAuthenticatorAssuranceLevel(ctx)
	fmt.Println(aal.Current)
	// Output: aal2
}

// supabase.auth.mfa.challenge_and_verify({"factor_id": …, "code": …})
func ExampleMFA_ChallengeAndVerify() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, true)

	s, err := a.MFA().ChallengeAndVerify(context.Background(), "f1", "123456")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.RefreshToken == "r3")
	// Output: true
}

// supabase.auth.mfa.unenroll({"factor_id": …})
func ExampleMFA_Unenroll() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, true)

	id, err := a.MFA().Unenroll(context.Background(), "f1")
	fmt.Println(id, err)
	// Output: f1 <nil>
}

// supabase.auth.mfa.get_authenticator_assurance_level()
func ExampleMFA_GetAuthenticatorAssuranceLevel() {
	srv := refGoTrue()
	defer srv.Close()
	a := refClient(srv, true)

	aal, err := a.MFA().GetAuthenticatorAssuranceLevel(context.Background()) // no request
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(aal.Current, "->", aal.Next)
	// Output: aal1 -> aal2
}

// Admin calls (service role): create a confirmed user.
func ExampleAdmin_CreateUser() {
	srv := refGoTrue()
	defer srv.Close()
	base, _ := supakit.New(srv.URL, "service-role-key")
	a, _ := auth.New(base.AuthTransport())

	u, err := a.Admin().CreateUser(context.Background(), auth.AdminUserAttributes{
		Email: "bob@example.com", Password: "bob-password-123", EmailConfirm: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.ID, u.Email)
	// Output: 9a1e bob@example.com
}
